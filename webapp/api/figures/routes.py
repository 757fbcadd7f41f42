"""GET /figures: a period's five categories per agency, as on the dashboard."""

import sqlalchemy as sa
from flask.views import MethodView

from models.core.clock import local_today
from models.core.db import db
from models.plans.entities import Plan
from models.plans.errors import PlanNotFound
from models.tasks.overview import overview
from models.tasks.periods import period_of
from webapp import clock
from webapp.api.core import ApiBlueprint, api_user
from webapp.api.figures.schemas import FiguresArgsSchema, FiguresSchema

bp = ApiBlueprint("Figures", __name__, "/figures",
                  description="A period's tasks in the five categories of QĐ 42/2014.")


def _counts(c) -> dict:
    return {**c.as_dict(), "total": c.total, "completion_rate": c.completion_rate,
            "on_time_rate": c.on_time_rate}


@bp.route("")
class Figures(MethodView):
    @bp.arguments(FiguresArgsSchema, location="query")
    @bp.response(200, FiguresSchema)
    def get(self, args):
        """The tasks due in the period, per agency (worst first) and in total, on today."""
        plan = db.session.scalar(sa.select(Plan).where(Plan.code == args["plan"]))
        if plan is None:
            raise PlanNotFound(plan=args["plan"])
        today = local_today(clock.now())
        period = args.get("period") or period_of("month", today)
        view = overview(db.session, api_user(), plan, period, today,
                        section=args.get("section"), item=args.get("item"))
        return {"plan": plan.code, "period": period.key, "period_start": period.start,
                "period_end": period.end, "as_of": today, "totals": _counts(view.totals),
                "agencies": [{"agency": a.code, "name_vi": a.name_vi, **_counts(c)}
                             for a, c in view.agencies]}
