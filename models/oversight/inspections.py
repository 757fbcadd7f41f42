"""Operations on inspections and findings: checked, versioned and audited in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.access import can_see_agency, get_visible
from models.core.actors import require_user
from models.core.attachments import Attachment
from models.core.audit import record
from models.core.clock import DEFAULT_TZ, local_today
from models.core.errors import UnknownValue
from models.core.evidence import Upload, check_count, check_upload, store_evidence
from models.org.agencies import Agency
from models.org.users import Role, User
from models.oversight.entities import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Severity,
)
from models.oversight.errors import (
    ChooseAFile,
    ConclusionNeeded,
    EditFindingForbidden,
    FindingAgencyNotCovered,
    FindingEvidenceForbidden,
    FindingNeedsText,
    FindingNotFound,
    FindingsOnlyInProgress,
    InspectionActionForbidden,
    InspectionDocumentsForbidden,
    InspectionNeedsAgency,
    InspectionNeedsTitle,
    InspectionNotFound,
    InspectionTransitionNotAllowed,
    InspectorsNotStaff,
    LogFindingForbidden,
    OpenInspectionForbidden,
    ScopeAcrossPlans,
    TaskNotOfAgency,
    UnknownInScope,
    UnknownItem,
    UnknownSection,
    UnknownSeverity,
)
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task
from models.tasks.operations import check_version

# who may plan, start and conclude inspections
OPENERS = (Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN)
# who may log findings and issue, verify, reopen or extend corrective actions
INSPECTORS = (Role.INSPECTOR, Role.ADMIN)

INSPECTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS): "start",
    (InspectionStatus.IN_PROGRESS, InspectionStatus.CONCLUDED): "conclude",
}


def inspection_tz(inspection: Inspection) -> str:
    """The time zone whose calendar day counts for this inspection."""
    return inspection.plan.timezone if inspection.plan is not None else DEFAULT_TZ


def can_see_inspection(user: User, inspection: Inspection) -> bool:
    """Staff read every inspection; an officer only those of their own agency."""
    return inspection.visible_to(user)


def get_inspection(session: Session, user: User, inspection_id: int) -> Inspection:
    """The inspection if the user may see it; otherwise simply not found."""
    return get_visible(session, Inspection, inspection_id, user, InspectionNotFound)


def get_finding(session: Session, user: User, finding_id: int) -> Finding:
    """The finding if the user may see its agency; otherwise simply not found."""
    return get_visible(session, Finding, finding_id, user, FindingNotFound)


def inspection_snapshot(inspection: Inspection) -> dict:
    """The fields of an inspection that audit compares."""
    return {
        "kind": inspection.kind, "title": inspection.title, "status": inspection.status,
        "plan_id": inspection.plan_id, "planned_on": inspection.planned_on,
        "started_on": inspection.started_on, "concluded_on": inspection.concluded_on,
        "agencies": sorted(a.code for a in inspection.agencies),
        "inspectors": sorted(u.id for u in inspection.inspectors),
        "items": sorted(i.code for i in inspection.items),
        "sections": sorted(s.code for s in inspection.sections),
        "conclusion": inspection.conclusion, "version": inspection.version,
    }


def finding_snapshot(finding: Finding) -> dict:
    """The fields of a finding that audit compares."""
    return {
        "inspection_id": finding.inspection_id, "agency_id": finding.agency_id,
        "text": finding.text, "severity": finding.severity, "task_id": finding.task_id,
        "item_id": finding.item_id, "section_id": finding.section_id,
        "version": finding.version,
    }


def _rows(session: Session, model, ids: Iterable[int], field: str) -> list:
    """Load rows by id, refusing unknown ids with the field named."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    rows = session.scalars(sa.select(model).where(model.id.in_(ids))).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise UnknownInScope(field=field, missing=", ".join(map(str, missing)))
    return list(rows)


def create_inspection(
    session: Session, actor: User, *, kind: str, title: str, agency_ids: Sequence[int],
    planned_on: date, now: datetime, plan_id: int | None = None, item_ids: Sequence[int] = (),
    section_ids: Sequence[int] = (), inspector_ids: Sequence[int] = (),
) -> Inspection:
    """Plan an inspection or supervision of one or more agencies."""
    require_user(actor)
    if actor.role not in OPENERS:
        raise OpenInspectionForbidden(role=actor.role)
    if kind not in set(InspectionKind):
        raise UnknownValue(field="kind", value=kind)
    title = (title or "").strip()
    if not title:
        raise InspectionNeedsTitle(field="title")
    agencies = _rows(session, Agency, agency_ids, "agency_ids")
    if not agencies:
        raise InspectionNeedsAgency(field="agency_ids")
    items = _rows(session, Item, item_ids, "item_ids")
    sections = _rows(session, Section, section_ids, "section_ids")
    plans = {x.plan_id for x in items + sections}
    if plan_id is not None:
        if session.get(Plan, plan_id) is None:
            raise UnknownValue(field="plan_id", value=plan_id)
        plans.add(plan_id)
    if len(plans) > 1:
        raise ScopeAcrossPlans(field="item_ids")
    inspectors = _rows(session, User, inspector_ids, "inspector_ids")
    if any(u.role not in OPENERS for u in inspectors):
        raise InspectorsNotStaff(field="inspector_ids")
    if not inspectors and actor.role == Role.INSPECTOR:
        inspectors = [actor]
    inspection = Inspection(
        kind=kind, title=title, plan_id=next(iter(plans), None), planned_on=planned_on,
        status=InspectionStatus.PLANNED, created_by_id=actor.id, created_at=now,
        agencies=agencies, items=items, sections=sections, inspectors=inspectors,
    )
    session.add(inspection)
    session.flush()
    record(session, actor=actor, action="inspection.create", entity_type="inspection",
           entity_id=inspection.id, before=None, after=inspection_snapshot(inspection), now=now)
    return inspection


def change_inspection_status(
    session: Session, actor: User, inspection: Inspection, to_status: str, *,
    now: datetime, conclusion: str = "", expected_version: int | None = None,
) -> Inspection:
    """Start a planned inspection or conclude a running one (with its conclusion)."""
    require_user(actor)
    if not can_see_inspection(actor, inspection):
        raise InspectionNotFound(inspection_id=inspection.id)
    try:
        to = InspectionStatus(to_status)
    except ValueError:
        raise UnknownValue(field="status", value=to_status) from None
    verb = INSPECTION_TRANSITIONS.get((inspection.status, to))
    if verb is None:
        raise InspectionTransitionNotAllowed(current=inspection.status, target=to)
    if actor.role not in OPENERS:
        raise InspectionActionForbidden(verb=verb, role=actor.role)
    check_version(inspection, expected_version)
    conclusion = (conclusion or "").strip()
    if verb == "conclude" and not conclusion:
        raise ConclusionNeeded(field="conclusion")
    before = inspection_snapshot(inspection)
    today = local_today(now, inspection_tz(inspection))
    if verb == "start":
        inspection.started_on = today
    else:
        inspection.concluded_on = today
        inspection.conclusion = conclusion
    inspection.status = to
    session.flush()
    record(session, actor=actor, action=f"inspection.{verb}", entity_type="inspection",
           entity_id=inspection.id, before=before, after=inspection_snapshot(inspection),
           now=now)
    return inspection


def _concerns(session: Session, agency_id: int, task_id, item_id,
              section_id) -> tuple[int | None, int | None, int | None]:
    """Check what a finding points at; a task fills in its item and section."""
    if task_id is not None:
        task = session.get(Task, task_id)
        if task is None or task.agency_id != agency_id:
            raise TaskNotOfAgency(field="task_id")
        item_id = item_id or task.item_id
    if item_id is not None:
        item = session.get(Item, item_id)
        if item is None:
            raise UnknownItem(field="item_id", item_id=item_id)
        section_id = section_id or item.section_id
    if section_id is not None and session.get(Section, section_id) is None:
        raise UnknownSection(field="section_id", section_id=section_id)
    return task_id, item_id, section_id


def log_finding(
    session: Session, actor: User, inspection: Inspection, *, agency_id: int, text: str,
    severity: str, now: datetime, task_id: int | None = None, item_id: int | None = None,
    section_id: int | None = None,
) -> Finding:
    """An inspector records what the running inspection saw at one inspected agency."""
    require_user(actor)
    if not can_see_inspection(actor, inspection):
        raise InspectionNotFound(inspection_id=inspection.id)
    if actor.role not in INSPECTORS:
        raise LogFindingForbidden(role=actor.role)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise FindingsOnlyInProgress(current=inspection.status)
    if severity not in set(Severity):
        raise UnknownSeverity(field="severity", severity=severity)
    text = (text or "").strip()
    if not text:
        raise FindingNeedsText(field="text")
    if agency_id not in inspection.agency_ids:
        raise FindingAgencyNotCovered(field="agency_id")
    task_id, item_id, section_id = _concerns(session, agency_id, task_id, item_id, section_id)
    finding = Finding(
        inspection=inspection, agency_id=agency_id, text=text, severity=severity,
        task_id=task_id, item_id=item_id, section_id=section_id, created_by_id=actor.id,
        created_at=now,
    )
    session.add(finding)
    session.flush()
    record(session, actor=actor, action="finding.log", entity_type="finding",
           entity_id=finding.id, before=None, after=finding_snapshot(finding), now=now)
    return finding


def edit_finding(
    session: Session, actor: User, finding: Finding, *, text: str, severity: str,
    now: datetime, expected_version: int | None = None,
) -> Finding:
    """An inspector corrects a finding's text or severity; agencies never edit findings."""
    require_user(actor)
    if not can_see_agency(actor, finding.agency_id):
        raise FindingNotFound(finding_id=finding.id)
    if actor.role not in INSPECTORS:
        raise EditFindingForbidden(role=actor.role)
    if severity not in set(Severity):
        raise UnknownSeverity(field="severity", severity=severity)
    text = (text or "").strip()
    if not text:
        raise FindingNeedsText(field="text")
    check_version(finding, expected_version)
    before = finding_snapshot(finding)
    finding.text, finding.severity = text, severity
    session.flush()
    record(session, actor=actor, action="finding.edit", entity_type="finding",
           entity_id=finding.id, before=before, after=finding_snapshot(finding), now=now)
    return finding


def attach_to_inspection(session: Session, actor: User, inspection: Inspection,
                         uploads: Sequence[Upload], *, folder: str | Path,
                         now: datetime) -> list[Attachment]:
    """Inspection documents (decision, minutes, conclusion notice), kept by inspection staff."""
    require_user(actor)
    if not can_see_inspection(actor, inspection):
        raise InspectionNotFound(inspection_id=inspection.id)
    if actor.role not in OPENERS:
        raise InspectionDocumentsForbidden(role=actor.role)
    if not uploads:
        raise ChooseAFile(field="files")
    check_count(uploads)
    checked = [check_upload(upload) for upload in uploads]  # every file before any is stored
    # no agency: an inspection may cover several, and its papers are staff documents
    return [store_evidence(session, actor, file, folder=folder, now=now,
                           owner_type="inspection", owner_id=inspection.id, agency_id=None)
            for file in checked]


def attach_to_finding(session: Session, actor: User, finding: Finding, upload: Upload,
                      *, folder: str | Path, now: datetime) -> Attachment:
    """Evidence for a finding, readable by the agency it concerns."""
    require_user(actor)
    if not can_see_agency(actor, finding.agency_id):
        raise FindingNotFound(finding_id=finding.id)
    if actor.role not in INSPECTORS:
        raise FindingEvidenceForbidden(role=actor.role)
    return store_evidence(session, actor, upload, folder=folder, now=now,
                          owner_type="finding", owner_id=finding.id, agency_id=finding.agency_id)


def attachments_of(session: Session, owner_type: str, owner_ids: Iterable[int]) -> list:
    """Attachments of some owners, oldest first."""
    ids = list(owner_ids)
    if not ids:
        return []
    return list(session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == owner_type, Attachment.owner_id.in_(ids))
        .order_by(Attachment.id)))
