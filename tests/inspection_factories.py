"""A small inspection world for model and view tests: users of every role, one inspection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.org.agencies import Agency
from models.org.users import User
from models.oversight.corrective_actions import change_action_status, raise_action
from models.oversight.entities import CorrectiveAction, Finding, Inspection
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.plans.entities import Item
from tests.factories import load_mini

# 9:00 in Hà Nội on a Monday; the inspection season of the mini plan
DAY0 = datetime(2025, 10, 6, 2, 0, tzinfo=UTC)


def at(day: int, month: int = 10, year: int = 2025, hour: int = 3) -> datetime:
    """A UTC instant in the working day (10:00 in Hà Nội)."""
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class World:
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
    """A user without a password (hashing is slow and these tests never log in by form)."""
    agency_id = agency(session, agency_code).id if agency_code else None
    user = User(email=email, role=role, agency_id=agency_id, display_name=name,
                created_at=DAY0)
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


def make_world(session: Session, *, action_due_days: int = 10) -> World:
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
    return World(users, a, b, inspection, finding, action)


# the steps that bring a fresh (open) corrective action into each status
PATHS = {
    "open": [],
    "in_progress": [("officer", "in_progress", "")],
    "submitted": [("officer", "submitted", "đã nộp")],
    "verified": [("officer", "submitted", "đã nộp"), ("inspector", "verified", "")],
    "reopened": [("officer", "submitted", "đã nộp"), ("inspector", "reopened", "thiếu")],
}


def bring_to(session: Session, world: World, status: str) -> None:
    """Move the world's corrective action to `status` along the ordinary path."""
    for i, (role, to, note) in enumerate(PATHS[status]):
        change_action_status(session, world[role], world.action, to, note=note, now=at(8 + i))
    session.flush()
