"""The daily digest: one outbox row per person (or mailbox), channel and day, over its items.

The sweep writes one BUNDLED row per subject x rung x target (its dedupe key makes reruns
no-ops), each naming the digest it belongs to (`digest_key` = "digest:DAY:TO", TO being the
target or the user's address). Then one INSERT … SELECT … GROUP BY writes the digest rows,
deduplicated by that key, so a person gets at most one per channel and day. The dispatcher
composes a digest when it sends it (models.notify.messages.compose), dropping what was
submitted meanwhile; users who chose immediate messages for a kind get those rows alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

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


def _follow_ups(session: Session, *, now: datetime, days: Iterable[date] | None = None) -> int:
    """Re-key the items written now whose day's digest can no longer take them.

    A second sweep on the same day (a task rescheduled to today, a late target) writes new
    items under the day's digest key. If that digest is still waiting (pending, or failed and
    waiting for its retry) and no dispatcher holds it, the items join it: it is composed when
    it is sent. If it was sent, went dead, was cancelled or is being sent now, its follow-up
    takes them ("digest:DAY:TO#2", "#3"…), so nothing written that day is dropped. On
    PostgreSQL the waiting digest is locked until the sweep commits (a dispatcher's claim
    skips it meanwhile); on SQLite the sweep already holds the write lock.
    """
    N = Notification

    def digests_of_days(prefixes):  # the digests already written on these days
        return session.execute(sa.select(N.id, N.dedupe_key).where(
            N.subject_type == DIGEST, sa.or_(*(N.dedupe_key.like(p + "%") for p in prefixes))))

    # the day's first sweep finds no digest of its day (`days`, when the caller knows them):
    # then no item written now needs moving, and their keys are not even read
    ahead = None
    if days is not None:
        ahead = list(digests_of_days({f"digest:{day.isoformat()}:" for day in days}))
        if not ahead:
            return 0
    keys = sorted(session.scalars(sa.select(N.digest_key).where(
        N.status == NotificationStatus.BUNDLED, N.created_at == now,
        N.digest_key.is_not(None)).group_by(N.digest_key)))
    if not keys:
        return 0
    # the digests already written for these keys' days, in one read ("digest:DAY:" prefixes;
    # on the day's first sweep there are none, and nothing more is asked)
    prefixes = {":".join(key.split(":", 2)[:2]) + ":" for key in keys}
    bases = {key.split("#", 1)[0] for key in keys}
    found = ahead if ahead is not None and prefixes <= {
        f"digest:{day.isoformat()}:" for day in days} else digests_of_days(prefixes)
    existing = [(i, k) for i, k in found if k.split("#", 1)[0] in bases]
    if not existing:
        return 0
    # lock those (and only those) before reading their state
    digests_of: dict[str, list[Notification]] = {}
    for digest in session.scalars(sa.select(N).where(N.id.in_([i for i, _ in existing]))
                                  .order_by(N.id).with_for_update()):
        digests_of.setdefault(digest.dedupe_key.split("#", 1)[0], []).append(digest)
    moved = 0
    for key in keys:
        base = key.split("#", 1)[0]
        digests = digests_of.get(base)
        if not digests:
            continue
        latest = digests[-1]
        open_ = (latest.status in (NotificationStatus.PENDING, NotificationStatus.FAILED)
                 and (latest.claimed_until is None or latest.claimed_until < now))
        target = latest.dedupe_key if open_ else f"{base}#{len(digests) + 1}"
        if target != key:
            moved += session.execute(
                sa.update(N).where(N.status == NotificationStatus.BUNDLED, N.created_at == now,
                                   N.digest_key == key)
                .values(digest_key=target)
                .execution_options(synchronize_session=False)).rowcount
    return moved


def write_digests(session: Session, *, now: datetime,
                  days: Iterable[date] | None = None) -> int:
    """One digest row per digest key among the rows written now; a rerun on the same day
    adds its new items to the day's digest while it waits, else to a follow-up. `days`: the
    days the rows written now were bundled for, if the caller knows them (the sweep does)."""
    _follow_ups(session, now=now, days=days)
    N = Notification
    dialect = session.get_bind().dialect.name
    empty = sa.func.json_build_object() if dialect == "postgresql" else sa.func.json_object()
    rows = (
        sa.select(N.digest_key, sa.func.max(N.recipient_user_id), sa.func.max(N.target_id),
                  sa.literal(DIGEST), sa.literal(0), sa.literal(""),
                  sa.literal(DIGEST), empty, sa.func.max(N.locale),
                  sa.literal(NotificationStatus.PENDING.value), sa.literal(0),
                  sa.literal(now, type_=N.next_attempt_at.type), sa.literal("", type_=sa.Text),
                  sa.literal(now, type_=N.created_at.type), N.digest_key)
        .where(N.status == NotificationStatus.BUNDLED, N.created_at == now,
               N.digest_key.is_not(None))
        .group_by(N.digest_key)
    )
    columns = ["dedupe_key", "recipient_user_id", "target_id", "subject_type",
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
