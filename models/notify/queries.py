"""Reading the outbox and targets: one user's notifications, the outbox for staff, targets."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.errors import OutboxForbidden
from models.org.agencies import Agency
from models.org.users import Role, User

PAGE_SIZE = 50
READERS = (Role.ADMIN, Role.COORDINATOR)  # who may read every notification


def page_of(session: Session, query: sa.Select, page: int, size: int = PAGE_SIZE):
    """Rows of one page (1-based) and the number of pages."""
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-(total or 0) // size))
    page = min(max(1, page), pages)
    rows = session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return rows, page, pages


def notifications_of(session: Session, user, page: int = 1):
    """The notifications addressed to `user` (never an agency mailbox's), newest first."""
    query = (sa.select(Notification).where(Notification.recipient_user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return page_of(session, query, page)


def outbox_counts(session: Session) -> dict[str, int]:
    """How many notifications are in each status (every status listed, zero included)."""
    counts = dict(session.execute(
        sa.select(Notification.status, sa.func.count()).group_by(Notification.status)).all())
    return {s.value: counts.get(s.value, 0) for s in NotificationStatus}


def outbox(session: Session, status: str | None, page: int = 1):
    """The outbox, optionally of one status; the next to be tried first."""
    query = sa.select(Notification).order_by(Notification.next_attempt_at.desc(),
                                             Notification.id.desc())
    if status:
        query = query.where(Notification.status == status)
    return page_of(session, query, page)


def targets_of_user(session: Session, user) -> list[NotificationTarget]:
    """A user's own targets."""
    return list(session.scalars(sa.select(NotificationTarget)
                                .where(NotificationTarget.user_id == user.id)
                                .order_by(NotificationTarget.id)))


def agency_targets(session: Session) -> list[tuple[Agency, list[NotificationTarget]]]:
    """Every agency with its targets (agencies without any included), by code."""
    agencies = session.scalars(sa.select(Agency).order_by(Agency.code)).all()
    by_agency: dict[int, list[NotificationTarget]] = {}
    for target in session.scalars(sa.select(NotificationTarget)
                                  .where(NotificationTarget.agency_id.is_not(None))
                                  .order_by(NotificationTarget.id)):
        by_agency.setdefault(target.agency_id, []).append(target)
    return [(agency, by_agency.get(agency.id, [])) for agency in agencies]


def masked(url: str) -> str:
    """An apprise URL safe to show on a page: its scheme, and its host only after a "@"."""
    scheme, _, rest = url.partition("://")
    if "@" not in rest:
        return f"{scheme}://…"  # the part after the scheme is often a bot token or a key
    host = re.split(r"[/?:]", rest.rsplit("@", 1)[1], maxsplit=1)[0]
    return f"{scheme}://…@{host}"


def list_notifications(session: Session, user: User, *, status: str | None = None,
                       own: bool = False, limit: int, offset: int
                       ) -> tuple[list[Notification], int]:
    """A page of notifications, newest first, and the total; the whole outbox needs staff."""
    query = sa.select(Notification)
    if own:
        query = query.where(Notification.recipient_user_id == user.id)
    elif user.role not in READERS:
        raise OutboxForbidden(role=user.role)
    if status:
        query = query.where(Notification.status == status)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit)
                           .offset(offset)).all()
    return list(rows), total or 0
