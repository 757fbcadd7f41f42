"""The `planwatch` command: one entry point for operators, scripts and `make up`."""

from __future__ import annotations

import click

from cli import admin, api, audit, backup, notify, plans, tasks, up, web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """planwatch: track how a plan is carried out."""


for module in (admin, api, audit, backup, plans, tasks, web, notify, up):
    module.register(main)
