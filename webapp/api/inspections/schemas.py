"""Schemas of inspections, their filters, creation, transitions and timeline."""

import marshmallow as ma
from marshmallow import validate

from models.oversight.entities import InspectionKind, InspectionStatus
from webapp.api.core import MAX_ID, PageArgs, QueryInteger, Strict, code, page_schema, text

F = ma.fields
STATUSES = [s.value for s in InspectionStatus]
KINDS = [k.value for k in InspectionKind]
ETAG_HEADER = {"ETag": {"description": "The inspection's version; send it back as If-Match.",
                        "schema": {"type": "string"}}}


def ids(max_length: int = 50, **kwargs) -> F.List:
    """A list of database ids, each strict and in range."""
    one = F.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))
    return F.List(one, validate=validate.Length(max=max_length), **kwargs)


def codes(attr: str):
    return F.Function(lambda o: [x.code for x in getattr(o, attr)], dump_only=True)


class InspectionQueryArgsSchema(PageArgs):
    status = F.String(validate=validate.OneOf(STATUSES))
    agency = code(metadata={"description": "an inspected agency's code"})
    year = QueryInteger(validate=validate.Range(min=2000, max=2100),
                        metadata={"description": "year of the planned date"})


class InspectionRowSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    kind = F.String(dump_only=True, validate=validate.OneOf(KINDS))
    title = F.String(dump_only=True)
    status = F.String(dump_only=True, validate=validate.OneOf(STATUSES))
    plan = F.Function(lambda i: i.plan.code if i.plan else None, dump_only=True,
                      allow_none=True)
    planned_on = F.Date(dump_only=True)
    started_on = F.Date(dump_only=True, allow_none=True)
    concluded_on = F.Date(dump_only=True, allow_none=True)
    agencies = codes("agencies")


InspectionPageSchema = page_schema(InspectionRowSchema, "InspectionPageSchema")


class InspectionSchema(InspectionRowSchema):
    conclusion = F.String(dump_only=True)
    items = codes("items")
    sections = codes("sections")
    inspectors = F.Function(lambda i: [u.id for u in i.inspectors], dump_only=True)
    version = F.Integer(dump_only=True, metadata={"description": "also sent as the ETag"})
    created_at = F.DateTime(dump_only=True)


class InspectionCreateSchema(Strict):
    kind = F.String(load_default=InspectionKind.INSPECTION.value, validate=validate.OneOf(KINDS))
    title = text(500, min_length=1, required=True)
    agency_ids = ids(required=True, metadata={"description": "agencies inspected (ids)"})
    planned_on = F.Date(required=True)
    plan_id = F.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID),
                        load_default=None, allow_none=True)
    item_ids = ids(200, load_default=list)
    section_ids = ids(200, load_default=list)
    inspector_ids = ids(load_default=list)


class StartSchema(Strict):
    """No fields: starting needs only If-Match."""


class ConcludeSchema(Strict):
    conclusion = text(10_000, min_length=1, required=True)


class TimelineEntrySchema(ma.Schema):
    at = F.DateTime(dump_only=True)
    actor = F.String(dump_only=True)
    action = F.String(dump_only=True, metadata={"description": "e.g. corrective_action.reopen"})
    entity_type = F.String(dump_only=True)
    entity_id = F.Integer(dump_only=True, allow_none=True)
    from_status = F.String(dump_only=True, allow_none=True)
    to_status = F.String(dump_only=True, allow_none=True)
    note = F.String(dump_only=True)
