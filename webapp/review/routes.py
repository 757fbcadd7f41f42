"""The coordinator's inbox of submitted reports: accept, or return with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.core.db import db
from models.tasks.entities import TaskStatus
from models.tasks.operations import change_status, get_task
from models.tasks.queries import TaskFilter, task_query
from webapp.clock import now, today
from webapp.forms import form_version
from webapp.guards import roles_required
from webapp.review import bp

REVIEWERS = ("coordinator", "admin")
INBOX_LIMIT = 200


@bp.get("/")
@roles_required(*REVIEWERS)
def inbox():
    """Submitted reports waiting for a decision, oldest first."""
    query = task_query(current_user, TaskFilter(status=TaskStatus.SUBMITTED), today())
    rows = db.session.execute(query.limit(INBOX_LIMIT)).all()
    return render_template("review/inbox.html", rows=rows)


@bp.post("/<int:task_id>/accept")
@roles_required(*REVIEWERS)
def accept(task_id: int):
    """Accept a submitted report."""
    task = get_task(db.session, current_user, task_id)
    change_status(db.session, current_user, task, TaskStatus.ACCEPTED, now=now(),
                  note=request.form.get("note", ""), expected_version=form_version())
    db.session.commit()
    flash(_("Report accepted."), "info")
    return redirect(url_for("review.inbox"))


@bp.post("/<int:task_id>/return")
@roles_required(*REVIEWERS)
def send_back(task_id: int):
    """Return a report to its agency with the reason."""
    task = get_task(db.session, current_user, task_id)
    change_status(db.session, current_user, task, TaskStatus.RETURNED, now=now(),
                  note=request.form.get("reason", ""), expected_version=form_version())
    db.session.commit()
    flash(_("Report returned to the agency."), "info")
    return redirect(url_for("review.inbox"))
