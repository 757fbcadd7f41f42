"""Where things stand in a period: the five categories per agency and per section, drill-down."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from models.core.access import can_see_agency
from models.core.db import db
from models.org.agencies import Agency, agency_code_is, qualified_agency_code
from models.plans.entities import Item, Plan, Section
from models.tasks import stats
from models.tasks.entities import Task, TaskStatus
from models.tasks.listing import PAGE_SIZES, SORTS, TaskListFilter, list_query, page_of
from models.tasks.overview import overview, scorecard
from models.tasks.periods import Category, period_of
from webapp.clock import today
from webapp.dashboard import bp
from webapp.dashboard.cells import figure_cells
from webapp.dashboard.chart import BAR_WIDTH, LABEL_WIDTH, bars
from webapp.dashboard.periods import (
    SORT_LABELS,
    category_label,
    chosen_period,
    period_args,
    period_choices,
    period_label,
)
from webapp.guards import roles_required
from webapp.templating import current_locale_name

READERS = ("coordinator", "inspector", "viewer", "admin")
CHART_ROWS = 20
AGENCY_PAGE = 25


def _plans():
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    code = request.args.get("plan") or (plans[0].code if plans else None)
    return plans, next((p for p in plans if p.code == code), None)


def _years(plans) -> tuple[int | None, int | None]:
    """The years the plans run over, for the period choices (the plans already loaded)."""
    starts = [p.starts_on for p in plans if p.starts_on]
    ends = [p.ends_on for p in plans if p.ends_on]
    return (min(starts).year if starts else None, max(ends).year if ends else None)


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else default


@bp.get("/")
@roles_required(*READERS)
def index():
    """The five categories of the period's tasks, agency by agency and section by section."""
    plans, plan = _plans()
    day = today()
    period = chosen_period(request.args, day)
    section, item = request.args.get("section") or None, request.args.get("item") or None
    context = dict(plans=plans, plan=plan, today=day, period=period,
                   period_label=period_label(period), choices=period_choices(day, *_years(plans)),
                   categories=list(Category), category_label=category_label,
                   locale=current_locale_name(), section=section, item=item,
                   figure_cells=figure_cells,
                   this_month=period_of("month", day))
    if plan is None:
        return render_template("dashboard/index.html", **context)
    view = overview(db.session, current_user, plan, period, day, section=section, item=item)
    total = len(view.agencies)
    pages = max(1, -(-total // AGENCY_PAGE))
    number = min(max(1, _int_arg("apage", 1)), pages)
    shown = view.agencies[(number - 1) * AGENCY_PAGE: number * AGENCY_PAGE]
    drill = {"plan": plan.code, **period_args(period)}
    tasks_url = url_for("dashboard.tasks")  # built once: 20 bars link to it
    chart, height = bars([
        (a.code, c.completion_rate, c.on_time_rate,
         f"{tasks_url}?{urlencode({**drill, 'agency': a.code})}")
        for a, c in view.agencies[:CHART_ROWS]])
    return render_template(
        "dashboard/index.html", **context, view=view, agencies=shown, agency_total=total,
        agency_page=number, agency_pages=pages, drill=drill, accepted=view.accepted,
        chart=chart, chart_height=height, label_width=LABEL_WIDTH, bar_width=BAR_WIDTH)


def list_filters(args, day):
    """The drill-down's filters from the query string (shared with the exports)."""
    category = args.get("category") or None
    if category and category not in {c.value for c in Category}:
        abort(404)
    status = args.get("status") or None
    if status and status not in {s.value for s in TaskStatus}:
        abort(404)
    state = args.get("state") or "all"
    if state not in stats.STATES:
        abort(404)
    filters = TaskListFilter(
        plan=args.get("plan") or None, section=args.get("section") or None,
        item=args.get("item") or None, agency=args.get("agency") or None,
        status=status, category=category, search=(args.get("q") or "").strip() or None,
        period=chosen_period(args, day, default=None))
    sort = args.get("sort") if args.get("sort") in SORTS else "due"
    return filters, state, sort


def drill_query(filters, state, sort, day, user=None):
    query = list_query(user or current_user, filters, day, sort)
    return query.where(stats.state_clause(state, day)) if state != "all" else query


@bp.get("/tasks")
@roles_required(*READERS)
def tasks():
    """The tasks behind a figure, with every filter combinable in the form, a page at a time."""
    day = today()
    filters, state, sort = list_filters(request.args, day)
    size = _int_arg("size", 50)
    query = drill_query(filters, state, sort, day).options(selectinload(Task.item),
                                                           selectinload(Task.agency))
    page = page_of(db.session, query, _int_arg("page", 1), size)
    plans, _plan = _plans()
    plan = next((p for p in plans if p.code == filters.plan), None)
    agencies = db.session.execute(sa.select(qualified_agency_code().label("code"),
                                            Agency.name_vi, Agency.name_en)
                                  .order_by(Agency.name_vi)).all()
    sections = items = []
    if plan is not None:
        sections = db.session.scalars(sa.select(Section).where(Section.plan_id == plan.id)
                                      .order_by(Section.position, Section.id)).all()
        items = db.session.scalars(sa.select(Item).where(Item.plan_id == plan.id)
                                   .order_by(Item.position)).all()
    args = {k: v for k, v in request.args.items() if k not in ("page",) and v}
    en = current_locale_name() == "en"
    agency_name = next(((en and name_en) or name_vi for code, name_vi, name_en in agencies
                        if code == filters.agency), filters.agency)
    return render_template(
        "dashboard/tasks.html", page=page, state=state, filters=filters, sort=sort, today=day,
        plans=plans, plan=plan, agencies=agencies, sections=sections, items=items,
        statuses=[s.value for s in TaskStatus], categories=list(Category),
        category_label=category_label, sorts=SORT_LABELS, sizes=PAGE_SIZES, args=args,
        agency_name=agency_name,
        choices=period_choices(day, *_years(plans)), period=filters.period,
        period_label=period_label(filters.period), locale=current_locale_name())


@bp.get("/agency/<code>")
@roles_required(*READERS, "officer")
def agency_card(code: str):
    """One agency's scorecard for a period: the five categories, month by month, open actions."""
    agency = db.session.scalar(sa.select(Agency).where(agency_code_is(code)))
    if agency is None or not can_see_agency(current_user, agency.id):
        abort(404)
    day = today()
    period = chosen_period(request.args, day, default="year")
    plans, plan = _plans()
    card = scorecard(db.session, current_user, agency, period, day,
                     plan.code if plan else None)
    return render_template(
        "dashboard/scorecard.html", card=card, plan=plan, plans=plans, today=day,
        period=period, period_label=period_label(period), categories=list(Category),
        category_label=category_label, choices=period_choices(day, *_years(plans)),
        locale=current_locale_name(), drill={"plan": plan.code if plan else "",
                                             "agency": agency.code, **period_args(period)})
