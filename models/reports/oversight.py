"""The findings and corrective actions of a period, and where they stand, for documents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.core.access import agency_filter
from models.core.clock import end_of_day, start_of_day
from models.org.users import User
from models.oversight.entities import (
    ActionStatus,
    CorrectiveAction,
    Finding,
    Inspection,
    Severity,
)
from models.plans.entities import Plan
from models.reports.wording import (
    ACTION_STATUS_VI,
    INSPECTION_KIND_VI,
    SEVERITY_VI,
    day,
    local_day,
)
from models.tasks.periods import ReportPeriod


@dataclass
class FindingLine:
    text: str
    actions: list[str] = field(default_factory=list)


@dataclass
class OversightPart:
    summary: list[str]
    findings: list[FindingLine]


def action_line(action: CorrectiveAction, as_of: date) -> str:
    """"Yêu cầu khắc phục: … — hạn 20/03/2026; tình trạng: đang thực hiện (quá hạn)"."""
    state = ACTION_STATUS_VI[ActionStatus(action.status)]
    if action.is_overdue(as_of):
        state += " (quá hạn)"
    due = f"hạn {day(action.due_on)}"
    if action.extended:
        due += f", đã điều chỉnh thời hạn từ {day(action.original_due_on)}"
    return f"+ Yêu cầu khắc phục ({action.agency.name_vi}): {action.description} — {due}; " \
           f"tình trạng đến ngày {day(as_of)}: {state}."


def finding_line(finding: Finding, tz: str, *, with_inspection: bool = True) -> str:
    inspection = finding.inspection
    where = (f"; {INSPECTION_KIND_VI.get(inspection.kind, inspection.kind)} "
             f"“{inspection.title}”" if with_inspection else "")
    return (f"- {finding.agency.name_vi}: {finding.text} "
            f"({SEVERITY_VI[Severity(finding.severity)]}{where}, ngày "
            f"{local_day(finding.created_at, tz)}).")


def status_sentence(actions: list[CorrectiveAction], as_of: date) -> str:
    counts = Counter(a.status for a in actions)
    overdue = sum(1 for a in actions if a.is_overdue(as_of))
    parts = [f"{counts[s.value]} yêu cầu {ACTION_STATUS_VI[s]}" for s in
             (ActionStatus.VERIFIED, ActionStatus.SUBMITTED, ActionStatus.IN_PROGRESS,
              ActionStatus.OPEN, ActionStatus.REOPENED) if counts[s.value]]
    late = f"trong đó {overdue} yêu cầu quá hạn" if overdue else "không có yêu cầu quá hạn"
    return f"Tình hình khắc phục đến ngày {day(as_of)}: {'; '.join(parts)}; {late}."


def oversight_of(session: Session, user: User, plan: Plan, period: ReportPeriod,
                 as_of: date) -> OversightPart:
    """Findings logged in the period and actions raised or due in it, for the plan's inspections."""
    tz = plan.timezone
    start, end = start_of_day(period.start, tz), end_of_day(period.end, tz)
    of_plan = Finding.inspection_id.in_(
        sa.select(Inspection.id).where(Inspection.plan_id == plan.id))
    findings = session.scalars(
        sa.select(Finding).where(of_plan, agency_filter(user, Finding.agency_id),
                                 Finding.created_at >= start, Finding.created_at < end)
        .options(selectinload(Finding.actions), selectinload(Finding.inspection))
        .order_by(Finding.created_at, Finding.id)).all()
    ids = {f.id for f in findings}
    due_here = session.scalars(
        sa.select(CorrectiveAction).join(Finding, CorrectiveAction.finding_id == Finding.id)
        .where(of_plan, agency_filter(user, CorrectiveAction.agency_id),
               CorrectiveAction.due_on.between(period.start, period.end))
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)).all()
    earlier = [a for a in due_here if a.finding_id not in ids]
    label = period.label()
    actions = [a for f in findings for a in f.actions] + earlier
    if not findings and not earlier:
        return OversightPart(
            [f"Trong {label}, chưa có nội dung phát hiện qua kiểm tra, giám sát đối với việc thực "
             f"hiện Kế hoạch được cập nhật."], [])
    severities = Counter(f.severity for f in findings)
    inspections = {f.inspection_id for f in findings}
    summary = [f"Trong {label}, qua {len(inspections)} cuộc kiểm tra, giám sát đã ghi nhận "
               f"{len(findings)} nội dung phát hiện ("
               + "; ".join(f"{severities[s.value]} {SEVERITY_VI[s]}" for s in
                           (Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION)
                           if severities[s.value])
               + f") và {sum(len(f.actions) for f in findings)} yêu cầu khắc phục."]
    if earlier:
        summary.append(f"Có {len(earlier)} yêu cầu khắc phục từ các kỳ trước có hạn trong kỳ.")
    if actions:
        summary.append(status_sentence(actions, as_of))
    lines = [FindingLine(finding_line(f, tz), [action_line(a, as_of) for a in f.actions])
             for f in findings]
    for a in earlier:
        lines.append(FindingLine(finding_line(a.finding, tz), [action_line(a, as_of)]))
    return OversightPart(summary, lines)
