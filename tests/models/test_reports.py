"""A report submitted and requested through its one operation, whoever calls it."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from models.core.attachments import Attachment
from models.core.errors import Forbidden, InvalidInput
from models.core.evidence import STAGING, Upload
from models.plans.entities import Item
from models.tasks.entities import Task
from models.tasks.errors import ReportNeedsContent
from models.tasks.generation import generate_tasks
from models.tasks.reports import request_report, submit_report
from tests.factories import T0, load_mini, make_user, real_file, real_upload


def _files_on_disk(folder) -> list[str]:
    """Every file under the upload folder, staging included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def officer_task(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 9, 30), now=T0)
    officer = make_user(session)
    task = session.scalars(sa.select(Task).join(Task.item).where(
        Task.agency_id == officer.agency_id, Item.code == "M-RPT-Q")).first()
    session.commit()
    return officer, task


def test_an_empty_report_is_refused_and_changes_nothing(session, officer_task, tmp_path):
    officer, task = officer_task
    with pytest.raises(ReportNeedsContent) as refused:
        submit_report(session, officer, task, note="  ", files=[], version=None, now=T0,
                      folder=tmp_path)
    assert refused.value.code == "task.report_needs_content" and refused.value.field == "files"
    assert task.status == "not_started"


def test_a_note_alone_or_a_file_alone_is_a_report(session, officer_task, tmp_path):
    officer, task = officer_task
    update = submit_report(session, officer, task, note="Đã hoàn thành", version=task.version,
                           now=T0, folder=tmp_path)
    assert update.to_status == "submitted" and task.status == "submitted"


def test_a_refused_second_file_of_three_leaves_no_file_and_no_row(session, officer_task,
                                                                   tmp_path):
    officer, task = officer_task
    files = [real_upload("a.pdf", "a"), Upload("b.exe", io.BytesIO(b"MZ")),
             real_upload("c.pdf", "c")]
    with pytest.raises(InvalidInput):
        submit_report(session, officer, task, note="x", files=files, version=None, now=T0,
                      folder=tmp_path)
    session.rollback()
    assert _files_on_disk(tmp_path) == []
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert session.get(Task, task.id).status == "not_started"


def test_files_move_into_place_on_commit(session, officer_task, tmp_path):
    officer, task = officer_task
    files = [real_upload("a.pdf", "a"), Upload("b.csv", io.BytesIO(b"x;y"))]
    update = submit_report(session, officer, task, files=files, version=None, now=T0,
                           folder=tmp_path)
    stored = sorted(a.stored_name for a in update.attachments)
    assert _files_on_disk(tmp_path) == sorted(f"{STAGING}/{name}" for name in stored)
    session.commit()
    assert _files_on_disk(tmp_path) == stored
    assert (tmp_path / stored[0]).read_bytes() in (real_file("x.pdf", "a"), b"x;y")


def test_a_rollback_after_staging_removes_the_staged_files(session, officer_task, tmp_path):
    officer, task = officer_task
    submit_report(session, officer, task, files=[real_upload("a.pdf", "a")],
                  version=None, now=T0, folder=tmp_path)
    assert len(_files_on_disk(tmp_path)) == 1
    session.rollback()  # e.g. the commit failed, or a later step refused
    assert _files_on_disk(tmp_path) == []
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_savepoint_rollback_removes_only_its_own_files(session, officer_task, tmp_path):
    officer, task = officer_task
    submit_report(session, officer, task, files=[real_upload("a.pdf", "a")],
                  version=None, now=T0, folder=tmp_path)
    other = session.scalars(sa.select(Task).where(Task.agency_id == officer.agency_id,
                                                  Task.id != task.id)).first()
    savepoint = session.begin_nested()
    submit_report(session, officer, other, files=[real_upload("b.pdf", "b")],
                  version=None, now=T0, folder=tmp_path)
    assert len(_files_on_disk(tmp_path)) == 2
    savepoint.rollback()
    session.commit()
    kept = session.scalars(sa.select(Attachment.stored_name)).all()
    assert len(kept) == 1 and _files_on_disk(tmp_path) == kept


def test_a_released_savepoint_keeps_its_files_staged_until_the_outer_commit(
        session, officer_task, tmp_path):
    officer, task = officer_task
    with session.begin_nested():
        submit_report(session, officer, task, files=[real_upload("a.pdf")],
                      version=None, now=T0, folder=tmp_path)
    [staged] = _files_on_disk(tmp_path)
    assert staged.startswith(STAGING)  # released, not committed: still staged
    session.rollback()
    assert _files_on_disk(tmp_path) == []


def test_closing_the_session_without_commit_keeps_no_file(engine, officer_task, tmp_path):
    from models.core.db import make_session_factory

    officer, task = officer_task
    with make_session_factory(engine)() as other:
        mine = other.get(Task, task.id)
        submit_report(other, other.merge(officer), mine,
                      files=[real_upload("a.pdf", "a")], version=None, now=T0,
                      folder=tmp_path)
        assert len(_files_on_disk(tmp_path)) == 1
    assert _files_on_disk(tmp_path) == []


@pytest.fixture
def on_request(session):
    load_mini(session)
    coordinator = make_user(session, email="coord@example.org", role="coordinator",
                            agency="COORD")
    item = session.scalar(sa.select(Item).where(Item.code == "M-REQ"))
    agency_b = session.scalar(sa.text("SELECT id FROM agency WHERE code = 'AG-B'"))
    return coordinator, item, agency_b


def test_request_report_rolls_a_day_off_to_the_next_working_day(session, on_request):
    coordinator, item, agency_b = on_request
    # Saturday 6 September 2025 -> Monday 8 September
    task = request_report(session, coordinator, item, agency_b, due_on=date(2025, 9, 6),
                          note="báo cáo nhanh", now=T0)
    assert task.due_on == date(2025, 9, 8) and task.nominal_due_on == date(2025, 9, 6)
    # 2 September (National Day) 2026 falls on a Wednesday: the next working day is the 3rd
    later = request_report(session, coordinator, item, agency_b, due_on=date(2026, 9, 2),
                           note="", now=T0.replace(day=21))
    assert later.due_on == date(2026, 9, 3)


def test_request_report_is_a_coordinators_act(session, on_request):
    _, item, agency_b = on_request
    officer = make_user(session)
    with pytest.raises(Forbidden):
        request_report(session, officer, item, agency_b, due_on=date(2025, 9, 8), note="",
                       now=T0)
