"""Tasks: generate periods, list, update."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cli.context import DATE, acting_user, fail_cleanly, session_scope, utcnow
from models.core.actors import CONSOLE
from models.core.clock import local_today
from models.org.agencies import Agency, agency_code_is
from models.org.errors import UnknownAgencyCode
from models.plans.entities import Item, Plan
from models.plans.errors import UnknownItemCode
from models.tasks.entities import TaskStatus
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status, get_task
from models.tasks.queries import TaskFilter, list_tasks
from models.tasks.reports import request_report


@click.group()
def tasks() -> None:
    """Tasks: one item for one agency for one period."""


@tasks.command("generate")
@click.option("--through", type=DATE, required=True, help="Open every period starting by DATE.")
@click.option("--plan", "plan_code", help="Only this plan.")
@fail_cleanly
def tasks_generate(through, plan_code) -> None:
    """Create the tasks of every period that starts on or before DATE (idempotent)."""
    with session_scope() as session, Progress(transient=True) as progress:
        bar = progress.add_task("items", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        created = generate_tasks(session, through=through, now=utcnow(), actor=CONSOLE,
                                 plan_code=plan_code, progress=advance)
    total = sum(created.values())
    for key, n in created.items():
        click.echo(f"  {key}: {n}")
    click.echo(f"{total} task(s) created")


@tasks.command("list")
@click.option("--agency", help="Agency code.")
@click.option("--plan", "plan_code", help="Plan code.")
@click.option("--item", "item_code", help="Item code.")
@click.option("--status", type=click.Choice([s.value for s in TaskStatus]))
@click.option("--overdue", is_flag=True, help="Only overdue tasks.")
@click.option("--as-of", type=DATE, help="The day 'overdue' is judged on (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@fail_cleanly
def tasks_list(agency, plan_code, item_code, status, overdue, as_of, fmt, limit) -> None:
    """List tasks with their due dates and derived overdue state."""
    as_of = as_of or local_today(utcnow())
    filters = TaskFilter(plan=plan_code, item=item_code, agency=agency, status=status,
                         overdue=True if overdue else None)
    with session_scope() as session:
        rows = list_tasks(session, None, filters, as_of, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{len(rows)} task(s), as of {as_of.isoformat()}")
    for column in ("id", "agency", "item", "period", "due_on", "status", "overdue"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["agency"], r["item"],
                      f"{r['period_start']}..{r['period_end']}", r["due_on"], r["status"],
                      "OVERDUE" if r["overdue"] else "")
    Console(width=140).print(table)


@tasks.command("update")
@click.argument("task_id", type=int)
@click.option("--status", required=True, type=click.Choice([s.value for s in TaskStatus]))
@click.option("--note", default="")
@click.option("--nil-return", is_flag=True, help="Submit 'nothing to report this period'.")
@click.option("--as", "as_user", required=True, help="Email of the user acting.")
@fail_cleanly
def tasks_update(task_id, status, note, nil_return, as_user) -> None:
    """Change a task's status as USER (the same rules as the web app)."""
    with session_scope() as session:
        user = acting_user(session, as_user)
        task = get_task(session, user, task_id)
        update = change_status(session, user, task, status, now=utcnow(), note=note,
                               nil_return=nil_return)
        late = " (late)" if update.late else ""
        click.echo(f"task {task.id}: {update.from_status} -> {update.to_status}{late}")


@tasks.command("request")
@click.argument("item_code")
@click.option("--plan", "plan_code", required=True, help="Plan code.")
@click.option("--agency", "agency_code", required=True, help="The agency asked to report.")
@click.option("--due", type=DATE, help="Due date (moved to a working day).")
@click.option("--event-on", "event_on", type=DATE,
              help="For an item due N working days after an event: the event's date.")
@click.option("--note", default="", help="What the report should cover.")
@click.option("--as", "as_user", required=True, help="Email of the coordinator asking.")
@fail_cleanly
def tasks_request(item_code, plan_code, agency_code, due, event_on, note, as_user) -> None:
    """Ask an agency for an on-request report (creates its task)."""
    with session_scope() as session:
        user = acting_user(session, as_user)
        item = session.scalar(sa.select(Item).join(Plan).where(
            Plan.code == plan_code, Item.code == item_code))
        agency = session.scalar(sa.select(Agency).where(agency_code_is(agency_code)))
        if item is None or agency is None:
            raise (UnknownItemCode(item_code=item_code, plan_code=plan_code) if item is None
                   else UnknownAgencyCode(agency_code=agency_code))
        task = request_report(session, user, item, agency.id, due_on=due, note=note,
                              now=utcnow(), event_on=event_on)
        click.echo(f"task {task.id}: {agency_code} reports on {item_code} by {task.due_on}")


def register(main: click.Group) -> None:
    main.add_command(tasks)
