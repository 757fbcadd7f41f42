"""Sending the outbox to real receivers on loopback: once each, retries, dead, cancelled, crash."""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.db import make_session_factory
from models.notify.digest import KINDS
from models.notify.dispatch import claim, dispatch
from models.notify.entities import Notification
from models.notify.ladder import sweep
from models.notify.settings import save_smtp
from models.notify.targets import cancel_pending, retry_dead, set_target
from models.org.accounts import deactivate_user
from models.org.agencies import Agency
from models.org.users import User
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, load_mini, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_DAY = datetime(2025, 9, 30, 6, tzinfo=HCM)
BASE = "https://planwatch.example.org"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def outbox(session, http_receiver, smtp_receiver):
    """The mini plan on its M-PLAN due day with an English HTTP target and a Vietnamese mailbox."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    make_user(session, email="a@a.example.org", locale="en")
    make_user(session, email="b@b.example.org", agency="AG-B")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org", now=T0)
    set_target(session, CONSOLE, url=smtp_receiver.url("b@b.example.org"),
               user_email="b@b.example.org", now=T0)
    immediate(session)
    created = sweep(session, now=DUE_DAY)
    session.commit()
    return created


def to_a(session):
    """The rows for a@a.example.org's HTTP target."""
    from models.org.users import User

    user_id = session.scalar(sa.select(User.id).where(User.email == "a@a.example.org"))
    return Notification.recipient_user_id == user_id


def queue_messages(session, url: str, prefix: str, n: int, now):
    """n outbox rows to one target (an apprise URL of the operator's), each with its own body."""
    if session.scalar(sa.select(Agency.id).where(Agency.code == "AG-A")) is None:
        load_mini(session)
    target = set_target(session, CONSOLE, url=url, agency_code="AG-A", now=now)
    for i in range(n):
        session.add(Notification(
            dedupe_key=f"{prefix}:{i}", target_id=target.id, subject_type="message",
            subject_id=i, rung="0", kind="reminder", payload={"title": "t", "body": f"m{i}"},
            next_attempt_at=now, created_at=now))
    session.commit()
    return target


def immediate(session):
    """Every user takes each kind at once: these tests are about sending single rows."""
    session.execute(sa.update(User).values(notify_immediate=list(KINDS)))


def factory(session):
    return make_session_factory(session.get_bind())


def test_each_message_arrives_once(session, outbox, http_receiver, smtp_receiver):
    assert outbox == {"0": 2}  # M-PLAN due today for AG-A and AG-B
    counts = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert counts["sent"] == 2
    assert dispatch(factory(session), now=DUE_DAY + timedelta(minutes=1), limit=10,
                    base_url=BASE)["sent"] == 0
    [(path, body)] = http_receiver.received
    task_a = session.scalar(sa.select(Task).where(Task.agency.has(code="AG-A"),
                                                  Task.item.has(code="M-PLAN")))
    assert path == "/a" and body["title"] == "Reminder: Issue own plan"
    assert "Due: 30/09/2025" in body["message"] and "Due today." in body["message"]
    assert f"{BASE}/tasks/{task_a.id}" in body["message"]
    [(rcpt, raw)] = smtp_receiver.messages
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert rcpt == ["b@b.example.org"]
    assert mail["subject"] == "Nhắc hạn: Xây dựng kế hoạch"  # Vietnamese by default
    text = mail.get_body(("plain",)).get_content()
    assert "Thời hạn: 30/09/2025" in text and "Đơn vị thực hiện: Đơn vị B" in text


def test_users_without_a_target_get_mail_through_the_server_settings(
        session, smtp_receiver):
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    make_user(session, email="a@a.example.org")
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    server = "server-settings"
    immediate(session)
    assert sweep(session, now=DUE_DAY, smtp_url=server) == {"0": 1}
    assert sweep(session, now=DUE_DAY, smtp_url=server) == {}
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 1
    [(rcpt, _)] = smtp_receiver.messages
    assert rcpt == ["a@a.example.org"]


def test_an_agency_mailbox_stands_in_only_for_whom_nothing_else_reaches(
        session, http_receiver):
    """AG-A's officer has a channel: AG-A's mailbox stays quiet. AG-B's only officer has
    left: nobody there can be reached, so AG-B's mailbox gets the reminder."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    make_user(session, email="a@a.example.org")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org",
               now=T0)
    deactivate_user(session, CONSOLE, make_user(session, email="b@b.example.org",
                                                agency="AG-B"), now=T0)
    for agency in ("AG-A", "AG-B"):
        set_target(session, CONSOLE, url=http_receiver.url(f"/mailbox-{agency}"),
                   agency_code=agency, now=T0)
    immediate(session)
    assert sweep(session, now=DUE_DAY) == {"0": 2}
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 2
    assert sorted(path for path, _ in http_receiver.received) == ["/a", "/mailbox-AG-B"]


def test_with_server_mail_a_mailbox_stands_in_only_where_nobody_is_named(
        session, http_receiver, smtp_receiver):
    """With the server's mail, AG-B's officer without a channel is mailed at their account's
    address, and AG-B's mailbox stays quiet; AG-A has no officer yet: its mailbox gets it."""
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    make_user(session, email="b@b.example.org", agency="AG-B")
    for agency in ("AG-A", "AG-B"):
        set_target(session, CONSOLE, url=http_receiver.url(f"/mailbox-{agency}"),
                   agency_code=agency, now=T0)
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    immediate(session)
    assert sweep(session, now=DUE_DAY, smtp_url="server-settings") == {"0": 2}
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 2
    assert [path for path, _ in http_receiver.received] == ["/mailbox-AG-A"]
    assert [rcpt for rcpt, _ in smtp_receiver.messages] == [["b@b.example.org"]]


def test_the_server_mail_keeps_one_smtp_connection_open_across_messages(
        session, smtp_receiver):
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    for who in ("a1", "a2", "a3"):
        make_user(session, email=f"{who}@a.example.org")
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    immediate(session)
    assert sweep(session, now=DUE_DAY, smtp_url="settings") == {"0": 3}
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE, workers=1)[
        "sent"] == 3
    assert sorted(r for r, _ in smtp_receiver.messages) == [
        ["a1@a.example.org"], ["a2@a.example.org"], ["a3@a.example.org"]]
    assert len(set(smtp_receiver.peers)) == 1  # three messages, one connection
    for _, raw in smtp_receiver.messages:
        mail = email.message_from_string(raw, policy=email.policy.default)
        assert mail["X-Planwatch-Outbox-Id"] and mail["Message-ID"]
        assert mail["Subject"] == "Nhắc hạn: Xây dựng kế hoạch"


def test_the_saved_smtp_settings_win_and_the_environment_is_only_the_default(session):
    from models.notify.settings import load_settings, server_mail

    env = "mailto://mailer:s3cret@10.0.0.9:2525?from=env@example.org"
    assert server_mail(session) is None and not load_settings(session).smtp.configured
    assert server_mail(session, env) == "environment"
    smtp = load_settings(session, env).smtp
    assert (smtp.host, smtp.port, smtp.tls, smtp.user, smtp.password, smtp.sender) == (
        "10.0.0.9", 2525, "none", "mailer", "s3cret", "env@example.org")
    assert not load_settings(session, "mailto://?from=x@example.org").smtp.configured
    save_smtp(session, CONSOLE, host="mail.cb.example.org", port=587, tls="starttls",
              user="", sender="planwatch@cb.example.org", password=None, now=T0)
    assert server_mail(session, env) == server_mail(session) == "settings"
    assert load_settings(session, env).smtp.host == "mail.cb.example.org"


def test_failed_delivery_backs_off_then_dies_and_can_be_retried(
        session, outbox, http_receiver):
    http_receiver.status = 500
    now = DUE_DAY
    dispatch(factory(session), now=now, limit=10, base_url=BASE)
    row = session.scalar(sa.select(Notification).where(to_a(session)))
    session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.next_attempt_at == now + timedelta(minutes=1)
    # not retried before its time
    assert dispatch(factory(session), now=now + timedelta(seconds=30), limit=10,
                    base_url=BASE)["failed"] == 0
    for _ in range(4):
        session.refresh(row)
        now = row.next_attempt_at
        dispatch(factory(session), now=now, limit=10, base_url=BASE)
    session.refresh(row)
    assert (row.status, row.attempts) == ("dead", 5)
    assert len(http_receiver.received) == 5
    http_receiver.status = 200
    retry_dead(session, CONSOLE, row.id, now=now)
    session.commit()
    assert dispatch(factory(session), now=now, limit=10, base_url=BASE)["sent"] == 1


def test_a_sender_that_raises_is_a_failure_not_a_stuck_claim(session, outbox):
    def boom(url, title, body):
        raise RuntimeError("boom")

    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE,
                    send=boom)["failed"] == 2
    errors = set(session.scalars(sa.select(Notification.last_error)))
    assert errors == {"RuntimeError: boom"}
    assert session.scalar(sa.select(sa.func.count()).where(
        Notification.claimed_until.is_not(None))) == 0


def test_submitted_task_is_not_reminded(session, outbox, http_receiver):
    officer = session.scalar(sa.select(Notification.recipient_user_id).where(
        to_a(session)))
    from models.org.users import User

    task = session.scalar(sa.select(Task).where(Task.agency.has(code="AG-A"),
                                                Task.item.has(code="M-PLAN")))
    change_status(session, session.get(User, officer), task, "submitted", now=DUE_DAY)
    session.commit()
    counts = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert counts["cancelled"] == 1 and http_receiver.received == []


def test_cancelling_a_subject_stops_its_pending_rungs(session, outbox, http_receiver):
    task_id = session.scalar(sa.select(Notification.subject_id).where(
        to_a(session)))
    assert cancel_pending(session, "task", task_id, reason="reassigned") == 1
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 1
    assert http_receiver.received == []  # only the other agency's mail went out


def test_claims_do_not_overlap_until_the_lease_expires(session, outbox):
    first = claim(session, now=DUE_DAY, limit=1)
    session.commit()
    second = claim(session, now=DUE_DAY, limit=10)
    session.commit()
    assert len(first) == 1 and len(second) == 1 and first[0].id != second[0].id
    assert claim(session, now=DUE_DAY + timedelta(minutes=1), limit=10) == []
    session.commit()
    assert len(claim(session, now=DUE_DAY + timedelta(minutes=6), limit=10)) == 2


CRASH_SCRIPT = """
import sys
from datetime import UTC, datetime, timedelta
from models.core.db import make_engine, make_session_factory
from models.notify.dispatch import dispatch
engine = make_engine(sys.argv[1])
print("started", flush=True)
dispatch(make_session_factory(engine), now=datetime.now(UTC), limit=100,
         base_url="http://x", lease=timedelta(seconds=60), clock=lambda: datetime.now(UTC),
         workers=int(sys.argv[2]))
"""
CRASH_WORKERS = 2  # sends in flight at once, so the kill lands mid-batch


@pytest.mark.slow
def test_a_killed_dispatcher_loses_nothing(session, db_url, http_receiver):
    """SIGKILL mid-batch, run again after the lease: all arrive; duplicates only in flight."""
    n = 12
    now = datetime.now(UTC)
    queue_messages(session, http_receiver.url("/crash"), "crash", n, now)
    http_receiver.delay = 0.25
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, db_url, str(CRASH_WORKERS)],
                            cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(http_receiver.received) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)  # inside the slow receiver: the message is out, its commit is not
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    got_before = len(http_receiver.received)
    assert 4 <= got_before < n, "killed mid-batch"
    http_receiver.delay = 0
    counts = dispatch(factory(session), now=datetime.now(UTC) + timedelta(seconds=61),
                      limit=100, base_url=BASE)
    bodies = http_receiver.messages()
    assert sorted(set(bodies)) == sorted(f"m{i}" for i in range(n))  # none lost
    duplicates = len(bodies) - n
    print(f"\ncrash: {got_before} arrived before SIGKILL, {counts['sent']} sent after, "
          f"{duplicates} duplicate(s)")
    assert duplicates <= 2 * CRASH_WORKERS  # at most those in flight or awaiting a commit
    assert session.scalar(sa.select(sa.func.count()).where(Notification.status == "sent")) == n


def test_two_dispatchers_at_once_send_each_message_once(session, http_receiver):
    """Concurrent notify runs (two workers) split the batch; nothing is sent twice."""
    import threading

    n = 10
    now = datetime.now(UTC)
    queue_messages(session, http_receiver.url("/pair"), "pair", n, now)
    http_receiver.delay = 0.05
    results = []

    def worker():  # small batches, so the two interleave their claims
        while (counts := dispatch(factory(session), now=now, limit=2, base_url=BASE))["sent"]:
            results.append(counts)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(http_receiver.messages()) == sorted(f"m{i}" for i in range(n))
    assert sum(r["sent"] for r in results) == n and len(results) >= 5


def test_a_batch_is_sent_in_parallel(session, http_receiver):
    """A slow receiver does not serialise the batch: its sends overlap at the receiver.

    Counted where they arrive, not timed: a sequential sender never holds two at once,
    however fast or busy the machine.
    """
    n = 10
    now = datetime.now(UTC)
    queue_messages(session, http_receiver.url("/par"), "par", n, now)
    http_receiver.delay = 0.5
    counts = dispatch(factory(session), now=now, limit=n, base_url=BASE, workers=n)
    assert counts["sent"] == n
    assert http_receiver.most_in_flight >= 4, http_receiver.most_in_flight
    assert sorted(http_receiver.messages()) == sorted(f"m{i}" for i in range(n))
    assert session.scalar(sa.select(sa.func.count()).where(Notification.status == "sent")) == n
