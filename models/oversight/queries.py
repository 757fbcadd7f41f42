"""Read side of inspections: desk, oversight, timeline, tiles, annual plan, filtered lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.core.access import agency_filter, can_see_agency, sees_all_agencies
from models.core.attachments import Attachment
from models.core.audit import AuditEvent
from models.core.clock import DEFAULT_TZ, local_today
from models.org.agencies import Agency, agency_code_is
from models.org.errors import AgencyNotFound
from models.org.users import User
from models.oversight.entities import (
    ActionStatus,
    CorrectiveAction,
    CorrectiveActionUpdate,
    Finding,
    Inspection,
    InspectionStatus,
    Severity,
    inspection_agency,
)
from models.oversight.errors import InspectionNotFound
from models.oversight.inspections import can_see_inspection
from models.plans.calendar_days import load_calendar
from models.plans.entities import Item, ItemKind
from models.tasks.entities import Task


@dataclass
class Desk:
    """What an inspector has to act on."""

    open_inspections: list[Inspection]
    findings_without_actions: list[Finding]
    awaiting_verification: list[CorrectiveAction]
    overdue: list[CorrectiveAction]


def _visible_inspections(user: User):
    """A WHERE clause: staff see every inspection, an officer those of their agency."""
    if sees_all_agencies(user):
        return sa.true()
    return Inspection.id.in_(sa.select(inspection_agency.c.inspection_id).where(
        inspection_agency.c.agency_id == user.agency_id))


def visible_findings(session: Session, user: User, *, inspection: Inspection | None = None,
                     awaiting_action: bool = False) -> list[Finding]:
    """The findings this user may see (an officer: their agency's), oldest first.

    `inspection` keeps one inspection's; `awaiting_action` those that call for a corrective
    action and have none yet (an observation calls for none).
    """
    query = sa.select(Finding).where(agency_filter(user, Finding.agency_id))
    if inspection is not None:
        query = query.where(Finding.inspection_id == inspection.id)
    if awaiting_action:
        query = query.where(Finding.severity != Severity.OBSERVATION,
                            ~sa.exists().where(CorrectiveAction.finding_id == Finding.id))
    return list(session.scalars(query.order_by(Finding.created_at, Finding.id)))


def inspector_desk(session: Session, user: User, today: date) -> Desk:
    """Open inspections, findings still without an action, actions to verify, overdue actions."""
    inspections = session.scalars(
        sa.select(Inspection).where(Inspection.status != InspectionStatus.CONCLUDED,
                                    _visible_inspections(user))
        .order_by(Inspection.planned_on, Inspection.id)).all()
    findings = visible_findings(session, user, awaiting_action=True)
    base = sa.select(CorrectiveAction).where(agency_filter(user, CorrectiveAction.agency_id))
    awaiting = session.scalars(base.where(CorrectiveAction.status == ActionStatus.SUBMITTED)
                               .order_by(CorrectiveAction.submitted_at)).all()
    overdue = session.scalars(base.where(CorrectiveAction.overdue_clause(today))
                              .order_by(CorrectiveAction.due_on, CorrectiveAction.id)).all()
    return Desk(list(inspections), findings, list(awaiting), list(overdue))


def action_tiles(session: Session, user: User, today: date) -> dict[str, int]:
    """Dashboard counts: overdue corrective actions and those awaiting verification."""
    seen = agency_filter(user, CorrectiveAction.agency_id)
    overdue, awaiting = session.execute(  # one pass, one round trip: every page shows them
        sa.select(sa.func.count().filter(CorrectiveAction.overdue_clause(today)),
                  sa.func.count().filter(CorrectiveAction.status == ActionStatus.SUBMITTED))
        .select_from(CorrectiveAction).where(seen)).one()
    return {"overdue_actions": overdue or 0, "awaiting_verification": awaiting or 0}


def agency_actions(session: Session, user: User, *, open_only: bool = True
                   ) -> list[CorrectiveAction]:
    """The corrective actions an officer's workspace lists (all visible ones for staff)."""
    query = sa.select(CorrectiveAction).where(agency_filter(user, CorrectiveAction.agency_id))
    if open_only:
        query = query.where(CorrectiveAction.status != ActionStatus.VERIFIED)
    return list(session.scalars(query.order_by(CorrectiveAction.due_on, CorrectiveAction.id)))


@dataclass
class ClosedAction:
    action: CorrectiveAction
    days: int  # calendar days from issue to verification
    working_days: int


@dataclass
class Oversight:
    """Everything inspections found at one agency, and how its fixes went."""

    agency: Agency
    findings: list[Finding]
    open_actions: list[CorrectiveAction]
    closed_actions: list[ClosedAction]
    overdue_ids: set[int] = field(default_factory=set)


def agency_oversight(session: Session, user: User, agency_id: int, today: date,
                     tz: str = DEFAULT_TZ) -> Oversight:
    """All findings and corrective actions of one agency, open against closed."""
    agency = session.get(Agency, agency_id)
    if agency is None or not can_see_agency(user, agency_id):
        raise AgencyNotFound(agency_id=agency_id)
    findings = session.scalars(
        sa.select(Finding).where(Finding.agency_id == agency_id)
        .options(selectinload(Finding.inspection)).order_by(Finding.created_at, Finding.id)).all()
    actions = session.scalars(
        sa.select(CorrectiveAction).where(CorrectiveAction.agency_id == agency_id)
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)).all()
    calendar = load_calendar(session)
    open_, closed = [], []
    for action in actions:
        if action.status != ActionStatus.VERIFIED:
            open_.append(action)
            continue
        start = local_today(action.created_at, tz)
        end = local_today(action.verified_at, tz)
        closed.append(ClosedAction(action, (end - start).days,
                                   calendar.working_days_between(start, end)))
    overdue = {a.id for a in open_ if a.is_overdue(today)}
    return Oversight(agency, list(findings), open_, closed, overdue)


@dataclass
class TimelineEntry:
    """One step in an inspection's history, as the inspection page shows it."""

    at: datetime
    actor: str
    action: str  # the audit action, e.g. corrective_action.reopen
    entity_type: str
    entity_id: int | None
    from_status: str | None
    to_status: str | None
    note: str


def _note(after: dict | None) -> str:
    after = after or {}
    for key in ("note", "reason", "conclusion", "text", "description", "filename"):
        if after.get(key):
            return str(after[key])
    return ""


def inspection_timeline(session: Session, user: User, inspection: Inspection
                        ) -> list[TimelineEntry]:
    """Every audited change to the inspection, its findings, actions and files, in order."""
    if not can_see_inspection(user, inspection):
        raise InspectionNotFound(inspection_id=inspection.id)
    finding_ids = [f.id for f in visible_findings(session, user, inspection=inspection)]
    action_ids = list(session.scalars(sa.select(CorrectiveAction.id).where(
        CorrectiveAction.finding_id.in_(finding_ids)))) if finding_ids else []
    update_ids = sa.select(CorrectiveActionUpdate.id).where(
        CorrectiveActionUpdate.action_id.in_(action_ids))
    owners = [sa.and_(Attachment.owner_type == "finding", Attachment.owner_id.in_(finding_ids)),
              sa.and_(Attachment.owner_type == "corrective_action_update",
                      Attachment.owner_id.in_(update_ids))]
    if sees_all_agencies(user):
        owners.append(sa.and_(Attachment.owner_type == "inspection",
                              Attachment.owner_id == inspection.id))
    attachment_ids = list(session.scalars(sa.select(Attachment.id).where(sa.or_(*owners))))

    def of(kind: str, ids: list[int]):
        return sa.and_(AuditEvent.entity_type == kind,
                       AuditEvent.entity_id.in_([str(i) for i in ids]))

    events = session.scalars(sa.select(AuditEvent).where(sa.or_(
        of("inspection", [inspection.id]), of("finding", finding_ids),
        of("corrective_action", action_ids), of("attachment", attachment_ids)))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    return [TimelineEntry(
        at=e.at, actor=e.actor_label, action=e.action, entity_type=e.entity_type,
        entity_id=int(e.entity_id) if e.entity_id else None,
        from_status=(e.before or {}).get("status"), to_status=(e.after or {}).get("status"),
        note=_note(e.after)) for e in events]


@dataclass
class AnnualRow:
    """One agency in the year's inspection plan."""

    agency: Agency
    planned: list[Inspection]  # planned this year, not started yet
    inspected: list[Inspection]  # started or concluded this year

    @property
    def state(self) -> str:
        """inspected (an inspection concluded), in_progress (started, none concluded yet),
        planned or not_planned."""
        if any(i.status == InspectionStatus.CONCLUDED for i in self.inspected):
            return "inspected"
        if self.inspected:
            return "in_progress"
        return "planned" if self.planned else "not_planned"


def annual_inspection_plan(session: Session, year: int) -> list[AnnualRow]:
    """Agencies with work under a plan (or inspected): planned, inspected, not yet inspected."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    in_year = sa.or_(
        sa.and_(Inspection.status == InspectionStatus.PLANNED,
                Inspection.planned_on.between(first, last)),
        Inspection.started_on.between(first, last))
    inspections = session.scalars(sa.select(Inspection).where(in_year)
                                  .options(selectinload(Inspection.agencies))
                                  .order_by(Inspection.planned_on, Inspection.id)).all()
    rows: dict[int, AnnualRow] = {}
    owning = sa.select(Task.agency_id).distinct()
    for agency in session.scalars(sa.select(Agency).where(Agency.id.in_(owning))):
        rows[agency.id] = AnnualRow(agency, [], [])
    for inspection in inspections:
        for agency in inspection.agencies:
            row = rows.setdefault(agency.id, AnnualRow(agency, [], []))
            started = inspection.status != InspectionStatus.PLANNED
            (row.inspected if started else row.planned).append(inspection)
    order = {"not_planned": 0, "planned": 1, "in_progress": 2, "inspected": 3}
    return sorted(rows.values(), key=lambda r: (order[r.state], r.agency.code))


def annual_duty_coverage(session: Session, year: int) -> dict[Item, list[Inspection]]:
    """Annual-duty items and the inspections concluded this year that cover them."""
    duties = session.scalars(sa.select(Item).where(Item.kind == ItemKind.ANNUAL_DUTY,
                                                   Item.active)
                             .order_by(Item.plan_id, Item.position)).all()
    concluded = session.scalars(sa.select(Inspection).where(
        Inspection.status == InspectionStatus.CONCLUDED,
        Inspection.concluded_on.between(date(year, 1, 1), date(year, 12, 31)))).all()
    out: dict[Item, list[Inspection]] = {}
    for item in duties:
        out[item] = [i for i in concluded
                     if item.id in {x.id for x in i.items}
                     or item.section_id in {s.id for s in i.sections}]
    return out


@dataclass
class InspectionFilter:
    status: str | None = None
    agency: str | None = None  # agency code
    year: int | None = None  # of the planned date


def _inspection_query(user: User, f: InspectionFilter):
    query = sa.select(Inspection).where(_visible_inspections(user))
    if f.status:
        query = query.where(Inspection.status == f.status)
    if f.agency:
        query = query.where(Inspection.id.in_(
            sa.select(inspection_agency.c.inspection_id).join(
                Agency, Agency.id == inspection_agency.c.agency_id).where(
                agency_code_is(f.agency))))
    if f.year:
        query = query.where(Inspection.planned_on.between(date(f.year, 1, 1),
                                                          date(f.year, 12, 31)))
    return query


def list_inspections(session: Session, user: User, f: InspectionFilter, *, limit: int,
                     offset: int) -> tuple[list[Inspection], int]:
    """A page of the inspections the user may see, newest plan date first, and the total."""
    query = _inspection_query(user, f)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Inspection.planned_on.desc(), Inspection.id.desc())
                           .limit(limit).offset(offset)).all()
    return list(rows), total or 0


@dataclass
class ActionFilter:
    agency: str | None = None  # agency code
    status: str | None = None
    overdue: bool | None = None


def list_actions(session: Session, user: User, f: ActionFilter, today: date, *, limit: int,
                 offset: int) -> tuple[list[CorrectiveAction], int]:
    """A page of the corrective actions the user may see, soonest due first, and the total."""
    query = sa.select(CorrectiveAction).where(agency_filter(user, CorrectiveAction.agency_id))
    if f.agency:
        query = query.where(CorrectiveAction.agency_id.in_(
            sa.select(Agency.id).where(agency_code_is(f.agency))))
    if f.status:
        query = query.where(CorrectiveAction.status == f.status)
    if f.overdue is not None:
        overdue = CorrectiveAction.overdue_clause(today)
        query = query.where(overdue if f.overdue else sa.not_(overdue))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(CorrectiveAction.due_on, CorrectiveAction.id)
                           .limit(limit).offset(offset)).all()
    return list(rows), total or 0
