"""docs/benchmarks.md: the machine, the run, each figure with its ratio, and what was changed."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

CHANGES = """\
Task generation was the one figure measurable before the other branches merge. At 986,000
tasks on PostgreSQL the foundation's `generate_tasks` took minutes to open one month (a run
was stopped after more than 8 minutes; two rounds had not finished), because every run planned
every period since the plan began (~1M row dicts) and pushed them all through
`INSERT … ON CONFLICT DO NOTHING RETURNING` in multi-row VALUES statements, whose thousands of
parameters psycopg parses on the client (pyinstrument: `_split_query` ~8 s of 17 s of insert
time even for the 27,200 new rows alone). Changes, same results (tests/models green, plus
`tests/models/test_generate_incremental.py`):

- only incomplete periods are planned: `tasks_per_period` counts, per item and period, the
  tasks its responsible agencies already have, one query per distinct set of agencies (an
  index-only scan of the unique `(item_id, agency_id, period_start)`), and a period is skipped
  when the count equals the number of agencies. A lost task or an agency added to a group is
  still filled in for past periods; periods a higher cadence absorbs are planned in full;
- `responsibilities()` reads every item's lead/exclude agencies in two queries instead of four
  per item; plans are eager-loaded with the items; period lists are cached per cadence/start;
- rows are written in batches of up to 50,000 (`models/bulk_tasks.py`): on PostgreSQL one COPY
  straight into `task` inside a savepoint (the rows were planned as missing), and only when a
  concurrent run got there first (unique violation) a COPY into a temporary table followed by
  one `INSERT … SELECT … ON CONFLICT DO NOTHING`; on SQLite one executemany per item without
  RETURNING, counted by rowcount.

Indexes: none added; the foundation's unique `(item_id, agency_id, period_start)`,
`ix_task_status_due` and `ix_task_agency_status_due` serve the measured queries.
"""


def machine() -> dict[str, str]:
    """CPU model, cores, memory and OS of this machine."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                      .splitlines() if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return {"cpu": cpu or platform.processor() or "?", "nproc": str(os.cpu_count()),
            "memory": memory, "os": platform.platform(), "python": platform.python_version()}


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def _ratio(figure) -> str:
    ratio = figure.ratio
    return f"{ratio:.2f}x" if ratio is not None else "-"


def _value(value, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.3g} {unit}"


def render(run, command: str) -> str:
    """The Markdown page for one run."""
    m = machine()
    shape, meta = run.shape, run.meta
    rows = []
    for f in run.figures:
        if f.skipped or f.failed:
            state = f"SKIPPED: {f.skipped}" if f.skipped else f"FAILED: {f.failed}"
            rows.append(f"| {f.name} | - | - | - | {state} |")
            continue
        goals = [g for g in (f.goal and f"ratio {f.goal}", f.extra_goal and f.extra_goal[0]) if g]
        goal = (f"{', '.join(goals)}: {'met' if f.met else '**not met**'}" if goals
                else "- (for comparison)")
        rows.append(f"| {f.name} | {_value(f.value, f.unit)} | {_value(f.floor, f.unit)} | "
                    f"{_ratio(f)} | {goal} |")
    details = "\n".join(f"- **{f.name}**: {f.detail}" for f in run.figures if f.detail)
    output = "\n".join(run.lines)
    return f"""# Benchmarks

Every figure is a ratio against a floor measured in the same run on the same database, because
these machines are shared and noisy; absolute numbers are printed only beside the ratio.
`make test` does not run them; `tests/bench/test_bench_smoke.py` runs the harness at a tiny
scale so it cannot rot.

## Run

- date: {run.started:%Y-%m-%d %H:%M} UTC
- machine: {m['cpu']}, {m['nproc']} CPUs, {m['memory']} memory; {m['os']}; Python {m['python']}
- database: {run.args.db}
- scale: {meta['tasks']:,} tasks, of which {meta['window']:,} \
({meta['window'] / max(meta['tasks'], 1):.0%}) are open and due by the end of the sweep window; \
{shape.agencies} agencies in {shape.groups} groups, {shape.plans} plans of \
{len(meta['items']) // max(shape.plans, 1)} recurring items (monthly, quarterly, yearly), \
{shape.years} years from {shape.first_year}; sweep day {shape.today}; \
data loaded in {meta['seconds']:.0f} s
- load average (1 min) at the start of the run: {run.load:.1f}; commit {_commit()}
- reproduce: `{command}` (`make bench` is PostgreSQL at 1,000,000 tasks, `make bench-quick` a
  small SQLite run)

## Figures

| figure | value | floor | ratio | goal |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

{details}

## Floors

- task generation: the same rows by the fastest bare bulk path: COPY on PostgreSQL, one
  `executemany` INSERT on SQLite.
- deadline sweep: one hand-written `INSERT … SELECT` into the outbox (reflected from the
  database), joining open tasks, the reminder ladder's rungs reached and the agency's users,
  limited to the rows the sweep wrote, `ON CONFLICT DO NOTHING`; run in a transaction that is
  rolled back. The second sweep is compared with the same floor.
- API and pages: a hello-world Flask app under the same gunicorn settings and the same wrk or
  request loop.
- API agency overdue list, second floor: the same list's statement on a bare DB-API connection
  as a WSGI app (`bench/bare_list.py`: no Flask, no token, no parsing) under the same gunicorn:
  what the database and the machine allow for that list.
- API status change, sequential: one client against one client, in interleaved turns under the
  same gunicorn: hello-world, and a second floor, one small row INSERTed and committed per
  request on a bare DB-API connection (`bench/bare_write.py`: no Flask, no read): the least a
  durable change costs on this machine and database (one round trip, one wait for the disk).
- notification dispatch: apprise alone, one `notify()` per message, sequentially.
- memory: the same process just before the work (sweep), a hello-world worker (web).

## Indexes and query changes

{CHANGES}
## Output

```
{output}
```
"""


# what follows this line in the page is written by hand (profiles, analyses) and kept by `write`
KEPT = "<!-- written by hand below: bench/report.py keeps it when it rewrites the page -->"


def write(path: Path, run, command: str) -> None:
    """Write the page; the hand-written part after `KEPT` in the old page is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = ""
    if path.exists():
        old = path.read_text()
        if KEPT in old:
            kept = "\n" + old[old.index(KEPT):]
    path.write_text(render(run, command) + kept)
