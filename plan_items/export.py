"""A plan as plain data (the stable JSON of `planwatch plan export`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.plans.entities import Item, Plan
from models.plans.errors import UnknownPlanCode


def _parties(item: Item, role: str) -> dict:
    groups = sorted(p.group.code for p in item.parties if p.role == role and p.group)
    agencies = sorted(p.agency.code for p in item.parties if p.role == role and p.agency)
    return {"groups": groups, "agencies": agencies}


def item_dict(item: Item) -> dict:
    """One item as exported."""
    lead = _parties(item, "lead")
    lead["exclude"] = _parties(item, "exclude")["agencies"]
    return {
        "code": item.code,
        "section": item.section.code,
        "kind": item.kind,
        "title_vi": item.title_vi,
        "title_en": item.title_en,
        "text_vi": item.text_vi,
        "lead": lead,
        "coordinating": _parties(item, "coordinating"),
        "reports_to": list(item.reports_to or []),
        "cadence": item.cadence,
        "due": item.due_rule,
        "absorbs": list(item.absorbs or []),
        "allows_nil_return": item.allows_nil_return,
        "evidence_vi": item.evidence_vi,
        "evidence_en": item.evidence_en,
        "reminders": item.effective_reminders,
        "starts_on": (item.starts_on or item.plan.starts_on).isoformat(),
        "ends_on": (item.ends_on or item.plan.ends_on).isoformat()
        if (item.ends_on or item.plan.ends_on) else None,
        "first_period": item.first_period,
        "active": item.active,
    }


def plan_dict(session: Session, code: str) -> dict:
    """The plan with its section tree and items."""
    plan = session.scalar(sa.select(Plan).where(Plan.code == code))
    if plan is None:
        raise UnknownPlanCode(field="code", plan_code=code)
    children: dict[int | None, list] = {}
    for section in plan.sections:
        children.setdefault(section.parent_id, []).append(section)

    def tree(parent_id):
        return [
            {"code": s.code, "title_vi": s.title_vi, "title_en": s.title_en, "text_vi": s.text_vi,
             "sections": tree(s.id)}
            for s in children.get(parent_id, [])
        ]

    return {
        "code": plan.code,
        "title_vi": plan.title_vi,
        "title_en": plan.title_en,
        "issuer": plan.issuer.code if plan.issuer else None,
        "coordinator": plan.coordinator.code if plan.coordinator else None,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "timezone": plan.timezone,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "implements": plan.documents.get("implements", []),
        "cites": plan.documents.get("cites", []),
        "reminders": plan.reminders,
        "roll": plan.due_roll,
        "sections": tree(None),
        "items": [item_dict(i) for i in plan.items],
    }
