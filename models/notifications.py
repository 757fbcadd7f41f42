"""The notification outbox and where notifications go (apprise URLs of agencies and users)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.agencies import Agency
from models.audit import record
from models.db import UTCDateTime, db
from models.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from models.users import User


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # will be retried at next_attempt_at
    DEAD = "dead"  # gave up after too many attempts; an admin may retry it
    CANCELLED = "cancelled"  # the subject was submitted or rescheduled before sending


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


def check_url(url: str) -> str:
    """Refuse an apprise URL that apprise cannot parse (no secret is echoed back)."""
    from apprise import Apprise

    url = (url or "").strip()
    apprise = Apprise()
    # apprise splits on spaces and commas: exactly one usable URL, or none is kept
    if not url or not apprise.add(url) or len(apprise) != 1:
        raise InvalidInput("not a valid notification URL (apprise cannot use it)", field="url")
    return url


def _owner(session: Session, agency_code: str | None, user_email: str | None):
    if bool(agency_code) == bool(user_email):
        raise InvalidInput("give an agency or a user, not both", field="owner")
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise NotFound("no such agency", code=agency_code)
        return {"agency_id": agency.id}
    user = session.scalar(sa.select(User).where(User.email == user_email.strip().lower()))
    if user is None:
        raise NotFound("no such user", email=user_email)
    return {"user_id": user.id}


def set_target(
    session: Session, actor, *, url: str, now: datetime, agency_code: str | None = None,
    user_email: str | None = None, label: str = "", active: bool = True,
) -> NotificationTarget:
    """Add (or re-activate) an apprise URL for an agency or a user."""
    url = check_url(url)
    owner = _owner(session, agency_code, user_email)
    _check_may_manage(actor, owner)
    query = sa.select(NotificationTarget).filter_by(url=url, **owner)
    target = session.scalar(query)
    before = {"active": target.active, "label": target.label} if target else None
    if target is None:
        target = NotificationTarget(url=url, label=label, active=active, **owner)
        session.add(target)
    else:
        target.active, target.label = active, label or target.label
    session.flush()
    # the URL may hold a password: audit only its scheme
    record(session, actor=actor, action="notification_target.set",
           entity_type="notification_target", entity_id=target.id, before=before,
           after={**owner, "scheme": url.split(":", 1)[0], "label": label, "active": active},
           now=now)
    return target


def _check_may_manage(actor, owner: dict) -> None:
    """A user manages only their own targets; admins and coordinators manage agencies'."""
    if not isinstance(actor, User):
        return  # the CLI and flows act as the operator of the server
    if owner.get("user_id") is not None and owner["user_id"] != actor.id:
        raise NotFound("notification target not found")  # someone else's: not even its existence
    if owner.get("agency_id") is not None and actor.role not in ("admin", "coordinator"):
        raise Forbidden("your role may not manage agency notification targets")


def _target(session: Session, actor, target_id: int) -> NotificationTarget:
    target = session.get(NotificationTarget, target_id)
    if target is None:
        raise NotFound("notification target not found", target_id=target_id)
    _check_may_manage(actor, {"agency_id": target.agency_id, "user_id": target.user_id})
    return target


def remove_target(session: Session, actor, target_id: int, *, now: datetime) -> None:
    """Delete a target; notifications already written keep their copy of the URL."""
    target = _target(session, actor, target_id)
    owner = {"agency_id": target.agency_id, "user_id": target.user_id}
    before = {**owner, "scheme": target.url.split(":", 1)[0], "label": target.label,
              "active": target.active}
    session.delete(target)
    session.flush()
    record(session, actor=actor, action="notification_target.remove",
           entity_type="notification_target", entity_id=target_id, before=before, after=None,
           now=now)


def set_target_active(
    session: Session, actor, target_id: int, *, active: bool, now: datetime
) -> NotificationTarget:
    """Pause or resume a target without forgetting its URL."""
    target = _target(session, actor, target_id)
    before = {"active": target.active}
    target.active = active
    session.flush()
    record(session, actor=actor, action="notification_target.set_active",
           entity_type="notification_target", entity_id=target.id, before=before,
           after={"active": active}, now=now)
    return target


def list_targets(session: Session) -> list[NotificationTarget]:
    """Every target, agencies first."""
    return list(session.scalars(
        sa.select(NotificationTarget).order_by(
            NotificationTarget.agency_id.is_(None), NotificationTarget.agency_id,
            NotificationTarget.user_id, NotificationTarget.id)
    ))


def retry_dead(session: Session, actor, notification_id: int, *, now: datetime) -> Notification:
    """An admin gives a dead notification another round of attempts."""
    if isinstance(actor, User) and actor.role != "admin":
        raise Forbidden("your role may not retry notifications")
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound("notification not found", notification_id=notification_id)
    if row.status != NotificationStatus.DEAD:
        raise TransitionNotAllowed("only a dead notification can be retried", current=row.status)
    row.status, row.attempts, row.next_attempt_at = NotificationStatus.PENDING, 0, now
    row.claimed_until = row.claim_token = None
    session.flush()
    record(session, actor=actor, action="notification.retry", entity_type="notification",
           entity_id=row.id, before={"status": "dead"}, after={"status": "pending"}, now=now)
    return row


def cancel_pending(session: Session, subject_type: str, subject_id: int, *, reason: str) -> int:
    """Cancel the unsent rungs of a subject (submitted, rescheduled, reassigned); returns count."""
    result = session.execute(
        sa.update(Notification)
        .where(Notification.subject_type == subject_type, Notification.subject_id == subject_id,
               Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.FAILED]))
        .values(status=NotificationStatus.CANCELLED, last_error=reason, claimed_until=None,
                claim_token=None)
    )
    return result.rowcount or 0
