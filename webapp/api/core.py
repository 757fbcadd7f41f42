"""What every API resource shares: the blueprint class, strict fields, the caller, the clock."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint
from marshmallow import validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from models.org.users import User
from webapp.api.auth import require_token, utcnow  # noqa: F401  (re-exported)
from webapp.api.errors import register_on

PREFIX = "/api/v1"
MAX_ID = 999_999_999  # ids beyond this cannot exist; refusing them keeps drivers from overflowing
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"


class ApiParser(FlaskParser):
    """webargs parser with a `multipart` location: form fields and files in one schema."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "multipart": ma.RAISE, "query": ma.RAISE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__location_map__ = {**self.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class ApiBlueprint(Blueprint):
    """A resource's blueprint: every request needs a bearer token."""

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "multipart": "multipart/form-data",
    }

    def __init__(self, name: str, import_name: str, url_prefix: str, **kwargs):
        super().__init__(name, import_name, url_prefix=PREFIX + url_prefix, **kwargs)
        self.before_request(require_token)
        register_on(self)


class Strict(ma.Schema):
    """Unknown fields are refused (marshmallow's RAISE, stated for the reader)."""

    class Meta:
        unknown = ma.RAISE


class StrictBoolean(ma.fields.Boolean):
    """JSON true/false only (marshmallow would also take 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 1 == True in a set lookup, so check the type
            raise self.make_error("invalid", input=value)
        return value


class QueryBoolean(ma.fields.Boolean):
    """`true` or `false` in a query string or form field."""

    def __init__(self, **kwargs):
        super().__init__(truthy={"true"}, falsy={"false"}, **kwargs)


class QueryInteger(ma.fields.Integer):
    """An integer written in plain decimal digits (query strings carry text)."""

    _digits = re.compile(r"^[0-9]{1,10}$")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and self._digits.match(value))
        ):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def text(max_length: int, min_length: int = 0, **kwargs) -> ma.fields.String:
    """A free-text field with a length limit and no NUL characters."""
    length = validate.Length(min=min_length or None, max=max_length)
    return ma.fields.String(validate=[length, validate.Regexp(NO_NUL)], **kwargs)


def code(**kwargs) -> ma.fields.String:
    """A plan, section, item or agency code."""
    return ma.fields.String(validate=validate.Regexp(CODE), **kwargs)


class PageArgs(Strict):
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = QueryInteger(load_default=50, validate=validate.Range(min=1, max=200))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of a paginated list: items, total, page, page_size."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "total": ma.fields.Integer(required=True),
        "page": ma.fields.Integer(required=True),
        "page_size": ma.fields.Integer(required=True),
    })


def page_of(items, total: int, args: dict) -> dict:
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


def offset(args: dict) -> int:
    return (args["page"] - 1) * args["page_size"]


def api_user() -> User:
    """The user the bearer token belongs to (set by `require_token`)."""
    return g.api_user


def if_match_required() -> dict:
    """The OpenAPI description of the If-Match header a change needs."""
    return {"in": "header", "name": "If-Match", "required": True,
            "description": "The ETag (version) from the last read; 428 without it, 412 if stale.",
            "schema": {"type": "string"}}


def expected_version(current: int) -> int:
    """Check If-Match against the current version: 428 when absent, 412 when stale."""
    from flask_smorest import abort

    if "If-Match" not in request.headers:
        abort(428, message="send If-Match with the ETag from your last read")
    if not (request.if_match.is_strong(str(current)) or request.if_match.star_tag):
        abort(412, message="changed by someone else since you read it",
              errors={"headers": {"If-Match": [f"current ETag is \"{current}\""]}})
    return current


def id_converter_doc(converter) -> dict:
    """How an `<id:...>` path segment appears in the spec."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
