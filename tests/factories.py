"""Small data factories for tests: the plans, users, an inspection world, outbox rows."""

from __future__ import annotations

import functools
import io
import itertools
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import CONSOLE
from models.core.evidence import Upload
from models.notify.entities import Notification
from models.org.accounts import create_user, hash_password
from models.org.agencies import Agency
from models.org.users import User
from models.oversight.corrective_actions import change_action_status, raise_action
from models.oversight.entities import CorrectiveAction, Finding, Inspection
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.plans.entities import Item
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, import_plan

DATA = Path(__file__).parent / "data"
T0 = datetime(2025, 8, 20, 1, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"


# -- genuine tiny files, for uploads: evidence is judged by its content (models/core/sniff.py)
def _pdf(text: str) -> bytes:
    """A one-page PDF with its cross-reference table (opens in any reader)."""
    stream = f"BT /F1 12 Tf 20 40 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 80] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _png() -> bytes:
    """A 1×1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _fixed_times(data: bytes) -> bytes:
    """The same archive with fixed entry times: the same bytes in every process."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, (2025, 1, 1, 0, 0, 0)),
                            source.read(info.filename))
    return out.getvalue()


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.core_properties.created = document.core_properties.modified = datetime(2025, 1, 1)
    document.save(buffer)
    return _fixed_times(buffer.getvalue())


def _xlsx(text: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = text
    book.properties.created = book.properties.modified = datetime(2025, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("readme.txt", (2025, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@functools.cache
def real_file(name: str, text: str = "Bao cao") -> bytes:
    """The bytes of a genuine tiny file of the kind `name`'s extension says: a PDF, a PNG, a
    JPEG (tests/data/tiny.jpg, CPython's test image), a DOCX, an XLSX, a ZIP, text or CSV.
    Different `text` gives different bytes (and hashes)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return _pdf(text)
    if suffix == ".png":
        return _png()
    if suffix in (".jpg", ".jpeg"):
        return (DATA / "tiny.jpg").read_bytes()
    if suffix == ".docx":
        return _docx(text)
    if suffix == ".xlsx":
        return _xlsx(text)
    if suffix == ".zip":
        return _zip(text)
    if suffix in (".txt", ".csv"):
        return (text + "\n").encode()
    raise ValueError(f"no real file of type {suffix!r} here")


def real_upload(name: str, text: str = "Bao cao") -> Upload:
    """An upload of a genuine tiny file named `name` (see `real_file`)."""
    return Upload(name, io.BytesIO(real_file(name, text)))


def load_mini(session: Session) -> None:
    """The small test plan (two agencies groups, a handful of items)."""
    import_agencies(session, DATA / "mini-agencies.yaml", now=T0)
    import_plan(session, DATA / "mini-plan.yaml", now=T0)
    session.flush()


def load_seed(session: Session) -> None:
    """The bundled agencies and Plan 516-KH/TU."""
    import_agencies(session, SEED_AGENCIES, now=T0)
    import_plan(session, SEED_PLAN, now=T0)
    session.flush()


def make_user(session: Session, email: str = "officer@a.example.org", role: str = "officer",
              agency: str | None = "AG-A", **overrides) -> User:
    return create_user(session, CONSOLE, email=email, role=role, password=PASSWORD, now=T0,
                       agency_code=agency if role == "officer" or agency else None, **overrides)


# -- an inspection world for model, view and browser tests: users of every role, one inspection
# 9:00 in Hà Nội on a Monday; the inspection season of the mini plan
DAY0 = datetime(2025, 10, 6, 2, 0, tzinfo=UTC)


def at(day: int, month: int = 10, year: int = 2025, hour: int = 3) -> datetime:
    """A UTC instant in the working day (10:00 in Hà Nội)."""
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class InspectionWorld:
    users: dict[str, User]
    agency_a: Agency
    agency_b: Agency
    inspection: Inspection
    finding: Finding
    action: CorrectiveAction

    def __getitem__(self, role: str) -> User:
        return self.users[role]


def agency(session: Session, code: str) -> Agency:
    return session.scalar(sa.select(Agency).where(Agency.code == code))


def person(session: Session, email: str, role: str, agency_code: str | None = None,
           name: str = "") -> User:
    """A user with the test PASSWORD, written directly (no account rules, no audit)."""
    agency_id = agency(session, agency_code).id if agency_code else None
    user = User(email=email, role=role, agency_id=agency_id, display_name=name,
                password_hash=hash_password(PASSWORD), created_at=DAY0)
    session.add(user)
    session.flush()
    return user


def make_people(session: Session) -> dict[str, User]:
    """One user per role; `officer` works at AG-A, `other_officer` at AG-B."""
    return {
        "admin": person(session, "admin@example.org", "admin"),
        "inspector": person(session, "insp@example.org", "inspector", name="Thanh tra viên"),
        "coordinator": person(session, "coord@example.org", "coordinator", "COORD"),
        "officer": person(session, "officer@a.example.org", "officer", "AG-A", "Cán bộ A"),
        "other_officer": person(session, "officer@b.example.org", "officer", "AG-B"),
        "viewer": person(session, "viewer@example.org", "viewer"),
    }


def make_world(session: Session, *, action_due_days: int = 10) -> InspectionWorld:
    """Mini plan, one started inspection of AG-A, a major finding, an open corrective action."""
    load_mini(session)
    users = make_people(session)
    a, b = agency(session, "AG-A"), agency(session, "AG-B")
    item = session.scalar(sa.select(Item).where(Item.code == "M-RPT-M"))
    inspection = create_inspection(
        session, users["inspector"], kind="inspection", title="Kiểm tra Đơn vị A",
        agency_ids=[a.id], planned_on=date(2025, 10, 6), item_ids=[item.id], now=DAY0)
    change_inspection_status(session, users["inspector"], inspection, "in_progress", now=DAY0)
    finding = log_finding(session, users["inspector"], inspection, agency_id=a.id,
                          text="Chưa báo cáo tháng 9", severity="major", item_id=item.id,
                          now=at(7))
    action = raise_action(session, users["inspector"], finding, description="Nộp báo cáo tháng 9",
                          due_in_working_days=action_due_days, now=at(7))
    session.flush()
    return InspectionWorld(users, a, b, inspection, finding, action)


# the steps that bring a fresh (open) corrective action into each status
PATHS = {
    "open": [],
    "in_progress": [("officer", "in_progress", "")],
    "submitted": [("officer", "submitted", "đã nộp")],
    "verified": [("officer", "submitted", "đã nộp"), ("inspector", "verified", "")],
    "reopened": [("officer", "submitted", "đã nộp"), ("inspector", "reopened", "thiếu")],
}


def bring_to(session: Session, world: InspectionWorld, status: str) -> None:
    """Move the world's corrective action to `status` along the ordinary path."""
    for i, (role, to, note) in enumerate(PATHS[status]):
        change_action_status(session, world[role], world.action, to, note=note, now=at(8 + i))
    session.flush()

# -- outbox rows written directly, as the deadlines flow would have
_keys = itertools.count(1)
WRITTEN = datetime(2025, 9, 30, 1, 0, tzinfo=UTC)  # 08:00 on 30/09/2025 in Hà Nội


def make_notification(session, *, recipient_id: int | None, subject_id: int,
                      status: str = "sent", **overrides) -> Notification:
    """One outbox row about a task, as the deadlines flow would have written it."""
    row = Notification(
        dedupe_key=f"test-{next(_keys)}", recipient_user_id=recipient_id,
        subject_type="task",
        subject_id=subject_id, rung="0", kind="reminder", payload={}, locale="vi",
        status=status, attempts=0, next_attempt_at=WRITTEN, last_error="", created_at=WRITTEN,
        sent_at=WRITTEN if status == "sent" else None,
    )
    for key, value in overrides.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row
