"""Audit trail: every state change leaves an event, hash-chained so edits of history show."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

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


def _canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, canonical: str) -> str:
    """An event's hash: SHA-256 of the previous hash followed by the event's canonical JSON.

    The same function runs in the database when an event is appended (`_hash_sql`): PostgreSQL's
    `sha256`, and on SQLite this function, registered on every connection (models.core.db)."""
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _digest(prev_hash: str, fields: dict) -> str:
    return chain_hash(prev_hash, _canonical(fields))


def _hashed_fields(event: AuditEvent) -> dict:
    return _fields(event.at, event.actor_id, event.actor_label, event.action, event.entity_type,
                   event.entity_id, event.before, event.after)


def _fields(at, actor_id, actor_label, action, entity_type, entity_id, before, after) -> dict:
    return {
        "at": _plain(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }


def _driver_in_transaction(session: Session) -> bool:
    return session.connection().connection.dbapi_connection.in_transaction


_LOCK_KEY = 516047
_LOCKED = "planwatch.audit_chain_locked"  # session.info: the transaction holding the lock


def _transaction(session: Session):
    """The innermost transaction (a savepoint rolled back releases what it locked)."""
    if isinstance(session, scoped_session):
        session = session()
    return session.get_nested_transaction() or session.get_transaction()


def chain_lock_sql():
    """PostgreSQL's lock of the chain as a SQL expression, for a caller that takes it in a
    statement it runs anyway (`UPDATE ... RETURNING`); then `chain_locked` tells `record`."""
    return sa.func.pg_advisory_xact_lock(_LOCK_KEY)


def chain_locked(session: Session) -> None:
    """The caller's transaction took `chain_lock_sql()`: `record` need not take it again."""
    session.info[_LOCKED] = _transaction(session)


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
        held = session.info.get(_LOCKED)
        if held is None or held is not _transaction(session):  # not by this transaction
            session.execute(sa.select(chain_lock_sql()))
            chain_locked(session)
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
    if session.dirty or session.new or session.deleted:
        session.flush()  # the caller's changes first, as the event's own flush used to
    _lock_chain(session)
    entity_id = None if entity_id is None else str(entity_id)
    before = _plain(before) if before is not None else None
    after = _plain(after) if after is not None else None
    canonical = _canonical(_fields(now, actor_id, label, action, entity_type, entity_id,
                                   before, after))
    # one statement: the last hash read and the new event written, under the chain's lock
    row = session.connection().execute(_append_statement(session.get_bind().dialect.name), {
        "at": now, "actor_id": actor_id, "actor_label": label, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "before": before, "after": after,
        "canonical": canonical}).one()
    # the event as written, not added to the session (nothing of it is left to flush)
    return AuditEvent(id=row.id, at=now, actor_id=actor_id, actor_label=label, action=action,
                      entity_type=entity_type, entity_id=entity_id, before=before, after=after,
                      prev_hash=row.prev_hash, hash=row.hash)


_TABLE = AuditEvent.__table__


@functools.cache
def _append_statement(dialect: str):
    """INSERT INTO audit_event: the columns come with the execution; prev_hash is the last
    event's hash (or GENESIS) and hash is `chain_hash(prev_hash, :canonical)`, both computed by
    the database (PostgreSQL's sha256; on SQLite `chain_hash`, registered by models.core.db)."""
    prev = sa.func.coalesce(sa.select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
                            .scalar_subquery(), GENESIS)
    canonical = sa.bindparam("canonical", type_=sa.Text)
    if dialect == "postgresql":
        digest = sa.func.encode(sa.func.sha256(sa.func.convert_to(prev.concat(canonical),
                                                                  "UTF8")), "hex")
    else:
        digest = sa.func.planwatch_chain_hash(prev, canonical, type_=sa.String)
    return (sa.insert(_TABLE).values(prev_hash=prev, hash=digest)
            .returning(_TABLE.c.id, _TABLE.c.prev_hash, _TABLE.c.hash))


def verify_chain(session: Session) -> int | None:
    """The id of the first event whose hash or link does not match, or None if intact."""
    prev = GENESIS
    for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if event.prev_hash != prev or _digest(prev, _hashed_fields(event)) != event.hash:
            return event.id
        prev = event.hash
    return None
