"""A task as the API shows it, and the one way an API route changes a task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response

from models.core.clock import local_today
from models.core.db import db
from models.org.users import User
from models.tasks.entities import Task
from models.tasks.operations import allowed_targets, get_task, get_task_row
from webapp import clock
from webapp.api.core import ApiBlueprint, VersionSchema, api_user, json_response


def task_out(task: Task, user: User, now: datetime) -> dict:
    """The task's fields as TaskSchema shows them."""
    item = task.item
    today = local_today(now, item.plan.timezone)
    return {
        **{k: getattr(task, k) for k in (
            "id", "period_start", "period_end", "due_on", "original_due_on", "nominal_due_on",
            "data_from", "data_to", "event_on", "status", "late", "nil_return",
            "submitted_at", "request_note", "version", "created_at", "updated_at")},
        "due_rule": item.due_rule,
        "due_roll": (item.due_rule or {}).get("roll") or item.plan.due_roll or "forward",
        "plan": item.plan.code, "section": item.section.code, "item": item.code,
        "item_title_vi": item.title_vi, "item_title_en": item.title_en,
        "allows_nil_return": item.allows_nil_return, "agency": task.agency.code,
        "overdue": task.is_overdue(today), "allowed_transitions": allowed_targets(task, user),
    }


_VERSION = VersionSchema()  # one instance (flask-smorest would make one per call from the class)


def shown(bp: ApiBlueprint, out: dict) -> dict:
    """The answer, tagged with its version (the ETag a change sends back as If-Match)."""
    bp.set_etag(out, _VERSION)
    return out


def change(bp: ApiBlueprint, task_id: int,
           operation: Callable[[User, Task, datetime], object], *, plain: bool = False) -> Response:
    """Load the task if visible, check If-Match, run `operation(user, task, now)`, commit, show.

    `plain`: the operation is `change_status`, which takes the task as a TaskRow (one statement
    of plain columns, no ORM objects); other operations change an ORM Task, flushed here."""
    user, now = api_user(), clock.now()
    task = (get_task_row if plain else get_task)(db.session, user, task_id)
    bp.check_etag(task, _VERSION)
    operation(user, task, now)
    db.session.flush()  # the new version; read before commit expires the task and its
    out = task_out(task, user, now)  # item, plan and agency (four reloads otherwise)
    db.session.commit()
    # already in TaskSchema's shape (the same JSON as GET /tasks/{id}, which the tests
    # compare): serialised by orjson, without marshmallow's dump
    return json_response(shown(bp, out))
