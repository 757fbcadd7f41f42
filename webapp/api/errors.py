"""One JSON shape for every API error: {"code", "message", "errors"}."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import Flask, jsonify, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import RoutingException

from models.core.db import db
from models.core.errors import DomainError

log = logging.getLogger(__name__)


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong"})
    errors = ma.fields.Dict(
        required=True,
        metadata={"description": "Field errors (request location → field → messages)"},
    )


def _string_keys(value):
    """Field errors with string keys (list positions and odd form names can be other types)."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(v) for v in value]
    return value


def error_response(code: int, message: str, errors: dict | None = None, headers=None):
    """The JSON error response."""
    response = jsonify(code=code, message=message, errors=_string_keys(errors or {}))
    response.status_code = code
    for name, value in headers or ():
        response.headers[name] = value
    return response


def http_error(error: HTTPException):
    """An HTTP error as JSON, keeping the headers it needs (Allow on 405, WWW-Authenticate)."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    message = data.get("message") or error.description or error.name
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    headers += list((data.get("headers") or {}).items())
    return error_response(error.code or 500, message, errors, headers)


def domain_error(error: DomainError):
    """A rule the domain refused, with its status (404, 403, 409, 412, 422)."""
    db.session.rollback()
    errors = {}
    field = error.details.get("field")
    if error.status == 422 and field:
        location = "multipart" if request.mimetype == "multipart/form-data" else "json"
        errors = {location: {field: [error.message]}}
    return error_response(error.status, error.message, errors)


def stale_data(error: StaleDataError):
    """Someone else changed the row between our read and our write."""
    db.session.rollback()
    return error_response(412, "changed by someone else since you read it")


def server_error(error):
    """An unexpected failure, without a traceback in the body."""
    db.session.rollback()
    original = getattr(error, "original_exception", None)
    if original is not None:
        log.exception("API error", exc_info=original)
    return error_response(500, "internal error")


def register_on(bp) -> None:
    """Domain errors, lost updates and failures in a resource's views, as JSON."""
    bp.register_error_handler(DomainError, domain_error)
    bp.register_error_handler(StaleDataError, stale_data)
    bp.register_error_handler(InternalServerError, server_error)


def install(app: Flask, prefix: str) -> None:
    """Route the API's HTTP errors, including routing ones (404, 405) under `prefix`, to JSON."""
    original = app.handle_http_exception

    # Routing errors (unknown path, wrong method) happen before a blueprint is known, and the web
    # app's own handlers (HTML pages) may be registered on the app: decide by path first.
    def handle_http_exception(e):
        if (
            request.path.startswith(prefix + "/") and e.code is not None
            and not isinstance(e, RoutingException)
        ):
            return http_error(e)
        return original(e)

    app.handle_http_exception = handle_http_exception
