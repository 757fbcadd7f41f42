"""API fixtures: the mini plan with tasks, one user and token per role, a bearer client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import CONSOLE
from models.core.evidence import store_evidence
from models.notify.entities import Notification
from models.org.agencies import Agency
from models.org.tokens import create_token
from models.oversight.corrective_actions import change_action_status, raise_action
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.plans.entities import Item, Plan
from models.tasks.entities import Task
from models.tasks.extensions import request_extension
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user, real_upload

# 1 October 2025, 09:00 in Hà Nội: September's reports are overdue, tokens are valid
API_NOW = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
ROLES = ("admin", "coordinator", "inspector", "viewer", "officer", "officer_b")


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    task_a: int = 0  # AG-A's plan task, not started, overdue
    open_a: int = 0  # AG-A's quarterly report, not started, overdue
    accept_a: int = 0  # AG-A's October report, submitted
    return_a: int = 0  # AG-A's November report, submitted with evidence
    attachment_a: int = 0  # the evidence of return_a
    task_b: int = 0  # AG-B's plan task (another agency)
    users: dict[str, int] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    agency_a: int = 0
    plan: int = 0
    inspections: dict[str, int] = field(default_factory=dict)  # planned, running, to_conclude
    finding_a: int = 0  # a major finding at AG-A of the running inspection
    actions: dict[str, int] = field(default_factory=dict)  # AG-A's, one per lifecycle step
    notification_a: int = 0  # a reminder to AG-A's officer
    yearly_a: int = 0  # AG-A's 2025 annual report, not started, due 15/12/2025
    extension_b: int = 0  # AG-B's pending request for more time on its annual report


def _task(session: Session, agency: str, item: str, index: int = 0) -> Task:
    query = (sa.select(Task).join(Task.agency).join(Task.item)
             .where(Agency.code == agency, Item.code == item).order_by(Task.period_start))
    return session.scalars(query).all()[index]


def _add_user(session: Session, world: World, users: dict, role: str) -> None:
    if role == "officer_b":
        user = make_user(session, email="officer@b.example.org", agency="AG-B")
    elif role == "officer":
        user = make_user(session)
    else:
        user = make_user(session, email=f"{role}@example.org", role=role, agency=None)
    users[role] = user
    world.users[role] = user.id
    token, world.tokens[role] = create_token(session, CONSOLE, user, now=T0, name=role)
    world.token_ids[role] = token.id


def build_world(session: Session, folder: Path) -> World:
    """Agencies, the mini plan, its tasks through November 2025 and a token per role."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 11, 30), now=T0)
    world = World()
    users = {}
    for role in ROLES:
        _add_user(session, world, users, role)
    world.task_a = _task(session, "AG-A", "M-PLAN").id
    world.agency_a = session.scalar(sa.select(Agency.id).where(Agency.code == "AG-A"))
    world.plan = session.scalar(sa.select(Plan.id).where(Plan.code == "MINI-1"))
    world.open_a = _task(session, "AG-A", "M-RPT-Q").id
    world.task_b = _task(session, "AG-B", "M-PLAN").id
    october, november = _task(session, "AG-A", "M-RPT-M"), _task(session, "AG-A", "M-RPT-M", 1)
    change_status(session, users["officer"], october, "submitted", now=T0)
    update = change_status(session, users["officer"], november, "submitted", now=T0)
    attachment = store_evidence(session, users["officer"],
                                real_upload("báo cáo.pdf", "test"),
                                folder=folder, now=T0, task_update=update)
    world.accept_a, world.return_a, world.attachment_a = october.id, november.id, attachment.id
    world.yearly_a = _task(session, "AG-A", "M-RPT-Y").id
    world.extension_b = request_extension(
        session, users["officer_b"], _task(session, "AG-B", "M-RPT-Y"),
        due_on=date(2026, 1, 15), reason="Chờ số liệu quý IV", now=API_NOW).id
    add_inspections(session, world, users)
    session.commit()
    return world


def add_inspections(session: Session, world: World, users: dict) -> None:
    """Three inspections of AG-A (planned, running, running), a finding and its actions."""
    inspector, officer = users["inspector"], users["officer"]

    def inspection(name: str, start: bool):
        found = create_inspection(session, inspector, kind="inspection", title=f"Kiểm tra {name}",
                                  agency_ids=[world.agency_a], planned_on=date(2025, 8, 18),
                                  now=T0, plan_id=world.plan)
        if start:
            change_inspection_status(session, inspector, found, "in_progress", now=T0)
        world.inspections[name] = found.id
        return found

    inspection("planned", False)
    inspection("to_conclude", True)
    running = inspection("running", True)
    finding = log_finding(session, inspector, running, agency_id=world.agency_a, severity="major",
                          text="Chưa công khai kế hoạch", now=T0)
    world.finding_a = finding.id
    for name in ("start", "submit", "verify", "reopen", "extend"):
        action = raise_action(session, inspector, finding, description=f"Khắc phục ({name})",
                              due_in_working_days=10, now=T0)
        if name in ("verify", "reopen"):
            change_action_status(session, officer, action, "submitted", note="đã xong", now=T0)
        world.actions[name] = action.id
    reminder = Notification(
        dedupe_key="api-test-1", recipient_user_id=officer.id,
        subject_type="corrective_action", subject_id=world.actions["start"], rung="-1",
        kind="reminder", payload={}, status="pending", next_attempt_at=T0, created_at=T0)
    session.add(reminder)
    session.flush()
    world.notification_a = reminder.id


@pytest.fixture
def world(app, session) -> World:
    app.config["PLANWATCH_NOW"] = lambda: API_NOW
    return build_world(session, app.config["UPLOAD_FOLDER"])


class BearerClient:
    """The Flask test client with a token and JSON helpers."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def open(self, method: str, path: str, *, etag=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag is not None:
            headers["If-Match"] = etag
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)


@pytest.fixture
def as_role(client, world):
    """A client acting with the token of `role`."""
    return lambda role: BearerClient(client, world.tokens.get(role, role))
