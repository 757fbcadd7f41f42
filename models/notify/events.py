"""One-off notices about an event (an extension asked for, approved or refused), into the outbox.

Unlike the deadline ladder these are written by the operation itself, in its transaction: one
row per recipient and channel of theirs (or, without one, the account's mail address, which the
dispatcher sends through the server's mail settings). The text is kept in the payload, in the
recipient's language, since the event does not change after it happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.org.users import User


def lang_of(user: User) -> str:
    return "en" if (user.locale or "").startswith("en") else "vi"


def notify_users(session: Session, users: Iterable[User], *, subject_type: str,
                 subject_id: int, kind: str, event: str,
                 text: Callable[[str], tuple[str, str]], now: datetime) -> int:
    """Queue `text(lang)` (title, body) for each active user; returns how many rows."""
    count = 0
    for user in {u.id: u for u in users if u is not None and u.is_active}.values():
        lang = lang_of(user)
        title, body = text(lang)
        targets = session.scalars(sa.select(NotificationTarget.id).where(
            NotificationTarget.user_id == user.id, NotificationTarget.active.is_(True),
            NotificationTarget.removed_at.is_(None))).all()
        for target_id in targets or [None]:
            key = f"{subject_type}:{subject_id}:{event}:user:{user.id}:{target_id}"
            if session.scalar(sa.select(Notification.id).where(Notification.dedupe_key == key)):
                continue
            session.add(Notification(
                dedupe_key=key, recipient_user_id=user.id, target_id=target_id,
                subject_type=subject_type, subject_id=subject_id, rung="0", kind=kind,
                payload={"title": title, "body": body}, locale=lang,
                status=NotificationStatus.PENDING.value, attempts=0, next_attempt_at=now,
                last_error="", created_at=now))
            count += 1
    session.flush()
    return count
