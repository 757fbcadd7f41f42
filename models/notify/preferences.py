"""A person's choice of what comes at once rather than in the morning digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.core.audit import record
from models.notify.digest import KINDS
from models.notify.errors import UnknownNotificationKind
from models.org.users import User


def set_immediate_kinds(session: Session, actor, user: User, kinds: list[str], *,
                        now: datetime) -> None:
    """Send these kinds one message at a time; the others come in the daily digest."""
    if any(k not in KINDS for k in kinds):
        raise UnknownNotificationKind(field="immediate")
    chosen = [k for k in KINDS if k in kinds]  # one order, whatever the form sent
    before = list(user.notify_immediate or [])
    if before == chosen:
        return
    user.notify_immediate = chosen
    session.flush()
    record(session, actor=actor, action="user.notify_immediate", entity_type="user",
           entity_id=user.id, before={"notify_immediate": before},
           after={"notify_immediate": chosen}, now=now)
