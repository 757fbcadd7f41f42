"""Template filters and globals: dates as dd/mm/yyyy, labels, the role-dependent nav."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models.core.clock import DEFAULT_TZ
from models.core.db import db
from models.oversight.queries import action_tiles
from webapp import labels
from webapp.clock import today
from webapp.guards import current_actor

# (endpoint, label, roles that see it)
NAV = [
    ("workspace.index", _l("My tasks"), ("officer",)),
    ("workspace.index", _l("Tasks"), ("coordinator", "admin", "inspector")),
    ("review.inbox", _l("Submissions"), ("coordinator", "admin")),
    ("dashboard.index", _l("Dashboard"), ("coordinator", "inspector", "viewer", "admin")),
    ("inspections.desk", _l("Inspections"), ("coordinator", "inspector", "viewer", "admin")),
    ("inspections.actions", _l("Corrective actions"), ("officer",)),
    ("plandraft.upload_form", _l("Draft a plan"), ("coordinator", "admin")),
    ("planedit.index", _l("Edit plans"), ("coordinator", "admin")),
    ("admin.users", _l("Users"), ("admin",)),
    ("notifications.outbox_page", _l("Outbox"), ("coordinator", "admin")),
    ("notifications.mine", _l("Notifications"),
     ("officer", "coordinator", "inspector", "viewer", "admin")),
    ("feeds.mine", _l("Calendar"), ("officer", "coordinator", "inspector", "viewer", "admin")),
]


def ddmmyyyy(value: date | datetime | None) -> str:
    """A date as dd/mm/yyyy; a timestamp in Hà Nội time with hours and minutes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(DEFAULT_TZ)).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [(endpoint, label) for endpoint, label, roles in NAV if current_user.role in roles]


def current_locale_name() -> str:
    """The language of this request: "vi" or "en"."""
    return str(get_locale())


def inspection_tiles() -> dict[str, int] | None:
    """Corrective-action counts for the logged-in user (own agency for officers), else None."""
    if not current_user.is_authenticated:
        return None
    return action_tiles(db.session, current_actor(), today())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ddmmyyyy"] = ddmmyyyy
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.globals.update(
        nav_links=nav_links,
        status_label=lambda s: labels.STATUS.get(s, s),
        status_labels=lambda: {k: str(v) for k, v in labels.STATUS.items()},
        role_label=lambda r: labels.ROLE.get(r, r),
        action_label=lambda a: labels.ACTION.get(a, a),
        state_label=lambda s: labels.STATE.get(s, s),
        cadence_label=lambda c: labels.CADENCE.get(c, c),
        current_locale=current_locale_name,
        insp_label=lambda code: labels.OVERSIGHT.get(code, code),
        insp_step=lambda action: labels.OVERSIGHT_STEP.get(action, action),
        inspection_tiles=inspection_tiles,
    )
