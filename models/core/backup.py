"""Backup and restore: database, evidence files and the latest audit checkpoint in one file.

A backup is a gzip'd tar with `manifest.json` (backend, time, row counts per table), the database
(`database.sqlite` made with SQLite's online backup API, or `database.pgdump` from `pg_dump -Fc`
on the same snapshot the counts were read from), `uploads/` and the signed audit checkpoint. The
signing key is not in it: keep it apart, as the checkpoint is only worth what the key is.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from models.core.checkpoints import LATEST_FILE
from models.core.db import Base, make_engine, normalise_url
from models.core.errors import BackupUnreadable, RestoreBackendMismatch, RestoreTargetNotEmpty

FORMAT = "planwatch/backup@1"


def _libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver suffix)."""
    return sa.make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)


def _counts(conn: sa.Connection) -> dict[str, int]:
    names = set(sa.inspect(conn).get_table_names())
    return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
            for t in Base.metadata.sorted_tables if t.name in names}


def _sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise BackupUnreadable(reason="an in-memory SQLite database has nothing to back up")
    return Path(database)


def backup(url: str, uploads: Path, home: Path, out: Path, *, now: datetime) -> dict:
    """Write a backup of the database at `url`, the evidence under `uploads` and the checkpoint."""
    url = normalise_url(url)
    backend = sa.make_url(url).get_backend_name()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if backend == "sqlite":
            copy = work / "database.sqlite"
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(copy)
            with target:
                source.backup(target)
            source.close()
            target.close()
            engine = make_engine(f"sqlite:///{copy}")
            with engine.connect() as conn:
                counts = _counts(conn)
            engine.dispose()
            dump = copy
        else:
            engine = make_engine(url)
            with engine.connect() as conn:
                # the counts and the dump read the same snapshot
                conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
                snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
                counts = _counts(conn)
                dump = work / "database.pgdump"
                subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                                f"--snapshot={snapshot}", f"--file={dump}", _libpq(url)],
                               check=True, capture_output=True)
            engine.dispose()
        manifest = {"format": FORMAT, "backend": backend, "created": now.isoformat(),
                    "counts": counts,
                    "uploads": sum(1 for p in uploads.rglob("*") if p.is_file())
                    if uploads.exists() else 0}
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            if uploads.exists():
                tar.add(uploads, arcname="uploads")
            if (home / LATEST_FILE).exists():
                tar.add(home / LATEST_FILE, arcname=LATEST_FILE)
    return manifest


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError) as exc:
        raise BackupUnreadable(reason=str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupUnreadable(reason="no planwatch manifest")
    return manifest


def _target_rows(url: str) -> int:
    if sa.make_url(url).get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "audit_event" not in sa.inspect(conn).get_table_names():
                return 0
            return conn.scalar(sa.text("SELECT count(*) FROM audit_event")) or 0
    finally:
        engine.dispose()


def restore(path: Path, url: str, uploads: Path, home: Path) -> dict:
    """Restore a backup into the empty database at `url`; return the counts it now holds."""
    url = normalise_url(url)
    backend = sa.make_url(url).get_backend_name()
    try:
        tar = tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupUnreadable(reason=str(exc)) from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        manifest = _manifest(tar)
        if manifest["backend"] != backend:
            raise RestoreBackendMismatch(made=manifest["backend"], target=backend)
        if rows := _target_rows(url):
            raise RestoreTargetNotEmpty(rows=rows)
        tar.extractall(tmp, filter="data")
        work = Path(tmp)
        if backend == "sqlite":
            target_path = _sqlite_path(url)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(work / "database.sqlite")
            target = sqlite3.connect(target_path)
            with target:
                source.backup(target)
            source.close()
            target.close()
            os.chmod(target_path, 0o600)
        else:
            subprocess.run(["pg_restore", "--no-owner", "--no-acl", "--single-transaction",
                            "--exit-on-error", f"--dbname={_libpq(url)}",
                            str(work / "database.pgdump")], check=True, capture_output=True)
        if (work / "uploads").exists():
            uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copytree(work / "uploads", uploads, dirs_exist_ok=True)
        if (work / LATEST_FILE).exists():
            home.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / LATEST_FILE, home / LATEST_FILE)
            os.chmod(home / LATEST_FILE, 0o600)
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = _counts(conn)
    engine.dispose()
    return {"manifest": manifest, "counts": counts}
