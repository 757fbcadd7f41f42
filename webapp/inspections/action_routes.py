"""Finding and corrective action pages, and the per-agency oversight page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.db import db
from models.oversight.corrective_actions import (
    allowed_action_targets,
    can_extend,
    change_action_status,
    extend_action,
    get_action,
    raise_action,
)
from models.oversight.entities import Inspection, InspectionStatus, Severity, inspection_agency
from models.oversight.inspections import INSPECTORS, attachments_of, edit_finding, get_finding
from models.oversight.queries import agency_actions, agency_oversight
from webapp.clock import now, today
from webapp.forms import form_date, form_int, form_version, upload_folder, uploads
from webapp.guards import current_actor
from webapp.inspections import bp


@bp.get("/findings/<int:finding_id>")
@login_required
def finding(finding_id: int):
    """A finding, its evidence and corrective actions, and the form to issue one."""
    found = get_finding(db.session, current_actor(), finding_id)
    return render_template(
        "inspections/finding.html", finding=found, severities=list(Severity),
        files=attachments_of(db.session, "finding", [found.id]), today=today(),
        can_act=current_user.role in INSPECTORS)


@bp.post("/findings/<int:finding_id>/edit")
@login_required
def change_finding(finding_id: int):
    """Correct a finding's text or severity (inspectors only)."""
    found = get_finding(db.session, current_actor(), finding_id)
    edit_finding(db.session, current_actor(), found, text=request.form.get("text", ""),
                 severity=request.form.get("severity", ""), now=now(),
                 expected_version=form_version())
    db.session.commit()
    flash(_("Finding saved."), "info")
    return redirect(url_for("inspections.finding", finding_id=finding_id))


@bp.post("/findings/<int:finding_id>/actions")
@login_required
def new_action(finding_id: int):
    """Issue a corrective action due in some working days, or on a date."""
    found = get_finding(db.session, current_actor(), finding_id)
    due_on = form_date("due_on")  # a date, when given, wins over the default working days
    action = raise_action(
        db.session, current_actor(), found, description=request.form.get("description", ""),
        due_in_working_days=None if due_on else form_int("due_in_working_days"), due_on=due_on,
        requires_followup=request.form.get("requires_followup") == "1", now=now())
    db.session.commit()
    flash(_("Corrective action issued."), "info")
    return redirect(url_for("inspections.action", action_id=action.id))


@bp.get("/actions")
@login_required
def actions():
    """The corrective actions of my agency (all agencies for staff); closed ones on request."""
    show_all = request.args.get("all") == "1"
    mine = agency_actions(db.session, current_actor(), open_only=not show_all)
    return render_template("inspections/actions.html", actions=mine,
                           show_all=show_all, today=today())


def _followups(action) -> list[Inspection]:
    """Started inspections of the owning agency other than the one that found the problem."""
    return list(db.session.scalars(sa.select(Inspection).join(inspection_agency).where(
        inspection_agency.c.agency_id == action.agency_id,
        Inspection.id != action.finding.inspection_id,
        Inspection.status != InspectionStatus.PLANNED).order_by(Inspection.planned_on.desc())))


@bp.get("/actions/<int:action_id>")
@login_required
def action(action_id: int):
    """One corrective action: what is owed, by when, its history, files and forms."""
    found = get_action(db.session, current_actor(), action_id)
    files = attachments_of(db.session, "corrective_action_update", [u.id for u in found.updates])
    by_update: dict[int, list] = {}
    for f in files:
        by_update.setdefault(f.owner_id, []).append(f)
    targets = allowed_action_targets(found, current_actor())
    return render_template(
        "inspections/action.html", action=found, targets=targets, files=by_update,
        can_extend=can_extend(found, current_actor()), today=today(),
        followups=_followups(found) if "verified" in targets and found.requires_followup
        else [])


@bp.post("/actions/<int:action_id>/status")
@login_required
def action_status(action_id: int):
    """Start, submit (with evidence), verify or reopen a corrective action."""
    found = get_action(db.session, current_actor(), action_id)
    change_action_status(
        db.session, current_actor(), found, request.form.get("status", ""),
        note=request.form.get("note", ""), evidence=uploads(), folder=upload_folder(),
        followup_inspection_id=form_int("followup_inspection_id"), now=now(),
        expected_version=form_version())
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("inspections.action", action_id=action_id))


@bp.post("/actions/<int:action_id>/extend")
@login_required
def extend(action_id: int):
    """Extend the due date once, with a reason (inspectors only)."""
    found = get_action(db.session, current_actor(), action_id)
    due_on = form_date("due_on")
    extend_action(db.session, current_actor(), found, reason=request.form.get("reason", ""),
                  due_in_working_days=None if due_on else form_int("due_in_working_days"),
                  due_on=due_on, now=now(), expected_version=form_version())
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("inspections.action", action_id=action_id))


@bp.get("/agencies/<int:agency_id>")
@login_required
def oversight(agency_id: int):
    """Everything inspections found at one agency: open against closed, and how long fixes took."""
    view = agency_oversight(db.session, current_actor(), agency_id, today())
    return render_template("inspections/oversight.html", view=view, today=today())
