"""Changing an imported plan item by item: each change one audited operation.

A change is applied to the plan as a plan file (the same schema, the same checks against the
agencies as `planwatch plan validate`) and written by the importer, so it gives the same
difference report as `planwatch plan import` and reschedules open tasks the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import Actor, SystemActor
from models.plans.entities import Item, Plan
from models.plans.errors import PlanEditCoordinatorOnly, UnknownItemCode, UnknownPlanCode

EDITABLE = ("title_vi", "title_en", "kind", "cadence", "due", "lead", "coordinating",
            "reports_to", "allows_nil_return", "evidence_vi", "evidence_en", "active")
EDITORS = ("coordinator", "admin")


def _iso(value: dt.date | None):
    return value.isoformat() if value else None


def _parties(item: Item, role: str) -> dict:
    return {"groups": sorted(p.group.code for p in item.parties if p.role == role and p.group),
            "agencies": sorted(p.agency.code for p in item.parties
                               if p.role == role and p.agency)}


def item_file_data(item: Item) -> dict:
    """One active item as a plan file writes it (only the fields that are set)."""
    lead = _parties(item, "lead")
    lead["exclude"] = _parties(item, "exclude")["agencies"]
    data: dict[str, Any] = {
        "code": item.code, "section": item.section.code, "kind": item.kind,
        "title_vi": item.title_vi, "title_en": item.title_en, "lead": lead,
        "cadence": item.cadence,
    }
    optional = {
        "text_vi": item.text_vi, "coordinating": _parties(item, "coordinating"),
        "reports_to": list(item.reports_to or []), "due": item.due_rule,
        "absorbs": list(item.absorbs or []), "allows_nil_return": item.allows_nil_return,
        "evidence_vi": item.evidence_vi, "evidence_en": item.evidence_en,
        "reminders": item.reminders, "starts_on": _iso(item.starts_on),
        "ends_on": _iso(item.ends_on), "first_period": item.first_period,
    }
    for key, value in optional.items():
        if value in (None, "", [], False) or (key == "coordinating" and not any(value.values())):
            continue
        data[key] = value
    return data


def plan_file_data(session: Session, plan: Plan) -> dict:
    """The imported plan as plan-file data (planwatch/plan@1); inactive items left out."""
    children: dict[int | None, list] = {}
    for section in sorted(plan.sections, key=lambda s: (s.position, s.id)):
        children.setdefault(section.parent_id, []).append(section)

    def tree(parent_id):
        out = []
        for s in children.get(parent_id, []):
            node = {"code": s.code, "title_vi": s.title_vi}
            if s.title_en:
                node["title_en"] = s.title_en
            node["text_vi"] = s.text_vi or ""
            node["sections"] = tree(s.id)
            out.append(node)
        return out

    header: dict[str, Any] = {"code": plan.code, "title_vi": plan.title_vi,
                              "title_en": plan.title_en, "timezone": plan.timezone,
                              "starts_on": _iso(plan.starts_on),
                              "coordinator": plan.coordinator.code if plan.coordinator else None}
    if plan.issuer:
        header["issuer"] = plan.issuer.code
    for key, value in (("issued_on", _iso(plan.issued_on)), ("ends_on", _iso(plan.ends_on))):
        if value:
            header[key] = value
    documents = plan.documents or {}
    header["implements"] = documents.get("implements", [])
    header["cites"] = documents.get("cites", [])
    header["reminders"] = plan.reminders or []
    header["roll"] = plan.due_roll or "forward"
    items = sorted((i for i in plan.items if i.active), key=lambda i: i.position)
    return {"format": "planwatch/plan@1", "plan": header, "sections": tree(None),
            "items": [item_file_data(i) for i in items]}


def _check_actor(actor: Actor) -> None:
    if isinstance(actor, SystemActor):
        return
    role = getattr(actor, "role", None)
    if role is None:
        raise TypeError(f"actor must be a User or a SystemActor, not {type(actor).__name__}")
    if role not in EDITORS:
        raise PlanEditCoordinatorOnly(role=role)


def edit_item(session: Session, actor: Actor, *, plan_code: str, item_code: str,
              changes: Mapping[str, Any], now: dt.datetime):
    """Change one item of an imported plan (fields of EDITABLE; `active: False` removes it).

    Raises plan_items.loader.PlanFileError with every problem when the changed plan would not
    pass `plan validate`; nothing is written then. Returns the importer's Diff.
    """
    from ruamel.yaml import YAML

    from plan_items.importer import import_plan

    _check_actor(actor)
    plan = session.scalar(sa.select(Plan).where(Plan.code == plan_code))
    if plan is None:
        raise UnknownPlanCode(field="plan", plan_code=plan_code)
    data = plan_file_data(session, plan)
    position = next((i for i, it in enumerate(data["items"]) if it["code"] == item_code), None)
    if position is None:
        raise UnknownItemCode(field="item", plan_code=plan_code, item_code=item_code)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    item = data["items"][position]
    for key, value in changes.items():
        if key == "active":
            if not value:
                del data["items"][position]
            continue
        if value in (None, "", []) and key not in ("title_vi", "title_en", "kind", "cadence",
                                                   "lead"):
            item.pop(key, None)
        else:
            item[key] = value
    folder = tempfile.mkdtemp(prefix="plan-edit-")
    path = os.path.join(folder, f"{plan_code.replace('/', '-')} {item_code}.yaml")
    try:
        with open(path, "w", encoding="utf-8") as out:
            YAML(typ="safe").dump(data, out)
        return import_plan(session, path, actor=actor, now=now, action="plan.edit")
    finally:
        os.unlink(path)
        os.rmdir(folder)
