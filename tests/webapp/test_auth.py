"""Logging in and out, throttling, CSRF, security headers, language."""

from __future__ import annotations

import sqlalchemy as sa

from models.core.audit import AuditEvent
from tests.webapp.conftest import login


def test_officer_logs_in_and_lands_on_the_workspace(client, world):
    response = login(client, "officer_a")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tasks")
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "Đơn vị A" in page.get_data(as_text=True)


def test_wrong_password_is_refused_and_audited(client, world, session):
    response = login(client, "officer_a", password="wrong-password-1")
    assert response.status_code == 401
    assert "Sai email hoặc mật khẩu" in response.get_data(as_text=True)
    actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert "auth.login_failed" in actions
    login(client, "officer_a")
    assert "auth.login" in session.scalars(sa.select(AuditEvent.action)).all()


def test_pages_need_a_login(client, world, session):
    response = client.get("/tasks?plan=MINI-1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/tasks?plan%3DMINI-1")
    refused = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert [e.after["status"] for e in refused] == [401]


def test_logout_invalidates_a_copied_cookie(app, world, as_user):
    client = as_user("officer_a")
    cookie = client.get_cookie("session")
    assert client.get("/tasks").status_code == 200
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    response = thief.get("/tasks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


ATTACKER, OWNER = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}
WRONG = {"email": "officer@a.example.org", "password": "wrong-password-1"}
RIGHT = {"email": "officer@a.example.org", "password": "correct-horse-battery"}


def test_five_failed_logins_block_that_account_from_that_address_only(app, world, session):
    client = app.test_client()
    for _ in range(5):
        assert client.post("/login", environ_base=ATTACKER, data=WRONG).status_code == 401
    refused = client.post("/login", environ_base=ATTACKER, data=RIGHT)
    # even the right password waits from that address: the guessing is throttled
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    page = refused.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ này" in page and "officer@a.example.org" in page
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert {e.after["status"] for e in events} == {429}
    # the owner from another address is let in at once; another account from the attacker too
    assert app.test_client().post("/login", environ_base=OWNER, data=RIGHT).status_code == 302
    assert app.test_client().post("/login", environ_base=ATTACKER, data={
        "email": "officer@b.example.org", "password": "correct-horse-battery"}).status_code == 302


def test_thirty_failures_from_one_address_block_the_address_not_the_owner(app, world):
    client = app.test_client()
    for i in range(30):  # thirty accounts guessed from one address
        response = client.post("/login", environ_base=ATTACKER,
                               data={"email": f"nobody{i}@example.org", "password": "x" * 12})
        assert response.status_code == 401
    assert client.post("/login", environ_base=ATTACKER, data={
        "email": "officer@b.example.org", "password": "correct-horse-battery"}).status_code == 429
    assert app.test_client().post("/login", environ_base=OWNER, data=RIGHT).status_code == 302


def test_forms_without_a_csrf_token_are_refused(app, world, session):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = login(client, "officer_a")
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": "officer@a.example.org",
                                           "password": "correct-horse-battery",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert "access.refused" in session.scalars(sa.select(AuditEvent.action)).all()


def test_security_headers(client, world):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)


def test_vietnamese_by_default_english_on_request(client, world, session):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Log in" in client.get("/login").get_data(as_text=True)
    login(client, "officer_a")
    page = client.get("/tasks").get_data(as_text=True)
    assert "Overdue" in page and "01/10/2025" in page


def test_language_choice_is_kept_on_the_account(app, world, as_user):
    client = as_user("officer_a")
    client.post("/language", data={"lang": "en"})
    client.post("/logout")
    fresh = app.test_client()
    login(fresh, "officer_a")
    assert "My tasks" in fresh.get("/tasks").get_data(as_text=True)


def test_the_session_cookie_is_secure_when_configured_for_https(db_url, engine, tmp_path,
                                                               monkeypatch, session):
    """PLANWATCH_SECURE_COOKIES=1 (behind HTTPS): the browser sends the cookie over HTTPS only."""
    from tests.factories import make_user
    from webapp import create_app

    make_user(session, email="viewer@example.org", role="viewer", agency=None)
    session.commit()
    for flag, secure in (("1", True), ("0", False)):
        monkeypatch.setenv("PLANWATCH_SECURE_COOKIES", flag)
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url,
                          "SQLALCHEMY_ENGINE_OPTIONS": {}, "WTF_CSRF_ENABLED": False,
                          "UPLOAD_FOLDER": str(tmp_path / "uploads")})
        response = app.test_client().post("/login", data={
            "email": "viewer@example.org", "password": "correct-horse-battery"})
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("session=") and "HttpOnly" in cookie
        assert ("Secure" in cookie) is secure
