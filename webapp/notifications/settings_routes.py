"""The server's notification settings for admins: SMTP (with a test mail), allowlist, chats."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models.core.db import db
from models.core.errors import InvalidInput
from models.notify.channels import send_test_mail
from models.notify.settings import (
    TLS_MODES,
    ZALO_DEFAULT_BASE,
    save_allowlist,
    save_smtp,
    save_telegram,
    save_zalo,
    settings_view,
)
from webapp.clock import now
from webapp.guards import current_actor, roles_required
from webapp.notifications import bp
from webapp.notifications.routes import refusal


def render_settings(status: int = 200, error: str | None = None, section: str = ""):
    view = settings_view(db.session)
    return render_template("notifications/settings.html", view=view, error=error,
                           section=section, form=request.form, tls_modes=TLS_MODES,
                           zalo_default=ZALO_DEFAULT_BASE), status


@bp.get("/settings")
@roles_required("admin")
def settings_page():
    """SMTP, the allowed hosts, Telegram and Zalo: what the server sends with."""
    return render_settings()


def _saved(section: str, save) -> object:
    try:
        save()
    except InvalidInput as exc:
        db.session.rollback()
        return render_settings(422, refusal(exc), section)
    db.session.commit()
    flash(_("The settings were saved."), "info")
    return redirect(url_for("notifications.settings_page") + f"#{section}")


@bp.post("/settings/smtp")
@roles_required("admin")
def save_smtp_settings():
    """The mail server; a blank password keeps the stored one."""
    f = request.form
    return _saved("smtp", lambda: save_smtp(
        db.session, current_actor(), host=f.get("host", ""), port=f.get("port", ""),
        tls=f.get("tls", "starttls"), user=f.get("user", ""), sender=f.get("from", ""),
        password=f.get("password") or None, now=now()))


@bp.post("/settings/smtp/test")
@roles_required("admin")
def test_smtp():
    """Send a test mail with the saved settings; say whether it left, and why not."""
    try:
        error = send_test_mail(db.session, current_actor(), to=request.form.get("to", ""),
                               now=now())
    except InvalidInput as exc:
        db.session.rollback()
        return render_settings(422, refusal(exc), "smtp")
    db.session.commit()
    if error:
        return render_settings(502, _("The test message could not be sent: %(reason)s",
                                      reason=error), "smtp")
    flash(_("The test message was sent. Check the mailbox."), "info")
    return redirect(url_for("notifications.settings_page") + "#smtp")


@bp.post("/settings/allowlist")
@roles_required("admin")
def save_allowlist_settings():
    """The schemes and hosts webhooks and apprise URLs may point at."""
    return _saved("allowlist", lambda: save_allowlist(
        db.session, current_actor(), text=request.form.get("allowlist", ""), now=now()))


@bp.post("/settings/telegram")
@roles_required("admin")
def save_telegram_settings():
    """The server's Telegram bot token."""
    return _saved("telegram", lambda: save_telegram(
        db.session, current_actor(), token=request.form.get("token") or None, now=now(),
        clear=request.form.get("clear") == "1"))


@bp.post("/settings/zalo")
@roles_required("admin")
def save_zalo_settings():
    """The Zalo Official Account: API address and access token."""
    return _saved("zalo", lambda: save_zalo(
        db.session, current_actor(), base_url=request.form.get("base_url", ""),
        token=request.form.get("token") or None, now=now()))
