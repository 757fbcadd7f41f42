"""Serve the three flows on their schedules: `python -m flows.serve` (needs PREFECT_API_URL)."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.cadence import cadence_flow
from flows.deadlines import deadlines_flow
from flows.notify import notify_flow

TZ = "Asia/Ho_Chi_Minh"


def deployments() -> list:
    """The deployments with their schedules in the plan's time zone."""
    return [
        cadence_flow.to_deployment(name="daily", schedules=[Cron("30 5 * * *", timezone=TZ)]),
        deadlines_flow.to_deployment(name="daily", schedules=[Cron("0 6 * * *", timezone=TZ)]),
        notify_flow.to_deployment(name="every-minute", schedules=[Cron("* * * * *", timezone=TZ)]),
    ]


def main() -> None:
    # stopping serve must not pause the schedules: the next `make up` resumes them as they were
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()
