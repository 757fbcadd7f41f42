"""Reading the pages' forms: the version a form was rendered with, numbers, dates and files,
and forms that forgive (`submitted`, `attempt`): a schema reads the form, a refusal re-renders
the same page with what was typed."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import current_app, g, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from models.core.errors import (
    DomainError,
    FieldNotADate,
    FieldNotANumber,
    FieldNotNumbers,
    FieldRequired,
    Forbidden,
    NotFound,
    VersionConflict,
)
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


# --- forms that forgive: one marshmallow schema (the API's where it has one) reads the form;
# an error re-renders the same page with what was typed and the message next to its field ---

FIELD_MESSAGES = {  # marshmallow's error kinds, in the reader's language
    "required": _l("This field is required."),
    "null": _l("This field is required."),
    "date": _l("Not a date (dd/mm/yyyy)."),
    "number": _l("Not a whole number."),
    "choice": _l("Choose one of the options."),
    "length": _l("Too long: at most %(max)s characters."),
    "range": _l("Out of the allowed range."),
    "invalid": _l("This value is not valid."),
}


class FormInvalid(Exception):
    """The form did not pass its schema; the form carries the errors."""


class FormState:
    """A form as the user sent it (or empty): the typed values and the errors by field."""

    def __init__(self, name: str, values: MultiDict | None = None):
        self.name = name
        self.values = values if values is not None else MultiDict()
        self.errors: dict[str, list[str]] = {}
        self.status = 422  # what the re-rendered page answers: the refusal's own status
        self.aliases: dict[str, str] = {}  # a domain field name -> this form's input name

    def value(self, field: str, default="") -> str:
        return self.values.get(field, default) if field in self.values else default

    def chosen(self, field: str) -> list[str]:
        return self.values.getlist(field)

    def error(self, field: str) -> str | None:
        messages = self.errors.get(field)
        return " ".join(messages) if messages else None

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def add(self, field: str | None, message: str) -> None:
        self.errors.setdefault(field or "_form", []).append(str(message))

    def load(self, schema: ma.Schema) -> dict:
        """The schema's data from the form's fields; FormInvalid with field errors if not."""
        raw = _form_data(schema, self.values)
        try:
            return schema.load(raw)
        except ma.ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {"_form": exc.messages}
            for field, errors in messages.items():
                self.add(field, _explain_field(schema.fields.get(field), errors))
            raise FormInvalid(self) from None

    def refuse(self, exc: DomainError) -> None:
        """A domain refusal, shown next to its field (or at the top of the form)."""
        from webapp.errors import explain

        self.add(self.aliases.get(exc.field, exc.field), explain(exc))


def submitted(name: str) -> FormState:
    """The form the current request sent, remembered for the page that re-renders it."""
    form = FormState(name, request.form.copy())
    g.setdefault("forms", {})[name] = form
    return form


def form_state(name: str) -> FormState:
    """The form named `name` as submitted in this request, or an empty one (templates)."""
    return g.get("forms", {}).get(name) or FormState(name)


def attempt(form: FormState, action) -> bool:
    """Run `action()` (load, operation, commit); False with the form's errors if refused.

    Access refusals (not found, forbidden) still go to the error handler, audited; a client
    that asks for JSON gets the JSON error body instead of the page.
    """
    from flask import abort

    from models.core.db import db
    from webapp.errors import error_response, wants_json

    try:
        action()
        return True
    except FormInvalid:
        db.session.rollback()
        if wants_json():
            abort(error_response(422, gettext("Some input is not valid"), {"form": form.errors},
                                 error="input.invalid"))
        return False
    except DomainError as exc:
        # a stale version gets the "changed by someone else" page (webapp.errors.stale_form),
        # which shows what was typed even when the form is no longer on the task's page
        if isinstance(exc, NotFound | Forbidden | VersionConflict) or wants_json():
            raise
        db.session.rollback()
        form.refuse(exc)
        form.status = exc.status
        return False


def _is_int(field) -> bool:
    return isinstance(field, ma.fields.Integer)


def _coerce(field, value: str):
    if isinstance(field, ma.fields.Boolean):  # a checkbox or button: "1", "on", "true"
        on = value in ("1", "on", "true", "yes")
        return on if on in (field.truthy | field.falsy) else ("true" if on else "false")
    if _is_int(field) and value.strip().isdigit():
        return int(value.strip())
    return value.strip() if isinstance(field, ma.fields.Date) else value


def _form_data(schema: ma.Schema, values: MultiDict) -> dict:
    """Only the schema's fields; empty inputs count as not sent (so "required" says so)."""
    data = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, ma.fields.List):
            items = [v for v in values.getlist(key) if str(v).strip()]
            if items or key in values:
                data[key] = [_coerce(field.inner, v) for v in items]
            continue
        if isinstance(field, ma.fields.Boolean):
            if key in values:
                data[key] = _coerce(field, values.get(key, ""))
            continue
        raw = values.get(key)
        if raw is None or not str(raw).strip():
            continue
        data[key] = _coerce(field, raw)
    return data


def _explain_field(field, errors) -> str:
    """marshmallow's messages for one field, as a sentence the user can act on."""
    if isinstance(errors, dict):  # a list field: {position: [messages]}
        errors = [m for sub in errors.values() for m in (sub if isinstance(sub, list) else [sub])]
    out = []
    for message in errors if isinstance(errors, list) else [errors]:
        out.append(str(_kind_message(field, str(message))))
    return " ".join(dict.fromkeys(out))


def _kind_message(field, message: str):
    if field is None:
        return gettext(message)
    known = {v: k for k, v in field.error_messages.items()}
    kind = known.get(message)
    if kind in ("required", "null"):
        return FIELD_MESSAGES["required"]
    inner = field.inner if isinstance(field, ma.fields.List) else field
    if isinstance(inner, ma.fields.Date):
        return FIELD_MESSAGES["date"]
    if _is_int(inner) and ("integer" in message.lower() or kind == "invalid"):
        return FIELD_MESSAGES["number"]
    for validator in field.validators:
        if isinstance(validator, ma.validate.OneOf):
            return FIELD_MESSAGES["choice"]
        if isinstance(validator, ma.validate.Length) and validator.max is not None \
                and message.startswith(("Longer", "Length must be")):
            return FIELD_MESSAGES["length"] % {"max": validator.max}
        if isinstance(validator, ma.validate.Length) and message.startswith("Shorter"):
            return FIELD_MESSAGES["required"]
        if isinstance(validator, ma.validate.Range):
            return FIELD_MESSAGES["range"]
    return FIELD_MESSAGES["invalid"]


MAX_FILES = 10  # evidence files in one submission (the API's SubmissionSchema says the same)


def upload_limits() -> dict:
    """What the file inputs say next to them: size per file and per form, count and types."""
    from models.core.evidence import ALLOWED, MAX_BYTES

    total = current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BYTES
    types = sorted({suffix.lstrip(".").upper() for suffix in ALLOWED} - {"JPEG"})
    return {"file_mb": MAX_BYTES // (1024 * 1024), "total_mb": total // (1024 * 1024),
            "count": MAX_FILES, "types": ", ".join(types),
            "accept": ",".join(sorted(ALLOWED))}
