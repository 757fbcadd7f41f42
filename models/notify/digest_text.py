"""The daily digest's text: grouped, worst first, in the official register (Vietnamese first)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from models.core.clock import local_today
from models.notify.messages import GROUPS, LINES, SEVERITY, Composed, _d, _short, severity
from models.oversight.entities import CorrectiveAction

DIGEST_TEXT = {
    "vi": {
        "subject": "Đôn đốc thực hiện {plan}: {agency}, {period} ({count})",
        "count": "{n} việc",
        "agencies": "{n} đơn vị",
        "to": "Kính gửi: {name}.",
        "intro_person": (
            "{sender} đề nghị đồng chí quan tâm {count} dưới đây (tính đến ngày {day}):"
        ),
        "intro_agency": "{sender} đề nghị đơn vị quan tâm {count} dưới đây (tính đến ngày {day}):",
        "overdue": "QUÁ HẠN CHƯA BÁO CÁO",
        "today": "ĐẾN HẠN HÔM NAY",
        "soon": "SẮP ĐẾN HẠN",
        "escalation": "ĐƠN VỊ CHẬM BÁO CÁO, ĐỀ NGHỊ ĐÔN ĐỐC",
        "line": "{n}. {item} – {agency}, {period}: hạn {due}, {state}",
        "late": "đã quá hạn {days} ngày",
        "due_today": "hạn cuối là hôm nay",
        "left": "còn {days} ngày",
        "do_own": (
            "Đề nghị khẩn trương hoàn thành và gửi báo cáo trên hệ thống; nhiệm vụ quá hạn đề "
            "nghị báo cáo ngay, nêu rõ lý do chậm."
        ),
        "do_chase": "Đề nghị đồng chí đôn đốc các đơn vị nêu trên gửi báo cáo theo quy định.",
        "footer": (
            "Thư do hệ thống theo dõi thực hiện kế hoạch gửi tự động, mỗi ngày một thư; không trả"
            " lời thư này."
        ),
        "system": "Hệ thống theo dõi thực hiện kế hoạch",
    },
    "en": {
        "subject": "Follow-up on {plan}: {agency}, {period} ({count})",
        "count": "{n} item(s)",
        "agencies": "{n} agencies",
        "to": "To: {name}.",
        "intro_person": "{sender} asks you to attend to the {count} below (as of {day}):",
        "intro_agency": "{sender} asks your agency to attend to the {count} below (as of {day}):",
        "overdue": "OVERDUE, NOT REPORTED",
        "today": "DUE TODAY",
        "soon": "DUE SOON",
        "escalation": "AGENCIES LATE TO REPORT, PLEASE FOLLOW UP",
        "line": "{n}. {item} – {agency}, {period}: due {due}, {state}",
        "late": "overdue by {days} day(s)",
        "due_today": "due today",
        "left": "{days} day(s) left",
        "do_own": (
            "Please complete and submit the reports in the system; report overdue ones now, with "
            "the reason for the delay."
        ),
        "do_chase": "Please ask the agencies above to submit their reports.",
        "footer": (
            "Sent automatically by the plan tracking system, at most once a day; do not reply."
        ),
        "system": "The plan tracking system",
    },
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(start: date, end: date, lang: str) -> str:
    """'tháng 11/2026', 'quý IV/2026', 'năm 2026', … or the two dates."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    whole = start.day == 1 and (end + timedelta(days=1)).day == 1
    vi = lang == "vi"
    if whole and months == 1:
        return f"{'tháng' if vi else 'month'} {start.month:02d}/{start.year}"
    if whole and months == 3 and start.month % 3 == 1:
        q = (start.month - 1) // 3 + 1
        return f"quý {ROMAN[q]}/{start.year}" if vi else f"Q{q} {start.year}"
    if whole and months == 6 and start.month in (1, 7):
        if vi:
            return f"6 tháng {'đầu' if start.month == 1 else 'cuối'} năm {start.year}"
        return f"H{1 if start.month == 1 else 2} {start.year}"
    if whole and months == 12 and start.month == 1:
        return f"{'năm' if vi else 'year'} {start.year}"
    return f"{_d(start)} – {_d(end)}"


def _still_applies(session: Session, row, subject, today: date) -> bool:
    """Open, same due date and agency as when written; a reminder only until its due day."""
    from models.notify.subjects import subject_open

    payload = row.payload or {}
    return (subject is not None and subject_open(subject)
            and subject.due_on.isoformat() == payload.get("due_on")
            and subject.agency_id == payload.get("agency_id")
            and not (row.kind == "reminder" and today > subject.due_on))


def _entry(row, subject, today: date, lang: str, base_url: str) -> dict:
    base = base_url.rstrip("/")
    if isinstance(subject, CorrectiveAction):
        item = _short(subject.description, 120)
        period = LINES[lang]["action_title"].format(inspection=subject.finding.inspection.title)
        link, plan = f"{base}/inspections/actions/{subject.id}", None
    else:
        item = subject.item.title(lang)
        period = period_label(subject.period_start, subject.period_end, lang)
        link, plan = f"{base}/tasks/{subject.id}", subject.item.plan
    if row.kind == "escalation":
        group = "escalation"
    elif row.kind == "overdue" or today > subject.due_on:
        group = "overdue"
    else:
        group = "today" if subject.due_on == today else "soon"
    return {"group": group, "item": item, "period": period, "link": link, "plan": plan,
            "agency": subject.agency.name(lang), "agency_id": subject.agency_id,
            "due": subject.due_on, "key": (row.subject_type, row.subject_id),
            "type": severity(row.kind, today, subject.due_on)}


def _state(entry: dict, today: date, text: dict) -> str:
    days = (today - entry["due"]).days
    if days > 0:
        return text["late"].format(days=days)
    return text["due_today"] if days == 0 else text["left"].format(days=-days)


def compose_digest(session: Session, row, now: datetime, base_url: str) -> Composed | None:
    """The day's digest of one person and channel from its items still open; None if none."""
    from models.notify.digest import digest_items
    from models.notify.entities import NotificationStatus, NotificationTarget
    from models.notify.subjects import load_subject, subject_timezone

    lang = "en" if (row.locale or "").startswith("en") else "vi"
    text = DIGEST_TEXT[lang]
    entries: dict[tuple, dict] = {}
    today = None
    for item in digest_items(session, row):
        subject = load_subject(session, item)
        day = local_today(now, subject_timezone(subject)) if subject is not None else None
        if not _still_applies(session, item, subject, day):
            item.status, item.last_error = NotificationStatus.CANCELLED, "no longer applies"
            continue
        today = day
        entry = _entry(item, subject, day, lang, base_url)
        old = entries.get(entry["key"])
        if old is None or SEVERITY[entry["type"]] > SEVERITY[old["type"]]:
            entries[entry["key"]] = entry
    if not entries:
        return None
    order = {g: i for i, g in enumerate(GROUPS)}
    ordered = sorted(entries.values(), key=lambda e: (order[e["group"]], e["due"], e["agency"]))
    plans = {e["plan"].code: e["plan"] for e in ordered if e["plan"] is not None}
    plan = next(iter(plans.values()), None)
    sender = (plan.coordinator.name(lang) if plan is not None and plan.coordinator
              else text["system"])
    agencies = {e["agency_id"]: e["agency"] for e in ordered}
    periods = list(dict.fromkeys(e["period"] for e in ordered))
    count = text["count"].format(n=len(ordered))
    target = session.get(NotificationTarget, row.target_id) if row.target_id else None
    if row.recipient is not None:
        name, intro = row.recipient.label, text["intro_person"]
    else:
        name = target.agency.name(lang) if target is not None and target.agency else ""
        intro = text["intro_agency"]
    title = text["subject"].format(
        plan=", ".join(plans) or text["system"],
        agency=(next(iter(agencies.values())) if len(agencies) == 1
                else text["agencies"].format(n=len(agencies))),
        period=", ".join(periods[:2]) + ("…" if len(periods) > 2 else ""), count=count)
    body = [text["to"].format(name=name), "",
            intro.format(sender=sender, count=count, day=_d(today))]
    for group in GROUPS:
        mine = [e for e in ordered if e["group"] == group]
        if not mine:
            continue
        body += ["", f"{text[group]} ({len(mine)})"]
        for n, e in enumerate(mine, 1):
            body.append(text["line"].format(n=n, item=e["item"], agency=e["agency"],
                                            period=e["period"], due=_d(e["due"]),
                                            state=_state(e, today, text)))
            body.append(f"   {e['link']}")
    body.append("")
    if any(e["group"] != "escalation" for e in ordered):
        body.append(text["do_own"])
    if any(e["group"] == "escalation" for e in ordered):
        body.append(text["do_chase"])
    body += ["", text["footer"]]
    kind = max((e["type"] for e in ordered), key=SEVERITY.__getitem__)
    return Composed(title, "\n".join(body), kind)
