"""How my notifications arrive: one digest each morning, or some kinds at once."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.db import db
from models.core.errors import InvalidInput
from models.notify.preferences import set_immediate_kinds
from webapp.clock import now
from webapp.errors import explain
from webapp.notifications import bp


def _page(status: int = 200, error: str | None = None):
    return render_template("notifications/delivery.html", chosen=current_user.notify_immediate
                           or [], error=error), status


@bp.get("/delivery")
@login_required
def delivery():
    """The daily digest, and the kinds I want at once."""
    return _page()


@bp.post("/delivery")
@login_required
def set_delivery():
    """Save the kinds I want at once."""
    try:
        set_immediate_kinds(db.session, current_user._get_current_object(), current_user,
                            request.form.getlist("immediate"), now=now())
    except InvalidInput as exc:
        db.session.rollback()
        return _page(422, explain(exc))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("notifications.delivery"))
