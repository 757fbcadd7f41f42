"""Notifications for operators: targets, the deadlines sweep, the dispatcher, a year's preview."""

from __future__ import annotations

import json
from datetime import timedelta

import click
import sqlalchemy as sa

from cli.context import (
    DATE,
    DATETIME,
    acting,
    as_option,
    fail_cleanly,
    session_scope,
    settings,
    utcnow,
)
from models.core.clock import local_today
from models.core.db import make_engine, make_session_factory
from models.notify.dispatch import WORKERS, dispatch
from models.notify.entities import Channel, Notification
from models.notify.ladder import sweep
from models.notify.settings import server_mail
from models.notify.targets import list_targets, retry_dead, set_target
from models.org.agencies import Agency, agency_code_is
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks


def _base_url() -> str:
    return settings().base_url


def _smtp_url(session) -> str | None:
    """Whether users without a channel of their own are mailed (the server's SMTP settings,
    the environment's PLANWATCH_SMTP_URL only as the default)."""
    return server_mail(session, settings().smtp_url)


@click.group()
def targets() -> None:
    """Where notifications go: apprise URLs of agencies and users."""


@targets.command("set")
@click.option("--agency", "agency_code", help="Agency code.")
@click.option("--user", "user_email", help="User email.")
@click.option("--label", default="", help="A name for the target (e.g. 'mailbox').")
@click.option("--inactive", is_flag=True, help="Keep the target but stop sending to it.")
@click.option("--channel", type=click.Choice([c.value for c in Channel]),
              help="email, telegram (chat id), zalo (user id), webhook or apprise "
                   "(default: apprise, or webhook for http(s) URLs).")
@as_option
@click.argument("address")
@fail_cleanly
def targets_set(agency_code, user_email, label, inactive, channel, as_user, address) -> None:
    """Add a channel for an agency or a user: an address, a chat id or an apprise URL."""
    with session_scope() as session:
        target = set_target(session, acting(session, as_user), channel=channel, address=address,
                            now=utcnow(),
                            agency_code=agency_code, user_email=user_email, label=label,
                            active=not inactive)
        click.echo(f"target {target.id} set")


@targets.command("list")
def targets_list() -> None:
    """List the targets (URLs without their secrets)."""
    with session_scope() as session:
        for t in list_targets(session):
            owner = f"agency {t.agency.qualified_code}" if t.agency else f"user {t.user.email}"
            state = "" if t.active else " (inactive)"
            click.echo(f"{t.id:>4}  {owner:40}  {t.channel:9} {t.address}  {t.label}{state}")


@click.group()
def deadlines() -> None:
    """The reminder ladder."""


@deadlines.command("run")
@click.option("--as-of", "as_of", type=DATETIME, help="The time to run as (default: now).")
@fail_cleanly
def deadlines_run(as_of) -> None:
    """Write the reminders, overdue notices and escalations due at --as-of into the outbox."""
    with session_scope() as session:
        created = sweep(session, now=as_of or utcnow(), smtp_url=_smtp_url(session))
    click.echo(json.dumps({"created": created}))


@click.group()
def notify() -> None:
    """The outbox."""


@notify.command("run")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--as-of", "as_of", type=DATETIME,
              help="The time to send as (default: now): what is due by then is sent.")
@click.option("--workers", type=click.IntRange(min=1), default=WORKERS, show_default=True,
              help="Messages in flight at once.")
@fail_cleanly
def notify_run(limit, as_of, workers) -> None:
    """Send what is due in the outbox once; print the summary (exit 1 if any send failed)."""
    engine = make_engine(settings().database_url)
    try:
        # a replayed day (--as-of) runs on that day's clock; a live run follows the wall clock
        # so its leases stay true while it sends
        summary = dispatch(make_session_factory(engine), now=as_of or utcnow(), limit=limit,
                           base_url=_base_url(), clock=None if as_of else utcnow,
                           workers=workers, default_smtp_url=settings().smtp_url)
    finally:
        engine.dispose()
    out = {k: summary.get(k, 0) for k in ("sent", "failed", "dead")}
    if summary.get("cancelled"):
        out["cancelled"] = summary["cancelled"]
    if summary.failures:
        out["failures"] = [{"id": i, "reason": r} for i, r in summary.failures]
    if summary.alerted:
        out["admins_alerted"] = summary.alerted
    click.echo(json.dumps(out, ensure_ascii=False))
    if not summary.ok:
        raise SystemExit(1)


@notify.command("retry")
@click.argument("notification_id", type=int)
@as_option
@fail_cleanly
def notify_retry(notification_id, as_user) -> None:
    """Give a dead notification another round of attempts."""
    with session_scope() as session:
        retry_dead(session, acting(session, as_user), notification_id, now=utcnow())
    click.echo(f"notification {notification_id} pending again")


@click.command()
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--agency", "agency_code", help="Only count what concerns this agency's tasks.")
@fail_cleanly
def simulate(start, end, agency_code) -> None:
    """Replay cadence and deadlines day by day, then roll everything back; print each day."""
    from zoneinfo import ZoneInfo

    engine = make_engine(settings().database_url)
    session = make_session_factory(engine)()
    try:
        agency_id = None
        if agency_code:
            agency_id = session.scalar(sa.select(Agency.id).where(agency_code_is(agency_code)))
            if agency_id is None:
                raise click.ClickException(f"no agency {agency_code}")
        day = start
        while day <= end:
            at = _morning(day, ZoneInfo("Asia/Ho_Chi_Minh"))
            tasks = generate_tasks(session, through=local_today(at) + timedelta(days=31), now=at)
            last = session.scalar(sa.select(sa.func.max(Notification.id))) or 0
            sweep(session, now=at, catch_up_days=0, smtp_url=_smtp_url(session))
            rows = sa.select(Notification.rung, Notification.kind, sa.func.count()).where(
                Notification.id > last).group_by(Notification.rung, Notification.kind)
            if agency_id is not None:
                rows = rows.join(Task, Task.id == Notification.subject_id).where(
                    Notification.subject_type == "task", Task.agency_id == agency_id)
            created = {f"{r}:{k}": n for r, k, n in session.execute(rows)}
            if created or tasks:
                click.echo(json.dumps({"day": day.isoformat(), "tasks": sum(tasks.values()),
                                       "created": created,
                                       "would_send": sum(created.values())}))
            day += timedelta(days=1)
    finally:
        session.rollback()
        session.close()
        engine.dispose()
    click.echo("(simulation: nothing was written)")


def _morning(day, tz):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 6, tzinfo=tz)


def register(main: click.Group) -> None:
    for command in (targets, deadlines, notify, simulate):
        main.add_command(command)
