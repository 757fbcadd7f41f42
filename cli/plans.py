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


def _draft(file: str, agencies_file: str | None):
    """The draft of FILE, bodies matched against AGENCIES_FILE or the database; a document
    that cannot be drafted ends the command with its reason."""
    from drafting import DraftError, draft_file
    from drafting.agencies import Directory, directory_from_file

    try:
        if agencies_file:
            directory = directory_from_file(agencies_file)
        else:
            with session_scope() as session:
                directory = Directory.from_session(session)
        return draft_file(file, directory, today=utcnow().date())
    except DraftError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


@plan.command("draft")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--out", type=click.Path(dir_okay=False),
              help="Write the draft plan file here (default: print it).")
@click.option("--agencies", "agencies_file", type=click.Path(dir_okay=False, exists=True),
              help="Match bodies against this agencies file instead of the database.")
@fail_cleanly
def plan_draft(file: str, out: str | None, agencies_file: str | None) -> None:
    """Draft a plan file from the plan document FILE (.txt, .docx or a text .pdf)."""
    draft = _draft(file, agencies_file)
    text = draft.to_yaml()
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        read_plan(out)  # the draft must load like any plan file
        click.echo(f"{out}: {len(draft.items)} candidate item(s) in"
                   f" {len(draft.section_codes())} section(s);"
                   f" {len(draft.undecided)} point(s) left undecided (see the file's head)")
    else:
        click.echo(text, nl=False)


@plan.command("draft-check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--against", "against", type=click.Path(dir_okay=False, exists=True),
              required=True, help="The hand-written plan file to compare the draft with.")
@click.option("--agencies", "agencies_file", type=click.Path(dir_okay=False, exists=True),
              help="Match bodies against this agencies file instead of the database.")
@fail_cleanly
def plan_draft_check(file: str, against: str, agencies_file: str | None) -> None:
    """Draft FILE and print, per field, how often it agrees with the plan file AGAINST."""
    import tempfile
    from pathlib import Path

    from drafting.compare import compare

    draft = _draft(file, agencies_file)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yaml"
        path.write_text(draft.to_yaml(), encoding="utf-8")
        ours = read_plan(path).data
    for line in compare(ours, read_plan(against).data).lines():
        click.echo(line)


def register(main: click.Group) -> None:
    main.add_command(plan)
