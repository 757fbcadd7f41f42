"""How the disk behaved while a write figure ran: a commit waits for the disk, so a status
change's p99 is the disk's as much as the app's. A thread writes 8 KB and fdatasyncs it every
`interval` seconds (what a commit of a small change asks of the disk), in a file in the folder
it is given (the bench's workdir: the SQLite file's folder, and on a one-disk machine the
PostgreSQL server's disk too), and keeps each wait."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

BLOCK = 8192
STALL_MS = 20.0


class DiskProbe:
    """`with DiskProbe(folder) as probe: ...`, then `probe.summary()` (or None if the folder
    could not take a file: the figure is then given without it)."""

    def __init__(self, folder: Path, interval: float = 0.02):
        self.folder, self.interval = Path(folder), interval
        self.waits: list[float] = []  # ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._path: str | None = None

    def __enter__(self) -> DiskProbe:
        try:
            self._fd, self._path = tempfile.mkstemp(prefix="disk-probe-", dir=self.folder)
        except OSError:
            return self
        self._thread = threading.Thread(target=self._run, name="disk-probe", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        block, offset = os.urandom(BLOCK), 0
        while not self._stop.wait(self.interval):
            started = time.perf_counter()
            os.pwrite(self._fd, block, offset)
            os.fdatasync(self._fd)
            self.waits.append((time.perf_counter() - started) * 1000)
            offset = (offset + BLOCK) % (256 * BLOCK)  # 2 MB, rewritten in turn

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._fd is not None:
            os.close(self._fd)
            os.unlink(self._path)

    def summary(self) -> dict | None:
        if len(self.waits) < 2:
            return None
        ordered = sorted(self.waits)
        return {"n": len(ordered), "p50": statistics.median(ordered),
                "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
                "max": ordered[-1], "stalls": sum(w > STALL_MS for w in ordered)}

    def describe(self) -> str:
        found = self.summary()
        if found is None:
            return ""
        return (f"; the disk meanwhile (8 KB + fdatasync every {self.interval * 1000:g} ms, "
                f"bench/disk.py): p50 {found['p50']:.2f} ms, p99 {found['p99']:.1f} ms, "
                f"max {found['max']:.0f} ms, {found['stalls']} waits over {STALL_MS:g} ms "
                f"in {found['n']}")
