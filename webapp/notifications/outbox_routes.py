"""The outbox for admins and coordinators; agencies' notification addresses for admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models.core.db import db
from models.notify.entities import NotificationStatus, NotificationTarget
from models.notify.errors import TargetNotFound
from models.notify.queries import agency_targets, outbox, outbox_counts
from models.notify.targets import remove_target, retry_dead
from webapp.clock import now
from webapp.guards import current_actor, roles_required
from webapp.notifications import bp
from webapp.notifications.routes import page_arg, save_target_from_form

STATUSES = [s.value for s in NotificationStatus]


@bp.get("/outbox")
@roles_required("admin", "coordinator")
def outbox_page():
    """Counts per status and the rows of one status, with the last error."""
    status = request.args.get("status", "")
    if status and status not in STATUSES:
        abort(404)
    rows, page, pages = outbox(db.session, status or None, page_arg())
    return render_template("notifications/outbox.html", rows=rows, page=page, pages=pages,
                           status=status, counts=outbox_counts(db.session), statuses=STATUSES)


@bp.post("/outbox/<int:notification_id>/retry")
@roles_required("admin")
def retry(notification_id: int):
    """Give a dead notification another round of attempts (refused for any other status)."""
    retry_dead(db.session, current_actor(), notification_id, now=now())
    db.session.commit()
    flash(_("The notification will be sent again."), "info")
    return redirect(url_for("notifications.outbox_page", status="dead"))


def render_agency_targets(status: int = 200, error: str | None = None):
    return render_template("notifications/agency_targets.html", error=error, form=request.form,
                           agencies=agency_targets(db.session)), status


@bp.get("/agency-channels")
@roles_required("admin")
def agency_channels():
    """Every agency's notification addresses (mailboxes, group chats)."""
    return render_agency_targets()


@bp.post("/agency-channels")
@roles_required("admin")
def add_agency_channel():
    """Add a channel to an agency; one that cannot be used is refused with the reason."""
    error = save_target_from_form(agency_code=request.form.get("agency", "").strip() or "?")
    if error:
        return render_agency_targets(422, error)
    flash(_("The address was saved."), "info")
    return redirect(url_for("notifications.agency_channels"))


@bp.post("/agency-channels/<int:target_id>/remove")
@roles_required("admin")
def remove_agency_channel(target_id: int):
    """Forget an agency's address (a user's own addresses are not managed here)."""
    target = db.session.get(NotificationTarget, target_id)
    if target is None or target.agency_id is None:
        raise TargetNotFound(target_id=target_id)
    remove_target(db.session, current_actor(), target_id, now=now())
    db.session.commit()
    flash(_("The address was removed."), "info")
    return redirect(url_for("notifications.agency_channels"))
