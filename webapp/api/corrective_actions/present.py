"""A corrective action and its history as the API shows them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from models.core.clock import local_today
from models.org.users import User
from models.oversight.corrective_actions import allowed_action_targets, can_extend
from models.oversight.entities import CorrectiveAction
from models.oversight.inspections import attachments_of, inspection_tz

FIELDS = ("id", "finding_id", "description", "status", "due_on", "original_due_on",
          "extended", "extension_reason", "requires_followup", "followup_inspection_id",
          "submitted_at", "verified_at", "version", "created_at", "updated_at")


def action_row(action: CorrectiveAction, user: User, now: datetime) -> dict:
    """The action's fields, with overdue derived on its inspection's calendar day."""
    today = local_today(now, inspection_tz(action.finding.inspection))
    return {**{k: getattr(action, k) for k in FIELDS},
            "inspection_id": action.finding.inspection_id, "agency": action.agency.code,
            "overdue": action.is_overdue(today),
            "allowed_transitions": allowed_action_targets(action, user),
            "can_extend": can_extend(action, user)}


def history_of(session: Session, action: CorrectiveAction) -> list[dict]:
    """The action's steps, oldest first, each with the evidence attached to it."""
    files = defaultdict(list)
    for attachment in attachments_of(session, "corrective_action_update",
                                     [u.id for u in action.updates]):
        files[attachment.owner_id].append(attachment)
    return [{"id": u.id, "at": u.at, "actor": u.actor.label if u.actor else None,
             "action": u.action, "from_status": u.from_status, "to_status": u.to_status,
             "note": u.note, "attachments": files[u.id]} for u in action.updates]
