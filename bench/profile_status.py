"""Profile POST /api/v1/tasks/{id}/status in-process (Flask test client) on a bench database.

    .venv/bin/python -m bench.profile_status URL [N] [OUT]

URL is a database the bench built (`python -m bench --db ... --workdir W`: sqlite:///W/bench.db,
or the PostgreSQL one); it changes 2N + 101 tasks not started or returned to in_progress, as the
coordinator. Prints the wall and CPU time per change without the profiler, by the API's short
way (webapp/api/tasks/lane.py) and through Flask alone (the lane switched off), alternating,
N/2 of each; then writes pyinstrument's text profile of N changes by the short way to OUT
(needs the `bench` extra: pyinstrument). The test client's own work is in both.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime


def main(argv: list[str]) -> None:
    url = argv[0]
    n = int(argv[1]) if len(argv) > 1 else 300
    out = argv[2] if len(argv) > 2 else "profile_status.txt"
    os.environ.setdefault("PLANWATCH_DATABASE_URL", url)
    os.environ.setdefault("PLANWATCH_SECRET_KEY", "bench-secret")
    import pyinstrument
    import sqlalchemy as sa

    from models.core.db import db
    from models.org.tokens import create_token
    from models.org.users import User
    from models.tasks.entities import Task
    from webapp import create_app
    from webapp.api.tasks.lane import DISABLE

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(
            User.email == "coordinator@bench.example.org"))
        _, secret = create_token(db.session, user, user, name="profile", now=datetime.now(UTC))
        db.session.commit()
        rows = iter(db.session.execute(
            sa.select(Task.id, Task.version).where(Task.status.in_(["not_started", "returned"]))
            .order_by(Task.id.desc()).limit(2 * n + 101)).all())
    client = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}

    def change(lane: bool = True):
        task_id, version = next(rows)
        response = client.post(f"/api/v1/tasks/{task_id}/status",
                               json={"status": "in_progress", "note": "bench"},
                               headers={**auth, "If-Match": f'"{version}"'},
                               environ_overrides={} if lane else {DISABLE: True})
        assert response.status_code == 200, (response.status_code, response.data)

    for _ in range(50):  # warm: compiled statements, the token cache, the lane's connection
        change(lane=True)
        change(lane=False)
    for lane in (True, False, True, False):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n // 4):
            change(lane)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{'short way' if lane else 'Flask    '}: {n // 4} changes, "
              f"{wall / (n // 4) * 1000:.2f} ms each, CPU {cpu / (n // 4) * 1000:.2f} ms")
    profiler = pyinstrument.Profiler(interval=0.0002)
    profiler.start()
    for _ in range(n):
        change()
    profiler.stop()
    with open(out, "w") as f:
        f.write(profiler.output_text(unicode=False, color=False))
    print(f"profile of {n} changes by the short way: {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
