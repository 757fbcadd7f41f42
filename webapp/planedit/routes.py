"""The plan editor: an imported plan's items, due rules and responsible bodies, one change at
a time (each one audited operation, checked like `plan validate`, reported like `plan import`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from models.core.db import db
from models.org.agencies import Agency, AgencyGroup
from models.plans.editing import edit_item, plan_file_data
from models.plans.entities import Plan
from models.plans.errors import UnknownPlanCode
from plan_items.loader import PlanFileError
from webapp.clock import now
from webapp.guards import current_actor, roles_required
from webapp.plandraft.review import CADENCES, KINDS, codes, due_text
from webapp.planedit import bp

EDITORS = ("coordinator", "admin")


def _plan(code: str) -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.code == code))
    if plan is None:
        raise UnknownPlanCode(field="plan", plan_code=code)
    return plan


def _page(plan: Plan, problems: dict | None = None, typed: dict | None = None, status=200):
    data = plan_file_data(db.session, plan)
    agencies = db.session.execute(sa.select(Agency.code, Agency.name_vi)
                                  .order_by(Agency.code)).all()
    groups = db.session.execute(sa.select(AgencyGroup.code, AgencyGroup.name_vi)
                                .order_by(AgencyGroup.code)).all()
    rows = [{"item": it, "due": due_text(it.get("due")),
             "problems": (problems or {}).get(it["code"], []),
             "typed": (typed or {}).get(it["code"], {})} for it in data["items"]]
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    return render_template("planedit/plan.html", plan=plan, plans=plans, rows=rows,
                           kinds=KINDS, cadences=CADENCES, agencies=agencies,
                           groups=groups), status


@bp.get("/")
@roles_required(*EDITORS)
def index():
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    if plans:
        return redirect(url_for("planedit.plan", code=plans[0].code))
    return redirect(url_for("plandraft.upload_form"))


@bp.get("/<path:code>")
@roles_required(*EDITORS)
def plan(code: str):
    """Every active item of the plan with its fields, each in its own form."""
    return _page(_plan(code))


def _changes(form) -> tuple[dict, list[str]]:
    changes: dict = {}
    problems: list[str] = []
    for key in ("title_vi", "title_en", "kind", "cadence"):
        if key in form:
            changes[key] = form.get(key, "").strip()
    changes["lead"] = {"groups": codes(form.get("lead_groups")),
                       "agencies": codes(form.get("lead_agencies")),
                       "exclude": codes(form.get("lead_exclude"))}
    changes["coordinating"] = {"groups": codes(form.get("coordinating_groups")),
                               "agencies": codes(form.get("coordinating_agencies"))}
    if not any(changes["coordinating"].values()):
        changes["coordinating"] = None
    changes["reports_to"] = codes(form.get("reports_to"))
    raw = form.get("due", "").strip()
    if raw:
        try:
            due = YAML(typ="safe").load("{" + raw.strip("{} ") + "}")
        except YAMLError:
            due = None
        if isinstance(due, dict):
            changes["due"] = due
        else:
            problems.append(f"due: write it as 'rule: month_day, month: 12, day: 15', not {raw!r}")
    else:
        changes["due"] = None
    if form.get("remove"):
        changes = {"active": False}
    return changes, problems


@bp.post("/<path:code>")
@roles_required(*EDITORS)
def save(code: str):
    """Save one item's changes; refused changes come back beside the item, as typed."""
    plan = _plan(code)
    item_code = request.form.get("item", "")
    changes, problems = _changes(request.form)
    typed = {item_code: request.form}
    if problems:
        return _page(plan, {item_code: problems}, typed, 422)
    try:
        diff = edit_item(db.session, current_actor(), plan_code=plan.code, item_code=item_code,
                         changes=changes, now=now())
    except PlanFileError as exc:
        db.session.rollback()
        messages = [p.message for p in exc.problems]
        return _page(_plan(code), {item_code: messages}, typed, 422)
    db.session.commit()
    if diff.empty:
        flash(_("No change."), "info")
    else:
        flash(_("Item %(item)s saved: %(changes)s", item=item_code,
                changes="; ".join(diff.lines)), "info")
    return redirect(url_for("planedit.plan", code=plan.code) + f"#item-{item_code}")
