"""A task as the API shows it, with its ETag."""

from __future__ import annotations

from datetime import datetime

from models.core.clock import local_today
from models.org.users import User
from models.tasks.entities import Task
from models.tasks.operations import allowed_targets


def task_out(task: Task, user: User, now: datetime) -> tuple[dict, int, dict]:
    """The task's fields, status 200 and its ETag header."""
    item = task.item
    today = local_today(now, item.plan.timezone)
    data = {
        **{k: getattr(task, k) for k in (
            "id", "period_start", "period_end", "due_on", "status", "late", "nil_return",
            "submitted_at", "request_note", "version", "created_at", "updated_at")},
        "plan": item.plan.code, "section": item.section.code, "item": item.code,
        "item_title_vi": item.title_vi, "item_title_en": item.title_en,
        "allows_nil_return": item.allows_nil_return, "agency": task.agency.code,
        "overdue": task.is_overdue(today), "allowed_transitions": allowed_targets(task, user),
    }
    return data, 200, {"ETag": f'"{task.version}"'}
