"""Inspection pages: the desk, the annual plan, planning, running and reporting an inspection."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.db import db
from models.core.evidence import open_evidence
from models.org.agencies import Agency
from models.org.users import Role, User
from models.oversight.entities import Finding, InspectionKind, Severity
from models.oversight.inspections import (
    OPENERS,
    attach_to_finding,
    attach_to_inspection,
    attachments_of,
    change_inspection_status,
    create_inspection,
    get_inspection,
    log_finding,
)
from models.oversight.queries import (
    action_tiles,
    annual_duty_coverage,
    annual_inspection_plan,
    inspection_timeline,
    inspector_desk,
    visible_findings,
)
from models.plans.entities import Item, Plan
from webapp.api.inspections.schemas import InspectionCreateSchema
from webapp.clock import now, today
from webapp.forms import attempt, form_int, form_version, submitted, upload_folder, uploads
from webapp.guards import current_actor, roles_required, staff_required
from webapp.inspections import bp


@bp.get("/")
@login_required
def desk():
    """The inspector's desk; an officer goes to their agency's corrective actions."""
    if current_user.role == Role.OFFICER:
        return redirect(url_for("inspections.actions"))
    day, user = today(), current_actor()
    return render_template("inspections/desk.html", desk=inspector_desk(db.session, user, day),
                           tiles=action_tiles(db.session, user, day), today=day)


@bp.get("/plan")
@staff_required
def annual_plan():
    """Which agencies are planned for inspection this year and which are not yet inspected."""
    year = request.args.get("year", type=int) or today().year
    return render_template("inspections/plan.html", year=year,
                           rows=annual_inspection_plan(db.session, year),
                           duties=annual_duty_coverage(db.session, year))


def _choices() -> dict:
    return {
        "kinds": list(InspectionKind),
        "agencies": db.session.scalars(sa.select(Agency).order_by(Agency.code)).all(),
        "plans": db.session.scalars(sa.select(Plan).order_by(Plan.code)).all(),
        "items": db.session.scalars(sa.select(Item).where(Item.active)
                                    .order_by(Item.plan_id, Item.position)).all(),
        "staff": db.session.scalars(sa.select(User).where(
            User.role.in_([Role.INSPECTOR, Role.COORDINATOR]), User.is_active)
            .order_by(User.email)).all(),
    }


@bp.get("/new")
@staff_required
def new():
    """The form to plan an inspection or supervision."""
    return render_template("inspections/new.html", **_choices())


@bp.post("/new")
@roles_required(*OPENERS)  # the operation's own rule, checked before the form is read
def create():
    """Plan the inspection and open its page; a refused form comes back as typed."""
    form = submitted("inspection")
    made = {}

    def act():
        data = form.load(InspectionCreateSchema(exclude=("section_ids",)))
        made["inspection"] = create_inspection(
            db.session, current_actor(), kind=data["kind"], title=data["title"],
            agency_ids=data["agency_ids"], planned_on=data["planned_on"],
            plan_id=data["plan_id"], item_ids=data["item_ids"],
            inspector_ids=data["inspector_ids"], now=now())
        db.session.commit()

    if not attempt(form, act):
        return render_template("inspections/new.html", **_choices()), form.status
    flash(_("Inspection planned."), "info")
    return redirect(url_for("inspections.inspection", inspection_id=made["inspection"].id))


def _findings(inspection) -> list[Finding]:
    """The findings this user may read (an officer sees only their agency's)."""
    return visible_findings(db.session, current_user, inspection=inspection)


@bp.get("/<int:inspection_id>")
@login_required
def inspection(inspection_id: int):
    """One inspection: facts, scope, findings with their actions, forms and the timeline."""
    found = get_inspection(db.session, current_actor(), inspection_id)
    files = attachments_of(db.session, "inspection", [found.id]) if (
        current_user.role != Role.OFFICER) else []
    return render_template(
        "inspections/inspection.html", inspection=found, findings=_findings(found),
        timeline=inspection_timeline(db.session, current_actor(), found), severities=list(Severity),
        files=files, today=today(),
        can_run=current_user.role in (Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN),
        can_log=current_user.role in (Role.INSPECTOR, Role.ADMIN))


@bp.post("/<int:inspection_id>/status")
@login_required
def change_status(inspection_id: int):
    """Start the inspection, or conclude it with its conclusion."""
    found = get_inspection(db.session, current_actor(), inspection_id)
    change_inspection_status(db.session, current_actor(), found, request.form.get("status", ""),
                             conclusion=request.form.get("conclusion", ""), now=now(),
                             expected_version=form_version())
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("inspections.inspection", inspection_id=inspection_id))


@bp.post("/<int:inspection_id>/findings")
@login_required
def add_finding(inspection_id: int):
    """Log a finding at one of the inspected agencies, with evidence files."""
    found = get_inspection(db.session, current_actor(), inspection_id)
    finding = log_finding(
        db.session, current_actor(), found, agency_id=form_int("agency_id", required=True),
        text=request.form.get("text", ""), severity=request.form.get("severity", ""),
        item_id=form_int("item_id"), task_id=form_int("task_id"), now=now())
    for upload in uploads():
        attach_to_finding(db.session, current_actor(), finding, upload, folder=upload_folder(),
                          now=now())
    db.session.commit()
    flash(_("Finding logged."), "info")
    return redirect(url_for("inspections.finding", finding_id=finding.id))


@bp.post("/<int:inspection_id>/files")
@login_required
def add_files(inspection_id: int):
    """Attach inspection documents (decision, minutes, conclusion notice)."""
    found = get_inspection(db.session, current_actor(), inspection_id)
    attach_to_inspection(db.session, current_actor(), found, uploads(), folder=upload_folder(),
                         now=now())
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("inspections.inspection", inspection_id=inspection_id))


@bp.get("/<int:inspection_id>/report")
@login_required
def report(inspection_id: int):
    """The printable report of an inspection: scope, findings, actions and their state."""
    found = get_inspection(db.session, current_actor(), inspection_id)
    findings = _findings(found)
    actions = {f.id: f.actions for f in findings}
    return render_template("inspections/report.html", inspection=found, findings=findings,
                           actions=actions, today=today(), printed_at=now())


@bp.get("/files/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download a file of an inspection, finding or response, if the user may see it."""
    found, path = open_evidence(db.session, current_actor(), attachment_id, upload_folder())
    return send_file(path, mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename, max_age=0)

