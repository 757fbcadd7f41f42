"""Reading the pages' forms: the version a form was rendered with, numbers, dates and files."""

from __future__ import annotations

from datetime import date

from flask import current_app, request

from models.core.errors import FieldNotADate, FieldNotANumber, FieldNotNumbers, FieldRequired
from models.core.evidence import Upload


def form_version() -> int | None:
    """The version the form was rendered with (hidden field), to catch stale forms."""
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def form_int(name: str, *, required: bool = False) -> int | None:
    """A whole number from the form, or None when left empty."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise FieldRequired(field=name)
        return None
    if not raw.isdigit():
        raise FieldNotANumber(field=name)
    return int(raw)


def form_ints(name: str) -> list[int]:
    """Every value of a multiple choice, as numbers."""
    values = [v for v in request.form.getlist(name) if v.strip()]
    if not all(v.strip().isdigit() for v in values):
        raise FieldNotNumbers(field=name)
    return [int(v) for v in values]


def form_date(name: str, *, required: bool = False) -> date | None:
    """A date field (yyyy-mm-dd, as browsers send it), or None when left empty."""
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
    """The files sent in `field`, skipping empty file inputs."""
    return [Upload(f.filename, f.stream) for f in request.files.getlist(field) if f and f.filename]


def upload_folder() -> str:
    """Where evidence files are stored (outside the web root)."""
    return current_app.config["UPLOAD_FOLDER"]
