"""Audit trail: every state change leaves an event, hash-chained so edits of history show."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.actors import Actor, check_actor
from models.core.db import UTCDateTime, db

GENESIS = "0" * 64
ANONYMOUS = "anonymous"  # the audit label of an event nobody was logged in for


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


def _plain(value: Any) -> Any:
    """JSON-safe values; datetimes normalised to UTC so the hash does not depend on a zone."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def _digest(prev_hash: str, fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict:
    return {
        "at": _plain(event.at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
    }


def _driver_in_transaction(session: Session) -> bool:
    return session.connection().connection.dbapi_connection.in_transaction


def _lock_chain(session: Session) -> None:
    """Serialise writers of the chain before the last hash is read.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time, but the
    driver starts the transaction only at the first write, so a read of the last hash before it
    sees a chain another writer is about to extend (200 concurrent requests forked it 45 times).
    A write that changes nothing takes the database's write lock first; the read then sees the
    latest chain and nobody can append until this transaction ends.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(516047)"))
    elif dialect == "sqlite" and not _driver_in_transaction(session):
        # the driver opens its transaction at the first write: if one was made (the change
        # this event records), the write lock is already held and the no-op is not needed
        session.execute(sa.text("UPDATE audit_event SET id = id WHERE 0"))


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    now: datetime,
) -> AuditEvent:
    """Append one audit event in the caller's transaction.

    The actor is a user, a system actor (`system:<name>`), or None for a request nobody is
    logged in for (a failed login, a refused anonymous request): `anonymous`.
    """
    if actor is None:
        actor_id, label = None, ANONYMOUS
    else:
        check_actor(actor)
        actor_id, label = actor.id, actor.label
    _lock_chain(session)
    prev = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=now,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event.prev_hash, _hashed_fields(event))
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session) -> int | None:
    """The id of the first event whose hash or link does not match, or None if intact."""
    prev = GENESIS
    for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if event.prev_hash != prev or _digest(prev, _hashed_fields(event)) != event.hash:
            return event.id
        prev = event.hash
    return None
