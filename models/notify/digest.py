"""The daily digest: one outbox row per person (or mailbox), channel and day, over its items.

The sweep writes one BUNDLED row per subject x rung x target (its dedupe key makes reruns
no-ops), each naming the digest it belongs to (`digest_key` = "digest:DAY:TO", TO being the
target or the user's address). Then one INSERT … SELECT … GROUP BY writes the digest rows,
deduplicated by that key, so a person gets at most one per channel and day. The dispatcher
composes a digest when it sends it (models.notify.messages.compose), dropping what was
submitted meanwhile; users who chose immediate messages for a kind get those rows alone.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.notify.entities import Notification, NotificationStatus
from models.org.users import User

KINDS = ("reminder", "overdue", "escalation")
DIGEST = "digest"  # subject_type and kind of a digest row


def release_immediate(session: Session, *, now: datetime) -> int:
    """Rows written now for users who want their kind at once: pending alone, no digest."""
    wanted: dict[str, list[int]] = {}
    for user_id, kinds in session.execute(sa.select(User.id, User.notify_immediate)):
        for kind in kinds or ():
            wanted.setdefault(kind, []).append(user_id)
    n = 0
    for kind, user_ids in wanted.items():
        n += session.execute(
            sa.update(Notification)
            .where(Notification.status == NotificationStatus.BUNDLED,
                   Notification.created_at == now, Notification.kind == kind,
                   Notification.recipient_user_id.in_(user_ids))
            .values(status=NotificationStatus.PENDING, digest_key=None)
            .execution_options(synchronize_session=False)).rowcount
    return n


def write_digests(session: Session, *, now: datetime) -> int:
    """One digest row per digest key among the rows written now; a rerun adds none."""
    N = Notification
    dialect = session.get_bind().dialect.name
    empty = sa.func.json_build_object() if dialect == "postgresql" else sa.func.json_object()
    rows = (
        sa.select(N.digest_key, sa.func.max(N.recipient_user_id), sa.func.max(N.target_id),
                  sa.func.max(N.target), sa.literal(DIGEST), sa.literal(0), sa.literal(""),
                  sa.literal(DIGEST), empty, sa.func.max(N.locale),
                  sa.literal(NotificationStatus.PENDING.value), sa.literal(0),
                  sa.literal(now, type_=N.next_attempt_at.type), sa.literal("", type_=sa.Text),
                  sa.literal(now, type_=N.created_at.type), N.digest_key)
        .where(N.status == NotificationStatus.BUNDLED, N.created_at == now,
               N.digest_key.is_not(None))
        .group_by(N.digest_key)
    )
    columns = ["dedupe_key", "recipient_user_id", "target_id", "target", "subject_type",
               "subject_id", "rung", "kind", "payload", "locale", "status", "attempts",
               "next_attempt_at", "last_error", "created_at", "digest_key"]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(N.__table__).from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .execution_options(preserve_rowcount=True))
    return max(session.execute(stmt).rowcount, 0)


def digest_items(session: Session, digest: Notification) -> list[Notification]:
    """The item rows bundled into this digest."""
    return list(session.scalars(sa.select(Notification).where(
        Notification.digest_key == digest.dedupe_key,
        Notification.subject_type != DIGEST,
        Notification.status == NotificationStatus.BUNDLED).order_by(Notification.id)))
