"""Schemas of plans, sections and items."""

import marshmallow as ma

F = ma.fields


class PlanSummarySchema(ma.Schema):
    id = F.Integer(dump_only=True)
    code = F.String(dump_only=True)
    title_vi = F.String(dump_only=True)
    title_en = F.String(dump_only=True)
    timezone = F.String(dump_only=True)
    starts_on = F.Date(dump_only=True)
    ends_on = F.Date(dump_only=True, allow_none=True)


class SectionSchema(ma.Schema):
    code = F.String(dump_only=True)
    parent = F.String(dump_only=True, allow_none=True, metadata={"description": "parent code"})
    title_vi = F.String(dump_only=True)
    title_en = F.String(dump_only=True)
    text_vi = F.String(dump_only=True)


class PartiesSchema(ma.Schema):
    groups = F.List(F.String(), dump_only=True)
    agencies = F.List(F.String(), dump_only=True)
    exclude = F.List(F.String(), dump_only=True)


class ItemSchema(ma.Schema):
    code = F.String(dump_only=True)
    section = F.String(dump_only=True)
    kind = F.String(dump_only=True)
    title_vi = F.String(dump_only=True)
    title_en = F.String(dump_only=True)
    text_vi = F.String(dump_only=True)
    lead = F.Nested(PartiesSchema, dump_only=True)
    coordinating = F.Nested(PartiesSchema, dump_only=True)
    reports_to = F.List(F.String(), dump_only=True)
    cadence = F.String(dump_only=True)
    due = F.Dict(dump_only=True, allow_none=True, metadata={"description": "the due rule"})
    absorbs = F.List(F.String(), dump_only=True)
    allows_nil_return = F.Boolean(dump_only=True)
    evidence_vi = F.String(dump_only=True)
    evidence_en = F.String(dump_only=True)
    reminders = F.List(F.Dict(), dump_only=True)
    starts_on = F.String(dump_only=True)
    ends_on = F.String(dump_only=True, allow_none=True)
    active = F.Boolean(dump_only=True)


class PlanSchema(PlanSummarySchema):
    issuer = F.String(dump_only=True, allow_none=True)
    coordinator = F.String(dump_only=True, allow_none=True)
    issued_on = F.Date(dump_only=True, allow_none=True)
    implements = F.List(F.Dict(), dump_only=True)
    cites = F.List(F.Dict(), dump_only=True)
    reminders = F.List(F.Dict(), dump_only=True)
    sections = F.List(F.Nested(SectionSchema), dump_only=True)
    items = F.List(F.Nested(ItemSchema), dump_only=True)
