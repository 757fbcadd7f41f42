"""What an outbox row is about: a task or a corrective action, loaded and checked alike."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.oversight.entities import ACTION_OPEN_STATUSES, CorrectiveAction
from models.tasks.entities import OPEN_STATUSES, Task

DEFAULT_TZ = "Asia/Ho_Chi_Minh"  # corrective actions need not belong to a plan


def load_subject(session: Session, row) -> Task | CorrectiveAction | None:
    """The row's task or corrective action; None for a subject this module does not know."""
    model = {"task": Task, "corrective_action": CorrectiveAction}.get(row.subject_type)
    return session.get(model, row.subject_id) if model else None


def subject_open(subject) -> bool:
    """Still owed by the agency: not submitted (nor verified)."""
    if isinstance(subject, CorrectiveAction):
        return subject.status in ACTION_OPEN_STATUSES
    return subject.status in OPEN_STATUSES


def subject_timezone(subject) -> str:
    """The zone whose calendar day counts days left or overdue."""
    if isinstance(subject, Task):
        return subject.item.plan.timezone
    if isinstance(subject, CorrectiveAction):
        plan = subject.finding.inspection.plan
        return plan.timezone if plan else DEFAULT_TZ
    return "UTC"
