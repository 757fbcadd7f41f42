"""Agencies that come and go: a second file resolved against the database, lifetimes that
generation respects, merges, and a second province with the same codes in its own namespace."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.audit import AuditEvent
from models.core.errors import Forbidden, InvalidInput
from models.org.agencies import Agency, find_agency
from models.plans.entities import Item, Plan
from models.tasks.entities import Task, TaskStatus
from models.tasks.generation import generate_tasks
from models.tasks.merging import merge_agencies
from models.tasks.operations import change_status
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, import_plan
from plan_items.loader import PlanFileError
from tests.factories import DATA, T0, load_mini, load_seed, make_user

LATER = datetime(2025, 12, 1, 2, tzinfo=UTC)


def dues(session, code: str, namespace: str = "") -> list[date]:
    return sorted(session.scalars(sa.select(Task.due_on).join(Task.agency).where(
        Agency.code == code, Agency.namespace == namespace)))


def test_a_communes_file_after_the_bundled_agencies_is_accepted(session):
    import_agencies(session, SEED_AGENCIES, now=T0)
    diff = import_agencies(session, DATA / "communes-cao-bang.yaml", now=T0)
    assert diff.lines == ["+ agency DU-PH-THUCPHAN", "+ agency DU-PH-NUNGTRICAO",
                          "+ agency DU-PH-TANGIANG"]
    ward = find_agency(session, "DU-PH-THUCPHAN")
    assert ward.parent.code == "TU" and [g.code for g in ward.groups] == ["directly_under"]
    assert ward.active_from == date(2025, 7, 1)
    assert import_agencies(session, DATA / "communes-cao-bang.yaml", now=T0).empty
    # re-importing the bundled file leaves the communes alone
    assert import_agencies(session, SEED_AGENCIES, now=T0).empty
    assert find_agency(session, "DU-PH-TANGIANG") is not None


def test_the_communes_file_alone_names_each_unknown_reference(session):
    with pytest.raises(PlanFileError) as caught:
        import_agencies(session, DATA / "communes-cao-bang.yaml", now=T0)
    messages = [str(p) for p in caught.value.problems]
    assert f"{DATA / 'communes-cao-bang.yaml'}:11: unknown parent agency 'TU'" in messages
    assert f"{DATA / 'communes-cao-bang.yaml'}:12: unknown agency group 'directly_under'" \
        in messages
    assert session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 0


def lifetimes_file(tmp_path, text: str):
    path = tmp_path / "more.yaml"
    path.write_text("format: planwatch/agencies@1\nagencies:\n" + text, encoding="utf-8")
    return path


def test_an_agency_gets_no_task_due_outside_its_lifetime(session, tmp_path):
    load_mini(session)
    import_agencies(session, lifetimes_file(tmp_path, """\
  - {code: AG-C, name_vi: Đơn vị C, parent: ROOT, groups: [reporting], active_from: 2026-03-01}
  - {code: AG-B, name_vi: Đơn vị B, parent: ROOT, groups: [reporting], active_to: 2025-12-31}
"""), now=T0)
    generate_tasks(session, through=date(2026, 12, 31), now=T0)
    assert dues(session, "AG-C") and min(dues(session, "AG-C")) >= date(2026, 3, 1)
    assert dues(session, "AG-B") and max(dues(session, "AG-B")) <= date(2025, 12, 31)
    assert len(dues(session, "AG-A")) > len(dues(session, "AG-C"))
    # nothing more on a second run: the lifetimes are not "missing" tasks
    assert generate_tasks(session, through=date(2026, 12, 31), now=LATER) == {}


def test_a_lifetime_that_ends_before_it_starts_is_refused_with_its_line(session, tmp_path):
    load_mini(session)
    path = lifetimes_file(tmp_path, """\
  - code: AG-C
    name_vi: Đơn vị C
    active_from: 2026-03-01
    active_to: 2026-01-01
""")
    with pytest.raises(PlanFileError) as caught:
        import_agencies(session, path, now=T0)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (6, "agencies.0.active_to: active_to is before active_from")]


def test_a_merge_moves_the_open_tasks_to_the_successor_and_closes_the_old_agency(
        session, tmp_path):
    load_mini(session)
    import_agencies(session, lifetimes_file(tmp_path, """\
  - {code: AG-N, name_vi: Đơn vị mới, parent: ROOT}
"""), now=T0)
    generate_tasks(session, through=date(2025, 11, 30), now=T0)
    officer = make_user(session, email="b@b.example.org", agency="AG-B")
    done = session.scalar(sa.select(Task).join(Task.item).join(Task.agency).where(
        Agency.code == "AG-B", Item.code == "M-PLAN"))
    change_status(session, officer, done, TaskStatus.SUBMITTED, now=T0, note="xong")
    open_b = set(session.scalars(sa.select(Task.id).join(Task.agency).where(
        Agency.code == "AG-B", Task.status != TaskStatus.SUBMITTED)))

    merge = merge_agencies(session, CONSOLE, "AG-B", "AG-N", on=date(2025, 12, 1), now=LATER)
    assert set(merge.moved) == open_b and merge.kept == []
    assert merge.groups_added == ["reporting"]
    old = find_agency(session, "AG-B")
    assert old.active_to == date(2025, 11, 30)
    assert done.agency_id == old.id  # submitted work stays with who did it
    assert {t.agency.code for t in session.scalars(sa.select(Task).where(
        Task.id.in_(open_b)))} == {"AG-N"}
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "agency.merge"))
    assert event.after["successor"] == "AG-N" and sorted(event.after["moved"]) == sorted(open_b)
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.agency_merged")) == len(open_b)

    generate_tasks(session, through=date(2026, 3, 31), now=LATER)
    assert max(dues(session, "AG-B")) <= date(2025, 11, 30)
    assert max(dues(session, "AG-N")) >= date(2026, 3, 1)

    with pytest.raises(InvalidInput):
        merge_agencies(session, CONSOLE, "AG-A", "AG-A", on=date(2025, 12, 1), now=LATER)
    with pytest.raises(Forbidden):
        merge_agencies(session, officer, "AG-A", "AG-N", on=date(2025, 12, 1), now=LATER)


def test_a_second_province_with_the_same_codes_loads_beside_the_seed(session):
    load_seed(session)
    seed_tasks = generate_tasks(session, through=date(2026, 12, 31), now=T0)
    import_agencies(session, DATA / "province-ls-agencies.yaml", now=T0)
    import_plan(session, DATA / "province-ls-plan.yaml", now=T0)
    created = generate_tasks(session, through=date(2026, 12, 31), now=LATER)
    assert set(created) == {"LS-45-KH/TU:LS-RPT-Q", "LS-45-KH/TU:LS-UBND"}

    cao_bang, lang_son = find_agency(session, "TU"), find_agency(session, "LS:TU")
    assert cao_bang.name_vi == "Tỉnh uỷ Cao Bằng" and lang_son.name_vi == "Tỉnh uỷ Lạng Sơn"
    plan = session.scalar(sa.select(Plan).where(Plan.code == "LS-45-KH/TU"))
    assert plan.coordinator.namespace == "LS" and plan.issuer.qualified_code == "LS:BTV"
    ls_task_agencies = set(session.scalars(
        sa.select(Agency.namespace).join(Task, Task.agency_id == Agency.id).join(Task.item)
        .where(Item.plan_id == plan.id)))
    assert ls_task_agencies == {"LS"}
    assert set(dues(session, "VPTU", "LS")) and dues(session, "UBND", "LS")
    assert not dues(session, "BTGDV", "LS")  # excluded in its own plan, not the seed's BTGDV
    # the seed is untouched: its files re-import with no change and keep their tasks
    assert import_agencies(session, SEED_AGENCIES, now=LATER).empty
    assert import_plan(session, SEED_PLAN, now=LATER).empty
    assert generate_tasks(session, through=date(2026, 12, 31), now=LATER) == {}
    assert sum(seed_tasks.values()) == session.scalar(
        sa.select(sa.func.count()).select_from(Task).join(Task.agency)
        .where(Agency.namespace == ""))


def test_a_plan_resolves_its_codes_in_its_own_namespace_only(session, tmp_path):
    load_seed(session)
    import_agencies(session, DATA / "province-ls-agencies.yaml", now=T0)
    text = (DATA / "province-ls-plan.yaml").read_text(encoding="utf-8")
    path = tmp_path / "wrong.yaml"
    # a namespace nobody loaded: the seed's TU, BTV and UBND are not taken instead
    path.write_text(text.replace("namespace: LS\n", "namespace: QN\n"), encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        import_plan(session, path, now=T0)
    messages = {p.message for p in caught.value.problems}
    assert {"unknown agency 'BTV'", "unknown agency 'UBND'",
            "unknown agency group 'advisory'"} <= messages
    assert session.scalar(sa.select(Plan).where(Plan.code == "LS-45-KH/TU")) is None
