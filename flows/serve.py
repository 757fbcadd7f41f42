"""Serve the three flows on their schedules: `python -m flows.serve` (needs PREFECT_API_URL)."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.cadence import cadence_flow
from flows.deadlines import deadlines_flow
from flows.notify import notify_flow

TZ = "Asia/Ho_Chi_Minh"
# flow name -> (deployment name, cron in the plan's time zone)
SCHEDULES = {
    "cadence": ("daily", "30 5 * * *"),
    "deadlines": ("daily", "0 6 * * *"),
    "notify": ("every-minute", "* * * * *"),
}


def deployments() -> list:
    """The deployments with their schedules in the plan's time zone."""
    return [
        f.to_deployment(name=SCHEDULES[f.name][0],
                        schedules=[Cron(SCHEDULES[f.name][1], timezone=TZ)])
        for f in (cadence_flow, deadlines_flow, notify_flow)
    ]


def main() -> None:
    # stopping serve must not pause the schedules: the next `make up` resumes them as they were
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()
