"""Evidence files: accepted, refused and read back only by those allowed."""

import io

import pytest
import sqlalchemy as sa

from models.core.attachments import Attachment
from models.core.errors import InvalidInput, NotFound
from models.core.evidence import Upload, open_evidence, store_evidence
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user, real_file, real_upload


@pytest.fixture
def submitted(session, tmp_path):
    from datetime import date

    load_mini(session)
    generate_tasks(session, through=date(2025, 9, 30), now=T0)
    officer = make_user(session)
    task = session.scalars(sa.select(Task).where(Task.agency_id == officer.agency_id)).first()
    update = change_status(session, officer, task, "submitted", now=T0)
    return officer, update


def test_stored_file_reads_back_for_own_agency_only(session, submitted, tmp_path):
    officer, update = submitted
    att = store_evidence(session, officer, real_upload("../../báo cáo.pdf", "x"),
                         folder=tmp_path, now=T0, task_update=update)
    assert att.filename == "báo cáo.pdf" and att.stored_name != att.filename
    assert not (tmp_path / att.stored_name).exists()  # staged until the commit
    session.commit()
    found, path = open_evidence(session, officer, att.id, tmp_path)
    assert path.read_bytes() == real_file("x.pdf", "x") and path.parent == tmp_path
    other = make_user(session, email="b@b.example.org", agency="AG-B")
    with pytest.raises(NotFound):
        open_evidence(session, other, att.id, tmp_path)


@pytest.mark.parametrize("name,data,limit", [
    ("virus.exe", b"MZ", 100),
    ("big.pdf", b"x" * 101, 100),
    ("empty.pdf", b"", 100),
    ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00", 1000),  # an executable
    ("photo.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", 1000),
    ("table.xlsx", real_file("x.docx"), 100_000),  # a text document named as a spreadsheet
], ids=["exe", "too-large", "empty", "program-as-pdf", "page-as-png", "docx-as-xlsx"])
def test_refused_files_leave_nothing(session, submitted, tmp_path, name, data, limit):
    officer, update = submitted
    with pytest.raises(InvalidInput):
        store_evidence(session, officer, Upload(name, io.BytesIO(data)), folder=tmp_path,
                       now=T0, task_update=update, max_bytes=limit)
    assert list(tmp_path.iterdir()) == [] or all(p.is_dir() for p in tmp_path.iterdir())
    assert session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_file_not_what_its_name_says_is_refused_by_code(session, submitted, tmp_path):
    from models.core.errors import FileContentMismatch

    officer, update = submitted
    with pytest.raises(FileContentMismatch) as refused:
        store_evidence(session, officer, Upload("báo cáo.pdf", io.BytesIO(real_file("x.docx"))),
                       folder=tmp_path, now=T0, task_update=update)
    assert refused.value.code == "file.content_mismatch"
    assert refused.value.details["filename"] == "báo cáo.pdf"
