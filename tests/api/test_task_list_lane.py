"""The task list's short way (webapp/api/tasks/lane.py) answers exactly what Flask answers.

Every request below is sent twice: once as any client sends it (the lane takes it when it can)
and once with the lane switched off for that request (Flask alone). Status, headers and body
must be the same bytes, and the lane must really have answered the first one.
"""

from __future__ import annotations

import pytest

from tests.api.lane_helpers import answer as _answer
from tests.api.lane_helpers import lane_of as _lane
from tests.api.lane_helpers import statements_of
from webapp.api.tasks.lane import DISABLE

# plain filters the lane takes (each with rows in the mini plan, or an empty first page)
TAKEN = [
    "",
    "?overdue=true",
    "?overdue=false&sort=-due&page=2&page_size=1",
    "?agency=AG-A&overdue=true",
    "?agency=AG-B",
    "?status=submitted&sort=agency",
    "?status=not_started&sort=item&page_size=5",
    "?category=overdue&as_of=2025-09-15",
    "?category=not_due",
    "?category=done_on_time&sort=submitted",
    "?due_from=2025-07-01&due_to=2025-09-30&sort=status",
    "?plan=MINI-1&page_size=4&page=2",
    "?item=M-PLAN",
    "?section=I",
    "?agency=NO-SUCH-AGENCY",
    "?as_of=2025-01-01&overdue=true",
]
# left to Flask: it parses, validates and answers these (errors included)
LEFT = [
    "?period=2025-09",  # a period is built each time
    "?search=AG",
    "?page=0",
    "?page_size=500",
    "?overdue=yes",
    "?agency=",
    "?agency=AG-A&agency=AG-B",
    "?as_of=2025-9-1",
    "?due_from=2025-02-30",
    "?unknown=1",
    "?agency=AG%2DA",  # percent-encoded: Flask decodes it
    "?search=%00",
    "?page=99999",  # past the end: the total is counted on its own
]


@pytest.mark.parametrize("role", ["coordinator", "officer", "viewer"])
def test_the_lane_answers_what_flask_answers_for_each_role(app, as_role, role):
    client = as_role(role)
    assert client.get("/me").status_code == 200  # Flask checks the token once
    lane = _lane(app)
    for query in TAKEN:
        before = lane.served
        fast = client.get("/tasks" + query)
        assert lane.served == before + 1, f"the lane did not answer {query!r}"
        slow = client.get("/tasks" + query, environ_overrides={DISABLE: True})
        assert _answer(fast) == _answer(slow), query
        assert fast.status_code == 200


def test_the_lane_leaves_everything_else_to_flask(app, as_role):
    client = as_role("coordinator")
    client.get("/me")
    lane = _lane(app)
    for query in LEFT:
        before = lane.served
        fast = client.get("/tasks" + query)
        assert lane.served == before, f"the lane answered {query!r}"
        slow = client.get("/tasks" + query, environ_overrides={DISABLE: True})
        assert _answer(fast) == _answer(slow), query
    assert client.get("/tasks?page=0").status_code == 422
    assert "page" in client.get("/tasks?page=0").get_json()["errors"]["query"]


def test_an_unchecked_or_revoked_token_goes_through_flask(app, as_role, world, session):
    from datetime import UTC, datetime

    from models.core.actors import CONSOLE
    from models.org.tokens import revoke_token

    lane = _lane(app)
    officer = as_role("officer")
    before = lane.served
    first = officer.get("/tasks?overdue=true")  # not checked yet in this worker: Flask
    assert first.status_code == 200 and lane.served == before
    assert officer.get("/tasks?overdue=true").status_code == 200 and lane.served == before + 1
    revoke_token(session, CONSOLE, world.token_ids["officer"], now=datetime.now(UTC))
    session.commit()
    refused = officer.get("/tasks?overdue=true")
    assert refused.status_code == 401 and lane.served == before + 1
    assert as_role("nobody").get("/tasks").status_code == 401


def test_the_lane_reads_a_page_and_its_total_in_one_statement(app, as_role, db_url):
    client = as_role("coordinator")
    client.get("/me")
    lane = _lane(app)
    client.get("/tasks?overdue=true&page_size=2")  # the lane's connection is open now
    with statements_of(lane) as first:
        page = client.get("/tasks?agency=AG-A&page_size=2").get_json()
    assert page["total"] > 2 and len(page["items"]) == 2
    with statements_of(lane) as again:
        assert client.get("/tasks?agency=AG-A&page_size=2").get_json() == page
    assert len(again) == 1, again
    if db_url.startswith("postgresql"):
        # PostgreSQL reads a page in task order without joins: the codes of the items it had
        # not named yet are read once, beside it; never again for the same rows
        assert len(first) == 2 and "FROM item JOIN plan" in first[1], first
        assert "JOIN" not in again[0]
    else:
        assert len(first) == 1, first



def test_the_lane_names_rows_alike_when_its_code_map_is_full(app, as_role):
    """The map of codes is emptied when it grows past its limit (here at every page): the
    page's codes are read again and the answer stays Flask's."""
    client = as_role("coordinator")
    client.get("/me")
    lane = _lane(app)
    lane.codes.limit = 1
    for query in TAKEN:
        before = lane.served
        fast = client.get("/tasks" + query)
        assert lane.served == before + 1, f"the lane did not answer {query!r}"
        assert _answer(fast) == _answer(
            client.get("/tasks" + query, environ_overrides={DISABLE: True})), query
