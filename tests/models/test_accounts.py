"""Accounts: login through `authenticate`, and account operations only for administrators."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE, SCHEDULER, SYSTEM, SystemActor
from models.core.audit import AuditEvent
from models.core.errors import Forbidden
from models.org.accounts import (
    AdminOnly,
    authenticate,
    create_user,
    deactivate_user,
    set_locale,
    set_password,
    update_user,
)
from models.org.users import User
from tests.factories import PASSWORD, T0, load_mini, make_user


@pytest.fixture
def people(session):
    load_mini(session)
    return {
        "admin": make_user(session, email="admin@example.org", role="admin", agency=None),
        "officer": make_user(session),
        "coordinator": make_user(session, email="coord@example.org", role="coordinator",
                                 agency="COORD"),
    }


def _events(session, action: str) -> list[AuditEvent]:
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)).all()


def test_authenticate_audits_success_and_failure(session, people):
    user = authenticate(session, " Officer@A.example.org ", PASSWORD, now=T0, address="10.0.0.7")
    assert user is people["officer"]
    ok = _events(session, "auth.login")[-1]
    assert ok.actor_id == user.id and ok.after == {"address": "10.0.0.7"}

    assert authenticate(session, "officer@a.example.org", "wrong-password", now=T0,
                        address="10.0.0.8") is None
    assert authenticate(session, "nobody@example.org", PASSWORD, now=T0, address="10.0.0.9") is None
    failed = _events(session, "auth.login_failed")
    assert [(e.actor_label, e.actor_id, e.after["reason"], e.after["address"]) for e in failed] == [
        ("anonymous", None, "wrong_password", "10.0.0.8"),
        ("anonymous", None, "unknown_email", "10.0.0.9"),
    ]
    assert failed[0].entity_id == str(user.id) and failed[1].after["email"] == "nobody@example.org"


def test_authenticate_refuses_an_inactive_account_even_with_the_right_password(session, people):
    officer = people["officer"]
    deactivate_user(session, people["admin"], officer, now=T0)
    assert authenticate(session, officer.email, PASSWORD, now=T0, address=None) is None
    assert _events(session, "auth.login_failed")[-1].after["reason"] == "inactive"
    assert _events(session, "auth.login") == []


@pytest.mark.parametrize("who", ["officer", "coordinator"])
def test_account_operations_refuse_a_non_admin(session, people, who):
    actor, officer = people[who], people["officer"]
    with pytest.raises(AdminOnly):
        create_user(session, actor, email="new@example.org", role="viewer",
                    password="a-long-password", now=T0)
    with pytest.raises(AdminOnly):
        update_user(session, actor, people["admin"], role="viewer", agency_code=None,
                    is_active=True, now=T0)
    with pytest.raises(AdminOnly):
        deactivate_user(session, actor, people["admin"], now=T0)
    with pytest.raises(AdminOnly):
        set_password(session, actor, people["admin"], "a-long-password", now=T0)
    if who == "coordinator":
        with pytest.raises(AdminOnly):
            set_locale(session, actor, officer, "en", now=T0)
    assert people["admin"].role == "admin" and people["admin"].is_active
    assert session.scalar(sa.select(sa.func.count(User.id)).where(
        User.email == "new@example.org")) == 0


def test_a_user_changes_their_own_password_and_language_an_admin_anyones(session, people):
    officer, admin = people["officer"], people["admin"]
    set_password(session, officer, officer, "my-new-long-password", now=T0)
    set_locale(session, officer, officer, "en", now=T0)
    set_password(session, admin, officer, "reset-by-the-admin", now=T0)
    update_user(session, admin, officer, role="viewer", agency_code=None, is_active=True, now=T0)
    assert officer.role == "viewer" and officer.locale == "en"
    assert authenticate(session, officer.email, "reset-by-the-admin", now=T0) is officer


def test_the_console_may_manage_accounts_the_scheduler_may_not(session, people):
    user = create_user(session, CONSOLE, email="ops@example.org", role="viewer",
                       password="a-long-password", now=T0)
    assert _events(session, "user.create")[-1].actor_label == "system:console"
    for actor in (SCHEDULER, SYSTEM):
        with pytest.raises(AdminOnly):
            deactivate_user(session, actor, user, now=T0)
    assert isinstance(AdminOnly(), Forbidden) and AdminOnly.status == 403


@pytest.mark.parametrize("actor", ["cli", "admin", "test", None, 0])
def test_a_string_or_other_non_actor_is_refused(session, people, actor):
    with pytest.raises(TypeError):
        create_user(session, actor, email="str@example.org", role="admin",
                    password="a-long-password", now=T0)
    with pytest.raises(TypeError):
        set_password(session, actor, people["officer"], "a-long-password", now=T0)


def test_system_actors_are_frozen_and_named_in_audit():
    with pytest.raises(AttributeError):
        SCHEDULER.name = "admin"  # type: ignore[misc]
    assert SCHEDULER.label == "system:scheduler" and SystemActor("x").operator is False
