"""Operations on corrective actions: raise, start, submit, verify, reopen, extend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from models.core.access import can_see_agency, get_visible
from models.core.actors import require_user
from models.core.audit import record
from models.core.clock import local_today
from models.core.errors import (
    NoStorageFolder,
    UnknownValue,
)
from models.core.evidence import Upload, check_count, check_upload, store_evidence
from models.org.users import Role, User
from models.oversight.entities import (
    ActionStatus,
    CorrectiveAction,
    CorrectiveActionUpdate,
    Finding,
    Inspection,
    InspectionStatus,
)
from models.oversight.errors import (
    ActionAgencyNotCovered,
    ActionNeedsDescription,
    ActionNotFound,
    ActionTransitionNotAllowed,
    DaysOrDueDate,
    DueDateNotAfterToday,
    ExtendActionForbidden,
    ExtendedOnlyOnce,
    ExtensionNeedsReason,
    FindingNotFound,
    FollowupInvalid,
    FollowupRequired,
    InspectionNotStarted,
    IssueActionForbidden,
    ReopenActionForbidden,
    ReopenNeedsNote,
    ResponseNeedsContent,
    StartActionForbidden,
    SubmitActionForbidden,
    VerifiedNotExtendable,
    VerifyActionForbidden,
    WorkingDaysAtLeastOne,
)
from models.oversight.inspections import INSPECTORS, inspection_tz
from models.plans.calendar_days import load_calendar
from models.tasks.operations import check_version

AGENCY = (Role.OFFICER, Role.ADMIN)  # the owning agency answers (admin stands in)

# (from, to) -> the verb and the roles allowed to take it
ACTION_TRANSITIONS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    (ActionStatus.OPEN, ActionStatus.IN_PROGRESS): ("start", AGENCY),
    (ActionStatus.OPEN, ActionStatus.SUBMITTED): ("submit", AGENCY),
    (ActionStatus.IN_PROGRESS, ActionStatus.SUBMITTED): ("submit", AGENCY),
    (ActionStatus.SUBMITTED, ActionStatus.VERIFIED): ("verify", INSPECTORS),
    (ActionStatus.SUBMITTED, ActionStatus.REOPENED): ("reopen", INSPECTORS),
    (ActionStatus.REOPENED, ActionStatus.IN_PROGRESS): ("start", AGENCY),
    (ActionStatus.REOPENED, ActionStatus.SUBMITTED): ("submit", AGENCY),
}
REFUSALS = {
    "start": StartActionForbidden,
    "submit": SubmitActionForbidden,
    "verify": VerifyActionForbidden,
    "reopen": ReopenActionForbidden,
}


def get_action(session: Session, user: User, action_id: int) -> CorrectiveAction:
    """The corrective action if the user may see its agency; otherwise simply not found."""
    return get_visible(session, CorrectiveAction, action_id, user, ActionNotFound, key="action_id")


def action_snapshot(action: CorrectiveAction) -> dict:
    """The fields of a corrective action that history and audit compare."""
    return {
        "finding_id": action.finding_id, "inspection_id": action.finding.inspection_id,
        "agency_id": action.agency_id, "status": action.status, "due_on": action.due_on,
        "original_due_on": action.original_due_on, "extended": action.extended,
        "requires_followup": action.requires_followup,
        "followup_inspection_id": action.followup_inspection_id, "version": action.version,
    }


def compute_due(session: Session, today: date, *, due_in_working_days: int | None = None,
                due_on: date | None = None) -> date:
    """A due date n working days after today, or a given date moved to a working day."""
    calendar = load_calendar(session)
    if (due_in_working_days is None) == (due_on is None):
        raise DaysOrDueDate(field="due_on")
    if due_in_working_days is not None:
        if due_in_working_days < 1:
            raise WorkingDaysAtLeastOne(field="due_in_working_days")
        return calendar.add_working_days(today, due_in_working_days)
    if due_on <= today:
        raise DueDateNotAfterToday(field="due_on")
    return calendar.roll_forward(due_on)


def _history(session: Session, actor: User, action: CorrectiveAction, verb: str,
             before_status: str, note: str, now: datetime) -> CorrectiveActionUpdate:
    update = CorrectiveActionUpdate(
        corrective_action=action, actor_id=actor.id, at=now, action=verb,
        from_status=before_status, to_status=action.status, note=note)
    session.add(update)
    return update


def raise_action(
    session: Session, actor: User, finding: Finding, *, description: str, now: datetime,
    agency_id: int | None = None, due_in_working_days: int | None = None,
    due_on: date | None = None, requires_followup: bool = False,
) -> CorrectiveAction:
    """An inspector issues a corrective action from a finding to one agency."""
    require_user(actor)
    if not can_see_agency(actor, finding.agency_id):
        raise FindingNotFound(finding_id=finding.id)
    if actor.role not in INSPECTORS:
        raise IssueActionForbidden(role=actor.role)
    inspection = finding.inspection
    if inspection.status == InspectionStatus.PLANNED:
        raise InspectionNotStarted(current=inspection.status)
    description = (description or "").strip()
    if not description:
        raise ActionNeedsDescription(field="description")
    agency_id = finding.agency_id if agency_id is None else agency_id
    if agency_id not in inspection.agency_ids:
        raise ActionAgencyNotCovered(field="agency_id")
    today = local_today(now, inspection_tz(inspection))
    due = compute_due(session, today, due_in_working_days=due_in_working_days, due_on=due_on)
    action = CorrectiveAction(
        finding=finding, agency_id=agency_id, description=description, due_on=due,
        status=ActionStatus.OPEN, requires_followup=requires_followup, created_by_id=actor.id,
        created_at=now, updated_at=now)
    session.add(action)
    _history(session, actor, action, "raise", "", "", now)
    session.flush()
    record(session, actor=actor, action="corrective_action.raise",
           entity_type="corrective_action", entity_id=action.id, before=None,
           after={**action_snapshot(action), "description": description}, now=now)
    return action


def _check_followup(session: Session, action: CorrectiveAction,
                    followup_inspection_id: int | None) -> None:
    """Verification of such an action rests on a later inspection of the same agency."""
    if not action.requires_followup:
        return
    followup = session.get(Inspection, followup_inspection_id) if followup_inspection_id else None
    if followup is None:
        raise FollowupRequired(field="followup_inspection_id")
    if (followup.id == action.finding.inspection_id or action.agency_id not in followup.agency_ids
            or followup.status == InspectionStatus.PLANNED):
        raise FollowupInvalid(field="followup_inspection_id")
    action.followup_inspection_id = followup.id


def change_action_status(
    session: Session, actor: User, action: CorrectiveAction, to_status: str, *,
    now: datetime, note: str = "", evidence: Sequence[Upload] = (),
    folder: str | Path | None = None, followup_inspection_id: int | None = None,
    expected_version: int | None = None,
) -> CorrectiveActionUpdate:
    """Move a corrective action along its lifecycle, with history, evidence and audit."""
    require_user(actor)
    if not can_see_agency(actor, action.agency_id):
        raise ActionNotFound(action_id=action.id)
    try:
        to = ActionStatus(to_status)
    except ValueError:
        raise UnknownValue(field="status", value=to_status) from None
    rule = ACTION_TRANSITIONS.get((action.status, to))
    if rule is None:
        raise ActionTransitionNotAllowed(current=action.status, target=to)
    verb, roles = rule
    if actor.role not in roles:
        raise REFUSALS[verb](role=actor.role)
    check_version(action, expected_version)
    note = (note or "").strip()
    if verb == "reopen" and not note:
        raise ReopenNeedsNote(field="note")
    if verb == "submit" and not (note or evidence):
        raise ResponseNeedsContent(field="note")
    if evidence and folder is None:
        raise NoStorageFolder(field="evidence")
    check_count(evidence)
    # every file checked (name, type, size, content) before anything changes
    evidence = [check_upload(upload) for upload in evidence]
    if verb == "verify":
        _check_followup(session, action, followup_inspection_id)
    before = action_snapshot(action)
    action.status = to
    action.updated_at = now
    if verb == "submit":
        action.submitted_at = now
    if verb == "verify":
        action.verified_at = now
    update = _history(session, actor, action, verb, before["status"], note, now)
    session.flush()
    record(session, actor=actor, action=f"corrective_action.{verb}",
           entity_type="corrective_action", entity_id=action.id, before=before,
           after={**action_snapshot(action), "note": note}, now=now)
    for upload in evidence:  # after the step, so the timeline reads "submitted, file attached"
        store_evidence(session, actor, upload, folder=folder, now=now,
                       owner_type="corrective_action_update", owner_id=update.id,
                       agency_id=action.agency_id)
    return update


def extend_action(
    session: Session, actor: User, action: CorrectiveAction, *, reason: str, now: datetime,
    due_in_working_days: int | None = None, due_on: date | None = None,
    expected_version: int | None = None,
) -> CorrectiveActionUpdate:
    """An inspector extends a corrective action once, with a reason; the first date is kept."""
    require_user(actor)
    if not can_see_agency(actor, action.agency_id):
        raise ActionNotFound(action_id=action.id)
    if actor.role not in INSPECTORS:
        raise ExtendActionForbidden(role=actor.role)
    if action.extended:
        raise ExtendedOnlyOnce(original_due_on=action.original_due_on)
    if action.status == ActionStatus.VERIFIED:
        raise VerifiedNotExtendable(current=action.status)
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionNeedsReason(field="reason")
    check_version(action, expected_version)
    # working days count from the current due date: an extension adds time to the deadline
    due = compute_due(session, action.due_on, due_in_working_days=due_in_working_days,
                      due_on=due_on)
    before = action_snapshot(action)
    action.original_due_on = action.due_on
    action.due_on = due
    action.extended = True
    action.extension_reason = reason
    action.updated_at = now
    note = f"{before['due_on'].isoformat()} → {due.isoformat()}: {reason}"
    update = _history(session, actor, action, "extend", action.status, note, now)
    session.flush()
    record(session, actor=actor, action="corrective_action.extend",
           entity_type="corrective_action", entity_id=action.id, before=before,
           after={**action_snapshot(action), "reason": reason}, now=now)
    return update


def allowed_action_targets(action: CorrectiveAction, user: User) -> list[str]:
    """The statuses this user may move the action to now (for buttons and API hints)."""
    if not can_see_agency(user, action.agency_id):
        return []
    return [str(dst) for (src, dst), (_, roles) in ACTION_TRANSITIONS.items()
            if src == action.status and user.role in roles]


def can_extend(action: CorrectiveAction, user: User) -> bool:
    """Whether the extension form applies: an inspector, not yet extended, not verified."""
    return (user.role in INSPECTORS and not action.extended
            and action.status != ActionStatus.VERIFIED)
