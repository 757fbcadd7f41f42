"""The audit trail: verify the chain against its signed checkpoints, export the latest one."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import DATETIME, fail_cleanly, session_scope, settings, utcnow
from models.core.checkpoints import LATEST_FILE, Checkpoint, verify


@click.group()
def audit() -> None:
    """The hash-chained audit trail."""


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint exported earlier (default: the newest one kept).")
@click.option("--as-of", "now", type=DATETIME, help="The time of this check (default: now).")
@fail_cleanly
def audit_verify(checkpoint_file: str | None, now) -> None:
    """Check every link of the chain and compare it with the last signed checkpoint.

    Exits 1 and names the first broken link or the missing tail when history was changed;
    when it holds, a new signed checkpoint is kept.
    """
    checkpoint = (Checkpoint.from_json(Path(checkpoint_file).read_text())
                  if checkpoint_file else None)
    with session_scope() as session:
        verdict = verify(session, settings().home, checkpoint=checkpoint, now=now or utcnow())
    if verdict.checkpoint:
        click.echo(f"checkpoint: event {verdict.checkpoint.last_id}, {verdict.checkpoint.count} "
                   f"events, signed {verdict.checkpoint.at}")
    if not verdict.ok:
        for problem in verdict.problems:
            click.echo(f"BROKEN: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {verdict.count} events; checkpoint signed")


@audit.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False), required=True,
              help="Where to copy the latest signed checkpoint (keep it off this machine).")
def audit_checkpoint(out: str) -> None:
    """Export the latest signed checkpoint."""
    source = settings().home / LATEST_FILE
    if not source.exists():
        raise click.ClickException("no checkpoint yet: run `planwatch audit verify` first")
    Path(out).write_text(source.read_text())
    click.echo(f"checkpoint written to {out}")


def register(main: click.Group) -> None:
    main.add_command(audit)
