"""Input that cannot hurt: control characters and over-long query strings refused before a view.

NUL and the other C0 control characters (tab, line feeds and form feed aside) have no place in a
form field, a query parameter, a JSON string or a file name; PostgreSQL refuses NUL in text with
a server error, and a NUL in a file name left an orphan file. One check here covers every route,
so no view sees them: the answer is 422 with the field named (JSON for the API, the error page
for the web), and nothing changes.
"""

from __future__ import annotations

import re

from flask import Flask, request

from models.core.errors import N_, DomainError, InvalidInput

CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_QUERY = 4096  # bytes; gunicorn's own limit on the whole request line is 8190


class ControlCharacters(InvalidInput):
    code = "input.control_characters"
    message = N_("The field %(field)s contains control characters (such as NUL); remove them.")


class QueryTooLong(DomainError):
    status = 414
    code = "input.query_too_long"
    message = N_("The address is too long (more than %(limit)s bytes of query).")


def _strings(value, path: str):
    """(field path, text) for every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _fields():
    for key in request.args:
        yield key, key
        for value in request.args.getlist(key):
            yield key, value
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key in request.form:
            yield key, key
            for value in request.form.getlist(key):
                yield key, value
        for key in request.files:
            for upload in request.files.getlist(key):
                yield key, upload.filename or ""
    elif request.is_json:
        yield from _strings(request.get_json(silent=True), "")


def check_request() -> None:
    """Refuse the request before any view runs when its input cannot be stored as text."""
    if request.routing_exception is not None:
        return  # no view will run: the 404 or 405 answers
    if len(request.query_string) > MAX_QUERY:
        raise QueryTooLong(limit=MAX_QUERY)
    for field, text in _fields():
        if CONTROL.search(text):
            raise ControlCharacters(field=field or "body")


def init_app(app: Flask) -> None:
    app.before_request(check_request)
