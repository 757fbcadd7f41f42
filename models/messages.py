"""The text of a notification, in Vietnamese unless the recipient reads English."""

from __future__ import annotations

from datetime import date

from models.tasks import Task

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
        "left": "Còn {days} ngày.",
        "today": "Hôm nay là hạn cuối.",
        "late": "Đã quá hạn {days} ngày.",
        "link": "Xem và cập nhật: {link}",
    },
    "en": {
        "plan": "Plan: {plan}",
        "agency": "Agency: {agency}",
        "task": "Task: {item} (period {start} – {end})",
        "due": "Due: {due}",
        "left": "{days} day(s) left.",
        "today": "Due today.",
        "late": "Overdue by {days} day(s).",
        "link": "View and update: {link}",
    },
}


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def render(row, task: Task | None, *, base_url: str, today: date) -> tuple[str, str]:
    """Title and plain-text body of one outbox row."""
    lang = "en" if (row.locale or "").startswith("en") else "vi"
    lines = LINES[lang]
    if task is None:  # a subject this module does not know (e.g. corrective actions)
        payload = row.payload or {}
        title = TITLES[lang].get(row.kind, "{item}").format(item=payload.get("title", ""))
        return title, payload.get("body", "")
    item = task.item.title(lang)
    days = (today - task.due_on).days
    if days > 0:
        status = lines["late"].format(days=days)
    elif days == 0:
        status = lines["today"]
    else:
        status = lines["left"].format(days=-days)
    body = [
        lines["plan"].format(plan=f"{task.item.plan.code} {task.item.plan.title(lang)}"),
        lines["agency"].format(agency=task.agency.name(lang)),
        lines["task"].format(item=item, start=_d(task.period_start), end=_d(task.period_end)),
        lines["due"].format(due=_d(task.due_on)),
        status,
        lines["link"].format(link=f"{base_url.rstrip('/')}/tasks/{task.id}"),
    ]
    return TITLES[lang].get(row.kind, "{item}").format(item=item), "\n".join(body)
