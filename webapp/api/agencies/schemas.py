"""Schemas of agencies."""

import marshmallow as ma


class AgencySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(dump_only=True)
    name_vi = ma.fields.String(dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    parent = ma.fields.Function(lambda a: a.parent.code if a.parent else None,
                                dump_only=True, allow_none=True)
    groups = ma.fields.Function(lambda a: sorted(g.code for g in a.groups), dump_only=True)
