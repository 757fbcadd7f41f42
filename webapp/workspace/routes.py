"""The agency workspace: my tasks by urgency, a task's page, status updates and reports."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.access import sees_all_agencies
from models.core.db import db
from models.core.evidence import Upload, open_evidence
from models.org.agencies import Agency
from models.plans.entities import Plan, Section
from models.tasks.entities import OPEN_STATUSES, Task, TaskStatus
from models.tasks.listing import TaskListFilter, list_query, page_of
from models.tasks.operations import add_note, allowed_targets, change_status, get_task
from models.tasks.reports import submit_report as submit
from webapp.clock import now, today
from webapp.forms import form_version
from webapp.workspace import bp
from webapp.workspace.due import days_left, due_explanation

GROUP_PAGE = 50
SORTS = ("due", "-due", "agency", "item", "status")
OPEN = [s.value for s in OPEN_STATUSES]
DONE = [TaskStatus.SUBMITTED.value, TaskStatus.ACCEPTED.value]


def _groups(filters: TaskListFilter, sort: str) -> list[dict]:
    """Overdue, due within 7 days, upcoming and done: each paged (`<key>_page`), with a total."""
    day = today()
    base = list_query(current_user, filters, day, sort)
    soon = day + timedelta(days=7)
    wheres = [
        ("overdue", _("Overdue"), Task.overdue_clause(day), None),
        ("soon", _("Due in the next 7 days"),
         sa.and_(Task.status.in_(OPEN), Task.due_on >= day, Task.due_on <= soon), None),
        ("upcoming", _("Upcoming"), sa.and_(Task.status.in_(OPEN), Task.due_on > soon), None),
        ("done", _("Done"), Task.status.in_(DONE), Task.due_on.desc()),
    ]
    groups = []
    for key, title, where, order in wheres:
        query = base.where(where)
        if order is not None and sort == "due":  # done: the latest first unless asked otherwise
            query = query.order_by(None).order_by(order, Task.id)
        raw = request.args.get(f"{key}_page", "")
        page = page_of(db.session, query, int(raw) if raw.isdigit() else 1, GROUP_PAGE)
        groups.append({"key": key, "title": title, "rows": page.rows, "total": page.total,
                       "page": page})
    return groups


@bp.get("/tasks")
@login_required
def index():
    """My agency's tasks grouped by urgency, filtered by plan and section (and agency)."""
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    plan = request.args.get("plan") or None
    section = request.args.get("section") or None
    sections = []
    if plan:
        sections = db.session.scalars(
            sa.select(Section).join(Plan).where(Plan.code == plan).order_by(Section.position)
        ).all()
    agencies, agency = [], None
    if sees_all_agencies(current_user):  # officers see their own agency only, by the query
        agencies = db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()
        agency = request.args.get("agency") or None
    search = (request.args.get("q") or "").strip() or None
    sort = request.args.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    groups = _groups(TaskListFilter(plan=plan, section=section, agency=agency, search=search),
                     sort)
    args = {k: v for k, v in request.args.items() if not k.endswith("_page") and v}
    return render_template("workspace/index.html", groups=groups, plans=plans, plan=plan,
                           sections=sections, section=section, agencies=agencies, agency=agency,
                           today=today(), search=search, sort=sort, sorts=SORTS, args=args)


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    """One task: where it comes from, when it is due and why, its history and forms."""
    item_task = get_task(db.session, current_user, task_id)
    return render_template(
        "workspace/task.html", task=item_task, item=item_task.item,
        due=due_explanation(db.session, item_task),
        left=days_left(db.session, item_task, today()),
        returned=_return_reason(item_task),
        targets=allowed_targets(item_task, current_user),
        today=today(), overdue=item_task.is_overdue(today()),
    )


def _return_reason(task: Task):
    """The coordinator's latest return of a task now returned (its reason goes at the top)."""
    if task.status != TaskStatus.RETURNED:
        return None
    returns = [u for u in task.updates if u.action == "return"]
    return max(returns, key=lambda u: (u.at, u.id)) if returns else None


@bp.post("/tasks/<int:task_id>/status")
@login_required
def update_status(task_id: int):
    """Change the status (start, accept, return) with a note."""
    item_task = get_task(db.session, current_user, task_id)
    change_status(db.session, current_user, item_task, request.form.get("status", ""),
                  now=now(), note=request.form.get("note", ""), expected_version=form_version())
    db.session.commit()
    return redirect(url_for("workspace.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/note")
@login_required
def note(task_id: int):
    """A note on the task's progress, without changing its status."""
    item_task = get_task(db.session, current_user, task_id)
    add_note(db.session, current_user, item_task, request.form.get("note", ""), now=now())
    db.session.commit()
    return redirect(url_for("workspace.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/report")
@login_required
def submit_report(task_id: int):
    """Submit the report with its evidence files, or a nil return where the item allows it."""
    item_task = get_task(db.session, current_user, task_id)
    files = [Upload(f.filename, f.stream) for f in request.files.getlist("files")
             if f and f.filename]
    submit(db.session, current_user, item_task, note=request.form.get("note", ""),
           nil_return=request.form.get("nil_return") == "1", files=files,
           version=form_version(), now=now(), folder=_uploads())
    db.session.commit()
    return redirect(url_for("workspace.task", task_id=task_id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download evidence, only for those who may see its agency."""
    found, path = open_evidence(db.session, current_user, attachment_id, _uploads())
    return send_file(path, mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename, max_age=0)


def _uploads() -> str:
    from flask import current_app

    return current_app.config["UPLOAD_FOLDER"]
