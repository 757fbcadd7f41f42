"""The notification outbox and its targets (apprise URLs of agencies and users)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.db import UTCDateTime, db
from models.org.agencies import Agency
from models.org.users import User


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # will be retried at next_attempt_at
    DEAD = "dead"  # gave up after too many attempts; an admin may retry it
    CANCELLED = "cancelled"  # the subject was submitted or rescheduled before sending
    # one item of a daily digest: never sent alone, it goes out with the digest row whose
    # dedupe key is this row's digest_key (models.notify.digest)
    BUNDLED = "bundled"


class Notification(db.Model):
    """One message to one target, written by the deadlines flow and sent by the notify flow."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_status_next", "status", "next_attempt_at"),
        sa.Index("ix_notification_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # makes a second run of the deadlines flow on the same day a no-op
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    target_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notification_target.id", ondelete="SET NULL")
    )
    target: Mapped[str] = mapped_column(sa.Text)  # apprise URL, copied when the row is written
    subject_type: Mapped[str] = mapped_column(sa.String(32))  # task | corrective_action
    subject_id: Mapped[int]
    rung: Mapped[str] = mapped_column(sa.String(8))  # "-7", "0", "+1" working days from due
    kind: Mapped[str] = mapped_column(sa.String(16))  # reminder | overdue | escalation
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # the digest (one per person, channel and day) an item row belongs to; a digest row has
    # subject_type "digest" and its own dedupe key here too
    digest_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="vi")
    status: Mapped[str] = mapped_column(sa.String(16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()


class NotificationTarget(db.Model):
    """An apprise URL of an agency (its mailbox, a group chat) or of one user."""

    __tablename__ = "notification_target"
    __table_args__ = (
        sa.CheckConstraint(
            "(agency_id IS NULL) <> (user_id IS NULL)", name="one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.Text)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency | None] = relationship()
    user: Mapped[User | None] = relationship()
