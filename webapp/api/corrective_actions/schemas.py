"""Schemas of corrective actions, their filters, lifecycle steps and history."""

from datetime import date

import marshmallow as ma
from marshmallow import validate

from models.oversight.entities import ActionStatus
from webapp.api.core import MAX_ID, PageArgs, Strict, StrictBoolean, code, page_schema, text
from webapp.api.submissions.schemas import EvidenceFile
from webapp.api.tasks.schemas import AttachmentSchema

F = ma.fields
STATUSES = [s.value for s in ActionStatus]
ETAG_HEADER = {"ETag": {"description": "The corrective action's version; send it back as "
                                       "If-Match.", "schema": {"type": "string"}}}
# a due date within the calendar the working-day rules know about
DUE_RANGE = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))


def an_id(**kwargs) -> F.Integer:
    return F.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def working_days(**kwargs) -> F.Integer:
    return F.Integer(strict=True, validate=validate.Range(min=1, max=250), **kwargs)


class ActionQueryArgsSchema(PageArgs):
    agency = code(metadata={"description": "owning agency's code"})
    status = F.String(validate=validate.OneOf(STATUSES))
    overdue = F.Boolean(truthy={"true"}, falsy={"false"})


class ActionSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    finding_id = F.Integer(dump_only=True)
    inspection_id = F.Integer(dump_only=True)
    agency = F.String(dump_only=True)
    description = F.String(dump_only=True)
    status = F.String(dump_only=True, validate=validate.OneOf(STATUSES))
    due_on = F.Date(dump_only=True)
    original_due_on = F.Date(dump_only=True, allow_none=True)
    extended = F.Boolean(dump_only=True)
    extension_reason = F.String(dump_only=True)
    overdue = F.Boolean(dump_only=True)
    requires_followup = F.Boolean(dump_only=True)
    followup_inspection_id = F.Integer(dump_only=True, allow_none=True)
    submitted_at = F.DateTime(dump_only=True, allow_none=True)
    verified_at = F.DateTime(dump_only=True, allow_none=True)
    allowed_transitions = F.List(F.String(), dump_only=True,
                                 metadata={"description": "statuses the caller may set now"})
    can_extend = F.Boolean(dump_only=True)
    version = F.Integer(dump_only=True, metadata={"description": "also sent as the ETag"})
    created_at = F.DateTime(dump_only=True)
    updated_at = F.DateTime(dump_only=True)


ActionPageSchema = page_schema(ActionSchema, "ActionPageSchema")


class RaiseSchema(Strict):
    description = text(5000, min_length=1, required=True)
    agency_id = an_id(load_default=None, allow_none=True,
                      metadata={"description": "owner; the finding's agency by default"})
    due_in_working_days = working_days(load_default=None, allow_none=True)
    due_on = F.Date(load_default=None, allow_none=True, validate=DUE_RANGE,
                    metadata={"description": "give this or due_in_working_days"})
    requires_followup = StrictBoolean(load_default=False)


class NoteSchema(Strict):
    note = text(2000, load_default="")


class ReopenSchema(Strict):
    note = text(2000, min_length=1, required=True,
                metadata={"description": "what is still missing"})


class VerifySchema(Strict):
    note = text(2000, load_default="")
    followup_inspection_id = an_id(load_default=None, allow_none=True)


class ExtendSchema(Strict):
    reason = text(2000, min_length=1, required=True)
    due_in_working_days = working_days(load_default=None, allow_none=True)
    due_on = F.Date(load_default=None, allow_none=True, validate=DUE_RANGE)


class ActionSubmitSchema(Strict):
    note = text(2000, load_default="")
    files = F.List(EvidenceFile(), load_default=list, validate=validate.Length(max=10),
                   metadata={"description": "evidence files (PDF, office, images, zip)"})


class ActionUpdateSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    at = F.DateTime(dump_only=True)
    actor = F.String(dump_only=True, allow_none=True)
    action = F.String(dump_only=True)
    from_status = F.String(dump_only=True)
    to_status = F.String(dump_only=True)
    note = F.String(dump_only=True)
    attachments = F.List(F.Nested(AttachmentSchema), dump_only=True)
