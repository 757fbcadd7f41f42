"""Corrective actions: every transition allowed or refused by role and agency, due dates, audit."""

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.attachments import Attachment
from models.core.audit import AuditEvent, verify_chain
from models.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from models.core.evidence import Upload
from models.oversight.corrective_actions import (
    ACTION_TRANSITIONS,
    change_action_status,
    extend_action,
    get_action,
    raise_action,
)
from models.oversight.entities import CorrectiveAction
from models.oversight.inspections import change_inspection_status, create_inspection
from tests.factories import at, bring_to, make_world, real_upload

STATUSES = ["open", "in_progress", "submitted", "verified", "reopened"]
ROLES = ["admin", "inspector", "coordinator", "officer", "other_officer", "viewer"]
AGENCY_VERBS = {"start", "submit"}


def expected(verb: str, role: str):
    """The rule as a user would state it: None when allowed, else the error they get."""
    if role == "other_officer":
        return NotFound  # another agency's action does not exist for them
    if role == "admin":
        return None
    if role == "officer":
        return None if verb in AGENCY_VERBS else Forbidden
    if role == "inspector":
        return None if verb not in AGENCY_VERBS else Forbidden
    return Forbidden


# one case per transition and role allowed to take it; every refused role is tried first
ALLOWED_CASES = [
    pytest.param(src, dst, role, id=f"{src}->{dst}-{role}")
    for (src, dst), (verb, _) in ACTION_TRANSITIONS.items() for role in ROLES
    if expected(verb, role) is None
]
REFUSED_FROM = {
    src: [dst for dst in STATUSES if (src, dst) not in ACTION_TRANSITIONS] for src in STATUSES
}


@pytest.fixture
def world(session):
    return make_world(session)


def events_for(session, action):
    return session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "corrective_action",
        AuditEvent.entity_id == str(action.id)).order_by(AuditEvent.id)).all()


def assert_unchanged(session, world, status, version, n_updates, n_events):
    session.flush()
    action = world.action
    assert (action.status, action.version) == (status, version)
    assert len(action.updates) == n_updates
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == n_events


def counts(session, action):
    return (action.status, action.version, len(action.updates),
            session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)))


@pytest.mark.parametrize("src,dst,allowed_role", ALLOWED_CASES)
def test_transition_by_role_and_agency(session, world, src, dst, allowed_role):
    bring_to(session, world, src)
    action = world.action
    verb = ACTION_TRANSITIONS[(src, dst)][0]
    before = counts(session, action)
    for role in ROLES:
        error = expected(verb, role)
        if error is None:
            continue
        with pytest.raises(error) as caught:
            change_action_status(session, world[role], action, dst, note="ghi chú", now=at(20))
        assert caught.value.message, role
        assert_unchanged(session, world, *before)
    update = change_action_status(session, world[allowed_role], action, dst, note="ghi chú",
                                  now=at(20))
    session.flush()
    assert action.status == dst and action.version == before[1] + 1
    assert (update.from_status, update.to_status, update.action) == (src, dst, verb)
    assert update.actor_id == world[allowed_role].id
    assert events_for(session, action)[-1].action == f"corrective_action.{verb}"


@pytest.mark.parametrize("src", STATUSES)
def test_transitions_outside_the_lifecycle_are_refused_even_for_admin(session, world, src):
    bring_to(session, world, src)
    action = world.action
    before = counts(session, action)
    for dst in REFUSED_FROM[src]:
        with pytest.raises(TransitionNotAllowed) as caught:
            change_action_status(session, world["admin"], action, dst, note="x", now=at(20))
        assert f"{src} cannot become {dst}" in caught.value.message
        assert_unchanged(session, world, *before)
    with pytest.raises(InvalidInput):
        change_action_status(session, world["admin"], action, "closed", note="x", now=at(20))


def test_inspector_cannot_submit_the_agency_response(session, world):
    with pytest.raises(Forbidden, match="inspector cannot submit"):
        change_action_status(session, world["inspector"], world.action, "submitted",
                             note="thay mặt", now=at(8))
    assert world.action.status == "open"


def test_reopen_needs_a_note_and_submit_needs_a_note_or_evidence(session, world):
    action = world.action
    with pytest.raises(InvalidInput):
        change_action_status(session, world["officer"], action, "submitted", note=" ", now=at(8))
    bring_to(session, world, "submitted")
    with pytest.raises(InvalidInput, match="note"):
        change_action_status(session, world["inspector"], action, "reopened", now=at(9))
    assert action.status == "submitted"


def test_full_cycle_with_reopen_is_recorded_in_history_and_audit(session, world, tmp_path):
    action, officer, inspector = world.action, world["officer"], world["inspector"]
    change_action_status(session, officer, action, "in_progress", now=at(8))
    first = change_action_status(
        session, officer, action, "submitted", note="đã nộp báo cáo", now=at(9),
        evidence=[real_upload("báo cáo.pdf")], folder=tmp_path)
    change_action_status(session, inspector, action, "reopened", note="thiếu phụ lục",
                         now=at(10))
    change_action_status(session, officer, action, "submitted", note="bổ sung phụ lục",
                         now=at(13))
    change_action_status(session, inspector, action, "verified", note="đạt", now=at(14))
    assert action.status == "verified" and action.verified_at == at(14)
    assert [(u.action, u.from_status, u.to_status) for u in action.updates] == [
        ("raise", "", "open"), ("start", "open", "in_progress"),
        ("submit", "in_progress", "submitted"), ("reopen", "submitted", "reopened"),
        ("submit", "reopened", "submitted"), ("verify", "submitted", "verified")]
    assert action.updates[3].note == "thiếu phụ lục" and action.updates[3].actor_id == inspector.id
    events = events_for(session, action)
    assert [e.action.split(".")[1] for e in events] == [
        "raise", "start", "submit", "reopen", "submit", "verify"]
    assert events[3].before["status"] == "submitted" and events[3].after["note"] == "thiếu phụ lục"
    files = session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == "corrective_action_update")).all()
    assert [(f.owner_id, f.agency_id, f.filename) for f in files] == [
        (first.id, world.agency_a.id, "báo cáo.pdf")]
    assert verify_chain(session) is None


def test_refused_evidence_type_changes_nothing(session, world, tmp_path):
    action = world.action
    with pytest.raises(InvalidInput, match=".exe"):
        change_action_status(session, world["officer"], action, "submitted", note="x",
                             evidence=[Upload("virus.exe", io.BytesIO(b"MZ"))], folder=tmp_path,
                             now=at(8))
    session.flush()
    assert action.status == "open" and len(action.updates) == 1
    assert not list(tmp_path.iterdir())


def test_stale_version_is_refused(session, world):
    action = world.action
    seen = action.version
    change_action_status(session, world["officer"], action, "in_progress", now=at(8))
    session.flush()
    with pytest.raises(VersionConflict):
        change_action_status(session, world["officer"], action, "submitted", note="x",
                             now=at(9), expected_version=seen)
    assert action.status == "in_progress"


def test_other_agency_officer_cannot_see_the_action(session, world):
    with pytest.raises(NotFound):
        get_action(session, world["other_officer"], world.action.id)
    assert get_action(session, world["officer"], world.action.id) is world.action
    assert get_action(session, world["coordinator"], world.action.id) is world.action


def test_due_in_ten_working_days_skips_tet(session):
    world = make_world(session)
    tet = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # Tuesday 10/2/2026, 9:00 in Hà Nội
    action = raise_action(session, world["inspector"], world.finding, description="Khắc phục",
                          due_in_working_days=10, now=tet)
    # 11-13/2, then Tết 14-22/2, then 23-27/2, 2/3 and 3/3
    assert action.due_on == date(2026, 3, 3)


def test_due_date_on_a_holiday_rolls_forward(session, world):
    action = raise_action(session, world["inspector"], world.finding, description="Khắc phục",
                          due_on=date(2026, 2, 17), now=at(7))
    assert action.due_on == date(2026, 2, 23)
    with pytest.raises(InvalidInput):
        raise_action(session, world["inspector"], world.finding, description="x",
                     due_on=date(2025, 10, 1), now=at(7))


def test_only_inspectors_raise_actions(session, world):
    for role in ("officer", "coordinator", "viewer"):
        with pytest.raises(Forbidden):
            raise_action(session, world[role], world.finding, description="x",
                         due_in_working_days=5, now=at(7))
    with pytest.raises(NotFound):
        raise_action(session, world["other_officer"], world.finding, description="x",
                     due_in_working_days=5, now=at(7))
    with pytest.raises(InvalidInput, match="agency this inspection covers"):
        raise_action(session, world["inspector"], world.finding, description="x",
                     agency_id=world.agency_b.id, due_in_working_days=5, now=at(7))


def test_extension_once_with_reason_keeps_the_original_date(session, world):
    action, inspector = world.action, world["inspector"]
    first_due = action.due_on
    for role in ("officer", "coordinator"):
        with pytest.raises(Forbidden):
            extend_action(session, world[role], action, reason="x", due_in_working_days=5,
                          now=at(9))
    with pytest.raises(InvalidInput):
        extend_action(session, inspector, action, reason=" ", due_in_working_days=5, now=at(9))
    update = extend_action(session, inspector, action, reason="chờ số liệu quý",
                           due_in_working_days=5, now=at(9))
    assert action.original_due_on == first_due and action.extended
    assert action.due_on == date(2025, 10, 28)  # 21/10 + 5 working days
    assert "chờ số liệu quý" in update.note
    session.flush()
    version = action.version
    with pytest.raises(TransitionNotAllowed, match="only once"):
        extend_action(session, inspector, action, reason="lần hai", due_in_working_days=5,
                      now=at(10))
    session.flush()
    assert action.due_on == date(2025, 10, 28) and action.original_due_on == first_due
    assert action.version == version
    assert events_for(session, action)[-1].after["original_due_on"] == first_due.isoformat()


def test_overdue_is_derived_and_stops_on_submission(session, world):
    action = world.action  # raised 7/10/2025, due 21/10/2025
    assert action.due_on == date(2025, 10, 21)
    assert not action.is_overdue(date(2025, 10, 21)) and action.is_overdue(date(2025, 10, 22))
    overdue = set(session.scalars(sa.select(CorrectiveAction.id).where(
        CorrectiveAction.overdue_clause(date(2025, 10, 22)))))
    assert action.id in overdue
    bring_to(session, world, "submitted")
    assert not action.is_overdue(date(2025, 10, 22))
    assert not session.scalar(sa.select(CorrectiveAction.id).where(
        CorrectiveAction.overdue_clause(date(2025, 10, 22))))
    change_action_status(session, world["inspector"], action, "reopened", note="x", now=at(23))
    assert action.is_overdue(date(2025, 10, 23))


def test_follow_up_inspection_required_when_asked(session, world):
    action = raise_action(session, world["inspector"], world.finding, description="Sửa quy chế",
                          due_in_working_days=10, requires_followup=True, now=at(7))
    change_action_status(session, world["officer"], action, "submitted", note="đã sửa",
                         now=at(8))
    with pytest.raises(InvalidInput, match="follow-up"):
        change_action_status(session, world["inspector"], action, "verified", now=at(9))
    with pytest.raises(InvalidInput, match="another"):
        change_action_status(session, world["inspector"], action, "verified", now=at(9),
                             followup_inspection_id=world.inspection.id)
    followup = create_inspection(session, world["inspector"], kind="supervision",
                                 title="Giám sát lại", agency_ids=[world.agency_a.id],
                                 planned_on=date(2025, 11, 3), now=at(9))
    change_inspection_status(session, world["inspector"], followup, "in_progress",
                             now=at(3, 11))
    change_action_status(session, world["inspector"], action, "verified", now=at(4, 11),
                         followup_inspection_id=followup.id)
    assert action.status == "verified" and action.followup_inspection_id == followup.id
