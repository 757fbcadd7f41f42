"""Errors in one place: domain errors and HTTP errors as HTML, or JSON when asked for."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from models.core.audit import record
from models.core.db import db
from models.core.errors import DomainError, Forbidden, NotFound, VersionConflict
from webapp.clock import now
from webapp.inspections.messages import MESSAGES as INSPECTION_MESSAGES
from webapp.inspections.messages import PREFIXES as INSPECTION_PREFIXES
from webapp.notifications.messages import MESSAGES as NOTIFICATION_MESSAGES

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You may not do this"),
    404: _l("Not found"),
    405: _l("This action is not available here"),
    409: _l("This change is not possible now"),
    412: _l("Someone else changed this first"),
    413: _l("The file is too large"),
    422: _l("Some input is not valid"),
    429: _l("Too many attempts; wait a minute and try again"),
    500: _l("Something went wrong on our side"),
}

# the domain speaks English; the page shows the reader's language
MESSAGES = {
    "a returned report needs a reason": _l("A returned report needs a reason."),
    "this item does not allow a nil return": _l("This item does not allow a nil return."),
    "the file is empty": _l("The file is empty."),
    "the note is empty": _l("The note is empty."),
    "a report needs a file or a note": _l("Attach a file or write a note to submit a report."),
    "changed by someone else since you opened it": _l(
        "This task was changed by someone else since you opened the form. "
        "Reload the page to see the change, then try again."),
    "password shorter than 10 characters": _l("The password must have at least 10 characters."),
    "an officer must belong to an agency": _l("An officer must belong to an agency."),
}
PREFIXES = {
    "files of type": _l("Files of this type are not accepted (PDF, office documents, images, "
                        "text, CSV or ZIP)."),
    "the file is larger than": _l("The file is larger than the limit."),
    "a task that is": _l("The task is not in a state that allows this change."),
    "your role may not": _l("Your role may not do this."),
    "a user with email": _l("A user with this email already exists."),
    "not an email address": _l("This is not an email address."),
}

# the inspection domain's refusals, translated beside its pages
MESSAGES.update(INSPECTION_MESSAGES)
PREFIXES.update(INSPECTION_PREFIXES)
MESSAGES.update(NOTIFICATION_MESSAGES)


def explain(exc: DomainError) -> str:
    """The domain error's message in the reader's language."""
    if type(exc).code:  # an error with a code carries its own msgid
        return gettext(exc.text, **exc.details)
    if exc.message in MESSAGES:
        return str(MESSAGES[exc.message])
    for prefix, text in PREFIXES.items():
        if exc.message.startswith(prefix):
            return str(text)
    return str(TITLES.get(exc.status, TITLES[400]))


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def audit_refusal(status: int, reason: str) -> None:
    """Refused access goes into the audit log, in its own transaction."""
    db.session.rollback()
    actor = current_user if current_user.is_authenticated else None  # None: anonymous
    record(db.session, actor=actor, action="access.refused", entity_type="request",
           entity_id=request.path[:64], before=None,
           after={"status": status, "method": request.method, "reason": reason,
                  "address": request.remote_addr}, now=now())
    db.session.commit()


def render_error(status: int, message: str, details: dict | None = None):
    title = str(TITLES.get(status, TITLES[500]))
    if wants_json():
        return jsonify(status=status, title=title, message=message, details=details or {}), status
    return render_template("errors/error.html", status=status, title=title, message=message,
                           details=details or {}), status


def login_required_refusal():
    """A page that needs a login: audited, then the login page (or 401 for JSON clients)."""
    audit_refusal(401, "login required")
    if wants_json():
        return render_error(401, str(TITLES[401]))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    from webapp.extensions import login_manager

    login_manager.unauthorized_handler(login_required_refusal)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if isinstance(exc, NotFound | Forbidden):
            audit_refusal(exc.status, exc.message)
        details = {k: v for k, v in exc.details.items() if k in ("task_id", "field")}
        if isinstance(exc, VersionConflict):
            details["stale"] = True
        return render_error(exc.status, explain(exc), details)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        audit_refusal(400, "csrf")
        return render_error(400, str(_l("The form expired or was not sent from this site. "
                                        "Reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (403, 429):
            audit_refusal(exc.code, "throttled" if exc.code == 429 else "forbidden")
        return render_error(exc.code or 500, str(TITLES.get(exc.code, "")), None)
