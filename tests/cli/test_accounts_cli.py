"""`planwatch users reset-password` and `planwatch calendar remove`, on a migrated database."""

import re

import sqlalchemy as sa

from models.core.db import make_engine
from models.org.accounts import check_password
from models.org.users import User
from tests.cli.test_cli import run  # noqa: F401  (the fixture)


def _user(url: str, email: str) -> User:
    engine = make_engine(url)
    try:
        with sa.orm.Session(engine) as session:
            user = session.scalar(sa.select(User).where(User.email == email))
            session.expunge(user)
            return user
    finally:
        engine.dispose()


def test_reset_password_prints_a_new_one_once(run, empty_db_url):  # noqa: F811
    run("init", "--admin-email", "admin@example.org")
    run("users", "create", "viewer@example.org", "--role", "viewer", "--password",
        "the-old-password")
    out = run("users", "reset-password", "viewer@example.org").output
    password = re.search(r"new password \(shown once\): (\S+)", out).group(1)
    user = _user(empty_db_url, "viewer@example.org")
    assert check_password(user, password) and not check_password(user, "the-old-password")
    assert user.session_version == 2  # logged out everywhere
    unknown = run("users", "reset-password", "nobody@example.org", ok=False)
    assert unknown.exit_code == 1 and "nobody@example.org" in unknown.stderr
    refused = run("users", "reset-password", "admin@example.org", "--as",
                  "viewer@example.org", ok=False)
    assert refused.exit_code == 1
    assert "shown once" not in refused.output


def test_calendar_set_list_remove(run):  # noqa: F811
    run("init")
    run("calendar", "set", "2026-01-02", "day_off", "--note", "Nghỉ Tết Dương lịch")
    assert "2026-01-02  day_off" in run("calendar", "list").output
    assert "removed" in run("calendar", "remove", "2026-01-02").output
    assert run("calendar", "list").output.strip() == ""
    missing = run("calendar", "remove", "2026-01-02", ok=False)
    assert missing.exit_code == 1 and "02/01/2026" in missing.stderr
