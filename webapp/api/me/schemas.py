"""Schemas of the caller's account and tokens."""

import marshmallow as ma

from webapp.api.core import Strict


class MeSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(dump_only=True)
    display_name = ma.fields.String(dump_only=True)
    role = ma.fields.String(dump_only=True)
    agency = ma.fields.Function(lambda u: u.agency.code if u.agency else None,
                                dump_only=True, allow_none=True)
    locale = ma.fields.String(dump_only=True)
    is_agency_head = ma.fields.Boolean(dump_only=True)


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)
    expires_at = ma.fields.DateTime(dump_only=True)
    revoked_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    last_used_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class EmptySchema(Strict):
    """No body expected."""
