"""Serve the four flows on their schedules: `python -m flows.serve` (needs PREFECT_API_URL)."""

from __future__ import annotations

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron

from flows.audit import audit_verify_flow
from flows.cadence import cadence_flow
from flows.common import TZ
from flows.deadlines import deadlines_flow
from flows.notify import notify_flow

# flow name -> (deployment name, cron in the plan's time zone, parameters)
SCHEDULES = {
    "cadence": ("daily", "30 5 * * *", {}),
    "deadlines": ("daily", "0 6 * * *", {}),
    "audit-verify": ("daily", "0 5 * * *", {}),  # before the working day: admins told early
    # each run sends for ~4.5 minutes (every 20 s): 288 runs a day instead of 1,440
    "notify": ("every-5-minutes", "*/5 * * * *", {"for_seconds": 270, "interval": 20}),
}
# a run never overlaps the previous one of its deployment: a late run's successor is cancelled
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1,
                                       collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def deployments() -> list:
    """The deployments with their schedules in the plan's time zone."""
    out = []
    for f in (cadence_flow, deadlines_flow, notify_flow, audit_verify_flow):
        name, cron, parameters = SCHEDULES[f.name]
        out.append(f.to_deployment(name=name, schedules=[Cron(cron, timezone=TZ)],
                                   parameters=parameters, tags=["planwatch", f.name],
                                   concurrency_limit=ONE_AT_A_TIME))
    return out


def main() -> None:
    # stopping serve must not pause the schedules: the next `make up` resumes them as they were
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()
