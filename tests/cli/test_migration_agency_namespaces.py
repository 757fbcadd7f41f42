"""Migration 0015: existing agencies and groups land in the default namespace with no dates;
after it two provinces may share codes, and the downgrade restores global codes."""

import pytest
import sqlalchemy as sa
from alembic import command

from cli.migrate import alembic_config, upgrade
from models.core.db import make_engine


def test_existing_agencies_keep_their_codes_in_the_default_namespace(empty_db_url):
    upgrade(empty_db_url, "0016")
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agency (code, name_vi, name_en, note) "
                             "VALUES ('TU', 'Tỉnh uỷ Cao Bằng', '', '')"))
        conn.execute(sa.text("INSERT INTO agency_group (code, name_vi, name_en) "
                             "VALUES ('advisory', 'Các cơ quan tham mưu', '')"))
        conn.execute(sa.text("INSERT INTO calendar_override (day, kind, note) "
                             "VALUES ('2026-03-20', 'day_off', '')"))
    upgrade(empty_db_url)
    with engine.begin() as conn:
        assert conn.execute(sa.text(
            "SELECT namespace, code, active_from, active_to FROM agency")).one() == \
            ("", "TU", None, None)
        assert conn.scalar(sa.text("SELECT namespace FROM agency_group")) == ""
        assert conn.scalar(sa.text("SELECT source FROM calendar_override")) == ""
        conn.execute(sa.text("INSERT INTO agency (namespace, code, name_vi, name_en, note) "
                             "VALUES ('LS', 'TU', 'Tỉnh uỷ Lạng Sơn', '', '')"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agency (namespace, code, name_vi, name_en, note) "
                             "VALUES ('LS', 'TU', 'again', '', '')"))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM agency WHERE namespace = 'LS'"))
    command.downgrade(alembic_config(empty_db_url), "0016")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT code, name_vi FROM agency")).one() == \
            ("TU", "Tỉnh uỷ Cao Bằng")
    engine.dispose()


def test_rows_referencing_agencies_survive_the_table_copy(empty_db_url):
    """On SQLite the agency table is copied: its channels (ON DELETE CASCADE), group members
    and users must still be there afterwards, and foreign keys still enforced."""
    upgrade(empty_db_url, "0007")
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agency (code, name_vi, name_en, note) "
                             "VALUES ('AG', 'Cơ quan', '', '')"))
        conn.execute(sa.text("INSERT INTO agency_group (code, name_vi, name_en) "
                             "VALUES ('g', 'Nhóm', '')"))
        conn.execute(sa.text("INSERT INTO agency_group_member (agency_id, group_id) "
                             "SELECT a.id, g.id FROM agency a, agency_group g"))
        conn.execute(sa.text("INSERT INTO notification_target (agency_id, url, label, active) "
                             "SELECT id, 'json://127.0.0.1:9/x', '', true FROM agency"))
    upgrade(empty_db_url)  # 0008 rewrites rows first: 0015 then runs inside that upgrade
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM notification_target")) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM agency_group_member")) == 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agency_group_member (agency_id, group_id) "
                             "VALUES (999, 999)"))
    engine.dispose()
