"""A user's own notifications and the channels (apprise URLs) they arrive on."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models.core.db import db
from models.core.errors import DomainError, Forbidden, InvalidInput
from models.notify.queries import notifications_of, targets_of_user
from models.notify.targets import remove_target, set_target, set_target_active
from models.tasks.extensions import ExtensionRequest
from webapp.clock import now
from webapp.guards import current_actor
from webapp.notifications import bp

KINDS = {"reminder": _l("Reminder"), "overdue": _l("Overdue"), "escalation": _l("Escalation"),
         "extension": _l("Extension requests"), "digest": _l("Daily digest"),
         "alert": _l("Alert"), "deadline_moved": _l("Deadline moved")}
LADDER_KINDS = ("reminder", "overdue", "escalation")  # the kinds a ladder's rung sends
NOTIFICATION_STATUS = {
    "pending": _l("Waiting to be sent"), "sent": _l("Sent"), "failed": _l("Failed, will retry"),
    "dead": _l("Gave up"), "cancelled": _l("Cancelled"),
    "bundled": _l("In the daily digest"),
}
CHANNELS = {
    "email": _l("Email"), "telegram": _l("Telegram"), "zalo": _l("Zalo"),
    "webhook": _l("Webhook (JSON)"), "apprise": _l("Apprise URL"),
}
ADMIN_CHANNELS = ("webhook", "apprise")
CHANNEL_HINTS = {
    "email": _l("an email address, e.g. can.bo@cb.gov.vn"),
    "telegram": _l("your chat id: send /start to the server's bot, it answers with the id"),
    "zalo": _l("your Zalo user id as the Official Account sees it (follow the OA first)"),
    "webhook": _l("an https:// address on the allowed hosts"),
    "apprise": _l("any apprise URL on the allowed hosts"),
}


def refusal(exc: DomainError) -> str:
    """A domain refusal in the reader's language (by its msgid; placeholders filled)."""
    return _(exc.text, **{k: v for k, v in exc.details.items() if k != "field"})


def channel_choices(user) -> list[tuple[str, str]]:
    """The channels this user may fill in (webhooks and apprise URLs: admins only)."""
    return [(key, label) for key, label in CHANNELS.items()
            if user.role == "admin" or key not in ADMIN_CHANNELS]


def save_target_from_form(**owner):
    """set_target from the posted form; the refusal's reason on failure (nothing saved)."""
    try:
        set_target(db.session, current_actor(), channel=request.form.get("channel", ""),
                   address=request.form.get("address", ""), now=now(),
                   label=request.form.get("label", "").strip(), **owner)
    except (InvalidInput, Forbidden) as exc:
        db.session.rollback()
        return refusal(exc)
    db.session.commit()
    return None


def page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


def subject_url(row) -> str | None:
    """The page of the task or corrective action a notification is about."""
    if row.subject_type == "task":
        return url_for("workspace.task", task_id=row.subject_id)
    if row.subject_type == "corrective_action":
        return url_for("inspections.action", action_id=row.subject_id)
    if row.subject_type == "extension":  # an extension request: the page of its task
        task_id = db.session.scalar(sa.select(ExtensionRequest.task_id).where(
            ExtensionRequest.id == row.subject_id))
        return url_for("workspace.task", task_id=task_id) if task_id else None
    return None


def digest_day(row) -> date | None:
    """The day a daily digest gathers ("digest:DAY:TO" is its key), None for any other row."""
    if row.subject_type != "digest":
        return None
    try:
        return date.fromisoformat(row.dedupe_key.split(":", 2)[1])
    except (IndexError, ValueError):
        return None


def rung_label(rung: str) -> str:
    """"-7" → "7 working days before the due date", in the reader's language; "" (a
    digest, which has no rung of its own) → ""."""
    if not rung.lstrip("+-").isdigit():
        return ""
    days = int(rung)
    if days < 0:
        return _("%(n)s working days before due", n=-days)
    if days > 0:
        return _("%(n)s working days after due", n=days)
    return _("on the due date")


def step_label(row) -> str:
    """When a ladder's row was sent against the due date; nothing for any other kind (a
    digest, an alert, an extension request: they have no rung)."""
    return rung_label(row.rung) if row.kind in LADDER_KINDS else ""


@bp.app_context_processor
def helpers():
    return {"kind_label": lambda k: KINDS.get(k, k), "rung_label": rung_label,
            "step_label": step_label,
            "notification_status": lambda s: NOTIFICATION_STATUS.get(s, s),
            "subject_url": subject_url, "digest_day": digest_day,
            "channel_label": lambda c: CHANNELS.get(c, c),
            "channel_choices": channel_choices, "channel_hints": CHANNEL_HINTS}


@bp.get("/")
@login_required
def mine():
    """The notifications sent (or to be sent) to me, newest first."""
    rows, page, pages = notifications_of(db.session, current_user, page_arg())
    return render_template("notifications/mine.html", rows=rows, page=page, pages=pages,
                           texts={row.id: message_text(row) for row in rows})


def message_text(row) -> tuple[str, str]:
    """The title and text of a notification as its recipient reads it (today's figures)."""
    from models.core.clock import local_today
    from models.notify.messages import render
    from models.notify.subjects import load_subject, subject_timezone
    from webapp.clock import now

    subject = load_subject(db.session, row)
    day = local_today(now(), subject_timezone(subject)) if subject is not None else now().date()
    return render(row, subject, base_url=request.host_url, today=day)


def render_channels(status: int = 200, error: str | None = None):
    targets = targets_of_user(db.session, current_user)
    return render_template("notifications/channels.html", targets=targets, error=error,
                           form=request.form), status


@bp.get("/channels")
@login_required
def channels():
    """The addresses my notifications go to."""
    return render_channels()


@bp.post("/channels")
@login_required
def add_channel():
    """Add a channel; one that cannot be used is refused with the reason, nothing saved."""
    error = save_target_from_form(user_email=current_user.email)
    if error:
        return render_channels(422, error)
    flash(_("The address was saved."), "info")
    return redirect(url_for("notifications.channels"))


@bp.post("/channels/<int:target_id>/active")
@login_required
def toggle_channel(target_id: int):
    """Pause or resume one of my addresses."""
    active = request.form.get("active") == "1"
    set_target_active(db.session, current_actor(), target_id, active=active, now=now())
    db.session.commit()
    return redirect(url_for("notifications.channels"))


@bp.post("/channels/<int:target_id>/remove")
@login_required
def remove_channel(target_id: int):
    """Forget one of my addresses."""
    remove_target(db.session, current_actor(), target_id, now=now())
    db.session.commit()
    flash(_("The address was removed."), "info")
    return redirect(url_for("notifications.channels"))
