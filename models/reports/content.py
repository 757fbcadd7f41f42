"""The consolidated period report: the data of one plan over one period, pure of layout.

Every number comes from `models.tasks.periods` (`counts_by`, `classify`), the same rules as the
dashboard's period view, so the report and the dashboard agree for the same period and day. The
sentences are facts from the data joined by neutral phrases: nothing is said about the substance
of the agencies' work beyond what they wrote themselves (quoted, with their name and date).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.core.access import agency_filter
from models.core.errors import N_, NotFound
from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item, ItemKind, ItemParty, Plan
from models.reports.issuer import Issuer, issuer_of
from models.reports.oversight import OversightPart, oversight_of
from models.reports.wording import (
    CATEGORY_VI,
    DRAFT_MARK,
    day,
    local_day,
    names,
    percent,
    plan_reference,
)
from models.tasks.entities import OPEN_STATUSES, Task
from models.tasks.periods import Category, CategoryCounts, ReportPeriod, classify, counts_by
from models.tasks.periods import total as total_of

REPORT_KINDS = (ItemKind.RECURRING_REPORT, ItemKind.ON_REQUEST_REPORT)
NOTE_ACTIONS = ("submit", "nil_return")


class PlanNotFound(NotFound):
    code = "report.plan_not_found"
    message = N_("There is no plan %(plan)s.")


@dataclass
class AgencyRow:
    """One row of the table of the five categories."""

    number: int
    code: str
    name: str
    counts: CategoryCounts

    @property
    def on_time_rate(self) -> str:
        return percent(self.counts.on_time_rate)


@dataclass
class TaskLine:
    """One task in an agency's appendix table."""

    item: str
    due_on: str
    submitted_on: str
    state: str


@dataclass
class AgencyAppendix:
    number: int
    code: str
    name: str
    lines: list[TaskLine]


@dataclass
class NoteGroup:
    """The agencies' own notes under the plan section they belong to."""

    heading: str
    quotes: list[str]


@dataclass
class PeriodReport:
    plan_code: str
    period: ReportPeriod
    as_of: date
    issuer: Issuer
    subject: str
    intro: str
    rows: list[AgencyRow]
    total: CategoryCounts
    summary: list[str]
    not_reported: list[str]
    late: list[str]
    nil_returns: list[str]
    oversight: OversightPart
    notes: list[NoteGroup]
    closing: str
    recipients: list[str]
    appendix: list[AgencyAppendix] = field(default_factory=list)

    def context(self) -> dict:
        """The names the template uses ({{ issuer.header_name }}, {%tr for r in rows %}, …)."""
        return {
            "draft_mark": DRAFT_MARK, "issuer": self.issuer,
            "number": self.issuer.number("BC"),
            "date_line": f"{self.issuer.place}, ngày     tháng     năm {self.as_of.year}",
            "kind": "BÁO CÁO", "subject": self.subject, "intro": self.intro,
            "period_label": self.period.label(), "as_of": day(self.as_of),
            "rows": self.rows, "total": self.total,
            "total_on_time_rate": percent(self.total.on_time_rate),
            "summary": self.summary, "not_reported": self.not_reported or ["Không có."],
            "late": self.late or ["Không có."], "nil_returns": self.nil_returns or ["Không có."],
            "oversight": self.oversight, "notes": self.notes,
            "no_notes": [] if self.notes else ["Không có ý kiến kèm theo báo cáo trong kỳ."],
            "closing": self.closing, "recipients": self.recipients, "appendix": self.appendix,
        }


def _plan(session: Session, code: str) -> Plan:
    plan = session.scalar(sa.select(Plan).where(Plan.code == code))
    if plan is None:
        raise PlanNotFound(plan=code)
    return plan


def recipients_of(session: Session, plan: Plan, body: Agency, issuer: Issuer) -> list[str]:
    """Whom the body reports to under the plan (its items' `reports_to`), then its archive."""
    led = session.scalars(
        sa.select(Item).join(ItemParty, ItemParty.item_id == Item.id)
        .where(Item.plan_id == plan.id, ItemParty.role == "lead", ItemParty.agency_id == body.id)
        .order_by(Item.position)).all()
    codes: list[str] = []
    # the periodic reports' recipients first (their order is the plan's), then the others'
    led = sorted(led, key=lambda i: i.kind != ItemKind.RECURRING_REPORT)
    for item in led:
        codes += [c for c in item.reports_to or [] if c != body.code and c not in codes]
    if not codes and plan.issuer is not None and plan.issuer.code != body.code:
        codes = [plan.issuer.code]
    found = {a.code: a for a in session.scalars(sa.select(Agency).where(
        Agency.code.in_(codes), Agency.namespace == body.namespace))}
    lines = [f"- {found[c].name_vi} (để báo cáo)," for c in codes if c in found]
    return [*lines, f"- {issuer.archive}."]


def _tasks(session: Session, user: User, plan: Plan, period: ReportPeriod) -> list[Task]:
    return list(session.scalars(
        sa.select(Task).join(Item, Task.item_id == Item.id)
        .where(Item.plan_id == plan.id, period.clause(), agency_filter(user, Task.agency_id))
        .options(selectinload(Task.item).selectinload(Item.section), selectinload(Task.agency),
                 selectinload(Task.updates))
        .order_by(Task.due_on, Item.position, Task.id)).all())


def _summary(label: str, as_of: date, rows: list[AgencyRow], total: CategoryCounts) -> list[str]:
    lines = [
        f"Trong {label}, các cơ quan, đơn vị có {total.total} nhiệm vụ theo Kế hoạch có hạn "
        f"hoàn thành trong kỳ (số liệu tính đến ngày {day(as_of)}), trong đó: "
        f"{total.done_on_time} nhiệm vụ hoàn thành đúng hạn; {total.done_late} nhiệm vụ hoàn "
        f"thành quá hạn; {total.in_progress} nhiệm vụ đang thực hiện trong hạn; {total.overdue} "
        f"nhiệm vụ quá hạn chưa hoàn thành; {total.not_due} nhiệm vụ chưa đến hạn."]
    due = [r for r in rows if r.counts.due]
    on_time = [r for r in due if r.counts.done_on_time == r.counts.due]
    if due:
        text = (f"Trong {label}, có {len(on_time)}/{len(due)} cơ quan, đơn vị hoàn thành đúng "
                f"hạn toàn bộ nhiệm vụ đã đến hạn")
        lines.append(text + (f": {names([r.name for r in on_time])}." if on_time else "."))
        lines.append(f"Tỷ lệ hoàn thành: {percent(total.completion_rate)}; tỷ lệ hoàn thành "
                     f"đúng hạn: {percent(total.on_time_rate)} (tính trên {total.due} nhiệm vụ "
                     f"đã đến hạn).")
    else:
        lines.append(f"Trong {label}, chưa có nhiệm vụ nào đến hạn.")
    for attr, words in (("done_late", "có nhiệm vụ hoàn thành quá hạn"),
                        ("overdue", "có nhiệm vụ quá hạn chưa hoàn thành")):
        hit = [r for r in rows if getattr(r.counts, attr)]
        if hit:
            lines.append(f"Có {len(hit)} cơ quan, đơn vị {words}: "
                         f"{names([f'{r.name} ({getattr(r.counts, attr)})' for r in hit])}.")
    return lines


def _returns(tasks: list[Task], as_of: date, tz: str) -> tuple[list, list, list]:
    """The agencies that have not reported, the late returns and the nil returns."""
    missing, late, nil = [], [], []
    open_ = {s.value for s in OPEN_STATUSES}
    for t in sorted(tasks, key=lambda t: (t.agency.code, t.due_on, t.item.position)):
        who, what = t.agency.name_vi, t.item.title_vi
        if t.status in open_ and t.item.kind in REPORT_KINDS:
            missing.append(f"- {who}: {what} (hạn {day(t.due_on)}; "
                           f"{CATEGORY_VI[classify(t, as_of)]}).")
        elif t.status not in open_ and t.late:
            late.append(f"- {who}: {what} (hạn {day(t.due_on)}, gửi ngày "
                        f"{local_day(t.submitted_at, tz)}).")
        if t.status not in open_ and t.nil_return:
            nil.append(f"- {who}: {what} (gửi ngày {local_day(t.submitted_at, tz)}).")
    return missing, late, nil


def _notes(tasks: list[Task], tz: str) -> list[NoteGroup]:
    groups: dict = defaultdict(list)
    for t in tasks:
        for u in t.updates:
            if u.action in NOTE_ACTIONS and u.note.strip():
                quote = (f"{t.agency.name_vi} ({t.item.title_vi}, ngày {local_day(u.at, tz)}): "
                         f"“{u.note.strip()}”")
                groups[t.item.section].append((u.at, quote))
    ordered = sorted(groups, key=lambda s: s.position)
    return [NoteGroup(f"Mục {s.code}. {s.title_vi}", [q for _, q in sorted(groups[s])])
            for s in ordered]


def _appendix(tasks: list[Task], rows: list[AgencyRow], as_of: date, tz: str):
    by_agency: dict[str, list[TaskLine]] = defaultdict(list)
    for t in tasks:
        state = CATEGORY_VI[classify(t, as_of)]
        if t.nil_return and classify(t, as_of) in (Category.DONE_ON_TIME, Category.DONE_LATE):
            state += " (không có nội dung phát sinh)"
        by_agency[t.agency.code].append(TaskLine(
            f"{t.item.code}. {t.item.title_vi}", day(t.due_on),
            local_day(t.submitted_at, tz) if t.submitted_at else "", state))
    return [AgencyAppendix(r.number, r.code, r.name, by_agency[r.code]) for r in rows]


def period_report(session: Session, user: User, plan_code: str, period: ReportPeriod,
                  as_of: date, *, signer: str = "", place: str = "") -> PeriodReport:
    """Gather the report of `plan_code` for `period`, judged on `as_of`, as `user` sees it."""
    plan = _plan(session, plan_code)
    body = plan.coordinator or plan.issuer
    if body is None:
        raise PlanNotFound(plan=plan_code)
    issuer = issuer_of(body, signer=signer, place=place)
    tz = plan.timezone
    counts = counts_by(session, user, period, as_of, plan_code=plan.code)
    agencies = {a.id: a for a in session.scalars(
        sa.select(Agency).where(Agency.id.in_([k[0] for k in counts])))}
    ordered = sorted(counts, key=lambda k: agencies[k[0]].code)
    rows = [AgencyRow(i, agencies[k[0]].code, agencies[k[0]].name_vi, counts[k])
            for i, k in enumerate(ordered, start=1)]
    total = total_of(counts)
    tasks = _tasks(session, user, plan, period)
    missing, late, nil = _returns(tasks, as_of, tz)
    label = period.label()
    return PeriodReport(
        plan_code=plan.code, period=period, as_of=as_of, issuer=issuer,
        subject=f"kết quả thực hiện Kế hoạch số {plan.code} {label}",
        intro=(f"Thực hiện {plan_reference(plan)}, {issuer.name} báo cáo kết quả thực hiện "
               f"{label} như sau:"),
        rows=rows, total=total, summary=_summary(label, as_of, rows, total),
        not_reported=missing, late=late, nil_returns=nil,
        oversight=oversight_of(session, user, plan, period, as_of),
        notes=_notes(tasks, tz),
        closing=(f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {plan.code} {label} của "
                 f"{issuer.name}./."),
        recipients=recipients_of(session, plan, body, issuer),
        appendix=_appendix(tasks, rows, as_of, tz),
    )
