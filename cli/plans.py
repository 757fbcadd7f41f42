"""Plans: validate, import, export."""

from __future__ import annotations

import json

import click

from cli.context import fail_cleanly, session_scope, utcnow
from models.core.actors import CONSOLE
from plan_items.export import plan_dict
from plan_items.importer import import_plan, validate_plan
from plan_items.loader import read_plan


@click.group()
def plan() -> None:
    """Plans as data."""


@plan.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--offline", is_flag=True,
              help="Check the file alone, without the agencies in the database.")
@fail_cleanly
def plan_validate(file: str, offline: bool) -> None:
    """Check a plan file; print every error as FILE:LINE: message."""
    if offline:
        loaded = read_plan(file)
    else:
        with session_scope() as session:
            loaded = validate_plan(session, file)
    click.echo(f"{file}: OK ({len(loaded.data['items'])} items)")


@plan.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Print the difference only; write nothing.")
@fail_cleanly
def plan_import(file: str, dry_run: bool) -> None:
    """Create or update a plan from FILE (transactional, idempotent)."""
    with session_scope() as session:
        diff = import_plan(session, file, actor=CONSOLE, now=utcnow(), dry_run=dry_run)
    for line in diff.lines:
        click.echo(line)
    if diff.empty:
        click.echo("no change")
    else:
        suffix = " (dry run, nothing written)" if dry_run else ""
        click.echo(f"{len(diff.lines)} change(s){suffix}")


@plan.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@fail_cleanly
def plan_export(code: str, fmt: str) -> None:
    """Print the plan with its sections and items as JSON."""
    with session_scope() as session:
        data = plan_dict(session, code)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def register(main: click.Group) -> None:
    main.add_command(plan)
