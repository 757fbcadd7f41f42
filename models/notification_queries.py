"""Reading the notification outbox: all of it for staff, one's own for everyone."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import Forbidden
from models.notifications import Notification
from models.users import Role, User

READERS = (Role.ADMIN, Role.COORDINATOR)  # who may read every notification


def list_notifications(session: Session, user: User, *, status: str | None = None,
                       own: bool = False, limit: int, offset: int
                       ) -> tuple[list[Notification], int]:
    """A page of notifications, newest first, and the total; the whole outbox needs staff."""
    query = sa.select(Notification)
    if own:
        query = query.where(Notification.recipient_user_id == user.id)
    elif user.role not in READERS:
        raise Forbidden("only admins and coordinators may read the notification outbox",
                        role=user.role)
    if status:
        query = query.where(Notification.status == status)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit)
                           .offset(offset)).all()
    return list(rows), total or 0
