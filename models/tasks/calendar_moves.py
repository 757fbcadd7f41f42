"""What a change of the working calendar does to open tasks: which due dates move, moving them,
and telling each agency whose deadlines moved (one message per agency, through the outbox).

A task's due date follows from its item's due rule and the calendar; a change of the calendar
(a day off declared, a make-up working day, the Government's yearly notice imported) is
replayed on every open task near the changed days. Tasks whose due date a coordinator set by
hand ("Điều chỉnh thời hạn") keep it and are listed apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from models.core.actors import Actor
from models.core.audit import record
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.settings import load_settings
from models.org.agencies import Agency
from models.org.users import User
from models.plans.cadence import Cadence, Period
from models.plans.calendar import WorkingCalendar
from models.plans.entities import Item
from models.tasks.entities import OPEN_STATUSES, Task, lock_tasks
from models.tasks.generation import DueContext

# how far from a changed day a due date may be affected: a day off moves the due dates that
# rolled onto it, a working day those that rolled over it; rules counting working days reach
# further, a Tết break plus a month is far beyond any of them
REACH = timedelta(days=62)
KIND = "deadline_moved"  # the outbox rows' kind
SUBJECT = "calendar"  # their subject type (subject_id: the agency)
MAX_LISTED = 30  # tasks listed in one message; the rest are counted

TEXT = {
    "vi": {
        "title": "Điều chỉnh thời hạn do thay đổi lịch làm việc: {n} nhiệm vụ",
        "intro": "Lịch làm việc thay đổi ({change}). Điều chỉnh thời hạn các nhiệm vụ của "
                 "{agency}:",
        "line": "- {plan} {item} (kỳ {start} – {end}): {old} → {new}",
        "more": "… và {n} nhiệm vụ khác.",
        "off": "{day} nghỉ",
        "working": "{day} làm việc bù",
        "removed": "bỏ điều chỉnh ngày {day}",
    },
    "en": {
        "title": "Due dates moved by a calendar change: {n} task(s)",
        "intro": "The working calendar changed ({change}); these tasks of {agency} have a new "
                 "due date:",
        "line": "- {plan} {item} (period {start} – {end}): {old} → {new}",
        "more": "… and {n} more.",
        "off": "{day} off",
        "working": "{day} make-up working day",
        "removed": "override of {day} removed",
    },
}


@dataclass(frozen=True)
class Move:
    """One open task whose due date the change moves (or would move)."""

    task_id: int
    agency_id: int
    agency_code: str  # as typed on the command line ("TU", "HG:TU")
    agency_name: str
    plan_code: str
    item_code: str
    item_title: str
    period_start: date
    period_end: date
    old_due: date
    new_due: date
    new_nominal: date

    def as_dict(self) -> dict:
        return {"task": self.task_id, "agency": self.agency_code, "item": self.item_code,
                "from": self.old_due.isoformat(), "to": self.new_due.isoformat()}


@dataclass
class CalendarChange:
    """What a calendar change does: the tasks it moves, and those kept (rescheduled by hand)."""

    moves: list[Move] = field(default_factory=list)
    kept: list[Move] = field(default_factory=list)
    notified: int = 0  # outbox rows written (once applied)

    def by_agency(self) -> dict[str, list[Move]]:
        out: dict[str, list[Move]] = {}
        for move in self.moves:
            out.setdefault(move.agency_code, []).append(move)
        return out

    def lines(self) -> list[str]:
        """What a coordinator reads before (or after) applying: task, agency, old -> new."""
        out = [f"~ task {m.task_id} {m.agency_code} {m.plan_code}:{m.item_code} "
               f"{m.period_start.isoformat()}: {m.old_due.isoformat()} -> {m.new_due.isoformat()}"
               for m in self.moves]
        out += [f"= task {m.task_id} {m.agency_code} {m.plan_code}:{m.item_code} keeps "
                f"{m.old_due.isoformat()} (set by hand; the rule would give "
                f"{m.new_due.isoformat()})" for m in self.kept]
        return out


def calendar_from(overrides: Mapping[date, str]) -> WorkingCalendar:
    """The calendar with these overrides (day -> "day_off" | "working_day")."""
    return WorkingCalendar(days_off=[d for d, k in overrides.items() if k == "day_off"],
                           working_days=[d for d, k in overrides.items() if k == "working_day"])


def _once(item: Item) -> bool:
    return Cadence(item.cadence) == Cadence.ONCE


def _by_rule(item: Item) -> bool:
    return Cadence(item.cadence) not in (Cadence.ON_REQUEST, Cadence.NONE) and bool(item.due_rule)


def compare(session: Session, old: WorkingCalendar, new: WorkingCalendar,
            changed: Iterable[date]) -> CalendarChange:
    """The open tasks whose due date differs between the `old` and the `new` calendar."""
    changed = sorted(set(changed))
    change = CalendarChange()
    if not changed:
        return change
    lo, hi = changed[0] - REACH, changed[-1] + REACH
    tasks = session.scalars(
        sa.select(Task)
        .where(Task.status.in_([s.value for s in OPEN_STATUSES]),
               sa.or_(Task.nominal_due_on.between(lo, hi), Task.due_on.between(lo, hi)))
        .options(selectinload(Task.item).selectinload(Item.plan), selectinload(Task.agency))
        .order_by(Task.due_on, Task.id))
    # the rule as generation applies it: roll direction, group overrides, followed items
    contexts = DueContext(session, old), DueContext(session, new)
    for task in tasks:
        item = task.item
        if _by_rule(item):
            period = Period(task.period_start,
                            task.period_start if _once(item) else task.period_end)
            (before, _), (after, _) = (
                c.due(item, task.agency_id, period, event_on=task.event_on) for c in contexts)
            was, due, nominal = before.due_on, after.due_on, after.nominal
        elif Cadence(item.cadence) == Cadence.ON_REQUEST:
            # asked for by a date (tasks.reports.request_report): that date, on a working day
            nominal = task.nominal_due_on
            was, due = old.roll_forward(nominal), new.roll_forward(nominal)
        else:
            continue
        if was == due:
            continue
        move = Move(task.id, task.agency_id, task.agency.qualified_code, task.agency.name_vi,
                    item.plan.code, item.code, item.title_vi, task.period_start, task.period_end,
                    task.due_on, due, nominal)
        (change.moves if task.due_on == was else change.kept).append(move)
    return change


def apply_moves(session: Session, actor: Actor, change: CalendarChange, *, now: datetime,
                what: list[str]) -> CalendarChange:
    """Move the tasks of `change` (each audited) and tell their agencies; `what` says, for the
    messages, which days changed (e.g. ["2026-01-02 day_off"])."""
    if not change.moves:
        return change
    tasks = {t.id: t for t in lock_tasks(session, Task.id.in_([m.task_id for m in change.moves]))}
    for move in change.moves:
        task = tasks[move.task_id]
        before = {"due_on": task.due_on, "nominal_due_on": task.nominal_due_on}
        task.due_on, task.nominal_due_on = move.new_due, move.new_nominal
        if _by_rule(task.item) and _once(task.item):
            task.period_end = max(task.period_start, move.new_nominal)
        task.updated_at = now
        record(session, actor=actor, action="task.calendar_moved", entity_type="task",
               entity_id=task.id, before=before,
               after={"due_on": move.new_due, "nominal_due_on": move.new_nominal,
                      "calendar": what}, now=now)
    session.flush()
    change.notified = notify_agencies(session, change, now=now, what=what)
    return change


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _change_words(what: list[str], lang: str) -> str:
    words = []
    for entry in what:
        day, _, kind = entry.partition(" ")
        shown = _d(date.fromisoformat(day))
        key = {"day_off": "off", "working_day": "working"}.get(kind, "removed")
        words.append(TEXT[lang][key].format(day=shown))
    return "; ".join(words)


def message(agency: Agency, moves: list[Move], what: list[str], lang: str) -> dict:
    """Title and body of the message telling one agency its moved tasks."""
    text = TEXT[lang]
    name = agency.name(lang)
    lines = [text["intro"].format(change=_change_words(what, lang), agency=name)]
    for m in moves[:MAX_LISTED]:
        title = m.item_title
        lines.append(text["line"].format(plan=m.plan_code, item=title, start=_d(m.period_start),
                                         end=_d(m.period_end), old=_d(m.old_due),
                                         new=_d(m.new_due)))
    if len(moves) > MAX_LISTED:
        lines.append(text["more"].format(n=len(moves) - MAX_LISTED))
    return {"title": text["title"].format(n=len(moves)), "body": "\n".join(lines),
            "tasks": [m.task_id for m in moves]}


def notify_agencies(session: Session, change: CalendarChange, *, now: datetime,
                    what: list[str]) -> int:
    """One outbox row per channel of each agency whose tasks moved (its members' own channels,
    or the server's mail, when the agency has none); how many rows were written."""
    stamp = hashlib.sha256(repr((now.isoformat(), what, [m.as_dict() for m in change.moves]))
                           .encode()).hexdigest()[:16]
    mail_on = None
    rows = []
    for moves in change.by_agency().values():
        agency = session.get(Agency, moves[0].agency_id)
        targets = session.scalars(sa.select(NotificationTarget.id).where(
            NotificationTarget.agency_id == agency.id, NotificationTarget.active.is_(True),
            NotificationTarget.removed_at.is_(None)).order_by(NotificationTarget.id)).all()
        recipients: list[tuple[int | None, int | None, str]] = [(None, t, "vi") for t in targets]
        if not recipients:
            if mail_on is None:
                mail_on = load_settings(session).smtp.configured
            for user in session.scalars(sa.select(User).where(
                    User.agency_id == agency.id, User.is_active.is_(True)).order_by(User.id)):
                lang = "en" if (user.locale or "").startswith("en") else "vi"
                own = session.scalars(sa.select(NotificationTarget.id).where(
                    NotificationTarget.user_id == user.id, NotificationTarget.active.is_(True),
                    NotificationTarget.removed_at.is_(None))).all()
                recipients += [(user.id, t, lang) for t in own or ([None] if mail_on else [])]
        for user_id, target_id, lang in recipients:
            rows.append({
                "dedupe_key": f"{SUBJECT}:{stamp}:agency:{agency.id}:{user_id}:{target_id}",
                "recipient_user_id": user_id, "target_id": target_id,
                "subject_type": SUBJECT, "subject_id": agency.id, "rung": "0", "kind": KIND,
                "payload": message(agency, moves, what, lang), "locale": lang,
                "status": NotificationStatus.PENDING.value, "attempts": 0,
                "next_attempt_at": now, "last_error": "", "created_at": now})
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Notification.__table__).values(rows)
                    .on_conflict_do_nothing(index_elements=["dedupe_key"]))
    return len(rows)
