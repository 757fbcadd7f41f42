"""Schemas of a period's figures in the five categories."""

import marshmallow as ma

from webapp.api.core import Strict, code
from webapp.api.tasks.schemas import PeriodField

F = ma.fields


class FiguresArgsSchema(Strict):
    plan = code(required=True, metadata={"description": "plan code"})
    period = PeriodField(metadata={"description": "tasks due in this period (default: this "
                                                  "month): 2026-03, 2026-Q1, 2026-H1, 2026, "
                                                  "2026-03-01..2026-03-31"})
    section = code(metadata={"description": "only the items of this section (and below)"})
    item = code(metadata={"description": "only this item"})


class CountsSchema(ma.Schema):
    done_on_time = F.Integer(dump_only=True, metadata={"description": "hoàn thành đúng hạn"})
    done_late = F.Integer(dump_only=True, metadata={"description": "hoàn thành quá hạn"})
    in_progress = F.Integer(dump_only=True,
                            metadata={"description": "đang thực hiện trong hạn"})
    overdue = F.Integer(dump_only=True, metadata={"description": "quá hạn chưa hoàn thành"})
    not_due = F.Integer(dump_only=True, metadata={"description": "chưa đến hạn"})
    total = F.Integer(dump_only=True)
    completion_rate = F.Float(dump_only=True, allow_none=True)
    on_time_rate = F.Float(dump_only=True, allow_none=True)


class AgencyFiguresSchema(CountsSchema):
    agency = F.String(dump_only=True)
    name_vi = F.String(dump_only=True)


class FiguresSchema(ma.Schema):
    plan = F.String(dump_only=True)
    period = F.String(dump_only=True)
    period_start = F.Date(dump_only=True)
    period_end = F.Date(dump_only=True)
    as_of = F.Date(dump_only=True)
    totals = F.Nested(CountsSchema, dump_only=True)
    agencies = F.List(F.Nested(AgencyFiguresSchema), dump_only=True,
                      metadata={"description": "worst on-time rate first"})
