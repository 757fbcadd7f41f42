"""Files that hold data or secrets are readable by their owner only: the SQLite database (and its
WAL), the evidence folder and files, the home folder and its keys."""

from __future__ import annotations

import io
import stat
from datetime import date

import pytest
import sqlalchemy as sa

from models.core.db import make_engine
from models.core.evidence import Upload, store_evidence
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user, real_file


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_0600_in_a_0700_folder(tmp_path):
    path = tmp_path / "home" / "planwatch.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert _mode(path) == 0o600 and _mode(path.with_name("planwatch.db-wal")) == 0o600
    engine.dispose()
    assert _mode(path.parent) == 0o700


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    engine.dispose()
    assert _mode(path) == 0o600


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_evidence_folder_is_0700_and_files_0600(session, tmp_path):
    load_mini(session)
    generate_tasks(session, through=date(2025, 9, 30), now=T0)
    officer = make_user(session)
    task = session.scalars(sa.select(Task).where(Task.agency_id == officer.agency_id)).first()
    update = change_status(session, officer, task, "submitted", now=T0)
    folder = tmp_path / "uploads"
    attachment = store_evidence(session, officer,
                                Upload("báo cáo.pdf", io.BytesIO(real_file("x.pdf"))),
                                folder=folder, now=T0, task_update=update)
    staged = folder / ".staging" / attachment.stored_name
    assert _mode(staged) == 0o600 and _mode(folder / ".staging") == 0o700
    session.commit()
    assert _mode(folder / attachment.stored_name) == 0o600 and _mode(folder) == 0o700


def test_the_web_apps_home_folder_and_secret_key_are_private(tmp_path, monkeypatch):
    from webapp.config import Config

    home = tmp_path / "home"
    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    monkeypatch.delenv("PLANWATCH_SECRET_KEY", raising=False)
    Config()
    assert _mode(home) == 0o700 and _mode(home / "secret_key") == 0o600
