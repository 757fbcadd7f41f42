"""Schemas of findings."""

import marshmallow as ma
from marshmallow import validate

from models.oversight.entities import Severity
from webapp.api.core import MAX_ID, Strict, text

F = ma.fields
SEVERITIES = [s.value for s in Severity]
ETAG_HEADER = {"ETag": {"description": "The finding's version.", "schema": {"type": "string"}}}


def an_id(**kwargs) -> F.Integer:
    return F.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class FindingSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    inspection_id = F.Integer(dump_only=True)
    agency = F.Function(lambda f: f.agency.code, dump_only=True)
    agency_id = F.Integer(dump_only=True)
    text = F.String(dump_only=True)
    severity = F.String(dump_only=True, validate=validate.OneOf(SEVERITIES))
    task_id = F.Integer(dump_only=True, allow_none=True)
    item = F.Function(lambda f: f.item.code if f.item else None, dump_only=True,
                      allow_none=True)
    section = F.Function(lambda f: f.section.code if f.section else None, dump_only=True,
                         allow_none=True)
    corrective_actions = F.Function(lambda f: [a.id for a in f.actions], dump_only=True)
    version = F.Integer(dump_only=True)
    created_at = F.DateTime(dump_only=True)


class FindingCreateSchema(Strict):
    agency_id = an_id(required=True, metadata={"description": "an inspected agency"})
    text = text(10_000, min_length=1, required=True)
    severity = F.String(required=True, validate=validate.OneOf(SEVERITIES))
    task_id = an_id(load_default=None, allow_none=True)
    item_id = an_id(load_default=None, allow_none=True)
    section_id = an_id(load_default=None, allow_none=True)
