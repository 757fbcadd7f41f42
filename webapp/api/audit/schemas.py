"""Schemas of audit events and their filters."""

import marshmallow as ma

from webapp.api.core import PageArgs, code, page_schema, text

F = ma.fields


class AuditQueryArgsSchema(PageArgs):
    action = text(64, metadata={"description": "e.g. task.submit"})
    entity_type = code(metadata={"description": "e.g. task"})
    entity_id = code()


class AuditEventSchema(ma.Schema):
    id = F.Integer(dump_only=True)
    at = F.DateTime(dump_only=True)
    actor_id = F.Integer(dump_only=True, allow_none=True)
    actor_label = F.String(dump_only=True)
    action = F.String(dump_only=True)
    entity_type = F.String(dump_only=True)
    entity_id = F.String(dump_only=True, allow_none=True)
    before = F.Dict(dump_only=True, allow_none=True)
    after = F.Dict(dump_only=True, allow_none=True)
    prev_hash = F.String(dump_only=True)
    hash = F.String(dump_only=True)


AuditPageSchema = page_schema(AuditEventSchema, "AuditPageSchema")
