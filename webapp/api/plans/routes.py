"""GET /plans and /plans/{id} (with sections and items)."""

import sqlalchemy as sa
from flask.views import MethodView

from models.core.db import db
from models.plans.entities import Plan
from models.plans.errors import PlanNotFound
from plan_items.export import item_dict
from webapp.api.core import ApiBlueprint
from webapp.api.plans.schemas import PlanSchema, PlanSummarySchema

bp = ApiBlueprint("Plans", __name__, "/plans", description="Plans, their sections and items.")


@bp.route("")
class Plans(MethodView):
    @bp.response(200, PlanSummarySchema(many=True))
    def get(self):
        """Every plan."""
        return db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()


@bp.route("/<id:plan_id>")
class PlanDetail(MethodView):
    @bp.response(200, PlanSchema)
    def get(self, plan_id: int):
        """One plan with its section tree (flat, by parent code) and its items."""
        plan = db.session.get(Plan, plan_id)
        if plan is None:
            raise PlanNotFound(plan_id=plan_id)
        codes = {s.id: s.code for s in plan.sections}
        return {
            **{k: getattr(plan, k) for k in PlanSummarySchema._declared_fields},
            "issuer": plan.issuer.code if plan.issuer else None,
            "coordinator": plan.coordinator.code if plan.coordinator else None,
            "issued_on": plan.issued_on,
            "implements": plan.documents.get("implements", []),
            "cites": plan.documents.get("cites", []),
            "reminders": plan.reminders or [],
            "sections": [dict(code=s.code, parent=codes.get(s.parent_id), title_vi=s.title_vi,
                              title_en=s.title_en, text_vi=s.text_vi) for s in plan.sections],
            "items": [item_dict(i) for i in plan.items],
        }
