"""The text of a notification, in Vietnamese unless the recipient reads English."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from models.core.clock import local_today
from models.oversight.entities import CorrectiveAction

TITLES = {
    "vi": {
        "reminder": "Nhắc hạn: {item}",
        "overdue": "Quá hạn: {item}",
        "escalation": "Báo cáo chậm, cần chỉ đạo: {item}",
    },
    "en": {
        "reminder": "Reminder: {item}",
        "overdue": "Overdue: {item}",
        "escalation": "Escalation, report overdue: {item}",
    },
}

LINES = {
    "vi": {
        "plan": "Kế hoạch: {plan}",
        "agency": "Đơn vị thực hiện: {agency}",
        "task": "Nhiệm vụ: {item} (kỳ {start} – {end})",
        "due": "Hạn báo cáo: {due}",
        "deadline": "Thời hạn: {due}",  # items that are not reports
        "left": "Còn {days} ngày.",
        "today": "Hôm nay là hạn cuối.",
        "late": "Đã quá hạn {days} ngày.",
        "link": "Xem và cập nhật: {link}",
        "action": "Biện pháp khắc phục: {text}",
        "action_title": "khắc phục sau kiểm tra \u201c{inspection}\u201d",
        "finding": "Phát hiện: {text}",
        "action_due": "Hạn khắc phục: {due}",
    },
    "en": {
        "plan": "Plan: {plan}",
        "agency": "Agency: {agency}",
        "task": "Task: {item} (period {start} – {end})",
        "due": "Due: {due}",
        "deadline": "Due: {due}",
        "left": "{days} day(s) left.",
        "today": "Due today.",
        "late": "Overdue by {days} day(s).",
        "link": "View and update: {link}",
        "action": "Corrective action: {text}",
        "action_title": "corrective action after inspection \u201c{inspection}\u201d",
        "finding": "Finding: {text}",
        "action_due": "Fix due: {due}",
    },
}


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _status(lines: dict, today: date, due: date) -> str:
    days = (today - due).days
    if days > 0:
        return lines["late"].format(days=days)
    if days == 0:
        return lines["today"]
    return lines["left"].format(days=-days)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_action(row, action: CorrectiveAction, *, base_url: str, today: date,
                  lang: str) -> tuple[str, str]:
    """Title and body for a corrective action the agency has not submitted yet."""
    lines = LINES[lang]
    inspection = action.finding.inspection
    body = [
        lines["action"].format(text=_short(action.description)),
        lines["finding"].format(text=_short(action.finding.text)),
        lines["agency"].format(agency=action.agency.name(lang)),
        lines["action_due"].format(due=_d(action.due_on)),
        _status(lines, today, action.due_on),
        lines["link"].format(link=f"{base_url.rstrip('/')}/inspections/actions/{action.id}"),
    ]
    item = lines["action_title"].format(inspection=inspection.title)
    return TITLES[lang].get(row.kind, "{item}").format(item=item), "\n".join(body)


def render(row, task, *, base_url: str, today: date) -> tuple[str, str]:
    """Title and plain-text body of one outbox row (its subject: a task or corrective action)."""
    lang = "en" if (row.locale or "").startswith("en") else "vi"
    lines = LINES[lang]
    if isinstance(task, CorrectiveAction):
        return render_action(row, task, base_url=base_url, today=today, lang=lang)
    if task is None:  # a subject this module does not know (e.g. corrective actions)
        payload = row.payload or {}
        title = TITLES[lang].get(row.kind, "{item}").format(item=payload.get("title", ""))
        return title, payload.get("body", "")
    item = task.item.title(lang)
    status = _status(lines, today, task.due_on)
    body = [
        lines["plan"].format(plan=f"{task.item.plan.code} {task.item.plan.title(lang)}"),
        lines["agency"].format(agency=task.agency.name(lang)),
        lines["task"].format(item=item, start=_d(task.period_start), end=_d(task.period_end)),
        lines["due" if "report" in (task.item.kind or "") else "deadline"].format(
            due=_d(task.due_on)),
        status,
        lines["link"].format(link=f"{base_url.rstrip('/')}/tasks/{task.id}"),
    ]
    return TITLES[lang].get(row.kind, "{item}").format(item=item), "\n".join(body)


# --- composing what the dispatcher sends: single rows and daily digests -----------------------

SEVERITY = {"info": 0, "warning": 1, "failure": 2}
SOON = 3  # days before the due date from which a reminder is a warning
GROUPS = ("overdue", "today", "soon", "escalation")  # the digest's order


class Composed(NamedTuple):
    """A message ready to send: title, plain-text body and apprise's notify type."""

    title: str
    body: str
    notify_type: str


def severity(kind: str, today: date, due: date) -> str:
    """apprise's notify type: failure when late, warning when due soon, info otherwise."""
    if kind in ("overdue", "escalation") or today > due:
        return "failure"
    return "warning" if (due - today).days <= SOON else "info"


def compose(session: Session, notification, now: datetime, *,
            base_url: str = "http://127.0.0.1:5000") -> Composed | None:
    """What to send for a claimed outbox row, at send time; None if it no longer applies.

    A digest is rendered from its items still open; a single row's reminder is dropped once
    its due date has passed (the overdue notice says that), so a reminder never says overdue.
    """
    from models.notify.digest import DIGEST
    from models.notify.subjects import load_subject, subject_timezone

    if notification.subject_type == DIGEST:
        from models.notify.digest_text import compose_digest

        return compose_digest(session, notification, now, base_url)
    subject = load_subject(session, notification)
    if subject is None:
        title, body = render(notification, None, base_url=base_url, today=now.date())
        return Composed(title, body, "info")
    today = local_today(now, subject_timezone(subject))
    if notification.kind == "reminder" and today > subject.due_on:
        return None
    title, body = render(notification, subject, base_url=base_url, today=today)
    return Composed(title, body, severity(notification.kind, today, subject.due_on))
