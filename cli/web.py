"""Serving the web app, and demo accounts to try it with."""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa

from cli.context import fail_cleanly, session_scope, utcnow
from models.core.actors import CONSOLE
from models.org.accounts import create_user, generate_password
from models.org.agencies import Agency, agency_code_is
from models.org.users import Role, User

# (email, role, agency code, display name): one account per role, officers of two agencies
DEMO_USERS = [
    ("officer.du-ubnd@demo.planwatch.vn", Role.OFFICER, "DU-UBND", "Cán bộ Đảng ủy UBND tỉnh"),
    ("officer.ubmttq@demo.planwatch.vn", Role.OFFICER, "UBMTTQ", "Cán bộ UBMTTQ tỉnh"),
    ("coordinator@demo.planwatch.vn", Role.COORDINATOR, "BTGDV", "Cán bộ Ban TG&DV"),
    ("inspector@demo.planwatch.vn", Role.INSPECTOR, "BTGDV", "Cán bộ kiểm tra"),
    ("viewer@demo.planwatch.vn", Role.VIEWER, None, "Lãnh đạo"),
    ("admin@demo.planwatch.vn", Role.ADMIN, None, "Quản trị"),
]


# threads per worker by default: 1, sync workers, which served the API faster than gthread
# (docs/benchmarks.md, "API": 671 against 474 req/s for a list, 190 against 131 writes/s)
WEB_THREADS = 1


@click.command()
@click.option("--host", default="127.0.0.1", envvar="PLANWATCH_HOST",
              show_default="127.0.0.1 or PLANWATCH_HOST")
@click.option("--port", type=int, default=5000, envvar="PLANWATCH_PORT",
              show_default="5000 or PLANWATCH_PORT")
@click.option("--workers", type=int, default=2, envvar="PLANWATCH_WORKERS",
              show_default="2 or PLANWATCH_WORKERS")
@click.option("--threads", type=click.IntRange(1, 64), default=WEB_THREADS,
              envvar="PLANWATCH_THREADS", show_default=f"{WEB_THREADS} or PLANWATCH_THREADS",
              help="threads per worker; more than 1 runs gunicorn's gthread workers, which "
                   "keep connections alive")
def web(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app under gunicorn (README: sizing the workers)."""
    click.echo(f"planwatch web on http://{host}:{port}/")
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--access-logfile", "-",
            *(("--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "5")
              if threads > 1 else ("--worker-class", "sync")),
            # long query strings reach the app, which answers 414 in its own shape
            "--limit-request-line", "8190", "webapp.wsgi:app"]
    os.execv(sys.executable, args)


@click.command("demo-users")
@fail_cleanly
def demo_users() -> None:
    """Create one demo account per role (idempotent); new passwords are printed once."""
    with session_scope() as session:
        lines = []
        for email, role, agency, name in DEMO_USERS:
            if session.scalar(sa.select(User.id).where(User.email == email)):
                lines.append(f"existing  {role:<12} {email}")
                continue
            if agency and not session.scalar(sa.select(Agency.id).where(agency_code_is(agency))):
                lines.append(f"skipped   {role:<12} {email} (agency {agency} not imported)")
                continue
            password = generate_password()
            create_user(session, CONSOLE, email=email, role=role, password=password,
                        now=utcnow(), agency_code=agency, display_name=name)
            lines.append(f"created   {role:<12} {email}  password (shown once): {password}")
    for line in lines:
        click.echo(line)


def register(main: click.Group) -> None:
    for command in (web, demo_users):
        main.add_command(command)
