"""API fixtures: the mini plan with tasks, one user and token per role, a bearer client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.generate import generate_tasks
from models.tasks import Task
from models.tokens import create_token
from tests.factories import T0, load_mini, make_user

# 1 October 2025, 09:00 in Hà Nội: September's reports are overdue, tokens are valid
API_NOW = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
ROLES = ("admin", "coordinator", "inspector", "viewer", "officer", "officer_b")


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    task_a: int = 0  # a task of AG-A (the officer's agency)
    task_b: int = 0  # a task of AG-B (another agency)


def build_world(session: Session) -> World:
    """Agencies, the mini plan, its tasks through September 2025 and a token per role."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 9, 30), now=T0)
    world = World()
    for role in ROLES:
        if role == "officer_b":
            user = make_user(session, email="officer@b.example.org", agency="AG-B")
        elif role == "officer":
            user = make_user(session)
        else:
            user = make_user(session, email=f"{role}@example.org", role=role, agency=None)
        world.tokens[role] = create_token(session, "test", user, now=T0, name=role)[1]
    world.task_a, world.task_b = (
        session.scalar(sa.select(Task.id).join(Task.agency).join(Task.item)
                       .where(sa.text("agency.code = :a"), sa.text("item.code = 'M-RPT-M'"))
                       .params(a=code))
        for code in ("AG-A", "AG-B")
    )
    session.commit()
    return world


@pytest.fixture
def world(app, session) -> World:
    app.config["PLANWATCH_CLOCK"] = lambda: API_NOW
    return build_world(session)


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
