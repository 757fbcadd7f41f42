"""Page render times with the seed plan and 200 agencies, as ratios to /healthz in the same run.

Run: .venv/bin/python bench/web_pages.py [--agencies 200] [--repeat 20]
The issue's target: every page under 300 ms on the test machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher

import models  # noqa: F401
import models.org.accounts
from models.core.actors import CONSOLE
from models.core.db import Base, make_engine, make_session_factory
from models.org.agencies import Agency, AgencyGroup
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, import_plan

NOW = datetime(2026, 6, 15, 2, tzinfo=UTC)
PASSWORD = "bench-password-123"


def build(url: str, agencies: int) -> int:
    """Seed plan, synthetic agencies in the plan's groups up to `agencies`, tasks through 2026."""
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    import_agencies(session, SEED_AGENCIES, now=NOW)
    groups = session.scalars(
        sa.select(AgencyGroup).where(AgencyGroup.code.in_(["advisory", "directly_under"]))).all()
    existing = session.scalar(sa.select(sa.func.count(Agency.id)))
    for i in range(agencies - existing):
        session.add(Agency(code=f"BENCH-{i:03d}", name_vi=f"Đơn vị thử {i}", name_en="",
                           groups=[groups[i % len(groups)]]))
    session.flush()
    import_plan(session, SEED_PLAN, now=NOW)
    generate_tasks(session, through=date(2026, 12, 31), now=NOW)
    # a realistic mix: a third of the past tasks submitted, some of them accepted
    session.execute(sa.update(Task).where(Task.due_on < date(2026, 6, 1), Task.id % 3 == 0)
                    .values(status="submitted", submitted_at=NOW))
    session.execute(sa.update(Task).where(Task.status == "submitted", Task.id % 2 == 0)
                    .values(status="accepted"))
    models.org.accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    for email, role, agency in (("c@bench", "coordinator", "BTGDV"),
                                ("o@bench", "officer", "DU-UBND")):
        models.org.accounts.create_user(session, CONSOLE, email=email + ".vn", role=role,
                                    password=PASSWORD, now=NOW, agency_code=agency)
    session.commit()
    tasks = session.scalar(sa.select(sa.func.count(Task.id)))
    session.close()
    engine.dispose()
    return tasks


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from webapp import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        tasks = build(url, args.agencies)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
                          "SECRET_KEY": "bench", "PLANWATCH_NOW": NOW,
                          "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": folder})
        print(f"{args.agencies} agencies, {tasks} tasks; median and p95 of {args.repeat} runs")
        base, _ = timed(app.test_client(), "/healthz", args.repeat)
        print(f"{'/healthz (baseline)':40} {base:7.1f} ms")
        for email, pages in (("c@bench.vn", ["/dashboard/", "/tasks", "/review/",
                                             "/dashboard/tasks?state=overdue"]),
                             ("o@bench.vn", ["/tasks"])):
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            for page in pages:
                median, p95 = timed(client, page, args.repeat)
                verdict = "ok" if p95 < 300 else "SLOW"
                print(f"{email.split('@')[0] + ' ' + page:40} {median:7.1f} ms  p95 {p95:7.1f} ms"
                      f"  ×{median / base:5.1f} baseline  {verdict}")


if __name__ == "__main__":
    main()
