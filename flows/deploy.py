"""Deploy the flows to a Prefect work pool (scaling out): `python -m flows.deploy POOL`.

Workers started with `prefect worker start --pool POOL` on any machine that has this code and
can reach the database run them. The deployments carry only where a run finds its settings
(PLANWATCH_HOME, an env file's path) and the public base URL: job variables are stored in
Prefect's database and shown in its UI, so no secret goes there. A run reads the database URL,
the SMTP settings and the secret key from its worker's environment or from the 0600 env file
`$PLANWATCH_HOME/planwatch.env` on the worker's machine (see `settings`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect.schedules import Cron

from flows.common import TZ
from flows.serve import ONE_AT_A_TIME, SCHEDULES
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINTS = {
    "cadence": "flows/cadence.py:cadence_flow",
    "deadlines": "flows/deadlines.py:deadlines_flow",
    "notify": "flows/notify.py:notify_flow",
    "audit-verify": "flows/audit.py:audit_verify_flow",
}


def deploy(pool: str, source: str = str(ROOT), settings: Settings | None = None) -> list:
    """Register the three deployments on `pool`, with the same schedules as `serve`."""
    from prefect import flow

    env = (settings or Settings.from_env()).public_env()
    ids = []
    for name, entrypoint in ENTRYPOINTS.items():
        deployment_name, cron, parameters = SCHEDULES[name]
        ids.append(flow.from_source(source=source, entrypoint=entrypoint).deploy(
            name=deployment_name, work_pool_name=pool, schedules=[Cron(cron, timezone=TZ)],
            parameters=parameters, tags=["planwatch", name], concurrency_limit=ONE_AT_A_TIME,
            job_variables={"env": env}, build=False, push=False))
    return ids


if __name__ == "__main__":
    deploy(sys.argv[1] if len(sys.argv) > 1 else "planwatch")
