"""Schemas of notifications and their filters."""

import marshmallow as ma
from marshmallow import validate

from models.notify.entities import NotificationStatus
from webapp.api.core import PageArgs, page_schema

F = ma.fields
STATUSES = [s.value for s in NotificationStatus]


class NotificationQueryArgsSchema(PageArgs):
    status = F.String(validate=validate.OneOf(STATUSES))


class NotificationSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    recipient_user_id = F.Integer(dump_only=True, allow_none=True)
    subject_type = F.String(dump_only=True, metadata={
        "description": "task, corrective_action, extension (a request for more time) or "
                       "digest (the daily message)"})
    subject_id = F.Integer(dump_only=True)
    kind = F.String(dump_only=True, metadata={
        "description": "reminder, overdue, escalation or digest"})
    rung = F.String(dump_only=True, metadata={"description": "working days from due, e.g. -7"})
    locale = F.String(dump_only=True)
    status = F.String(dump_only=True, validate=validate.OneOf(STATUSES))
    attempts = F.Integer(dump_only=True)
    next_attempt_at = F.DateTime(dump_only=True)
    last_error = F.String(dump_only=True)
    created_at = F.DateTime(dump_only=True)
    sent_at = F.DateTime(dump_only=True, allow_none=True)


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPageSchema")
