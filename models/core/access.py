"""Who may see what: access is checked on data, not only on pages."""

from __future__ import annotations

import sqlalchemy as sa

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
