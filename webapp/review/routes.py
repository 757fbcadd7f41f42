"""The coordinator's inbox of submitted reports: accept, or return with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from models.core.db import db
from models.tasks.entities import Task, TaskStatus, TaskUpdate
from models.tasks.listing import PAGE_SIZES, TaskListFilter, list_query, page_of
from models.tasks.operations import accept_many, change_status, get_task
from webapp.clock import now, today
from webapp.dashboard.periods import chosen_period, period_choices, period_label
from webapp.forms import form_version
from webapp.guards import roles_required
from webapp.review import bp

REVIEWERS = ("coordinator", "admin")
INBOX_PAGE = 50
INBOX_SORTS = ("submitted", "due", "-due", "agency", "item")


def latest_submission(task: Task) -> TaskUpdate | None:
    """The update that submitted the report now waiting: its note and files."""
    for update in sorted(task.updates, key=lambda u: u.at, reverse=True):
        if update.action in ("submit", "nil_return"):
            return update
    return None


@bp.get("/")
@roles_required(*REVIEWERS)
def inbox():
    """Submitted reports waiting for a decision, oldest first, by period of due date, paged."""
    day = today()
    # every period by default: a report waiting since last month must not drop out of sight
    period = chosen_period(request.args, day, default=None)
    filters = TaskListFilter(status=TaskStatus.SUBMITTED, period=period,
                             search=(request.args.get("q") or "").strip() or None)
    sort = request.args.get("sort", "submitted")
    sort = sort if sort in INBOX_SORTS else "submitted"
    raw, size = request.args.get("page", ""), request.args.get("size", "")
    query = list_query(current_user, filters, day, sort).options(
        selectinload(Task.updates).selectinload(TaskUpdate.attachments))
    page = page_of(db.session, query, int(raw) if raw.isdigit() else 1,
                   int(size) if size.isdigit() else INBOX_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("review/inbox.html", rows=page.rows, page=page, period=period,
                           period_label=period_label(period), args=args, filters=filters,
                           choices=period_choices(day), sort=sort, sorts=INBOX_SORTS,
                           sizes=PAGE_SIZES, latest=latest_submission)


@bp.post("/accept")
@roles_required(*REVIEWERS)
def accept_chosen():
    """Accept every ticked report at once, or none with the reason."""
    choices = []
    for raw in request.form.getlist("task_ids"):
        if raw.isdigit():
            version = request.form.get(f"version-{raw}", "")
            choices.append((int(raw), int(version) if version.isdigit() else None))
    updates = accept_many(db.session, current_user, choices, now=now())
    db.session.commit()
    flash(_("%(n)s reports accepted.", n=len(updates)), "info")
    back = request.form.get("next", "")
    inbox_url = url_for("review.inbox")
    return redirect(back if back.startswith(inbox_url) and "//" not in back else inbox_url)


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
