"""Each flow once, end to end, under a real (test) Prefect server."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.notify.entities import Notification
from models.notify.targets import set_target
from models.tasks.entities import Task
from tests.factories import T0, load_mini, make_user

DUE_DAY = datetime(2025, 9, 30, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


def test_cadence_flow_opens_periods_once(session, flow_db):
    from flows.cadence import cadence_flow

    load_mini(session)
    session.commit()
    created = cadence_flow(now=datetime(2025, 9, 1, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    # through 2 October: the September and October monthly reports, the plan, Q3 report
    assert created and sum(created.values()) == session.scalar(sa.select(sa.func.count(Task.id)))
    assert cadence_flow(now=DUE_DAY.replace(month=9, day=1)) == {}


def test_deadlines_then_notify_flow_deliver_once(session, flow_db, http_receiver):
    from flows.cadence import cadence_flow
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow

    load_mini(session)
    make_user(session, email="a@a.example.org")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org", now=T0)
    session.commit()
    cadence_flow(now=DUE_DAY)
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    assert deadlines_flow(now=DUE_DAY) == {}
    assert notify_flow(now=DUE_DAY)["sent"] == 1
    assert notify_flow(now=DUE_DAY)["sent"] == 0
    [(path, body)] = http_receiver.received
    assert path == "/a" and "https://planwatch.example.org/tasks/" in body["message"]
    # the item went out in the day's digest for that target
    assert session.scalar(sa.select(Notification.status).where(
        Notification.subject_type == "digest")) == "sent"
    assert session.scalar(sa.select(Notification.status).where(
        Notification.subject_type == "task")) == "bundled"


def test_runs_are_named_by_day_with_a_task_per_stage_and_a_summary(
        session, flow_db, http_receiver, monkeypatch):  # noqa: F811
    """What a Prefect user sees: 'deadlines 2025-09-30', named task runs, a markdown summary."""
    from prefect.client.orchestration import get_client

    import flows.deadlines
    from flows.cadence import cadence_flow
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow
    from flows.serve import deployments

    load_mini(session)
    make_user(session, email="a@a.example.org")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org", now=T0)
    session.commit()
    cadence_flow(now=DUE_DAY)
    # the first sweep of the reminders meets a locked database: the task retries, the day's
    # reminders are not lost
    real, calls = flows.deadlines.sweep, []

    def flaky(*args, **kwargs):
        calls.append(kwargs.get("kinds"))
        if len(calls) == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(flows.deadlines, "sweep", flaky)
    monkeypatch.setattr(flows.deadlines.sweep_rungs, "retry_delay_seconds", [0, 0, 0])
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    assert calls[:2] == [["reminder"], ["reminder"]]
    assert notify_flow(now=DUE_DAY)["sent"] == 1

    # the sync client: another test in this process may have left an event loop running
    with get_client(sync_client=True) as client:
        runs, task_runs = client.read_flow_runs(), client.read_task_runs()
        artifacts = client.read_artifacts()
    names = {r.name for r in runs}
    assert {"deadlines 2025-09-30", "notify 2025-09-30", "cadence 2025-09-30"} <= names
    task_names = {t.name.rsplit("-", 1)[0] for t in task_runs}
    assert {"open periods", "sweep reminder rungs", "sweep overdue rungs",
            "sweep escalation rungs", "record sweep summary", "claim up to 200",
            "record dispatch summary"} <= task_names
    # a task per dispatch stage: claim, send and record each batch (named by its claim token)
    assert {"send", "record"} <= {name.split(" ")[0] for name in task_names}
    # (the harness is shared by the tests of this process: other runs' artifacts are there too)
    sweeps = [a.data for a in artifacts if a.key == "deadlines-summary"]
    assert any("| 0 | reminder | 1 |" in md and "| apprise | 1 | 1 |" in md for md in sweeps)
    sends = [a.data for a in artifacts if a.key == "notify-summary"]
    assert any("sent: **1**" in md and "| apprise | digest | sent | 1 |" in md for md in sends)
    # the deployments: every 5 minutes for notify, tags, never two runs at once
    by_name = {d.name: d for d in deployments()}
    assert by_name["every-5-minutes"].schedules[0].schedule.cron == "*/5 * * * *"
    assert all(d.concurrency_limit == 1 and "planwatch" in d.tags for d in by_name.values())


def _mail_day(session, **user):
    """A user of AG-A with no channel of their own: mailed through the server's SMTP."""
    from flows.cadence import cadence_flow

    load_mini(session)
    make_user(session, email="a@a.example.org", **user)
    session.commit()
    cadence_flow(now=DUE_DAY)


def test_flows_mail_through_the_smtp_an_admin_saved_in_the_web(
        session, flow_db, smtp_receiver, refusing_smtp_receiver, monkeypatch):
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow
    from models.notify.settings import save_smtp

    # nothing in the environment: only the settings page says there is a mail server
    monkeypatch.delenv("PLANWATCH_SMTP_URL", raising=False)
    _mail_day(session)
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@cb.example.org", password=None, now=T0)
    session.commit()
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    assert notify_flow(now=DUE_DAY)["sent"] == 1
    [(rcpt, raw)] = smtp_receiver.messages
    assert rcpt == ["a@a.example.org"] and "From: planwatch@cb.example.org" in raw
    # with a default in the environment as well, the saved settings still win
    monkeypatch.setenv("PLANWATCH_SMTP_URL", f"mailto://127.0.0.1:{refusing_smtp_receiver.port}"
                                             "?from=env@example.org")
    later = DUE_DAY + timedelta(days=1)
    assert deadlines_flow(now=later) == {"+1": 1}
    assert notify_flow(now=later)["sent"] == 1
    assert len(smtp_receiver.messages) == 2 and refusing_smtp_receiver.refused == []


def test_flows_fall_back_to_the_environment_smtp_while_none_is_saved(
        session, flow_db, smtp_receiver, monkeypatch):
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow

    monkeypatch.setenv("PLANWATCH_SMTP_URL",
                       f"mailto://127.0.0.1:{smtp_receiver.port}?from=env@example.org")
    _mail_day(session)
    assert deadlines_flow(now=DUE_DAY) == {"0": 1}
    assert notify_flow(now=DUE_DAY)["sent"] == 1
    [(rcpt, raw)] = smtp_receiver.messages
    assert rcpt == ["a@a.example.org"] and "From: env@example.org" in raw


def test_a_notify_run_whose_every_send_failed_ends_failed_with_its_summary(
        session, flow_db, refusing_smtp_receiver, monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow
    from models.notify.settings import save_smtp

    monkeypatch.delenv("PLANWATCH_SMTP_URL", raising=False)
    _mail_day(session)
    save_smtp(session, CONSOLE, host="127.0.0.1", port=refusing_smtp_receiver.port, tls="none",
              user="", sender="planwatch@cb.example.org", password=None, now=T0)
    session.commit()
    deadlines_flow(now=DUE_DAY)
    state = notify_flow(now=DUE_DAY, return_state=True)
    assert state.is_failed()
    assert state.message.startswith("every send failed: 1 of 1 not delivered")
    assert refusing_smtp_receiver.refused == ["a@a.example.org"]
    row = session.scalar(sa.select(Notification).where(Notification.subject_type == "digest"))
    session.refresh(row)
    assert row.status == "failed" and row.last_error
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        artifacts = client.read_artifacts()
    [run] = [r for r in runs if r.id == state.state_details.flow_run_id]
    assert run.state.is_failed()
    [summary] = [a.data for a in artifacts if a.key == "notify-summary"
                 and a.flow_run_id == run.id]
    assert "failed: **1**" in summary and "## Not delivered" in summary
    assert f"#{row.id}" in summary
    # a run with nothing to send is not a failure
    assert notify_flow(now=DUE_DAY)["sent"] == 0


def test_a_retried_send_is_not_claimed_again_nor_recorded_twice(
        session, flow_db, http_receiver, monkeypatch):
    import flows.notify
    from flows.deadlines import deadlines_flow
    from flows.notify import notify_flow

    load_mini(session)
    make_user(session, email="a@a.example.org")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org", now=T0)
    session.commit()
    from flows.cadence import cadence_flow

    cadence_flow(now=DUE_DAY)
    deadlines_flow(now=DUE_DAY)
    claims, sends = [], []
    real_claim, real_send = flows.notify.claim_batch, flows.notify.send_batch

    def counted_claim(*args, **kwargs):
        batch = real_claim(*args, **kwargs)
        claims.append(batch)
        return batch

    def flaky_send(factory, batch, **kwargs):
        sends.append(batch.token)
        if len(sends) == 1:  # the database drops while the messages are built
            raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))
        return real_send(factory, batch, **kwargs)

    monkeypatch.setattr(flows.notify, "claim_batch", counted_claim)
    monkeypatch.setattr(flows.notify, "send_batch", flaky_send)
    monkeypatch.setattr(flows.notify.send_rows, "retry_delay_seconds", [0, 0, 0])
    assert notify_flow(now=DUE_DAY)["sent"] == 1
    # one claim; the send ran twice on the same batch; the message arrived once, recorded once
    assert [len(b) for b in claims] == [1] and sends == [claims[0].token] * 2
    assert len(http_receiver.received) == 1
    row = session.scalar(sa.select(Notification).where(Notification.subject_type == "digest"))
    session.refresh(row)
    assert row.status == "sent" and row.attempts == 1
