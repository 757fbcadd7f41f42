"""SQLite's WAL checkpoints run in the checkpointer's thread, not in the commits it is told of.

In WAL mode the database file itself is written only by a checkpoint, so its size and
modification time show whether one ran during a run of commits.
"""

from __future__ import annotations

import os
import sqlite3

from models.core.wal import BACKSTOP, WalCheckpointer


def _database(tmp_path):
    path = str(tmp_path / "wal.db")
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    return path, connection


def _file(path):
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _commits(connection, n, start=0, told=None):
    """n commits of about two pages each (WAL past SQLite's 1,000-page checkpoint)."""
    for i in range(start, start + n):
        connection.execute("BEGIN")
        connection.execute("INSERT INTO t (id, body) VALUES (?, ?)", (i, "x" * 6000))
        connection.execute("COMMIT")
        if told is not None:
            told.committed()


def test_a_default_connection_checkpoints_in_one_of_its_commits(tmp_path):
    path, connection = _database(tmp_path)
    before = _file(path)
    _commits(connection, 700)
    assert _file(path) != before  # the commit that passed 1,000 pages copied them back


def test_an_adopted_connection_leaves_the_checkpoint_to_the_thread(tmp_path):
    path, connection = _database(tmp_path)
    checkpointer = WalCheckpointer(path, every=10**9, idle=3600)  # only when asked
    WalCheckpointer.adopt(connection)
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (BACKSTOP,)
    before = _file(path)
    _commits(connection, 700, told=checkpointer)
    assert _file(path) == before  # no commit ran a checkpoint
    assert checkpointer.pending == 700 and checkpointer.done == 0
    assert checkpointer.wait()
    busy, pages, copied = checkpointer.last
    assert busy == 0 and pages >= 1000 and copied == pages  # all of the WAL, by the thread
    assert _file(path) != before and checkpointer.pending == 0
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (700,)


def test_the_thread_checkpoints_every_so_many_commits_and_ends_when_quiet(tmp_path):
    path, connection = _database(tmp_path)
    checkpointer = WalCheckpointer(path, every=100, idle=0.05, linger=0.2)
    WalCheckpointer.adopt(connection)
    _commits(connection, 250, told=checkpointer)
    assert checkpointer.wait()
    assert checkpointer.done >= 2 and checkpointer.last[2] == checkpointer.last[1]
    thread = checkpointer._thread
    thread.join(10)
    assert not thread.is_alive()  # quiet past `linger`: gone
    _commits(connection, 1, start=250, told=checkpointer)  # the next commit starts another
    assert checkpointer.wait() and checkpointer._thread.is_alive()
