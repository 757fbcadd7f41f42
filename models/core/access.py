"""Who may see what: access is checked on data, not only on pages."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.errors import NotFound
from models.org.users import Role, User

ALL_AGENCY_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.INSPECTOR, Role.VIEWER)


def sees_all_agencies(user: User) -> bool:
    """Admins, coordinators, inspectors and viewers read every agency's work."""
    return user.role in ALL_AGENCY_ROLES


def can_see_agency(user: User, agency_id: int | None) -> bool:
    """An officer sees only their own agency."""
    return sees_all_agencies(user) or (agency_id is not None and agency_id == user.agency_id)


def agency_filter(user: User, agency_column):
    """A WHERE clause limiting a query to what the user may see."""
    if sees_all_agencies(user):
        return sa.true()
    if user.agency_id is None:
        return sa.false()
    return agency_column == user.agency_id


Row = TypeVar("Row")


def may_see(user: User, row) -> bool:
    """The row's own rule (`visible_to`), else its agency's, else everyone may see it."""
    rule = getattr(row, "visible_to", None)
    if rule is not None:
        return rule(user)
    if hasattr(row, "agency_id"):
        return can_see_agency(user, row.agency_id)
    return True


def get_visible(session: Session, model: type[Row], row_id: int, user: User,
                not_found: type[NotFound], *, key: str | None = None, options=()) -> Row:
    """The row if the user may see it; a missing row and another agency's are both `not_found`
    (raised with `<key>=row_id`, the key defaulting to `<table>_id`); `options` are loader
    options (the related rows the caller will read, loaded in the same query)."""
    row = session.get(model, row_id, options=options)
    if row is None or not may_see(user, row):
        raise not_found(**{key or f"{model.__tablename__}_id": row_id})
    return row
