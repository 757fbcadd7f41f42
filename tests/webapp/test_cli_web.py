"""`planwatch demo-users`: one account per role, idempotent, passwords shown once."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main
from tests.factories import load_seed


def test_demo_users_are_created_once(session, db_url, monkeypatch):
    load_seed(session)
    session.commit()
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    runner = CliRunner()
    first = runner.invoke(main, ["demo-users"])
    assert first.exit_code == 0, first.output
    assert first.output.count("created") == 6 and first.output.count("shown once") == 6
    assert "officer.ubmttq@demo.planwatch.vn" in first.output
    again = runner.invoke(main, ["demo-users"])
    assert again.output.count("existing") == 6 and "shown once" not in again.output


def test_web_command_is_registered():
    result = CliRunner().invoke(main, ["web", "--help"])
    assert result.exit_code == 0 and "--port" in result.output
