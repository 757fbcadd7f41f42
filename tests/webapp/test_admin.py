"""Admin pages: create accounts, change role and agency, reset passwords."""

from __future__ import annotations

import re

import sqlalchemy as sa

from models.org.users import User
from tests.webapp.conftest import login


def _shown_password(page: str) -> str:
    return re.search(r"\(chỉ hiện một lần\): (\S+)</p>", page).group(1)


def test_admin_creates_an_officer_who_can_then_log_in(app, world, as_user):
    admin = as_user("admin")
    response = admin.post("/admin/users", data={"email": "New@Agency-B.example.org",
                                                "role": "officer", "agency": "AG-B"},
                          follow_redirects=True)
    password = _shown_password(response.get_data(as_text=True))
    assert "new@agency-b.example.org" in admin.get("/admin/users").get_data(as_text=True)
    assert "chỉ hiện một lần" not in admin.get("/admin/users").get_data(as_text=True)
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"email": "new@agency-b.example.org",
                                         "password": password}).status_code == 302
    assert "Đơn vị B" in newcomer.get("/tasks").get_data(as_text=True)


def test_an_officer_needs_an_agency(world, as_user):
    response = as_user("admin").post("/admin/users", data={"email": "x@example.org",
                                                           "role": "officer"})
    assert response.status_code == 422
    assert "Cán bộ đơn vị phải thuộc một đơn vị" in response.get_data(as_text=True)


def test_changing_role_and_agency(world, as_user, session):
    uid = world["users"]["officer_b"]
    as_user("admin").post(f"/admin/users/{uid}", data={"role": "officer", "agency": "AG-A",
                                                       "is_active": "1"})
    session.expire_all()
    assert session.get(User, uid).agency.code == "AG-A"


def _cookie_session(app, client) -> str:
    """What the signed (not encrypted) session cookie carries, readable by anyone holding it."""
    cookie = client.get_cookie("session")
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}
    return repr(data)


def test_the_shown_passwords_never_travel_in_the_cookie(app, world, as_user):
    admin = as_user("admin")
    created = admin.post("/admin/users", data={"email": "new@example.org", "role": "viewer"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    password = _shown_password(created.get_data(as_text=True))
    uid = world["users"]["officer_b"]
    reset = admin.post(f"/admin/users/{uid}/password", data={"confirmed": "1"})
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    second = _shown_password(reset.get_data(as_text=True))
    carried = _cookie_session(app, admin)
    assert password not in carried and second not in carried and "_flashes" not in carried
    assert second not in admin.get(f"/admin/users/{uid}").get_data(as_text=True)


def test_password_reset_ends_the_users_sessions(app, world, as_user, session):
    victim = as_user("officer_a")
    uid = world["users"]["officer_a"]
    page = as_user("admin").post(f"/admin/users/{uid}/password", data={"confirmed": "1"},
                                 follow_redirects=True).get_data(as_text=True)
    password = _shown_password(page)
    assert victim.get("/tasks").status_code == 302
    fresh = app.test_client()
    assert login(fresh, "officer_a").status_code == 401
    assert login(fresh, "officer_a", password=password).status_code == 302


def test_password_reset_revokes_the_users_api_tokens(app, world, as_user, session):
    from models.core.actors import CONSOLE
    from models.core.audit import AuditEvent
    from models.org.tokens import create_token
    from tests.factories import T0

    uid = world["users"]["officer_a"]
    officer = session.get(User, uid)
    _, secret = create_token(session, CONSOLE, officer, now=T0, name="script")
    _, other = create_token(session, CONSOLE, session.get(User, world["users"]["officer_b"]),
                            now=T0, name="b")
    session.commit()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    as_user("admin").post(f"/admin/users/{uid}/password", data={"confirmed": "1"})
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    session.expire_all()
    revoked = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "token.revoke_all"))
    assert len(list(revoked)) == 1


def test_a_disabled_account_cannot_log_in(app, world, as_user, session):
    uid = world["users"]["viewer"]
    as_user("admin").post(f"/admin/users/{uid}", data={"role": "viewer"})
    assert session.scalar(sa.select(User.is_active).where(User.id == uid)) is False
    assert login(app.test_client(), "viewer").status_code == 401
