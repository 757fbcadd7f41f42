"""Setting up: the database, the first admin, users, agencies and the working calendar."""

from __future__ import annotations

import click
import sqlalchemy as sa

from cli.context import DATE, acting, as_option, fail_cleanly, session_scope, settings, utcnow
from models.core.actors import CONSOLE
from models.org.accounts import create_user, find_user, generate_password, reset_password
from models.org.users import Role, User
from models.plans.calendar_days import (
    CalendarOverride,
    change_calendar,
    remove_override,
)
from models.tasks.merging import merge_agencies
from plan_items.calendar_file import import_calendar
from plan_items.importer import import_agencies


@click.command()
@click.option("--admin-email", help="Create this admin account if it does not exist.")
@click.option("--admin-password", help="Its password (a generated one is printed otherwise).")
@fail_cleanly
def init(admin_email: str | None, admin_password: str | None) -> None:
    """Create or upgrade the database (Alembic migrations) and the first admin."""
    from cli.migrate import upgrade

    url = settings().database_url
    upgrade(url)
    click.echo(f"database ready: {sa.make_url(url).render_as_string(hide_password=True)}")
    if not admin_email:
        return
    with session_scope(url) as session:
        if session.scalar(sa.select(User.id).where(User.email == admin_email.lower())):
            click.echo(f"admin {admin_email} already exists")
            return
        password = admin_password or generate_password()
        create_user(session, CONSOLE, email=admin_email, role=Role.ADMIN,
                    password=password, now=utcnow(), display_name="Administrator")
    click.echo(f"admin created: {admin_email}")
    if not admin_password:
        click.echo(f"password (shown once): {password}")


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_code", help="Agency code (required for officers).")
@click.option("--password", help="A password; a generated one is printed when omitted.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--locale", default="vi", type=click.Choice(["vi", "en"]))
@click.option("--agency-head", is_flag=True, help="Leadership of the agency (gets escalations).")
@as_option
@fail_cleanly
def users_create(email, role, agency_code, password, display_name, locale, agency_head,
                 as_user) -> None:
    """Create a user account (an administrator's work)."""
    with session_scope() as session:
        secret = password or generate_password()
        create_user(session, acting(session, as_user), email=email, role=role, password=secret,
                    now=utcnow(), agency_code=agency_code, display_name=display_name,
                    locale=locale, is_agency_head=agency_head)
    click.echo(f"user created: {email} ({role})")
    if not password:
        click.echo(f"password (shown once): {secret}")


@users.command("reset-password")
@click.argument("email")
@as_option
@fail_cleanly
def users_reset_password(email, as_user) -> None:
    """Give EMAIL a new generated password, printed once; the user's sessions end."""
    with session_scope() as session:
        user = find_user(session, email)
        password = reset_password(session, acting(session, as_user), user, now=utcnow())
    click.echo(f"password reset: {user.email}")
    click.echo(f"new password (shown once): {password}")


@click.group()
def agencies() -> None:
    """Agencies and agency groups."""


@agencies.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Print the difference only.")
@fail_cleanly
def agencies_import(file: str, dry_run: bool) -> None:
    """Create or update agencies from a YAML file (idempotent)."""
    with session_scope() as session:
        diff = import_agencies(session, file, actor=CONSOLE, now=utcnow(), dry_run=dry_run)
    for line in diff.lines:
        click.echo(line)
    click.echo("no change" if diff.empty else f"{len(diff.lines)} change(s)"
               + (" (dry run, nothing written)" if dry_run else ""))


@click.group()
def calendar() -> None:
    """Extra days off and make-up working days."""


def _show(change, dry_run: bool) -> None:
    """The tasks a calendar change moves (task, agency, old -> new), then a summary."""
    for line in change.lines():
        click.echo(line)
    agencies = len(change.by_agency())
    if dry_run:
        click.echo(f"{len(change.moves)} open task(s) of {agencies} agency(ies) would move"
                   " (dry run, nothing written)")
    else:
        click.echo(f"{len(change.moves)} open task(s) of {agencies} agency(ies) moved;"
                   f" {change.notified} message(s) queued")


@calendar.command("set")
@click.argument("day", type=DATE)
@click.argument("kind", type=click.Choice(["day_off", "working_day"]))
@click.option("--note", default="")
@click.option("--dry-run", is_flag=True, help="Show the tasks that would move; write nothing.")
@as_option
@fail_cleanly
def calendar_set(day, kind, note, dry_run, as_user) -> None:
    """Declare DAY a day off or a make-up working day; open tasks due around it move."""
    with session_scope() as session:
        # set_override's own operation, asked for what it moves
        change = change_calendar(session, acting(session, as_user), set_days={day: (kind, note)},
                                 now=utcnow(), action="calendar.override",
                                 entity_id=day.isoformat(), dry_run=dry_run)
    click.echo(f"{day.isoformat()}: {kind}" + (" (dry run)" if dry_run else ""))
    _show(change, dry_run)


@calendar.command("remove")
@click.argument("day", type=DATE)
@click.option("--dry-run", is_flag=True, help="Show the tasks that would move; write nothing.")
@as_option
@fail_cleanly
def calendar_remove(day, dry_run, as_user) -> None:
    """Drop the override of DAY (back to the public calendar); open tasks move back."""
    with session_scope() as session:
        change = remove_override(session, acting(session, as_user), day, now=utcnow(),
                                 dry_run=dry_run)
    click.echo(f"{day.isoformat()}: removed" + (" (dry run)" if dry_run else ""))
    _show(change, dry_run)


@calendar.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show the tasks that would move; write nothing.")
@as_option
@fail_cleanly
def calendar_import(file, dry_run, as_user) -> None:
    """Load a year's official days off and make-up working days from a YAML file."""
    with session_scope() as session:
        change = import_calendar(session, file, actor=acting(session, as_user), now=utcnow(),
                                 dry_run=dry_run)
    _show(change, dry_run)


@calendar.command("list")
def calendar_list() -> None:
    """List the overrides."""
    with session_scope() as session:
        for row in session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day)):
            click.echo(f"{row.day.isoformat()}  {row.kind:12}  {row.note}")


@agencies.command("merge")
@click.argument("old")
@click.argument("new")
@click.option("--on", "on", type=DATE, required=True,
              help="The first day NEW answers for OLD (OLD's last day is the day before).")
@click.option("--dry-run", is_flag=True, help="Show what would move; write nothing.")
@as_option
@fail_cleanly
def agencies_merge(old, new, on, dry_run, as_user) -> None:
    """Merge agency OLD into NEW: OLD's open tasks move to NEW, OLD is closed."""
    with session_scope() as session:
        merge = merge_agencies(session, acting(session, as_user), old, new, on=on,
                               now=utcnow(), dry_run=dry_run)
        last_day = merge.last_day
    verb = "would move" if dry_run else "moved"
    click.echo(f"{old} -> {new}: {len(merge.moved)} open task(s) {verb}; {old}'s last day "
               f"{last_day.isoformat()}")
    if merge.groups_added:
        click.echo(f"{new} joins {', '.join(merge.groups_added)}")
    if merge.kept:
        click.echo(f"{len(merge.kept)} task(s) kept by {old}: {new} already has them "
                   f"({', '.join(map(str, merge.kept))})")
    if dry_run:
        click.echo("dry run, nothing written")


def register(main: click.Group) -> None:
    for command in (init, users, agencies, calendar):
        main.add_command(command)
