"""Run in a subprocess: stream N export rows bare, or write them as CSV or XLSX; peak RSS.

    python -m bench.export_probe URL AS_OF N bare|csv|xlsx
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from datetime import date

from sqlalchemy.orm import Session


def peak_mb() -> float:
    """ru_maxrss of this process in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str, as_of: str, n: int, mode: str) -> None:
    import openpyxl  # noqa: F401  (imported in every mode, so the floor includes it)

    from models.core.db import make_engine
    from models.tasks.exports import Column, Table, csv_chunks, xlsx_chunks
    from models.tasks.listing import EXPORT_FIELDS, TaskListFilter, export_query

    engine = make_engine(url)
    day = date.fromisoformat(as_of)
    with Session(engine) as session:
        query = export_query(None, TaskListFilter(), day).limit(n)
        before = peak_mb()
        started = time.perf_counter()
        result = session.execute(query.execution_options(yield_per=1000))
        rows = 0
        size = 0
        if mode == "bare":
            for _row in result:
                rows += 1
        else:
            def counted():
                nonlocal rows
                for row in result:
                    rows += 1
                    yield row

            kinds = {"period_start": "date", "period_end": "date", "due_on": "date",
                     "submitted_at": "datetime", "id": "int"}
            table = Table(title="Tasks", heading=[("Period", "all")],
                          columns=[Column(f, 14, kinds.get(f, "text")) for f in EXPORT_FIELDS],
                          rows=counted())
            chunks = csv_chunks(table) if mode == "csv" else xlsx_chunks(table)
            with tempfile.TemporaryFile() as out:  # a client reading the stream
                for chunk in chunks:
                    size += len(chunk)
                    out.write(chunk)
        seconds = time.perf_counter() - started
    print(json.dumps({"mode": mode, "rows": rows, "bytes": size, "seconds": seconds,
                      "start_mb": before, "peak_mb": peak_mb(), "pid": os.getpid()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
