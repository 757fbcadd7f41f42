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


def test_a_disabled_account_cannot_log_in(app, world, as_user, session):
    uid = world["users"]["viewer"]
    as_user("admin").post(f"/admin/users/{uid}", data={"role": "viewer"})
    assert session.scalar(sa.select(User.is_active).where(User.id == uid)) is False
    assert login(app.test_client(), "viewer").status_code == 401
