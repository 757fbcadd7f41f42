"""Extension requests ("đề nghị điều chỉnh thời hạn"): an agency asks, the coordinator decides.

An officer of the task's agency asks, before the due date, for a later one with the reasons;
a coordinator approves (the task's due date moves, the first one is kept on the task) or
refuses with a reason. Each step is audited, written in the task's history and notified. A
report sent by the approved date counts as on time: lateness is judged against the due date
in force (`models.tasks.operations.move_due`), which the period categories read.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.core.access import agency_filter, can_see_agency
from models.core.actors import require_user
from models.core.audit import record
from models.core.clock import local_today
from models.core.db import UTCDateTime, db
from models.notify.events import notify_users
from models.org.users import Role, User
from models.tasks.entities import OPEN_STATUSES, Task, TaskUpdate
from models.tasks.errors import (
    ExtensionAfterDue,
    ExtensionAlreadyDecided,
    ExtensionAlreadyPending,
    ExtensionCoordinatorOnly,
    ExtensionNeedsReason,
    ExtensionNotFound,
    ExtensionNotLater,
    ExtensionNotOpen,
    ExtensionOfficerOnly,
    RefusalNeedsReason,
    TaskNotFound,
)
from models.tasks.operations import check_version, move_due, snapshot


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class ExtensionRequest(db.Model):
    __tablename__ = "extension_request"
    __table_args__ = (sa.Index("ix_extension_request_status", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"),
                                         index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date]  # the task's due date when asked
    proposed_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=ExtensionStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped[Task] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}


def extension_snapshot(req: ExtensionRequest) -> dict:
    return {"task_id": req.task_id, "due_on": req.due_on, "proposed_due_on": req.proposed_due_on,
            "reason": req.reason, "status": req.status, "decision_note": req.decision_note,
            "version": req.version}


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


TEXT = {
    "vi": {
        "asked": ("Đề nghị điều chỉnh thời hạn: {item}",
                  "{agency} đề nghị điều chỉnh thời hạn từ {due} đến {new}.\nLý do: {reason}\n"
                  "Xem và quyết định: {link}"),
        "approved": ("Đồng ý điều chỉnh thời hạn: {item}",
                     "Đề nghị điều chỉnh thời hạn đã được đồng ý: hạn mới {new} "
                     "(hạn trước {due}).\n{note}Xem: {link}"),
        "refused": ("Không đồng ý điều chỉnh thời hạn: {item}",
                    "Đề nghị điều chỉnh thời hạn đến {new} không được đồng ý; hạn vẫn là {due}.\n"
                    "Lý do: {note}\nXem: {link}"),
    },
    "en": {
        "asked": ("Extension requested: {item}",
                  "{agency} asks to move the due date from {due} to {new}.\nReason: {reason}\n"
                  "View and decide: {link}"),
        "approved": ("Extension approved: {item}",
                     "The extension was approved: new due date {new} (was {due}).\n{note}"
                     "View: {link}"),
        "refused": ("Extension refused: {item}",
                    "The extension to {new} was refused; the due date stays {due}.\n"
                    "Reason: {note}\nView: {link}"),
    },
}


def _notify(session: Session, req: ExtensionRequest, event: str, users, *, now: datetime,
            note: str = "") -> None:
    task = req.task

    def text(lang: str) -> tuple[str, str]:
        title, body = TEXT[lang][event]
        shown_note = note
        if event == "approved" and note:
            shown_note = ("Ghi chú: " if lang == "vi" else "Note: ") + note + "\n"
        fill = {"item": task.item.title(lang), "agency": task.agency.name(lang),
                "due": _d(req.due_on), "new": _d(req.proposed_due_on), "reason": req.reason,
                "note": shown_note, "link": f"/tasks/{task.id}"}
        return title.format(**fill), body.format(**fill)

    notify_users(session, users, subject_type="extension", subject_id=req.id,
                 kind="extension", event=event, text=text, now=now)


def _history(session: Session, actor: User, task: Task, action: str, note: str,
             now: datetime) -> None:
    session.add(TaskUpdate(task=task, actor_id=actor.id, at=now, action=action,
                           from_status=task.status, to_status=task.status, note=note))


def pending_for(session: Session, task: Task) -> ExtensionRequest | None:
    return session.scalar(sa.select(ExtensionRequest).where(
        ExtensionRequest.task_id == task.id,
        ExtensionRequest.status == ExtensionStatus.PENDING))


def request_extension(session: Session, actor: User, task: Task, *, due_on: date, reason: str,
                      now: datetime) -> ExtensionRequest:
    """An officer of the task's agency asks, before the due date, for a later one."""
    require_user(actor)
    if actor.role != Role.OFFICER or actor.agency_id != task.agency_id:
        if not can_see_agency(actor, task.agency_id):
            raise TaskNotFound(task_id=task.id)
        raise ExtensionOfficerOnly(role=actor.role)
    if task.status not in OPEN_STATUSES:
        raise ExtensionNotOpen(current=task.status)
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionNeedsReason(field="reason")
    if local_today(now, task.item.plan.timezone) > task.due_on:
        raise ExtensionAfterDue(field="due_on", due_on=_d(task.due_on))
    if due_on <= task.due_on:
        raise ExtensionNotLater(field="due_on", due_on=_d(task.due_on))
    if pending_for(session, task) is not None:
        raise ExtensionAlreadyPending(task_id=task.id)
    req = ExtensionRequest(task=task, requested_by_id=actor.id, requested_at=now,
                           due_on=task.due_on, proposed_due_on=due_on, reason=reason,
                           status=ExtensionStatus.PENDING)
    session.add(req)
    _history(session, actor, task, "extension_request",
             f"{_d(task.due_on)} → {_d(due_on)}: {reason}", now)
    session.flush()
    record(session, actor=actor, action="extension.request", entity_type="extension_request",
           entity_id=req.id, before=None, after=extension_snapshot(req), now=now)
    coordinators = session.scalars(sa.select(User).where(
        User.role == Role.COORDINATOR, User.is_active.is_(True))).all()
    _notify(session, req, "asked", coordinators, now=now)
    return req


def get_extension(session: Session, actor: User, request_id: int) -> ExtensionRequest:
    """The request if the actor may see its task's agency; else not found."""
    require_user(actor)
    req = session.get(ExtensionRequest, request_id)
    if req is None or not can_see_agency(actor, req.task.agency_id):
        raise ExtensionNotFound(request_id=request_id)
    return req


def decide_extension(session: Session, actor: User, req: ExtensionRequest, *, approve: bool,
                     note: str = "", now: datetime,
                     expected_version: int | None = None) -> ExtensionRequest:
    """A coordinator approves (the due date moves, the first one kept) or refuses, with a reason."""
    require_user(actor)
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise ExtensionCoordinatorOnly(role=actor.role)
    if req.status != ExtensionStatus.PENDING:
        raise ExtensionAlreadyDecided(status=req.status)
    check_version(req, expected_version)
    note = (note or "").strip()
    if not approve and not note:
        raise RefusalNeedsReason(field="note")
    task = req.task
    before, task_before = extension_snapshot(req), snapshot(task)
    req.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    req.decided_by_id, req.decided_at, req.decision_note = actor.id, now, note
    if approve:
        move_due(task, req.proposed_due_on, now=now)
        text = f"{_d(req.due_on)} → {_d(req.proposed_due_on)}" + (f": {note}" if note else "")
    else:
        text = f"{_d(req.proposed_due_on)}: {note}"
    _history(session, actor, task, "extension_approved" if approve else "extension_refused",
             text, now)
    session.flush()
    record(session, actor=actor, action="extension.approve" if approve else "extension.refuse",
           entity_type="extension_request", entity_id=req.id, before=before,
           after=extension_snapshot(req), now=now)
    if approve:
        record(session, actor=actor, action="task.extend", entity_type="task", entity_id=task.id,
               before=task_before, after=snapshot(task) | {"extension_request": req.id}, now=now)
    _notify(session, req, "approved" if approve else "refused", [req.requested_by], now=now,
            note=note)
    return req


def extension_list(session: Session, actor: User, *, status: str | None = "pending",
                   limit: int = 200) -> list[ExtensionRequest]:
    """Extension requests the actor may see, the waiting ones oldest first."""
    query = (sa.select(ExtensionRequest).join(Task, ExtensionRequest.task_id == Task.id)
             .where(agency_filter(actor, Task.agency_id)))
    if status:
        query = query.where(ExtensionRequest.status == status)
        query = query.order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
    else:
        query = query.order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
    return list(session.scalars(query.limit(limit)))


def task_extensions(session: Session, task: Task) -> list[ExtensionRequest]:
    return list(session.scalars(sa.select(ExtensionRequest).where(
        ExtensionRequest.task_id == task.id).order_by(ExtensionRequest.id)))
