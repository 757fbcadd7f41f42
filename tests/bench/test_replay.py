"""A month of the seed plan replayed: the right people, once a day, never contradictory."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from bench.replay import HCM, Receiver, replay, setup
from models.org.users import User
from models.tasks.generation import generate_tasks

pytestmark = pytest.mark.slow
PASSWORD = "replay-password"
LINK = re.compile(r"https://planwatch\.example\.org(/(?:tasks|inspections/actions)/\d+)")


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    from argon2 import PasswordHasher

    import models.org.accounts

    monkeypatch.setattr(models.org.accounts, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_a_replayed_month_tells_the_right_people_once_a_day(app, session, receiver):
    t0 = datetime(2025, 12, 1, tzinfo=HCM)
    setup(session, receiver, now=t0)
    generate_tasks(session, through=date(2026, 11, 1), now=t0)
    session.commit()
    # November 2026: monthly reports, the Q3 report's late tail, 20/11 and the 24/11 holiday
    report = replay(session, date(2026, 11, 1), date(2026, 11, 30), receiver=receiver)
    assert report.messages == report.sent_rows > 20
    assert report.items["reminder"] and report.items["overdue"] and report.items["escalation"]
    assert report.cannot_open == 0
    assert report.escalations_to_reports_to == 0 and report.escalations_to_coordinators > 0
    assert report.max_digests_per_person_channel_day == 1
    assert report.reminder_and_overdue_same_day == 0
    assert report.reminder_saying_overdue == 0
    # every link in every message opens for its recipient, logged in as that recipient (a
    # mailbox: as each person of its agency)
    users = {u.id: u for u in session.scalars(sa.select(User))}
    by_agency = defaultdict(list)
    for u in users.values():
        by_agency[u.agency.code if u.agency else None].append(u)
    checked = 0
    clients = {}
    for path, body in receiver.received:
        kind, _, rest = path.strip("/").partition("/")
        readers = ([users[int(rest.split("/")[0])]] if kind == "user" else by_agency[rest])
        for link in LINK.findall(body["message"]):
            for reader in readers:
                if reader.id not in clients:
                    client = app.test_client()
                    answer = client.post("/login", data={"email": reader.email,
                                                         "password": PASSWORD})
                    assert answer.status_code == 302, reader.email
                    clients[reader.id] = client
                answer = clients[reader.id].get(link)
                assert answer.status_code == 200, (reader.email, link, body["title"])
                checked += 1
    assert checked >= report.links
    # the subject names the agency and the period; the body says what to do
    digest = next(b for p, b in receiver.received if p.startswith("/user/")
                  and "QUÁ HẠN" in b["message"])
    assert digest["title"].startswith("Đôn đốc thực hiện 516-KH/TU: ")
    assert "Kính gửi: " in digest["message"] and "Đề nghị" in digest["message"]
    assert digest["type"] == "failure"
    assert timedelta(0) < timedelta(days=report.days) <= timedelta(days=30)
