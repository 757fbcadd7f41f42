"""Memory: peak RSS of the deadline sweep at scale, in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.harness import Context, Figure
from bench.outbox import reflect_outbox


def figure(ctx: Context) -> list[Figure]:
    """The sweep's peak RSS against the same process's RSS just before the sweep."""
    reflect_outbox(ctx.engine)  # Skip when the flows are not merged
    import models.notify.ladder  # noqa: F401  (ImportError: SKIPPED)

    done = subprocess.run([sys.executable, "-m", "bench.probe", ctx.url,
                           ctx.shape.now.isoformat()], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the probe failed: {done.stderr.strip()[-600:]}")
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    return [Figure("memory deadline sweep", probe["peak_mb"], "MB", probe["floor_mb"],
                   detail=f"floor: the same process after imports and connecting; "
                          f"created {probe['created']}",
                   extra_goal=("<= 300 MB", probe["peak_mb"] <= 300))]
