"""The audit chain: intact after real operations, and an edit of history is detected."""

import sqlalchemy as sa

from models.core.audit import AuditEvent, verify_chain
from tests.factories import load_mini


def test_editing_a_past_event_breaks_the_chain_at_that_event(session):
    load_mini(session)
    session.commit()
    assert verify_chain(session) is None
    first = session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id).limit(1))
    session.execute(sa.update(AuditEvent).where(AuditEvent.id == first.id)
                    .values(after={"changes": ["+ nothing happened"]}))
    session.commit()
    session.expire_all()
    assert verify_chain(session) == first.id


def test_deleting_an_event_is_detected(session):
    load_mini(session)
    session.commit()
    ids = session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert len(ids) >= 2
    session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[0]))
    session.commit()
    assert verify_chain(session) == ids[1]
