"""Operations on notification targets and the outbox: set, pause, remove, retry, cancel."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.audit import record
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.errors import (
    AgencyTargetsForbidden,
    NotificationNotFound,
    RetryForbidden,
    RetryNeedsDead,
    TargetNotFound,
    TargetOwnerAmbiguous,
    TargetUrlInvalid,
)
from models.org.agencies import Agency
from models.org.errors import UnknownAgencyCode, UnknownUserEmail
from models.org.users import User


def check_url(url: str) -> str:
    """Refuse an apprise URL that apprise cannot parse (no secret is echoed back)."""
    from apprise import Apprise

    url = (url or "").strip()
    apprise = Apprise()
    # apprise splits on spaces and commas: exactly one usable URL, or none is kept
    if not url or not apprise.add(url) or len(apprise) != 1:
        raise TargetUrlInvalid(field="url")
    return url


def _owner(session: Session, agency_code: str | None, user_email: str | None):
    if bool(agency_code) == bool(user_email):
        raise TargetOwnerAmbiguous(field="owner")
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise UnknownAgencyCode(agency_code=agency_code)
        return {"agency_id": agency.id}
    user = session.scalar(sa.select(User).where(User.email == user_email.strip().lower()))
    if user is None:
        raise UnknownUserEmail(email=user_email)
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
        raise TargetNotFound()  # someone else's: not even its existence
    if owner.get("agency_id") is not None and actor.role not in ("admin", "coordinator"):
        raise AgencyTargetsForbidden(role=actor.role)


def _target(session: Session, actor, target_id: int) -> NotificationTarget:
    target = session.get(NotificationTarget, target_id)
    if target is None:
        raise TargetNotFound(target_id=target_id)
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
        raise RetryForbidden(role=actor.role)
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotificationNotFound(notification_id=notification_id)
    if row.status != NotificationStatus.DEAD:
        raise RetryNeedsDead(current=row.status)
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
