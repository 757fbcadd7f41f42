"""The agency workspace: my tasks by urgency, a task's page, status updates and reports."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.access import sees_all_agencies
from models.core.db import db
from models.core.evidence import open_evidence
from models.org.agencies import Agency
from models.org.users import Role
from models.plans.calendar_days import list_overrides, remove_override, set_override
from models.plans.entities import Item, ItemKind, Plan, Section
from models.tasks.entities import OPEN_STATUSES, Task, TaskStatus
from models.tasks.extensions import (
    decide_extension,
    extension_list,
    get_extension,
    request_extension,
    task_extensions,
)
from models.tasks.listing import TaskListFilter, list_query, page_of
from models.tasks.operations import add_note, allowed_targets, change_status, get_task, reschedule
from models.tasks.reports import request_report
from models.tasks.reports import submit_report as submit
from webapp import labels
from webapp.api.submissions.schemas import SubmissionSchema
from webapp.api.tasks.schemas import (
    ExtensionAskSchema,
    ExtensionDecisionSchema,
    RequestReportSchema,
    RescheduleSchema,
)
from webapp.clock import now, today
from webapp.form_schemas import CalendarDayForm, CalendarRemoveForm
from webapp.forms import (
    MAX_FILES,
    FormInvalid,
    attempt,
    form_version,
    submitted,
    upload_folder,
    upload_limits,
    uploads,
)
from webapp.guards import current_actor, roles_required
from webapp.templating import ddmmyyyy
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


def _task_page(item_task: Task, status: int = 200):
    """The task page; after a refused form, the same page with that form's errors (422)."""
    user = current_actor()
    extensions = task_extensions(db.session, item_task)
    pending = next((e for e in extensions if e.status == "pending"), None)
    day = today()
    can_ask = (user.role == Role.OFFICER and user.agency_id == item_task.agency_id
               and item_task.status in OPEN and pending is None and day <= item_task.due_on)
    return render_template(
        "workspace/task.html", task=item_task, item=item_task.item,
        due=due_explanation(db.session, item_task),
        left=days_left(db.session, item_task, today()),
        returned=_return_reason(item_task),
        targets=allowed_targets(item_task, current_user),
        today=day, overdue=item_task.is_overdue(day), extensions=extensions, pending=pending,
        can_ask=can_ask, can_decide=user.role in (Role.COORDINATOR, Role.ADMIN),
        can_reschedule=user.role in (Role.COORDINATOR, Role.ADMIN) and item_task.status in OPEN,
        limits=upload_limits(),
    ), status


def _done(task_id: int, message: str):
    flash(message, "info")
    return redirect(url_for("workspace.task", task_id=task_id))


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    """One task: where it comes from, when it is due and why, its history and forms."""
    return _task_page(get_task(db.session, current_user, task_id))


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
    form = submitted("status")

    def act():
        change_status(db.session, current_actor(), item_task, form.value("status"),
                      now=now(), note=form.value("note"), expected_version=form_version())
        db.session.commit()

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    return _done(task_id, _("Status saved: %(status)s.",
                            status=labels.STATUS.get(item_task.status, item_task.status)))


@bp.post("/tasks/<int:task_id>/note")
@login_required
def note(task_id: int):
    """A note on the task's progress, without changing its status."""
    item_task = get_task(db.session, current_user, task_id)
    form = submitted("note")

    def act():
        add_note(db.session, current_actor(), item_task, form.value("note"), now=now())
        db.session.commit()

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    return _done(task_id, _("Note saved."))


@bp.post("/tasks/<int:task_id>/report")
@login_required
def submit_report(task_id: int):
    """Submit the report with its evidence files, or a nil return where the item allows it."""
    item_task = get_task(db.session, current_user, task_id)
    form = submitted("report")
    form.aliases = {"file": "files"}  # a refused file is about the files input

    def act():
        data = form.load(SubmissionSchema(only=("note", "nil_return")))
        files = uploads()
        if len(files) > MAX_FILES:
            form.add("files", _("At most %(count)s files in one report.", count=MAX_FILES))
            raise FormInvalid(form)
        submit(db.session, current_actor(), item_task, note=data["note"],
               nil_return=data["nil_return"], files=files, version=form_version(),
               now=now(), folder=upload_folder())
        db.session.commit()

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    return _done(task_id, _("The report was submitted."))


@bp.post("/tasks/<int:task_id>/reschedule")
@login_required
def reschedule_task(task_id: int):
    """A coordinator moves the due date, with the reason (the first due date is kept)."""
    item_task = get_task(db.session, current_user, task_id)
    form = submitted("reschedule")

    def act():
        data = form.load(RescheduleSchema())
        reschedule(db.session, current_actor(), item_task, data["due_on"], reason=data["reason"],
                   now=now(), expected_version=form_version())
        db.session.commit()

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    return _done(task_id, _("The due date is now %(day)s.", day=ddmmyyyy(item_task.due_on)))


@bp.post("/tasks/<int:task_id>/extension")
@login_required
def ask_extension(task_id: int):
    """An officer asks for more time, with the reasons, before the due date."""
    item_task = get_task(db.session, current_user, task_id)
    form = submitted("extension")

    def act():
        data = form.load(ExtensionAskSchema())
        request_extension(db.session, current_actor(), item_task, due_on=data["due_on"],
                          reason=data["reason"], now=now())
        db.session.commit()

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    return _done(task_id, _("Your extension request was sent to the coordinator."))


@bp.get("/extensions")
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.VIEWER, Role.INSPECTOR)
def extensions():
    """Extension requests waiting for a decision, and the latest decided ones."""
    status = request.args.get("status") or "pending"
    if status not in ("pending", "approved", "refused", "all"):
        status = "pending"
    rows = extension_list(db.session, current_actor(), status=None if status == "all" else status)
    return render_template("workspace/extensions.html", rows=rows, status=status,
                           can_decide=current_user.role in (Role.COORDINATOR, Role.ADMIN))


@bp.post("/extensions/<int:request_id>/decision")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def decide(request_id: int):
    """Approve (the due date moves) or refuse (with a reason, after a confirmation)."""
    req = get_extension(db.session, current_actor(), request_id)
    task_id = req.task_id
    form = submitted("decision")
    state = {}

    def act():
        data = form.load(ExtensionDecisionSchema())
        approve = data["decision"] == "approve"
        if not approve and not data["note"].strip():
            form.add("note", _("A refusal needs a reason."))
            raise FormInvalid(form)
        if not approve and form.value("confirmed") != "1":
            state["confirm"] = data
            return
        decide_extension(db.session, current_actor(), req, approve=approve, note=data["note"],
                         now=now(), expected_version=form_version())
        db.session.commit()
        state["approved"] = approve

    if not attempt(form, act):
        return _task_page(get_task(db.session, current_user, task_id), form.status)
    if "confirm" in state:
        return render_template(
            "confirm.html", title=_("Refuse the extension request?"),
            message=_("The due date stays %(day)s; the agency is told your reason: %(note)s",
                      day=ddmmyyyy(req.due_on), note=state["confirm"]["note"]),
            action=url_for("workspace.decide", request_id=request_id),
            fields={"decision": "refuse", "note": state["confirm"]["note"],
                    "version": form.value("version")},
            confirm_label=_("Refuse"), back=url_for("workspace.task", task_id=task_id))
    if state["approved"]:
        return _done(task_id, _("Extension approved: the task is now due %(day)s.",
                                day=ddmmyyyy(req.proposed_due_on)))
    return _done(task_id, _("Extension refused; the agency has been told why."))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download evidence, only for those who may see its agency."""
    found, path = open_evidence(db.session, current_user, attachment_id, _uploads())
    return send_file(path, mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename, max_age=0)


def _uploads() -> str:
    return upload_folder()


# -- the coordinator's tools: an on-request report, the calendar's extra days ----------------


def _request_page(status: int = 200):
    items = db.session.scalars(
        sa.select(Item).join(Plan).where(Item.kind == ItemKind.ON_REQUEST_REPORT, Item.active)
        .order_by(Plan.code, Item.position)).all()
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()
    return render_template("workspace/request.html", items=items, agencies=agencies,
                           today=today()), status


@bp.get("/requests/new")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def new_request():
    """The form to ask an agency for an on-request report."""
    return _request_page()


@bp.post("/requests/new")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def create_request():
    """Ask the agency; its task appears in its workspace, due on a working day."""
    form = submitted("request")
    made = {}

    def act():
        data = form.load(RequestReportSchema())
        item = db.session.get(Item, data["item_id"])
        if item is None:
            form.add("item_id", _("Choose one of the options."))
            raise FormInvalid(form)
        if db.session.get(Agency, data["agency_id"]) is None:
            form.add("agency_id", _("Choose one of the options."))
            raise FormInvalid(form)
        made["task"] = request_report(db.session, current_actor(), item, data["agency_id"],
                                      due_on=data["due_on"], note=data["note"], now=now())
        db.session.commit()

    if not attempt(form, act):
        return _request_page(form.status)
    task_made = made["task"]
    return _done(task_made.id, _("Report requested from %(agency)s, due %(day)s.",
                                 agency=task_made.agency.name(str(get_locale())),
                                 day=ddmmyyyy(task_made.due_on)))


def _calendar_page(status: int = 200):
    return render_template("workspace/calendar_days.html", rows=list_overrides(db.session),
                           today=today()), status


@bp.get("/calendar-days")
@roles_required(Role.COORDINATOR, Role.ADMIN, Role.INSPECTOR, Role.VIEWER)
def calendar_days():
    """The extra days off and make-up working days declared for this installation."""
    return _calendar_page()


@bp.post("/calendar-days")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def add_calendar_day():
    """Declare a day off or a make-up working day (a day already declared is changed)."""
    form = submitted("calendar")
    made = {}

    def act():
        data = form.load(CalendarDayForm())
        made["row"] = set_override(db.session, current_actor(), data["day"], data["kind"],
                                   data["note"].strip(), now=now())
        db.session.commit()

    if not attempt(form, act):
        return _calendar_page(form.status)
    row = made["row"]
    flash(_("%(day)s is now: %(kind)s.", day=ddmmyyyy(row.day),
            kind=labels.DAY_KIND.get(row.kind, row.kind)), "info")
    return redirect(url_for("workspace.calendar_days"))


@bp.post("/calendar-days/remove")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def remove_calendar_day():
    """Take a declared day back, after a confirmation."""
    form = submitted("calendar-remove")
    state = {}

    def act():
        data = form.load(CalendarRemoveForm())
        state["day"] = data["day"]
        if form.value("confirmed") != "1":
            return
        remove_override(db.session, current_actor(), data["day"], now=now())
        db.session.commit()
        state["removed"] = True

    if not attempt(form, act):
        return _calendar_page(form.status)
    day = ddmmyyyy(state["day"])
    if not state.get("removed"):
        return render_template(
            "confirm.html", title=_("Remove %(day)s from the calendar?", day=day),
            message=_("%(day)s becomes an ordinary day again. Due dates already set do not "
                      "move; change them on each task if needed.", day=day),
            action=url_for("workspace.remove_calendar_day"),
            fields={"day": state["day"].isoformat()}, confirm_label=_("Remove"),
            back=url_for("workspace.calendar_days"))
    flash(_("%(day)s removed from the calendar.", day=day), "info")
    return redirect(url_for("workspace.calendar_days"))
