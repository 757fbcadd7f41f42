"""History no one can rewrite unnoticed: one writer at a time, signed checkpoints, verify."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from models.core.audit import AuditEvent, _digest, _hashed_fields, record, verify_chain
from models.core.db import make_engine, make_session_factory

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)


def _events(session, n=6):
    for i in range(n):
        record(session, actor=None, action="test.event", entity_type="thing", entity_id=i,
               after={"i": i}, now=NOW + timedelta(seconds=i))
    session.commit()
    return session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path / "home"))

    def run(*args):
        return CliRunner().invoke(main, ["audit", *args])
    return run


def _recompute_from(session, start_id):
    """What an intruder with database access does: rewrite a row and every hash after it."""
    events = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    prev = None
    for event in events:
        if event.id == start_id:
            event.after = {"i": "rewritten"}
        if event.id >= start_id:
            event.prev_hash = prev
            event.hash = _digest(prev, _hashed_fields(event))
        prev = event.hash
    session.commit()


TAMPERING = {
    "update a row": (lambda s, ids: s.execute(sa.update(AuditEvent).where(
        AuditEvent.id == ids[2]).values(action="test.other")), "was changed"),
    "delete a middle row": (lambda s, ids: s.execute(sa.delete(AuditEvent).where(
        AuditEvent.id == ids[2])), "deleted"),
    "delete the last rows": (lambda s, ids: s.execute(sa.delete(AuditEvent).where(
        AuditEvent.id >= ids[-2])), "tail was deleted"),
    "delete all rows": (lambda s, ids: s.execute(sa.delete(AuditEvent)), "is empty"),
    "edit and recompute the later hashes": (lambda s, ids: _recompute_from(s, ids[1]),
                                            "hashes recomputed"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_names_what_was_rewritten_against_the_last_checkpoint(session, cli, how):
    ids = _events(session)
    first = cli("verify")
    assert first.exit_code == 0, first.output
    assert "intact: 6 events" in first.output
    tamper, words = TAMPERING[how]
    tamper(session, ids)
    session.commit()
    session.expire_all()
    result = cli("verify")
    assert result.exit_code == 1
    assert "BROKEN" in result.output and words in result.output, result.output


def test_an_exported_checkpoint_still_catches_a_tail_cut_after_the_kept_one_is_removed(
        session, cli, tmp_path):
    ids = _events(session)
    assert cli("verify").exit_code == 0
    exported = tmp_path / "cp.json"
    assert cli("checkpoint", "--out", str(exported)).exit_code == 0
    session.execute(sa.delete(AuditEvent).where(AuditEvent.id >= ids[3]))
    session.execute(sa.text("DELETE FROM audit_checkpoint"))
    session.commit()
    (tmp_path / "home" / "audit-checkpoint.json").unlink()
    assert cli("verify").exit_code == 0  # nothing left to compare with: it looks intact
    result = cli("verify", "--checkpoint", str(exported))
    assert result.exit_code == 1 and "tail was deleted" in result.output


def test_a_forged_checkpoint_is_refused(session, cli, tmp_path):
    _events(session)
    assert cli("verify").exit_code == 0
    kept = tmp_path / "home" / "audit-checkpoint.json"
    kept.write_text(kept.read_text().replace('"count": 6', '"count": 5'))
    result = cli("verify")
    assert result.exit_code == 1 and "did not make" in result.output


def test_the_key_and_the_checkpoint_file_are_private(session, cli, tmp_path):
    _events(session)
    assert cli("verify").exit_code == 0
    home = tmp_path / "home"
    assert (home / "audit-signing.key").stat().st_mode & 0o077 == 0
    assert (home / "audit-checkpoint.json").stat().st_mode & 0o077 == 0


def test_concurrent_writers_on_sqlite_leave_one_chain(tmp_path):
    """10 threads, 20 events each, each its own connection: no two events share a link."""
    from models.core.db import Base

    engine = make_engine(f"sqlite:///{tmp_path / 'chain.db'}")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    start = threading.Barrier(10)
    errors = []

    def writer(n):
        start.wait()
        for i in range(20):
            with factory() as s:
                try:
                    s.scalar(sa.select(sa.func.count()).select_from(AuditEvent))  # a read first
                    record(s, actor=None, action="login.refused", entity_type="user",
                           entity_id=f"{n}-{i}", now=NOW)
                    s.commit()
                except Exception as exc:  # pragma: no cover - reported below
                    errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        links = s.scalars(sa.select(AuditEvent.prev_hash)).all()
        assert errors == []
        assert len(links) == 200 and len(set(links)) == 200
        assert verify_chain(s) is None
    engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_audit_table_is_append_only(backend, empty_db_url):
    if backend != "postgres":
        pytest.skip("triggers and roles are PostgreSQL's")
    from cli.migrate import upgrade

    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        record(s, actor=None, action="test.event", entity_type="thing", now=NOW)
        s.commit()
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event CASCADE"):
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
            conn.execute(sa.text(statement))
    with engine.connect() as conn:  # the application's role: INSERT and SELECT only
        conn.execute(sa.text("SET ROLE planwatch_app"))
        assert conn.scalar(sa.text("SELECT count(*) FROM audit_event")) == 1
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("UPDATE audit_event SET action = 'x'"))
    engine.dispose()
