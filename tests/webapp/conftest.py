"""Web fixtures: the mini plan with tasks, one user per role, logging in."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.org.users import User
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from tests.factories import PASSWORD, T0, load_mini, make_user, real_file

WEB_NOW = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội; September's tasks are late

USERS = {
    "officer_a": ("officer@a.example.org", "officer", "AG-A"),
    "officer_b": ("officer@b.example.org", "officer", "AG-B"),
    "coordinator": ("coord@example.org", "coordinator", "COORD"),
    "inspector": ("inspector@example.org", "inspector", "COORD"),
    "viewer": ("viewer@example.org", "viewer", None),
    "admin": ("admin@example.org", "admin", None),
}


@pytest.fixture
def world(app, session):
    """Agencies AG-A and AG-B with the mini plan's tasks through 2025, and one user per role."""
    app.config["PLANWATCH_NOW"] = WEB_NOW
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    ids = {}
    for key, (email, role, agency) in USERS.items():
        ids[key] = make_user(session, email=email, role=role, agency=agency).id
    session.commit()

    def task_of(agency: str, item: str = "M-RPT-Q") -> int:
        return session.scalar(
            sa.select(Task.id).join(Task.agency).join(Task.item)
            .where(sa.text("agency.code = :a"), sa.text("item.code = :i"))
            .params(a=agency, i=item).order_by(Task.period_start).limit(1))

    return {"users": ids, "task_of": task_of}


def email_of(who: str | User) -> str:
    """`who` is a key of USERS, a User (the factories give every user PASSWORD) or an email."""
    if isinstance(who, User):
        return who.email
    return USERS[who][0] if who in USERS else who


def login(client, who: str | User, password: str = PASSWORD):
    """Log the client in through the login form: the one way every web test logs in."""
    return client.post("/login", data={"email": email_of(who), "password": password})


def submit(client, task_id: int, content: bytes = real_file("x.pdf", "report"),
           name: str = "report.pdf", note: str = "done", version: int | None = None):
    """Submit a report with one file through the form."""
    data = {"note": note, "files": (io.BytesIO(content), name)}
    if version is not None:
        data["version"] = str(version)
    return client.post(f"/tasks/{task_id}/report", data=data, content_type="multipart/form-data")


@pytest.fixture
def as_user(app):
    """A fresh logged-in client: as_user("officer_a") or as_user(world["inspector"])."""

    def make(who: str | User):
        client = app.test_client()
        response = login(client, who)
        assert response.status_code == 302, response.data[:500]
        return client

    return make
