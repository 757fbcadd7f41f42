"""Helpers of the inspection pages: the clock, form parsing, labels and the staff guard."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models.core.clock import DEFAULT_TZ, local_today
from models.core.errors import (
    FieldNotADate,
    FieldNotANumber,
    FieldNotNumbers,
    FieldRequired,
)
from models.core.evidence import Upload
from models.org.users import Role

STAFF = (Role.ADMIN, Role.COORDINATOR, Role.INSPECTOR, Role.VIEWER)

LABELS = {
    "inspection": _l("Inspection"), "supervision": _l("Supervision"),
    "planned": _l("Planned"), "in_progress": _l("In progress"), "concluded": _l("Concluded"),
    "observation": _l("Observation"), "minor": _l("Minor"), "major": _l("Major"),
    "open": _l("Open"), "submitted": _l("Submitted"), "verified": _l("Verified"),
    "reopened": _l("Reopened"), "not_planned": _l("Not planned"), "inspected": _l("Inspected"),
}
STEPS = {
    "inspection.create": _l("Inspection planned"), "inspection.start": _l("Inspection started"),
    "inspection.conclude": _l("Inspection concluded"), "finding.log": _l("Finding logged"),
    "finding.edit": _l("Finding corrected"),
    "corrective_action.raise": _l("Corrective action issued"),
    "corrective_action.start": _l("Agency started the corrective action"),
    "corrective_action.submit": _l("Agency submitted its response"),
    "corrective_action.verify": _l("Inspector verified the fix"),
    "corrective_action.reopen": _l("Inspector reopened the corrective action"),
    "corrective_action.extend": _l("Due date extended"),
    "attachment.add": _l("File attached"),
}
VERBS = {"in_progress": _l("Start work"), "submitted": _l("Submit the response"),
         "verified": _l("Verify"), "reopened": _l("Reopen")}


def now() -> datetime:
    """The current time, or the fixed PLANWATCH_NOW the app was configured with (tests)."""
    fixed = current_app.config.get("PLANWATCH_NOW")
    if callable(fixed):
        return fixed()
    return fixed or datetime.now(UTC)


def today() -> date:
    return local_today(now(), DEFAULT_TZ)


def actor():
    """The logged-in domain user the operations act for."""
    return current_user._get_current_object()


def staff_required(view):
    """Logged in as staff (every role but officer); agencies use their own pages."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in STAFF:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def form_version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def form_int(name: str, *, required: bool = False) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise FieldRequired(field=name)
        return None
    if not raw.isdigit():
        raise FieldNotANumber(field=name)
    return int(raw)


def form_ints(name: str) -> list[int]:
    values = [v for v in request.form.getlist(name) if v.strip()]
    if not all(v.strip().isdigit() for v in values):
        raise FieldNotNumbers(field=name)
    return [int(v) for v in values]


def form_date(name: str, *, required: bool = False) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise FieldRequired(field=name)
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FieldNotADate(field=name) from None


def uploads(field: str = "files") -> list[Upload]:
    return [Upload(f.filename, f.stream) for f in request.files.getlist(field) if f and f.filename]


def upload_folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def ddmmyyyy(value: date | datetime | None) -> str:
    """A date as dd/mm/yyyy; a timestamp in Hà Nội time (same as the app's filter)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(DEFAULT_TZ)).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def init_templates(app: Flask) -> None:
    """Labels for our codes; the date filter only where the app has not set its own."""
    app.jinja_env.filters.setdefault("ddmmyyyy", ddmmyyyy)
    app.jinja_env.globals.update(
        insp_label=lambda code: LABELS.get(code, code),
        insp_step=lambda action: STEPS.get(action, action),
        insp_verb=lambda status: VERBS.get(status, status),
        insp_locale=lambda: str(get_locale() or "vi"),
        inspection_tiles=inspection_tiles,
    )


def inspection_tiles() -> dict[str, int] | None:
    """Dashboard counts for the logged-in user (own agency for officers); None when anonymous."""
    from models.core.db import db
    from models.oversight.queries import action_tiles

    if not current_user.is_authenticated:
        return None
    return action_tiles(db.session, actor(), today())
