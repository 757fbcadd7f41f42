"""Operations on notification targets and the outbox: set, pause, remove, retry, cancel.

A target stores what its owner typed (an address, a chat id) and, for webhook and apprise URLs,
the URL encrypted; outbox rows refer to it by id, so pausing or removing it stops what is queued.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import Actor, SystemActor, check_actor, has_role, is_admin
from models.core.audit import record
from models.notify.channels import check_channel
from models.notify.entities import Channel, Notification, NotificationStatus, NotificationTarget
from models.notify.errors import (
    AgencyTargetsForbidden,
    NotificationNotFound,
    RetryForbidden,
    RetryNeedsDead,
    TargetNotFound,
    TargetOwnerAmbiguous,
)
from models.notify.secrets import decrypt, encrypt
from models.notify.settings import load_settings
from models.org.agencies import Agency, agency_code_is
from models.org.errors import UnknownAgencyCode, UnknownUserEmail
from models.org.users import User


def _owner(session: Session, agency_code: str | None, user_email: str | None):
    if bool(agency_code) == bool(user_email):
        raise TargetOwnerAmbiguous(field="owner")
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(agency_code_is(agency_code)))
        if agency is None:
            raise UnknownAgencyCode(agency_code=agency_code)
        return {"agency_id": agency.id}
    user = session.scalar(sa.select(User).where(User.email == user_email.strip().lower()))
    if user is None:
        raise UnknownUserEmail(email=user_email)
    return {"user_id": user.id}


def set_target(
    session: Session, actor: Actor, *, now: datetime, channel: str | None = None,
    address: str | None = None, url: str | None = None, agency_code: str | None = None,
    user_email: str | None = None, label: str = "", active: bool = True,
) -> NotificationTarget:
    """Add (or re-activate) a channel of an agency or a user, checked as the actor may use it.

    `url` alone is an apprise URL (`http(s)://` a webhook); officers may give only an email
    address, a Telegram chat id or a Zalo user id.
    """
    if channel is None:
        channel = Channel.APPRISE
        if url and url.strip().lower().startswith(("http://", "https://")):
            channel = Channel.WEBHOOK
    value = url if address is None else address
    role = actor.role if isinstance(actor, User) else None
    channel, shown, secret = check_channel(channel, value or "", actor_role=role,
                                           settings=load_settings(session))
    owner = _owner(session, agency_code, user_email)
    _check_may_manage(actor, owner)
    target = _same_target(session, owner, channel, shown, secret)
    before = {"active": target.active, "label": target.label} if target else None
    if target is None:
        target = NotificationTarget(channel=channel, address=shown, label=label, active=active,
                                    secret=encrypt(secret) if secret else None, **owner)
        session.add(target)
    else:
        target.active, target.label = active, label or target.label
    session.flush()
    # the URL may hold a password: audit the channel and what the owner is shown
    record(session, actor=actor, action="notification_target.set",
           entity_type="notification_target", entity_id=target.id, before=before,
           after={**owner, "channel": channel, "address": shown, "label": label,
                  "active": active}, now=now)
    return target


def _same_target(session: Session, owner: dict, channel: str, shown: str,
                 secret: str | None) -> NotificationTarget | None:
    """The owner's live target with this channel and address (and the same URL, if any)."""
    for target in session.scalars(sa.select(NotificationTarget).filter_by(
            channel=channel, address=shown, **owner).where(
            NotificationTarget.removed_at.is_(None))):
        if secret is None or (target.secret and decrypt(target.secret) == secret):
            return target
    return None


def target_url(target: NotificationTarget) -> str | None:
    """The stored URL of a webhook or apprise target, decrypted (for the dispatcher)."""
    return decrypt(target.secret) if target.secret else None


def _check_may_manage(actor: Actor, owner: dict) -> None:
    """A user manages only their own targets; admins and coordinators manage agencies'.

    The console (the server's operator) manages every target; another system actor none.
    """
    if isinstance(check_actor(actor), SystemActor):
        if not actor.operator:
            raise AgencyTargetsForbidden(role=None)
        return
    if owner.get("user_id") is not None and owner["user_id"] != actor.id:
        raise TargetNotFound()  # someone else's: not even its existence
    if owner.get("agency_id") is not None and not has_role(actor, ("admin", "coordinator")):
        raise AgencyTargetsForbidden(role=actor.role)


def _target(session: Session, actor: Actor, target_id: int) -> NotificationTarget:
    target = session.get(NotificationTarget, target_id)
    if target is None or target.removed_at is not None:
        raise TargetNotFound(target_id=target_id)
    _check_may_manage(actor, {"agency_id": target.agency_id, "user_id": target.user_id})
    return target


def remove_target(session: Session, actor: Actor, target_id: int, *, now: datetime) -> None:
    """Forget a target's URL and stop it; queued messages to it are cancelled when due."""
    target = _target(session, actor, target_id)
    owner = {"agency_id": target.agency_id, "user_id": target.user_id}
    before = {**owner, "channel": target.channel, "address": target.address,
              "label": target.label, "active": target.active}
    # kept as a tombstone (no secret) so the outbox can say what its rows were for
    target.active, target.secret, target.removed_at = False, None, now
    session.flush()
    record(session, actor=actor, action="notification_target.remove",
           entity_type="notification_target", entity_id=target_id, before=before, after=None,
           now=now)


def set_target_active(
    session: Session, actor: Actor, target_id: int, *, active: bool, now: datetime
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
        sa.select(NotificationTarget).where(NotificationTarget.removed_at.is_(None)).order_by(
            NotificationTarget.agency_id.is_(None), NotificationTarget.agency_id,
            NotificationTarget.user_id, NotificationTarget.id)
    ))


def retry_dead(
    session: Session, actor: Actor, notification_id: int, *, now: datetime
) -> Notification:
    """An admin gives a dead notification another round of attempts."""
    if not is_admin(actor):
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
