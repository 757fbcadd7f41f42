"""Calendar feeds: exactly the agency's open tasks, revalidation, changes, revoke and renew."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from models.org.agencies import Agency
from models.org.users import User
from models.tasks.entities import OPEN_STATUSES, Task, TaskStatus
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, reschedule
from tests.factories import T0
from tests.webapp.period_world import SEED_NOW, build_seed_world

AGENCY = "VPTU"


@pytest.fixture
def seed(app, session):
    app.config["BASE_URL"] = "https://planwatch.example.org"
    return build_seed_world(app, session)


@pytest.fixture
def coordinator(app, seed):
    client = app.test_client()
    client.post("/login", data={"email": "coord@example.org", "password": "correct-horse-battery"})
    return client


def new_feed(client, agency: str = "") -> str:
    """Create a feed from the user's page; the path of the address shown once."""
    page = client.post("/feeds/", data={"agency": agency}, follow_redirects=True)
    url = html.unescape(re.search(r'flash-secret" role="status">([^<]+)<', page.get_data(
        as_text=True))[1])
    assert url.startswith("https://planwatch.example.org/feeds/pwf_")
    return url.removeprefix("https://planwatch.example.org")


def open_ids(session, agency: str | None = None) -> set[int]:
    query = sa.select(Task.id).where(Task.status.in_([s.value for s in OPEN_STATUSES]))
    if agency:
        query = query.join(Agency, Task.agency_id == Agency.id).where(Agency.code == agency)
    return set(session.scalars(query))


def events(body: bytes) -> dict[int, object]:
    cal = Calendar.from_ical(body)
    return {int(str(e["uid"]).split("@")[0].removeprefix("task-")): e
            for e in cal.walk("VEVENT")}


def test_the_agency_feed_lists_exactly_its_open_tasks(coordinator, seed, session):
    path = new_feed(coordinator, AGENCY)
    response = coordinator.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    found = events(response.data)
    assert set(found) == open_ids(session, AGENCY) != set()
    task = session.get(Task, min(found))
    event = found[task.id]
    assert event.decoded("dtstart") == task.due_on
    assert str(event["url"]) == f"https://planwatch.example.org/tasks/{task.id}"
    assert task.item.code in str(event["summary"])
    # the user's own feed: every open task the coordinator may see
    mine = events(coordinator.get(new_feed(coordinator)).data)
    assert set(mine) == open_ids(session)


def test_the_feed_revalidates_and_changes_with_submit_reschedule_and_new_tasks(
        app, coordinator, seed, session):
    path = new_feed(coordinator, AGENCY)
    first = coordinator.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert coordinator.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert coordinator.get(path, headers={"If-Modified-Since": modified}).status_code == 304

    actor = session.get(User, seed.coordinator)
    ids = sorted(events(first.data))
    later = SEED_NOW + timedelta(hours=1)
    change_status(session, actor, session.get(Task, ids[0]), TaskStatus.SUBMITTED, now=later,
                  note="nộp")
    session.commit()
    second = coordinator.get(path, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert second.headers["Last-Modified"] != modified
    assert ids[0] not in events(second.data)

    task = session.get(Task, ids[1])
    reschedule(session, actor, task, task.due_on + timedelta(days=10), reason="lùi hạn",
               now=later + timedelta(hours=1))
    session.commit()
    third = coordinator.get(path, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    assert events(third.data)[ids[1]].decoded("dtstart") == task.due_on

    generate_tasks(session, through=date(2027, 3, 31), now=T0)
    session.commit()
    fourth = coordinator.get(path, headers={"If-None-Match": third.headers["ETag"]})
    assert fourth.status_code == 200
    assert set(events(fourth.data)) == open_ids(session, AGENCY) > set(events(third.data))


def test_a_revoked_feed_answers_404_and_a_renewed_one_works(coordinator, seed, session):
    path = new_feed(coordinator, AGENCY)
    assert coordinator.get(path).status_code == 200
    page = coordinator.get("/feeds/").get_data(as_text=True)
    feed_id = re.search(r'id="feed-(\d+)"', page)[1]
    renewed = coordinator.post(f"/feeds/{feed_id}/renew", follow_redirects=True)
    new_url = re.search(r'flash-secret" role="status">([^<]+)<', renewed.get_data(as_text=True))[1]
    new_path = html.unescape(new_url).removeprefix("https://planwatch.example.org")
    assert coordinator.get(path).status_code == 404  # the old address stopped working
    anonymous = coordinator.application.test_client()
    assert anonymous.get(new_path).status_code == 200  # no login: the address is the secret
    page = coordinator.get("/feeds/").get_data(as_text=True)
    new_id = re.search(r'id="feed-(\d+)"', page)[1]
    coordinator.post(f"/feeds/{new_id}/revoke")
    assert anonymous.get(new_path).status_code == 404
    assert anonymous.get("/feeds/pwf_guessed.ics").status_code == 404


def test_an_officer_may_subscribe_only_to_their_own_agency(app, seed, session):
    from tests.factories import make_user

    make_user(session, email="officer@vptu.example.org", role="officer", agency=AGENCY)
    session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "officer@vptu.example.org",
                                "password": "correct-horse-battery"})
    assert client.post("/feeds/", data={"agency": "BTGDV"}).status_code == 403
    mine = events(client.get(new_feed(client)).data)
    assert set(mine) == open_ids(session, AGENCY)
