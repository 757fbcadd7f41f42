"""Reports sent upward: the consolidated period report and an inspection's conclusion notice."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import DATE, acting_user, fail_cleanly, session_scope, settings, utcnow
from models.core.clock import local_today
from models.core.errors import DomainError
from models.org.users import Role, User
from models.reports.drafts import Draft, inspection_notice_docx, period_report_docx
from models.tasks.periods import parse_period


@click.group()
def report() -> None:
    """Documents in Party form (Hướng dẫn 36-HD/VPTW), drafted from the data."""


def _reader(session, email: str | None) -> User:
    """The user named by --as, or the operator reading everything (not stored)."""
    return acting_user(session, email) if email else User(email="cli", role=Role.ADMIN)


def _write(draft: Draft, out: str, pdf: bool) -> None:
    target = Path(out)
    target.write_bytes(draft.data)
    click.echo(f"{target} ({len(draft.data)} bytes, template {draft.template})")
    if pdf:
        try:
            converted = draft.as_pdf()
        except DomainError as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(1) from None
        pdf_path = target.with_suffix(".pdf")
        pdf_path.write_bytes(converted.data)
        click.echo(f"{pdf_path} ({len(converted.data)} bytes)")


def _common(fn):
    for option in reversed([
        click.option("--as-of", type=DATE, help="Judge the tasks on this day (default: today)."),
        click.option("--out", required=True, type=click.Path(dir_okay=False),
                     help="The DOCX file to write."),
        click.option("--pdf", is_flag=True, help="Also write FILE.pdf (needs LibreOffice)."),
        click.option("--as", "email", help="Read as this user (default: everything)."),
        click.option("--signer", default="", help="The signer's name in the signature block."),
        click.option("--place", default="", help="The place in the date line (e.g. Cao Bằng)."),
    ]):
        fn = option(fn)
    return fn


@report.command("build")
@click.option("--plan", "plan_code", required=True, help="The plan's code, e.g. 516-KH/TU.")
@click.option("--period", required=True, help="2026-03, 2026-Q1, 2026-H1, 2026 or a range.")
@_common
@fail_cleanly
def report_build(plan_code, period, as_of, out, pdf, email, signer, place) -> None:
    """Draft the consolidated report of a plan for a period (DOCX, optionally PDF)."""
    chosen = parse_period(period)
    with session_scope() as session:
        draft = period_report_docx(session, _reader(session, email), plan_code, chosen,
                                   as_of or local_today(utcnow()), home=settings().home,
                                   signer=signer, place=place)
    _write(draft, out, pdf)


@report.command("inspection")
@click.option("--id", "inspection_id", required=True, type=int, help="The inspection's id.")
@_common
@fail_cleanly
def report_inspection(inspection_id, as_of, out, pdf, email, signer, place) -> None:
    """Draft the conclusion notice of an inspection (DOCX, optionally PDF)."""
    with session_scope() as session:
        draft = inspection_notice_docx(session, _reader(session, email), inspection_id,
                                       as_of or local_today(utcnow()), home=settings().home,
                                       signer=signer, place=place)
    _write(draft, out, pdf)


def register(main: click.Group) -> None:
    main.add_command(report)
