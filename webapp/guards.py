"""Page guards: who may open an area at all (data access is checked again in models/)."""

from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user, login_required


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


def home_endpoint(user) -> str:
    """Where a user lands after logging in."""
    if user.role == "officer":
        return "workspace.index"
    if user.role == "admin":
        return "admin.users"
    return "dashboard.index"


def form_version() -> int | None:
    """The version the form was rendered with (hidden field), to catch stale forms."""
    from flask import request

    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None
