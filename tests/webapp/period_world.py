"""The seed plan (516-KH/TU, Cao Bằng agencies) with tasks and some on-time and late reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import CONSOLE
from models.org.tokens import create_token
from models.tasks.entities import Task, TaskStatus
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_seed, make_user

AS_OF = date(2025, 12, 22)
SEED_NOW = datetime(2025, 12, 22, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
PLAN = "516-KH/TU"


@dataclass
class SeedWorld:
    coordinator: int = 0
    token: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # what was done to the tasks


def _at(day: date) -> datetime:
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def build_seed_world(app, session: Session) -> SeedWorld:
    """Tasks through 2026; of those due by early January: on time, late, accepted, started."""
    app.config["PLANWATCH_NOW"] = SEED_NOW
    app.config["PLANWATCH_NOW"] = SEED_NOW
    load_seed(session)
    generate_tasks(session, through=date(2026, 12, 31), now=T0)
    coordinator = make_user(session, email="coord@example.org", role="coordinator",
                            agency=None)
    world = SeedWorld(coordinator=coordinator.id)
    _token, world.token = create_token(session, CONSOLE, coordinator, now=T0, name="t", days=366)
    tasks = session.scalars(sa.select(Task).where(Task.due_on <= AS_OF + timedelta(days=15))
                            .order_by(Task.id)).all()
    future = 0
    for i, task in enumerate(tasks):
        kind = i % 6
        if task.due_on >= AS_OF:  # of the tasks not yet past due, one in two started early
            future += 1
            kind = 2 if future % 2 else 5
        if kind == 0 and task.due_on - timedelta(days=1) <= AS_OF:  # on time
            change_status(session, coordinator, task, TaskStatus.SUBMITTED,
                          now=_at(task.due_on - timedelta(days=1)), note="đúng hạn")
        elif kind == 1 and task.due_on + timedelta(days=3) <= AS_OF:  # late
            change_status(session, coordinator, task, TaskStatus.SUBMITTED,
                          now=_at(task.due_on + timedelta(days=3)), note="quá hạn")
        elif kind == 2:  # started
            change_status(session, coordinator, task, TaskStatus.IN_PROGRESS,
                          now=_at(min(task.due_on, AS_OF)))
        elif kind == 3 and task.due_on <= AS_OF:  # on time, then accepted
            change_status(session, coordinator, task, TaskStatus.SUBMITTED,
                          now=_at(task.due_on), note="đúng hạn")
            change_status(session, coordinator, task, TaskStatus.ACCEPTED, now=SEED_NOW)
        else:
            continue
        world.counts[task.status] = world.counts.get(task.status, 0) + 1
    session.commit()
    return world


CATEGORY_CELL = re.compile(r'<td class="num cat-(\w+)[^"]*"><a [^>]*>(\d+)</a></td>')


def agency_rows(page: str) -> dict[str, dict[str, int]]:
    """The five numbers of each agency row of the dashboard's agency table, by agency code."""
    table = page.split('id="by-agency"')[1].split("</table>")[0]
    out = {}
    for code, row in re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', table, re.S):
        out[code] = {name: int(n) for name, n in CATEGORY_CELL.findall(row)}
    return out
