"""Page guards: who may open an area at all (data access is checked again in models/)."""

from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user, login_required

from models.org.users import Role, User

STAFF = (Role.ADMIN, Role.COORDINATOR, Role.INSPECTOR, Role.VIEWER)


def roles_required(*roles: str):
    """Logged in, and one of `roles`; others get 403 (audited by the error handler)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


# every role but officer: agencies use their own pages
staff_required = roles_required(*STAFF)


def current_actor() -> User:
    """The logged-in user object itself, for the operations (which check its type)."""
    return current_user._get_current_object()


def home_endpoint(user) -> str:
    """Where a user lands after logging in."""
    if user.role == "officer":
        return "workspace.index"
    if user.role == "admin":
        return "admin.users"
    return "dashboard.index"
