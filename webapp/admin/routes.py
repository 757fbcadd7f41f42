"""Accounts: create users, edit name, role, agency and agency head, search, reset passwords."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.core.access import get_visible
from models.core.db import db
from models.org.accounts import (
    create_user,
    generate_password,
    search_users,
    update_user,
)
from models.org.accounts import (
    reset_password as new_password,
)
from models.org.agencies import Agency
from models.org.errors import UserNotFound
from models.org.users import Role, User
from webapp.admin import bp
from webapp.clock import now
from webapp.form_schemas import UserCreateForm, UserEditForm
from webapp.forms import attempt, submitted
from webapp.guards import current_actor, roles_required

NOT_STORED = {"Cache-Control": "no-store"}  # a page showing a password is kept by no cache


def _agencies():
    return db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()


def _user(user_id: int) -> User:
    return get_visible(db.session, User, user_id, current_user, UserNotFound, key="user_id")


def _users_page(status: int = 200, shown_once: str | None = None):
    q = (request.args.get("q") or "").strip()[:200]
    role = request.args.get("role") or None
    if role not in {r.value for r in Role}:
        role = None
    rows = search_users(db.session, current_actor(), q, role=role)
    return render_template("admin/users.html", users=rows, roles=list(Role),
                           agencies=_agencies(), q=q, role=role, shown_once=shown_once), status


@bp.get("/users")
@roles_required("admin")
def users():
    """Every account with its role and agency; search by email, name or agency code."""
    return _users_page()


@bp.post("/users")
@roles_required("admin")
def create():
    """Create an account; the generated password is shown once."""
    form = submitted("user")
    password = generate_password()
    made = {}

    def act():
        data = form.load(UserCreateForm())
        made["user"] = create_user(
            db.session, current_actor(), email=data["email"], role=data["role"],
            password=password, now=now(), agency_code=data["agency"] or None,
            display_name=data["display_name"].strip(), locale=data["locale"],
            is_agency_head=data["is_agency_head"])
        db.session.commit()

    if not attempt(form, act):
        return _users_page(form.status)
    # shown in this answer only: never in a flash message, which travels in the session cookie
    shown = _("Account %(email)s created. Password (shown once): %(password)s",
              email=made["user"].email, password=password)
    page, _status = _users_page(shown_once=shown)
    return page, 201, NOT_STORED


def _edit_page(user: User, status: int = 200):
    return render_template("admin/user.html", user=user, roles=list(Role),
                           agencies=_agencies()), status


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def edit(user_id: int):
    """One account's name, role, agency, agency-head flag and status."""
    return _edit_page(_user(user_id))


@bp.post("/users/<int:user_id>")
@roles_required("admin")
def update(user_id: int):
    """Change name, role, agency, agency head or active status."""
    user = _user(user_id)
    form = submitted("user")

    def act():
        data = form.load(UserEditForm())
        update_user(db.session, current_actor(), user, role=data["role"],
                    agency_code=data["agency"] or None, is_active=data["is_active"],
                    display_name=data["display_name"], is_agency_head=data["is_agency_head"],
                    now=now())
        db.session.commit()

    if not attempt(form, act):
        return _edit_page(_user(user_id), form.status)
    flash(_("Account updated."), "info")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def reset_password(user_id: int):
    """After a confirmation: a new generated password, shown once; the user's sessions end."""
    user = _user(user_id)
    if request.form.get("confirmed") != "1":
        return render_template(
            "confirm.html", title=_("Reset the password of %(email)s?", email=user.email),
            message=_("The current password stops working and the user is logged out "
                      "everywhere; you will see the new password once."),
            action=url_for("admin.reset_password", user_id=user_id), fields={},
            confirm_label=_("Reset the password"), back=url_for("admin.edit", user_id=user_id))
    password = new_password(db.session, current_actor(), user, now=now())
    db.session.commit()
    # shown in this answer only: never in a flash message, which travels in the session cookie
    shown = _("New password for %(email)s (shown once): %(password)s",
              email=user.email, password=password)
    page = render_template("admin/user.html", user=user, roles=list(Role), agencies=_agencies(),
                           shown_once=shown)
    return page, 200, NOT_STORED
