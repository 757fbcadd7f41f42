"""Migration 0021: PostgreSQL appends audit events with `planwatch_audit_append`; an upgraded
database records and verifies its chain as before, and a downgrade removes the function."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from cli.migrate import alembic_config, upgrade
from models.core.audit import record, verify_chain
from models.core.db import make_engine, make_session_factory

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _function_exists(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(sa.text(
            "SELECT count(*) FROM pg_proc WHERE proname = 'planwatch_audit_append'")))


def test_an_upgraded_database_appends_through_the_function(empty_db_url):
    if not empty_db_url.startswith("postgresql"):
        pytest.skip("the function is PostgreSQL's (SQLite's events are one INSERT)")
    upgrade(empty_db_url, "0015")
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    assert not _function_exists(engine)
    upgrade(empty_db_url)
    assert _function_exists(engine)
    with factory() as session:
        for i in range(3):
            record(session, actor=None, action="test.after", entity_type="thing",
                   entity_id=i, now=NOW)
        session.commit()
        assert verify_chain(session) is None
    command.downgrade(alembic_config(empty_db_url), "0015")
    assert not _function_exists(engine)
    engine.dispose()
