"""`python -m bench`: load data at a scale, measure every figure, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import fig_dispatch, fig_generation, fig_memory, fig_period, fig_sweep, fig_web, report
from bench.data import Shape, describe, generate
from bench.harness import Context, Figure, run_figure
from models.core.db import make_engine, normalise_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
# another name lets two runs share one PostgreSQL server without dropping each other's data
BENCH_DATABASE = os.environ.get("PLANWATCH_BENCH_DATABASE", "planwatch_bench")
FIGURES = (
    ("task generation", fig_generation.figure),
    ("deadline sweep", fig_sweep.figure),
    ("memory deadline sweep", fig_memory.figure),
    ("notification dispatch", fig_dispatch.figure),
    ("pages", fig_web.page_figures),
    ("API", fig_web.api_figures),
    ("period dashboard", fig_period.dashboard_figures),
    ("export", fig_period.export_figures),
)


@dataclass
class Run:
    """What one run measured, for the report."""

    args: argparse.Namespace
    shape: Shape
    meta: dict
    figures: list[Figure]
    lines: list[str]
    started: datetime
    load: float = 0.0


def database_url(db: str, workdir: Path, reuse: bool = False) -> tuple[str, bool]:
    """A migrated database and whether it was kept: new SQLite file or recreated PostgreSQL."""
    from cli.migrate import upgrade

    if db == "sqlite":
        path = workdir / "bench.db"
        url = f"sqlite:///{path}"
        if reuse and path.exists():
            upgrade(url)
            return url, True
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        admin_url = normalise_url(os.environ.get("PLANWATCH_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
        url = sa.make_url(admin_url).set(database=BENCH_DATABASE).render_as_string(False)
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": BENCH_DATABASE})
            if not (reuse and exists):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{BENCH_DATABASE}"')
        admin.dispose()
        if reuse and exists:
            upgrade(url)
            return url, True
    upgrade(url)
    return url, False


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=int, help="tasks to generate (default 1,000,000; "
                                                  "20,000 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small scale, short wrk runs")
    parser.add_argument("--out", type=Path, help="write the results there (Markdown)")
    parser.add_argument("--only", action="append", help="run only this figure (repeatable)")
    parser.add_argument("--workdir", type=Path, help="SQLite file and logs (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data of an earlier run at the same scale (iterating)")
    args = parser.parse_args(argv)
    if args.scale is None:
        args.scale = 20_000 if args.quick else 1_000_000
    return args


def run(argv: list[str] | None = None, echo=print) -> Run:
    """Everything `python -m bench` does; returns the figures (the smoke test reads them)."""
    args = parse(argv)
    started = datetime.now(UTC)
    load = os.getloadavg()[0]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="planwatch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shape = Shape.for_scale(args.scale)
    echo(f"planwatch bench: {args.db}, scale {args.scale:,} tasks ({shape}), workdir {workdir}")
    t0 = time.perf_counter()
    url, kept = database_url(args.db, workdir, args.reuse)
    echo(f"schema by Alembic in {time.perf_counter() - t0:.1f} s")
    engine = make_engine(url)
    meta = describe(engine, shape) if kept else generate(engine, shape, progress=echo)
    ctx = Context(url=url, engine=engine, shape=shape, meta=meta, quick=args.quick,
                  workdir=workdir, echo=echo)
    ctx.notes["tiny"] = args.scale < 5_000
    figures: list[Figure] = []
    for name, fn in FIGURES:
        if args.only and name not in args.only:
            continue
        figures.extend(run_figure(ctx, name, fn))
    engine.dispose()
    lines = [f.line() for f in figures]
    echo("\n".join(["", "== results"] + lines))
    result = Run(args, shape, meta, figures, lines, started, load)
    if args.out:
        command = ".venv/bin/python -m bench " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        report.write(args.out, result, command)
        echo(f"written {args.out}")
    return result


def main(argv: list[str] | None = None) -> int:
    result = run(argv, echo=lambda s: print(s, flush=True))
    return 1 if any(f.failed for f in result.figures) else 0
