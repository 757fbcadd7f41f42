"""A status change by the short way (webapp/api/tasks/lane.py) answers what Flask answers.

The lane takes a plain `POST /tasks/{id}/status` by a token this worker has checked, on
PostgreSQL and SQLite alike: its answer must be the task as `GET /tasks/{id}` then shows it,
with the same ETag, and the headers of Flask's answer to a change. Everything it does not
take (a refusal of any kind) goes to Flask, which answers exactly as if the lane were not
there, and nothing is changed by a refused request.
"""

from __future__ import annotations

import pytest

from tests.api.lane_helpers import answer as _answer
from tests.api.lane_helpers import lane_of as _lane
from tests.api.lane_helpers import statements_of
from webapp.api.tasks.lane import DISABLE


def _etag(client, task_id: int) -> str:
    return client.get(f"/tasks/{task_id}").headers["ETag"]


def _postgres(app):
    from models.core.db import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the statements counted are the PostgreSQL driver's")


def test_a_change_by_the_lane_is_the_task_as_flask_then_shows_it(app, as_role, world):
    officer, coordinator = as_role("officer"), as_role("coordinator")
    officer.get("/me"), coordinator.get("/me")  # Flask checks each token once
    lane = _lane(app)
    steps = [
        (officer, world.task_a, {"status": "in_progress"}),
        (officer, world.task_a, {"status": "submitted", "note": "Báo cáo đã gửi (trễ hạn)"}),
        (coordinator, world.task_a, {"status": "returned", "note": "Thiếu số liệu quý III"}),
        (coordinator, world.accept_a, {"status": "accepted", "note": ""}),
        (officer, world.yearly_a, {"status": "submitted", "nil_return": False}),
    ]
    for client, task_id, body in steps:
        before = lane.served
        history = len(client.get(f"/tasks/{task_id}/history").get_json())
        changed = client.post(f"/tasks/{task_id}/status", json=body,
                              etag=_etag(client, task_id))
        assert changed.status_code == 200, changed.get_json()
        assert lane.served == before + 1, f"the lane did not take {body}"
        shown = client.get(f"/tasks/{task_id}")
        assert changed.get_json() == shown.get_json()
        assert changed.headers["ETag"] == shown.headers["ETag"]
        assert changed.get_json()["status"] == body["status"]
        assert len(client.get(f"/tasks/{task_id}/history").get_json()) == history + 1
    # the headers of Flask's own answer to a change (the same step on another task)
    fast = officer.post(f"/tasks/{world.open_a}/status", json={"status": "in_progress"},
                        etag=_etag(officer, world.open_a))
    assert lane.served == before + 1 + 1
    slow_task = world.yearly_a
    assert officer.get(f"/tasks/{slow_task}").get_json()["status"] == "submitted"
    slow = coordinator.post(f"/tasks/{slow_task}/status", json={"status": "returned",
                                                                "note": "Bổ sung"},
                            etag=_etag(coordinator, slow_task),
                            environ_overrides={DISABLE: True})
    assert slow.status_code == 200 and lane.served == before + 2

    def names(response):
        return {k: v for k, v in response.headers.items()
                if k not in ("Date", "Content-Length", "ETag")}

    assert names(fast) == names(slow)
    submitted = officer.get(f"/tasks/{world.task_a}/history").get_json()
    assert [step["action"] for step in submitted] == ["start", "submit", "return"]
    assert submitted[1]["late"] is True  # due in September, submitted on 1 October


REFUSED = [  # (role, task attribute, body, If-Match: None for the current one, "" for none)
    ("officer", "task_a", {"status": "in_progress"}, '"9"'),  # stale: 412
    ("officer", "task_a", {"status": "in_progress"}, ""),  # no If-Match: 428
    ("officer", "task_a", {"status": "in_progress"}, 'W/"1"'),
    ("officer", "task_a", {"status": "in_progress", "extra": 1}, None),  # unknown field
    ("officer", "task_a", {"status": "in_progress", "note": "a\x01b"}, None),  # control
    ("officer", "task_a", {"status": "in_progress", "note": "x" * 2001}, None),  # too long
    ("officer", "task_a", {"status": ["in_progress"]}, None),
    ("officer", "task_a", {"status": "in_progress", "nil_return": "yes"}, None),
    ("officer", "task_a", {"status": "accepted"}, None),  # not the officer's step
    ("officer", "task_a", {"status": "done"}, None),  # no such status
    ("officer", "task_a", {"status": "submitted", "nil_return": True}, None),  # not allowed
    ("officer", "task_b", {"status": "in_progress"}, None),  # another agency's: 404
    ("coordinator", "accept_a", {"status": "returned", "note": "   "}, None),  # no reason
    ("viewer", "task_a", {"status": "in_progress"}, None),  # a viewer changes nothing
]


def test_a_refused_change_is_answered_by_flask_and_changes_nothing(app, as_role, world):
    """Each of REFUSED in turn, on one world (a refused request changes nothing, as checked
    after each one): the lane does not answer, and Flask's answer is the one it gives with
    the lane switched off."""
    reader = as_role("coordinator")
    lane = _lane(app)
    for role, task, body, if_match in REFUSED:
        case = f"{role} {task} {body} If-Match {if_match!r}"
        client = as_role(role)
        client.get("/me")
        task_id = getattr(world, task)
        before_task, before_history = (reader.get(f"/tasks/{task_id}").get_data(),
                                       reader.get(f"/tasks/{task_id}/history").get_data())
        etag = _etag(reader, task_id) if if_match is None else if_match
        served = lane.served
        fast = client.post(f"/tasks/{task_id}/status", json=body, etag=etag or None)
        assert lane.served == served, case
        slow = client.post(f"/tasks/{task_id}/status", json=body, etag=etag or None,
                           environ_overrides={DISABLE: True})
        assert _answer(fast) == _answer(slow), case
        assert fast.status_code in (403, 404, 409, 412, 422, 428), (case, fast.get_json())
        assert reader.get(f"/tasks/{task_id}").get_data() == before_task, case
        assert reader.get(f"/tasks/{task_id}/history").get_data() == before_history, case


def test_what_is_not_plain_json_goes_to_flask(app, as_role, world):
    """A form, a body without Content-Length or of another type: Flask reads and answers it
    (the lane put back what it read)."""
    client = as_role("officer")
    client.get("/me")
    lane = _lane(app)
    served = lane.served
    etag = _etag(client, world.task_a)
    form = client.post(f"/tasks/{world.task_a}/status", data={"status": "in_progress"},
                       etag=etag)
    typed = client.post(f"/tasks/{world.task_a}/status", data=b'{"status": "in_progress"}',
                        etag=etag, headers={"Content-Type": "application/json; charset=utf-8"})
    assert lane.served == served
    assert form.status_code == 422
    assert typed.status_code == 200 and typed.get_json()["status"] == "in_progress"


def test_an_unchecked_or_revoked_token_is_left_to_flask(app, as_role, world, session):
    from datetime import UTC, datetime

    from models.core.actors import CONSOLE
    from models.org.tokens import revoke_token

    lane = _lane(app)
    officer = as_role("officer")
    served = lane.served
    first = officer.post(f"/tasks/{world.task_a}/status", json={"status": "in_progress"},
                         etag=_etag(officer, world.task_a))  # the GET checked the token
    assert first.status_code == 200
    assert lane.served == served + 1
    revoke_token(session, CONSOLE, world.token_ids["officer"], now=datetime.now(UTC))
    session.commit()
    refused = officer.post(f"/tasks/{world.open_a}/status", json={"status": "in_progress"},
                           etag='"1"')
    assert refused.status_code == 401
    assert as_role("coordinator").get(f"/tasks/{world.open_a}").get_json()["status"] == (
        "not_started")
    assert lane.served == served + 1


def test_the_lane_writes_a_change_in_one_statement_after_the_read(app, as_role, world):
    _postgres(app)
    client = as_role("officer")
    client.get("/tasks?page_size=1")  # the token checked, the lane's connection open
    lane = _lane(app)
    etag = _etag(client, world.task_a)
    with statements_of(lane) as statements:
        changed = client.post(f"/tasks/{world.task_a}/status", json={"status": "in_progress"},
                              etag=etag)
    assert changed.status_code == 200
    assert len(statements) == 2, statements
    assert statements[1].startswith("WITH changed AS (UPDATE task")



def test_on_sqlite_the_lanes_changes_leave_the_checkpoints_to_the_workers_thread(
        app, as_role, world):
    """Each change the lane commits is told to this worker's checkpointer; the lane's own
    connection checkpoints only past the backstop (models/core/wal.py)."""
    from models.core.db import db
    from models.core.wal import BACKSTOP

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the WAL is SQLite's")
    officer = as_role("officer")
    officer.get("/me")
    lane = _lane(app)
    before = lane.served
    for task_id in (world.task_a, world.open_a):
        changed = officer.post(f"/tasks/{task_id}/status", json={"status": "in_progress"},
                               etag=_etag(officer, task_id))
        assert changed.status_code == 200
    assert lane.served == before + 2
    checkpointer = lane.checkpointer()
    assert checkpointer is not None and checkpointer.pending == 2
    assert lane.connection().execute("PRAGMA wal_autocheckpoint").fetchone() == (BACKSTOP,)
    assert checkpointer.wait() and checkpointer.pending == 0
    busy, pages, copied = checkpointer.last
    assert busy == 0 and copied == pages > 0
