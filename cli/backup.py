"""Backup and restore of the database, the evidence files and the latest audit checkpoint."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import fail_cleanly, settings, utcnow
from models.core.backup import backup, restore


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@fail_cleanly
def backup_command(file: str) -> None:
    """Write FILE: the database (a consistent snapshot), evidence files and audit checkpoint."""
    s = settings()
    manifest = backup(s.database_url, s.upload_folder, s.home, Path(file), now=utcnow())
    rows = sum(manifest["counts"].values())
    click.echo(f"backup written to {file}: {manifest['backend']} database, {rows} rows in "
               f"{len(manifest['counts'])} tables, {manifest['uploads']} evidence files")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@fail_cleanly
def restore_command(file: str) -> None:
    """Restore FILE into the configured database, which must be empty."""
    s = settings()
    result = restore(Path(file), s.database_url, s.upload_folder, s.home)
    expected, counts = result["manifest"]["counts"], result["counts"]
    differ = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if differ:
        for table, (want, got) in differ.items():
            click.echo(f"error: {table}: {got} rows restored, the backup had {want}", err=True)
        raise SystemExit(1)
    click.echo(f"restored {sum(counts.values())} rows in {len(counts)} tables; "
               "run `planwatch audit verify` to check the audit trail")


def register(main: click.Group) -> None:
    main.add_command(backup_command)
    main.add_command(restore_command)
