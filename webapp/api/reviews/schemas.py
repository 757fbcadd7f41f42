"""Schemas of review actions (shared with the task resource)."""

from webapp.api.tasks.schemas import AcceptSchema, ReturnSchema, TaskSchema

__all__ = ["AcceptSchema", "ReturnSchema", "TaskSchema"]
