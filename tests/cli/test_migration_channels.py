"""Migration 0008: existing target URLs encrypted with the key outside the database; the
outbox's copies of them dropped."""

from datetime import UTC, datetime

import sqlalchemy as sa

from cli.migrate import upgrade
from models.core.db import make_engine
from models.notify.secrets import decrypt

URL = "mailtos://planwatch:Old-Pa55word@mail.example.org?to=a@example.org"


def test_existing_urls_are_encrypted_and_outbox_copies_dropped(empty_db_url):
    upgrade(empty_db_url, "0007")
    engine = make_engine(empty_db_url)
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agency (code, name_vi, name_en, note) "
                             "VALUES ('AG', 'Cơ quan', 'Agency', '')"))
        agency_id = conn.scalar(sa.text("SELECT id FROM agency"))
        conn.execute(sa.text("INSERT INTO notification_target (agency_id, url, label, active) "
                             "VALUES (:a, :u, '', true)"), {"a": agency_id, "u": URL})
        target_id = conn.scalar(sa.text("SELECT id FROM notification_target"))
        conn.execute(sa.text(
            "INSERT INTO notification (dedupe_key, target_id, target, subject_type, subject_id,"
            " rung, kind, payload, locale, status, attempts, next_attempt_at, last_error,"
            " created_at) VALUES ('k', :t, :u, 'task', 1, '0', 'reminder', '{}', 'vi',"
            " 'pending', 0, :n, '', :n)"), {"t": target_id, "u": URL, "n": now})
    upgrade(empty_db_url)
    with engine.connect() as conn:
        channel, address, secret = conn.execute(sa.text(
            "SELECT channel, address, secret FROM notification_target")).one()
        row = conn.execute(sa.text("SELECT * FROM notification")).one()
    engine.dispose()
    assert decrypt(secret) == URL and "Old-Pa55word" not in secret
    assert (channel, address) == ("apprise", "mailtos://mail.example.org")
    assert "target" not in row._fields and row.target_id == target_id
    assert "Old-Pa55word" not in repr(tuple(row))
