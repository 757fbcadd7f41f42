"""Exports of the lists and overviews with the filters on screen: XLSX and CSV, streamed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.access import can_see_agency, sees_all_agencies
from models.core.db import db
from models.org.agencies import Agency, agency_code_is
from models.tasks.exports import Column, Table, csv_chunks, xlsx_chunks
from models.tasks.listing import export_query
from models.tasks.overview import overview, scorecard
from models.tasks.periods import DONE, Category
from models.tasks.queries import TaskFilter
from webapp import labels
from webapp.clock import now, today
from webapp.dashboard.periods import category_label, chosen_period, period_label
from webapp.dashboard.routes import READERS, _plans, list_filters
from webapp.exports import bp
from webapp.guards import roles_required
from webapp.templating import current_locale_name, ddmmyyyy

FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks),
}
STREAM_ROWS = 1000


def _stream(query):
    """Rows fetched a batch at a time once the response starts (a server-side cursor)."""
    result = db.session.execute(query.execution_options(yield_per=STREAM_ROWS))
    try:
        yield from result
    finally:
        result.close()


def _send(table: Table, fmt: str, name: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    mimetype, chunks = FORMATS[fmt]
    stamp = today().strftime("%Y%m%d")
    return Response(stream_with_context(chunks(table)), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"',
        "Cache-Control": "no-store"})


def _heading(period, **filters) -> list[tuple[str, str]]:
    lines = [(_("Report period"), period_label(period))]
    names = {"plan": _("Plan"), "section": _("Section"), "item": _("Item"),
             "agency": _("Agency"), "category": _("Category"), "status": _("Status"),
             "search": _("Search")}
    for key, value in filters.items():
        if value:
            lines.append((names[key], value))
    lines.append((_("As of"), ddmmyyyy(today())))
    lines.append((_("Exported"), ddmmyyyy(now())))
    return lines


def _task_columns(extra: list[Column] = ()) -> list[Column]:
    """The columns of a task list's export (the drill-down's and the workspace's)."""
    statuses = {k: str(v) for k, v in labels.STATUS.items()}
    cats = {c.value: category_label(c) for c in Category}  # translated before streaming
    late = _("late")
    return [
        Column(_("No."), 8, "int"), Column(_("Plan"), 12), Column(_("Section"), 9),
        Column(_("Item"), 12), Column(_("Item title"), 50), Column(_("Agency code"), 14),
        Column(_("Agency"), 40), Column(_("Period start"), 12, "date"),
        Column(_("Period end"), 12, "date"), Column(_("Due"), 12, "date"),
        Column(_("Status"), 16, value=lambda r: statuses.get(r.status, r.status)),
        Column(_("Category"), 26, value=lambda r: cats.get(r.category, "")),
        Column(_("Submitted"), 17, "datetime"),
        Column(_("Late"), 6, value=lambda r: late if r.late else ""),
        *extra,
    ]


@bp.get("/tasks.<fmt>")
@roles_required(*READERS)
def tasks(fmt: str):
    """The drill-down list with its filters, every row (no page limit)."""
    day = today()
    filters, state, sort = list_filters(request.args, day)
    from models.tasks import stats

    query = export_query(current_user, filters, day, sort, current_locale_name())
    if state != "all":
        query = query.where(stats.state_clause(state, day))
    statuses = {k: str(v) for k, v in labels.STATUS.items()}
    table = Table(title=_("Tasks"), columns=_task_columns(), rows=_stream(query),
                  heading=_heading(
        filters.period, plan=filters.plan, section=filters.section, item=filters.item,
        agency=filters.agency, category=category_label(filters.category)
        if filters.category else None,
        status=statuses.get(filters.status) if filters.status else None,
        search=filters.search))
    return _send(table, fmt, "tasks")


@bp.get("/workspace.<fmt>")
@login_required
def workspace(fmt: str):
    """The workspace's tasks (an officer's own agency's; staff: the agency chosen), every row of
    every group, with the group each row is shown in on the page."""
    day = today()
    agency = (request.args.get("agency") or None) if sees_all_agencies(current_user) else None
    filters = TaskFilter(plan=request.args.get("plan") or None,
                         section=request.args.get("section") or None, agency=agency)
    query = export_query(current_user, filters, day, "due", current_locale_name())
    # the workspace page's groups (webapp/workspace/routes.py `_groups`: 7 days is "soon")
    groups = {"overdue": _("Overdue"), "soon": _("Due in the next 7 days"),
              "upcoming": _("Upcoming"), "done": _("Done")}
    soon = day + timedelta(days=7)

    def group(row) -> str:
        if row.status in DONE:
            return groups["done"]
        if row.due_on < day:
            return groups["overdue"]
        return groups["soon"] if row.due_on <= soon else groups["upcoming"]

    own = current_user.agency.name(current_locale_name()) if (
        current_user.agency is not None and not sees_all_agencies(current_user)) else agency
    table = Table(title=_("Tasks"), columns=_task_columns([Column(_("Group"), 24, value=group)]),
                  rows=_stream(query), heading=_heading(
                      None, plan=filters.plan, section=filters.section, agency=own))
    return _send(table, fmt, "workspace")


def _overview_table(title: str, label_columns: list[Column], rows, period, **filters) -> Table:
    counts = [Column(_("Tasks"), 9, "int", value=lambda r: r[-1].total)]
    for c in Category:
        counts.append(Column(category_label(c), 16, "int",
                             value=lambda r, c=c: getattr(r[-1], c.value)))
    counts += [Column(_("Completion"), 12, "percent", value=lambda r: r[-1].completion_rate),
               Column(_("On-time rate"), 12, "percent", value=lambda r: r[-1].on_time_rate)]
    return Table(title=title, columns=label_columns + counts, rows=rows,
                 heading=_heading(period, **filters))


@bp.get("/agencies.<fmt>")
@roles_required(*READERS)
def agencies(fmt: str):
    """The dashboard's agency table for the period, every agency, worst first."""
    _all, plan = _plans()
    if plan is None:
        abort(404)
    day = today()
    period = chosen_period(request.args, day)
    section, item = request.args.get("section") or None, request.args.get("item") or None
    view = overview(db.session, current_user, plan, period, day, section=section, item=item)
    loc = current_locale_name()
    rows = [(a.code, a.name(loc), c) for a, c in view.agencies]
    table = _overview_table(_("By agency"), [Column(_("Agency code"), 14),
                                             Column(_("Agency"), 45)], rows, period,
                            plan=plan.code, section=section, item=item)
    return _send(table, fmt, "agencies")


@bp.get("/sections.<fmt>")
@roles_required(*READERS)
def sections(fmt: str):
    """The dashboard's section → item table for the period."""
    _all, plan = _plans()
    if plan is None:
        abort(404)
    day = today()
    period = chosen_period(request.args, day)
    view = overview(db.session, current_user, plan, period, day)
    loc = current_locale_name()
    rows = []
    for row in view.sections:
        rows.append((row.section.code, row.section.title(loc), row.counts))
        rows += [(it.code, it.title(loc), c) for it, c in row.items]
    labels_ = [Column(_("Section / item"), 12), Column(_("Section or item title"), 60)]
    table = _overview_table(_("By plan section"), labels_, rows, period, plan=plan.code)
    return _send(table, fmt, "sections")


@bp.get("/scorecard/<code>.<fmt>")
@roles_required(*READERS, "officer")
def scorecard_export(code: str, fmt: str):
    """An agency's scorecard month by month for the period (the page's table)."""
    agency = db.session.scalar(sa.select(Agency).where(agency_code_is(code)))
    if agency is None or not can_see_agency(current_user, agency.id):
        abort(404)
    _all, plan = _plans()
    day = today()
    period = chosen_period(request.args, day, default="year")
    card = scorecard(db.session, current_user, agency, period, day,
                     plan.code if plan else None)
    loc = current_locale_name()
    rows = [(m.label(loc), c) for m, c in card.months] + [(_("Total"), card.counts)]
    table = _overview_table(_("Agency scorecard"), [Column(_("Month"), 22)], rows, period,
                            plan=plan.code if plan else None, agency=agency.name(loc))
    return _send(table, fmt, f"scorecard-{code}")
