"""Schemas of review actions (shared with the task resource)."""

from webapp.api.tasks.schemas import ETAG_HEADER, AcceptSchema, ReturnSchema, TaskSchema

__all__ = ["AcceptSchema", "ETAG_HEADER", "ReturnSchema", "TaskSchema"]
