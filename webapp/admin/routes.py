"""Accounts: create users, set role and agency, reset passwords."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.core.access import get_visible
from models.core.db import db
from models.org.accounts import create_user, generate_password, set_password, update_user
from models.org.agencies import Agency
from models.org.errors import UserNotFound
from models.org.users import Role, User
from webapp.admin import bp
from webapp.clock import now
from webapp.guards import roles_required

NOT_STORED = {"Cache-Control": "no-store"}  # a page showing a password is kept by no cache


def _agencies():
    return db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()


def _user(user_id: int) -> User:
    return get_visible(db.session, User, user_id, current_user, UserNotFound, key="user_id")


@bp.get("/users")
@roles_required("admin")
def users():
    """Every account with its role and agency."""
    rows = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, roles=list(Role), agencies=_agencies())


@bp.post("/users")
@roles_required("admin")
def create():
    """Create an account; the generated password is shown once."""
    password = generate_password()
    user = create_user(
        db.session, current_user, email=request.form.get("email", ""),
        role=request.form.get("role", ""), password=password, now=now(),
        agency_code=request.form.get("agency") or None,
        display_name=request.form.get("display_name", "").strip(),
        locale=request.form.get("locale", "vi"),
    )
    db.session.commit()
    # shown in this answer only: never in a flash message, which travels in the session cookie
    shown = _("Account %(email)s created. Password (shown once): %(password)s",
              email=user.email, password=password)
    rows = db.session.scalars(sa.select(User).order_by(User.email)).all()
    page = render_template("admin/users.html", users=rows, roles=list(Role),
                           agencies=_agencies(), shown_once=shown)
    return page, 201, NOT_STORED


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def edit(user_id: int):
    """One account's role, agency and status."""
    return render_template("admin/user.html", user=_user(user_id), roles=list(Role),
                           agencies=_agencies())


@bp.post("/users/<int:user_id>")
@roles_required("admin")
def update(user_id: int):
    """Change role, agency or active status."""
    user = _user(user_id)
    update_user(db.session, current_user, user, role=request.form.get("role", ""),
                agency_code=request.form.get("agency") or None,
                is_active=request.form.get("is_active") == "1", now=now())
    db.session.commit()
    flash(_("Account updated."), "info")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def reset_password(user_id: int):
    """Set a new generated password, shown once; the user's sessions end."""
    user = _user(user_id)
    password = generate_password()
    set_password(db.session, current_user, user, password, now=now())
    db.session.commit()
    # shown in this answer only: never in a flash message, which travels in the session cookie
    shown = _("New password for %(email)s (shown once): %(password)s",
              email=user.email, password=password)
    page = render_template("admin/user.html", user=user, roles=list(Role), agencies=_agencies(),
                           shown_once=shown)
    return page, 200, NOT_STORED
