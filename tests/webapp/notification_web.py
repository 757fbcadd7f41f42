"""Support for the notification page tests: outbox rows written directly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from models.notify.entities import Notification

_keys = itertools.count(1)
WRITTEN = datetime(2025, 9, 30, 1, 0, tzinfo=UTC)  # 08:00 on 30/09/2025 in Hà Nội


def make_notification(session, *, recipient_id: int | None, subject_id: int,
                      status: str = "sent", **overrides) -> Notification:
    """One outbox row about a task, as the deadlines flow would have written it."""
    row = Notification(
        dedupe_key=f"test-{next(_keys)}", recipient_user_id=recipient_id,
        subject_type="task",
        subject_id=subject_id, rung="0", kind="reminder", payload={}, locale="vi",
        status=status, attempts=0, next_attempt_at=WRITTEN, last_error="", created_at=WRITTEN,
        sent_at=WRITTEN if status == "sent" else None,
    )
    for key, value in overrides.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row
