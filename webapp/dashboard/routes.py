"""Where things stand: rates per agency and per section, the overdue list, drill-down."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from flask_login import current_user

from models.core.db import db
from models.plans.entities import Plan
from models.tasks import stats
from models.tasks.queries import TaskFilter
from webapp.clock import today
from webapp.dashboard import bp
from webapp.dashboard.chart import BAR_WIDTH, LABEL_WIDTH, bars
from webapp.guards import roles_required
from webapp.templating import current_locale_name

READERS = ("coordinator", "inspector", "viewer", "admin")
CHART_ROWS = 20
DRILL_LIMIT = 500


@bp.get("/")
@roles_required(*READERS)
def index():
    """Completion and on-time rates, rolled up agency by agency and section by section."""
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    code = request.args.get("plan") or (plans[0].code if plans else None)
    plan = next((p for p in plans if p.code == code), None)
    day = today()
    cells = stats.cells(db.session, current_user, day, code)  # one pass over the plan's tasks
    agencies = stats.by_agency(db.session, current_user, day, code, cells_=cells)
    chart_rows = [
        (a.code, f.completion, (f.on_time / f.due) if f.due else None,
         url_for("dashboard.tasks", plan=code, agency=a.code, state="due"))
        for a, f in agencies[:CHART_ROWS]
    ]
    chart, height = bars(chart_rows)
    return render_template(
        "dashboard/index.html", plans=plans, plan=plan, today=day,
        totals=stats.totals(db.session, current_user, day, code, cells_=cells), agencies=agencies,
        sections=stats.by_section(db.session, current_user, day, plan, cells_=cells)
        if plan else [],
        overdue=stats.overdue_tasks(db.session, current_user, day, code),
        chart=chart, chart_height=height, label_width=LABEL_WIDTH, bar_width=BAR_WIDTH,
        locale=current_locale_name(),
    )


@bp.get("/tasks")
@roles_required(*READERS)
def tasks():
    """The tasks behind one figure of the dashboard."""
    state = request.args.get("state", "all")
    if state not in stats.STATES:
        abort(404)
    filters = TaskFilter(plan=request.args.get("plan") or None,
                         section=request.args.get("section") or None,
                         item=request.args.get("item") or None,
                         agency=request.args.get("agency") or None)
    query = stats.drill_query(current_user, filters, state, today())
    rows = db.session.execute(query.limit(DRILL_LIMIT)).all()
    return render_template("dashboard/tasks.html", rows=rows, state=state, filters=filters,
                           limit=DRILL_LIMIT, today=today())
