"""Audit trail: every state change leaves an event, hash-chained so edits of history show."""

from __future__ import annotations

import functools
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


@sa.event.listens_for(AuditEvent.__table__, "after_create")
def _append_function(target, connection, **kw):
    """`create_all` (the tests' schema) makes the append function as migration 0021 does."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(APPEND_FUNCTION_SQL)


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


_LOCK_KEY = 516047
# PostgreSQL appends an event with one function call (migration 0021; `create_all` makes it
# too): the chain's lock, then the last hash read with a snapshot taken after the lock (a
# VOLATILE function takes one per statement, so a writer that committed while this one waited
# is seen), then the INSERT whose hash the database computes. One statement whatever the
# caller's transaction did before, and the same for the ORM's sessions and the API's lane.
APPEND_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION planwatch_audit_append(
    p_at timestamptz, p_actor_id integer, p_actor_label text, p_action text,
    p_entity_type text, p_entity_id text, p_before json, p_after json, p_canonical text)
RETURNS TABLE (id integer, prev_hash varchar, hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_prev varchar;
BEGIN
    PERFORM pg_advisory_xact_lock({_LOCK_KEY});
    SELECT e.hash INTO v_prev FROM audit_event AS e ORDER BY e.id DESC LIMIT 1;
    v_prev := coalesce(v_prev, '{GENESIS}');
    RETURN QUERY
        INSERT INTO audit_event AS e (at, actor_id, actor_label, action, entity_type, entity_id,
                                      before, after, prev_hash, hash)
        VALUES (p_at, p_actor_id, p_actor_label, p_action, p_entity_type, p_entity_id,
                p_before, p_after, v_prev,
                encode(sha256(convert_to(v_prev || p_canonical, 'UTF8')), 'hex'))
        RETURNING e.id, e.prev_hash, e.hash;
END
$$"""
# its arguments, in order, as `event_values` names them, with their SQL types
APPEND_ARGUMENTS = (("at", "timestamptz"), ("actor_id", "integer"), ("actor_label", "text"),
                    ("action", "text"), ("entity_type", "text"), ("entity_id", "text"),
                    ("before", "json"), ("after", "json"), ("canonical", "text"))


def _lock_chain(connection: sa.Connection) -> None:
    """Serialise writers of the chain before the last hash is read (SQLite; on PostgreSQL
    `planwatch_audit_append` takes the lock).

    SQLite has one writer at a time, but the driver starts the transaction only at the first
    write, so a read of the last hash before it sees a chain another writer is about to extend
    (200 concurrent requests forked it 45 times). A write that changes nothing takes the
    database's write lock first; the read then sees the latest chain and nobody can append
    until this transaction ends.
    """
    # the driver opens its transaction at the first write: if one was made (the change this
    # event records), the write lock is already held and the no-op is not needed
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("UPDATE audit_event SET id = id WHERE 0")


def append_event(connection: sa.Connection, values: dict):
    """Append the event of `event_values` in the connection's transaction: (id, prev_hash,
    hash) as the database wrote them."""
    dialect = connection.dialect.name
    if dialect != "postgresql":
        _lock_chain(connection)
    # one statement: the last hash read and the new event written, under the chain's lock
    return connection.execute(_append_statement(dialect), values).one()


def event_values(*, actor: Actor | None, action: str, entity_type: str, entity_id: Any,
                 before: dict | None, after: dict | None, now: datetime) -> dict:
    """An event's columns as it will be written (`APPEND_ARGUMENTS`), with its canonical
    JSON, the text its hash is computed from."""
    if actor is None:
        actor_id, label = None, ANONYMOUS
    else:
        check_actor(actor)
        actor_id, label = actor.id, actor.label
    entity_id = None if entity_id is None else str(entity_id)
    before = _plain(before) if before is not None else None
    after = _plain(after) if after is not None else None
    canonical = _canonical(_fields(now, actor_id, label, action, entity_type, entity_id,
                                   before, after))
    return {"at": now, "actor_id": actor_id, "actor_label": label, "action": action,
            "entity_type": entity_type, "entity_id": entity_id, "before": before,
            "after": after, "canonical": canonical}


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
    values = event_values(actor=actor, action=action, entity_type=entity_type,
                          entity_id=entity_id, before=before, after=after, now=now)
    if session.dirty or session.new or session.deleted:
        session.flush()  # the caller's changes first, as the event's own flush used to
    row = append_event(session.connection(), values)
    # the event as written, not added to the session (nothing of it is left to flush)
    del values["canonical"]
    return AuditEvent(id=row.id, prev_hash=row.prev_hash, hash=row.hash, **values)


_TABLE = AuditEvent.__table__


@functools.cache
def _append_statement(dialect: str):
    """The statement that appends an event: on PostgreSQL the call of `planwatch_audit_append`;
    elsewhere an INSERT whose prev_hash is the last event's hash (or GENESIS) and whose hash is
    `chain_hash(prev_hash, :canonical)`, computed by the database (on SQLite `chain_hash`,
    registered by models.core.db)."""
    if dialect == "postgresql":
        return sa.text(
            "SELECT id, prev_hash, hash FROM planwatch_audit_append("
            + ", ".join(f"CAST(:{name} AS {kind})" for name, kind in APPEND_ARGUMENTS) + ")"
        ).bindparams(sa.bindparam("at", type_=UTCDateTime), sa.bindparam("before", type_=sa.JSON),
                     sa.bindparam("after", type_=sa.JSON))
    prev = sa.func.coalesce(sa.select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
                            .scalar_subquery(), GENESIS)
    canonical = sa.bindparam("canonical", type_=sa.Text)
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
