"""Tokens end to end: the CLI prints one, the API takes it, revocation ends it."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main
from tests.factories import make_user


def test_cli_token_works_on_the_api(app, client, session, db_url, monkeypatch):
    make_user(session, email="coord@example.org", role="coordinator", agency=None)
    session.commit()
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["users", "token", "coord@example.org", "--name", "portal",
                                       "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["role"] == "coordinator"
    tokens = client.get("/api/v1/me/tokens", headers=headers).get_json()
    assert [t["name"] for t in tokens] == ["portal"] and "token_hash" not in tokens[0]
    revoked = client.post(f"/api/v1/me/tokens/{tokens[0]['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cli_token_for_unknown_user_fails_cleanly(db_url, monkeypatch):
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["users", "token", "nobody@example.org"])
    assert result.exit_code == 1 and "no user" in result.output


def test_expired_token_is_401(as_role, world, app):
    from datetime import timedelta

    from tests.api.conftest import API_NOW

    app.config["PLANWATCH_NOW"] = lambda: API_NOW + timedelta(days=90)  # made at T0 for 90 days
    assert as_role("admin").get("/me").status_code == 401


def test_docs_page_is_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html and "<script>" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "init.js"):
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
