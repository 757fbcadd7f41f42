"""Errors in one place: domain errors and HTTP errors as HTML, or as JSON for the API and for
clients that ask for JSON, in one shape: {"code", "error", "message", "errors"}.

A domain error is translated by its class (its `code` names it, its `message` is the msgid):
rewording a message in models/ changes the msgid, and the catalogue test notices it.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from models.core.db import db
from models.core.errors import (
    DomainError,
    Forbidden,
    NotFound,
    RecordChanged,
    VersionConflict,
    fill,
)
from models.core.refusals import record_refusal
from webapp.clock import now

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

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
    428: _l("Send the version you read (If-Match) with this change"),
    429: _l("Too many attempts; wait a minute and try again"),
    500: _l("Something went wrong on our side"),
}
# refusals written to the audit trail: on the API like on the pages (401 there is the login page)
AUDITED_API = (401, 403, 404, 429)
REASONS = {401: "token required", 403: "forbidden", 404: "not found", 429: "throttled"}
CSRF_EXPIRED = _l("The form expired or was not sent from this site. Reload the page and try again.")


def explain(exc: DomainError) -> str:
    """The domain error's message in the reader's language, found by its class."""
    kind = type(exc)
    if not kind.code or not kind.message:  # an error without a name: only its status is known
        return str(TITLES.get(exc.status, TITLES[400]))
    return fill(gettext(kind.message), exc.details)


def http_code(status: int) -> str:
    """The stable `error` of an HTTP error without a domain reason: "http.not_found"."""
    try:
        from werkzeug.http import HTTP_STATUS_CODES

        name = HTTP_STATUS_CODES[status]
    except KeyError:
        return "http.error"
    return "http." + re.sub(r"[^a-z]+", "_", name.lower()).strip("_")


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def wants_json() -> bool:
    """The API always; elsewhere a client that asks for JSON rather than a page."""
    if is_api_request():
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def _string_keys(value):
    """Field errors with string keys (list positions and odd form names can be other types)."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(v) for v in value]
    return value


def error_response(code: int, message: str, errors: dict | None = None, headers=None, *,
                   error: str | None = None):
    """The JSON error body every JSON answer uses (documented as the API's ErrorSchema)."""
    response = jsonify(code=code, error=error or http_code(code), message=message,
                       errors=_string_keys(errors or {}))
    response.status_code = code
    for name, value in headers or ():
        response.headers[name] = value
    return response


def field_errors(exc: DomainError, message: str) -> dict:
    """A refused input field as {location: {field: [message]}}, as webargs reports its own."""
    if exc.status != 422 or not exc.field:
        return {}
    if request.mimetype == "multipart/form-data":
        location = "multipart" if is_api_request() else "form"
    elif request.mimetype == "application/x-www-form-urlencoded":
        location = "form"
    else:
        location = "json"
    return {location: {exc.field: [message]}}


def domain_json(exc: DomainError):
    """A domain refusal as JSON, translated by its code."""
    message = explain(exc)
    return error_response(exc.status, message, field_errors(exc, message),
                          error=type(exc).code or http_code(exc.status))


def audit_refusal(status: int, reason: str) -> None:
    """Refused access goes into the audit log, in its own transaction: each one of a known user
    (logged in, or the API token's owner); anonymous ones once per address and minute, counted
    (`models.core.refusals`)."""
    db.session.rollback()
    if current_user and current_user.is_authenticated:
        actor = current_user
    else:
        actor = g.get("api_user")  # None: anonymous
    record_refusal(db.session, actor, status=status, method=request.method, path=request.path,
                   reason=reason, address=request.remote_addr, now=now())
    db.session.commit()


def render_error(status: int, message: str, details: dict | None = None, *,
                 error: str | None = None, errors: dict | None = None):
    """The error page, or the JSON body when JSON is wanted."""
    if wants_json():
        return error_response(status, message, errors, error=error)
    title = str(TITLES.get(status, TITLES[500]))
    return render_template("errors/error.html", status=status, title=title, message=message,
                           details=details or {}), status


def login_required_refusal():
    """A page that needs a login: audited, then the login page (or 401 for JSON clients)."""
    audit_refusal(401, "login required")
    if wants_json():
        return render_error(401, str(TITLES[401]))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def domain_error(exc: DomainError):
    """A rule the domain refused: audited when it is about access, then a page or JSON."""
    db.session.rollback()
    if isinstance(exc, NotFound | Forbidden):
        audit_refusal(exc.status, exc.message)
    if wants_json():
        return domain_json(exc)
    if isinstance(exc, VersionConflict) and request.method == "POST":
        return stale_form(exc)
    details = {k: v for k, v in exc.details.items() if k in ("task_id", "field")}
    return render_error(exc.status, explain(exc), details)


HIDDEN_FIELDS = ("csrf_token", "version", "next")


def stale_form(exc: VersionConflict):
    """A form posted on a stale read (someone else changed the record first): the "changed by
    someone else" page, with what was typed, so nothing is lost; never a 500."""
    typed = [(name, value) for name, value in request.form.items(multi=True)
             if name not in HIDDEN_FIELDS and value.strip()]
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    back = referrer if referrer.startswith(host + "/") else url_for("auth.home")
    return render_template("errors/stale.html", status=exc.status, title=str(TITLES[412]),
                           message=explain(exc), typed=typed, back=back), exc.status


def stale_data(exc: StaleDataError):
    """Two saves of the same row at once: the later one lost the race (as a stale version)."""
    db.session.rollback()
    return domain_error(RecordChanged())


def csrf_error(exc: CSRFError):
    audit_refusal(400, "csrf")
    return render_error(400, str(CSRF_EXPIRED), error="http.csrf_failed")


def http_error(exc: HTTPException):
    """Any HTTP error, routing ones (404, 405) included: JSON under the API or when asked for,
    keeping the headers it needs (Allow on 405, WWW-Authenticate on 401); else the page."""
    status = exc.code or 500
    if wants_json():
        data = getattr(exc, "data", None) or {}  # what flask-smorest's and webargs' abort carry
        errors = data.get("errors") or data.get("messages") or {}
        message = data.get("message") or str(TITLES.get(status, "")) or exc.description
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        headers += list((data.get("headers") or {}).items())
        if status >= 500:
            db.session.rollback()
            original = getattr(exc, "original_exception", None)
            if original is not None:
                log.exception("unhandled error", exc_info=original)
        audited = AUDITED_API if is_api_request() else (403, 429)
        if status in audited:
            audit_refusal(status, REASONS[status])
        return error_response(status, message, errors, headers)
    if status in (403, 429):
        audit_refusal(status, REASONS[status])
    if status == 413:
        return render_error(status, too_large_message(), None)
    return render_error(status, str(TITLES.get(status, "")), None)


def too_large_message() -> str:
    """What a 413 page says: the limits, and what to do (the browser's back keeps the form)."""
    from webapp.forms import upload_limits

    limits = upload_limits()
    return gettext("The files sent together are larger than %(total_mb)s MB, the limit of one "
                   "form (each file up to %(file_mb)s MB, at most %(count)s files). Go back, "
                   "choose smaller or fewer files and send again.", **{
                       k: limits[k] for k in ("total_mb", "file_mb", "count")})


def init_app(app: Flask) -> None:
    from webapp.extensions import login_manager

    login_manager.unauthorized_handler(login_required_refusal)
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(StaleDataError, stale_data)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
