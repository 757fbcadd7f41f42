"""Schemas of tasks, their filters, status changes and history."""

import marshmallow as ma
from marshmallow import validate

from models.tasks.entities import TaskStatus
from models.tasks.listing import SORTS
from models.tasks.periods import Category, InvalidPeriod, parse_period
from webapp.api.core import PageArgs, Strict, StrictBoolean, code, page_schema, text

F = ma.fields
STATUSES = [s.value for s in TaskStatus]
DATE_TEXT = {"format": "date"}


class PeriodField(F.String):
    """A report period as written in URLs: 2026-03, 2026-Q1, 2026-H1, 2026, or a..b dates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_period(text_value)
        except InvalidPeriod as exc:
            raise ma.ValidationError(InvalidPeriod.message) from exc


class TaskQueryArgsSchema(PageArgs):
    plan = code(metadata={"description": "plan code"})
    section = code(metadata={"description": "section code (its subsections included)"})
    item = code(metadata={"description": "item code"})
    agency = code(metadata={"description": "agency code"})
    status = F.String(validate=validate.OneOf(STATUSES))
    overdue = F.Boolean(truthy={"true"}, falsy={"false"})
    due_from = F.Date(metadata={"description": "due on or after"})
    due_to = F.Date(metadata={"description": "due on or before"})
    period = PeriodField(metadata={"description": "tasks due in this period: 2026-03, 2026-Q1, "
                                                  "2026-H1, 2026 or 2026-03-01..2026-03-31"})
    category = F.String(validate=validate.OneOf([c.value for c in Category]),
                        metadata={"description": "the category on today's date (QĐ 42/2014)"})
    search = text(200, metadata={"description": "item or agency code, title or name contains"})
    sort = F.String(validate=validate.OneOf(list(SORTS)), load_default="due")
    as_of = F.Date(metadata={"description": "judge overdue and the category on this day "
                                            "(default: today in Hà Nội)"})


class TaskRowSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    plan = F.String(dump_only=True)
    agency = F.String(dump_only=True)
    item = F.String(dump_only=True)
    period_start = F.String(dump_only=True, metadata=DATE_TEXT)
    period_end = F.String(dump_only=True, metadata=DATE_TEXT)
    due_on = F.String(dump_only=True, metadata=DATE_TEXT)
    status = F.String(dump_only=True, validate=validate.OneOf(STATUSES))
    overdue = F.Boolean(dump_only=True)
    late = F.Boolean(dump_only=True)
    category = F.String(dump_only=True, validate=validate.OneOf([c.value for c in Category]))


TaskPageSchema = page_schema(TaskRowSchema, "TaskPageSchema")


class TaskSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    plan = F.String(dump_only=True)
    section = F.String(dump_only=True)
    item = F.String(dump_only=True)
    item_title_vi = F.String(dump_only=True)
    item_title_en = F.String(dump_only=True)
    allows_nil_return = F.Boolean(dump_only=True)
    agency = F.String(dump_only=True)
    period_start = F.Date(dump_only=True)
    period_end = F.Date(dump_only=True)
    due_on = F.Date(dump_only=True)
    status = F.String(dump_only=True, validate=validate.OneOf(STATUSES))
    overdue = F.Boolean(dump_only=True)
    late = F.Boolean(dump_only=True)
    nil_return = F.Boolean(dump_only=True)
    submitted_at = F.DateTime(dump_only=True, allow_none=True)
    request_note = F.String(dump_only=True)
    allowed_transitions = F.List(F.String(), dump_only=True,
                                 metadata={"description": "statuses the caller may set now"})
    version = F.Integer(dump_only=True, metadata={"description": "also sent as the ETag"})
    created_at = F.DateTime(dump_only=True)
    updated_at = F.DateTime(dump_only=True)


class StatusChangeSchema(Strict):
    status = F.String(required=True, validate=validate.OneOf(STATUSES))
    note = text(2000, load_default="")
    nil_return = StrictBoolean(load_default=False,
                               metadata={"description": "a nil return (nothing to report)"})


class RescheduleSchema(Strict):
    due_on = F.Date(required=True, metadata={"description": "the new due date"})
    reason = text(500, min_length=1, required=True)


class AcceptSchema(Strict):
    note = text(2000, load_default="")


class ReturnSchema(Strict):
    reason = text(2000, min_length=1, required=True)


class AttachmentSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    filename = F.String(dump_only=True)
    content_type = F.String(dump_only=True)
    size = F.Integer(dump_only=True)
    sha256 = F.String(dump_only=True)
    uploaded_at = F.DateTime(dump_only=True)
    url = F.Function(lambda a: f"/api/v1/attachments/{a.id}", dump_only=True)


class UpdateSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    at = F.DateTime(dump_only=True)
    actor = F.Function(lambda u: u.actor.label if u.actor else None, dump_only=True,
                       allow_none=True)
    action = F.String(dump_only=True)
    from_status = F.String(dump_only=True)
    to_status = F.String(dump_only=True)
    note = F.String(dump_only=True)
    late = F.Boolean(dump_only=True)
    attachments = F.List(F.Nested(AttachmentSchema), dump_only=True)
