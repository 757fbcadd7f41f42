"""Backup, then restore into a fresh database: equal counts, a verifying chain, evidence."""

from __future__ import annotations

import hashlib
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from models.core.attachments import Attachment
from models.core.audit import verify_chain
from models.core.db import make_engine, make_session_factory
from models.core.evidence import open_evidence, store_evidence
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user, real_upload


def _env(monkeypatch, url, home):
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", url)
    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    monkeypatch.setenv("PLANWATCH_UPLOADS", str(home / "uploads"))


def test_backup_then_restore_gives_equal_counts_a_verifying_chain_and_evidence(
        session, db_url, empty_db_url, tmp_path, monkeypatch):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    officer = make_user(session)
    task = session.scalars(sa.select(Task).where(Task.agency_id == officer.agency_id)).first()
    update = change_status(session, officer, task, "submitted", now=T0)
    source_home = tmp_path / "source"
    store_evidence(session, officer, real_upload("báo cáo.pdf", "evidence"),
                   folder=source_home / "uploads", now=T0, task_update=update)
    session.commit()
    runner = CliRunner()
    _env(monkeypatch, db_url, source_home)
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0
    archive = tmp_path / "planwatch-backup.tar.gz"
    made = runner.invoke(main, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert archive.stat().st_mode & 0o077 == 0

    target_home = tmp_path / "target"
    _env(monkeypatch, empty_db_url, target_home)
    restored = runner.invoke(main, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    # the key is not in the backup: without it the restored checkpoint cannot be trusted
    unkeyed = runner.invoke(main, ["audit", "verify"])
    assert unkeyed.exit_code == 1 and "did not make" in unkeyed.output
    (target_home / "audit-signing.key").write_bytes(
        (source_home / "audit-signing.key").read_bytes())
    (target_home / "audit-signing.key").chmod(0o600)
    verified = runner.invoke(main, ["audit", "verify"])  # against the restored anchor
    assert verified.exit_code == 0, verified.output

    engine = make_engine(empty_db_url)
    with make_session_factory(engine)() as copy:
        for table in ("task", "audit_event", "attachment", "user_account", "agency", "item"):
            source_count = session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            assert copy.scalar(sa.text(f"SELECT count(*) FROM {table}")) == source_count > 0
        assert verify_chain(copy) is None
        attachment = copy.scalars(sa.select(Attachment)).one()
        reader = copy.get(type(officer), officer.id)
        _, path = open_evidence(copy, reader, attachment.id, target_home / "uploads")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment.sha256
    engine.dispose()

    again = runner.invoke(main, ["restore", str(archive)])  # not into a database with data
    assert again.exit_code == 1 and "already holds data" in again.output


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, monkeypatch):
    _env(monkeypatch, f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar")
    result = CliRunner().invoke(main, ["restore", str(bogus)])
    assert result.exit_code == 1 and "not a planwatch backup" in result.output
    assert not (tmp_path / "x.db").exists() or (tmp_path / "x.db").stat().st_size == 0
