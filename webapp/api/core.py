"""What every API resource shares: the blueprint and its ETags, strict fields, paging, caller."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import marshmallow as ma
import orjson
from flask import Response, g, request
from flask_smorest import Blueprint, abort
from flask_smorest.exceptions import PreconditionFailed
from marshmallow import validate
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.http import quote_etag

from models.org.users import User
from webapp.api.auth import require_token
from webapp.api.errors import register_on

PREFIX = "/api/v1"
MAX_ID = 999_999_999  # ids beyond this cannot exist; refusing them keeps drivers from overflowing
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"


class ApiParser(FlaskParser):
    """webargs parser with a `multipart` location: form fields and files in one schema."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "multipart": ma.RAISE, "query": ma.RAISE}
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Form fields and files together, lists where the schema has a List field."""
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema,
                              known_multi_fields=tuple(self.KNOWN_MULTI_FIELDS))


class VersionSchema(ma.Schema):
    """What an ETag is made of: the object's version, which every operation bumps."""

    version = ma.fields.Integer(required=True)


def refuse_empty_if_match() -> None:
    """An If-Match that names no tag matches nothing: 412 (RFC 9110, 13.1.1), not 428."""
    if "If-Match" in request.headers and not request.if_match:
        abort(412, errors={"headers": {"If-Match": ["empty: send the ETag of your last read"]}})


class ApiBlueprint(Blueprint):
    """A resource's blueprint: every request needs a bearer token.

    ETags are flask-smorest's (`@bp.etag` on a method, `bp.set_etag(obj, VersionSchema)`,
    `bp.check_etag(obj, VersionSchema)`), with two choices of ours: the tag is the object's
    version ("3"), and a POST decorated with `@bp.etag` is a step of an existing object (start,
    submit, accept…), so like a PATCH it needs If-Match: 428 without it, 412 when stale, both
    in the OpenAPI document. A POST that creates an object is not decorated and answers with
    `bp.created(obj)`.
    """

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "multipart": "multipart/form-data",
    }
    METHODS_NEEDING_CHECK_ETAG = ["POST", "PUT", "PATCH", "DELETE"]

    def __init__(self, name: str, import_name: str, url_prefix: str, **kwargs):
        super().__init__(name, import_name, url_prefix=PREFIX + url_prefix, **kwargs)
        self.before_request(require_token)
        register_on(self)

    def arguments(self, schema, **kwargs):
        """flask-smorest's `arguments`, with a schema class made an instance once here (webargs
        would otherwise build a new schema object on every request)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def etag(self, view):
        """flask-smorest's `etag` on one view method, placed below `arguments` so a body is
        checked (422) before the tag (428, 412); an empty If-Match is refused with 412."""
        checked = super().etag(view)

        @functools.wraps(checked)
        def wrapper(*args, **kwargs):
            refuse_empty_if_match()
            return checked(*args, **kwargs)

        return wrapper

    @staticmethod
    def _generate_etag(etag_data, extra_data=None) -> str:
        # flask-smorest hashes the data; the maintainers leave this method to override for
        # another tag (flask-smorest #393). Ours is the version a client can read and compare.
        return str(etag_data["version"])

    def check_etag(self, etag_data, etag_schema=None) -> None:
        """flask-smorest's check, with the current tag in the 412 answer."""
        try:
            super().check_etag(etag_data, etag_schema)
        except PreconditionFailed:
            current = quote_etag(self._generate_etag(VersionSchema().dump(etag_data)))
            # the message is the app's translated one for 412; the detail names the current tag
            abort(412, errors={"headers": {"If-Match": [f"current ETag is {current}"]}})

    def created(self, obj, body=None) -> tuple:
        """A 201 answer for a new object (`body`, else the object) with the object's ETag."""
        tag = quote_etag(self._generate_etag(VersionSchema().dump(obj)))
        return (obj if body is None else body), 201, {"ETag": tag}


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
    """`page` and `page_size` of a list; a resource's query schema adds its filters."""

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


@dataclass(frozen=True)
class Paging:
    """The page a list request asks for, taken out of its parsed query arguments."""

    page: int
    size: int

    @classmethod
    def take(cls, args: dict) -> Paging:
        """Remove `page` and `page_size` from `args` (what is left are the filters)."""
        return cls(args.pop("page"), args.pop("page_size"))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def of(self, items, total: int) -> dict:
        """The envelope: {"items", "total", "page", "page_size"}."""
        return {"items": items, "total": total, "page": self.page, "page_size": self.size}


def json_response(data, status: int = 200) -> Response:
    """`data` as a JSON answer, serialised by orjson (plain values: str, int, bool, None,
    lists and dicts; dates as ISO strings)."""
    return Response(orjson.dumps(data), status=status, mimetype="application/json")


def api_user() -> User:
    """The user the bearer token belongs to (set by `require_token`)."""
    return g.api_user


def id_converter_doc(converter) -> dict:
    """How an `<id:...>` path segment appears in the spec."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
