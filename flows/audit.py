"""Audit flow (daily): verify the hash chain against its signed checkpoint; tell the admins
through the outbox when it does not hold. When it holds, a new checkpoint is signed."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.common import RETRY, run_name, run_settings, run_time, transaction, transient
from models.core.checkpoints import verify
from models.notify.audit_alerts import alert_audit_failure
from models.notify.settings import load_settings

TAGS = ["planwatch", "audit"]


@task(name="verify the audit chain", tags=TAGS, retry_condition_fn=transient, **RETRY)
def verify_chain(now: datetime) -> dict:
    """Walk the chain, compare with the newest signed checkpoint; on failure write the admins'
    alerts in the same transaction."""
    with transaction() as session:
        verdict = verify(session, run_settings().home, now=now)
        alerted = 0
        if not verdict.ok:
            alerted = alert_audit_failure(session, verdict.problems, now=now,
                                          settings=load_settings(session))
    return {"ok": verdict.ok, "events": verdict.count, "problems": verdict.problems,
            "admins_alerted": alerted}


@flow(name="audit-verify", flow_run_name=run_name("audit-verify"))
def audit_verify_flow(now: datetime | None = None) -> dict:
    """Verify the audit trail once; returns what was found and how many alerts were written."""
    now = run_time(now)
    result = verify_chain(now)
    lines = [f"# Audit verification of {now.isoformat()}",
             f"Events: **{result['events']}** · "
             + ("chain intact, checkpoint signed" if result["ok"] else
                f"**BROKEN**, {result['admins_alerted']} alert(s) to the admins")]
    lines += [f"- {p}" for p in result["problems"]]
    create_markdown_artifact(key="audit-verify", markdown="\n\n".join(lines),
                             description="Whether the audit trail still verifies")
    log = get_run_logger()
    if result["ok"]:
        log.info("audit chain intact: %s events", result["events"])
    else:
        log.error("audit chain broken: %s", "; ".join(result["problems"]))
    return result
