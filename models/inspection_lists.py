"""Filtered, paginated lists of inspections and corrective actions (for the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.access import agency_filter
from models.agencies import Agency
from models.inspection_queries import _visible_inspections
from models.inspections import CorrectiveAction, Inspection, inspection_agency
from models.users import User


@dataclass
class InspectionFilter:
    status: str | None = None
    agency: str | None = None  # agency code
    year: int | None = None  # of the planned date


def _inspection_query(user: User, f: InspectionFilter):
    query = sa.select(Inspection).where(_visible_inspections(user))
    if f.status:
        query = query.where(Inspection.status == f.status)
    if f.agency:
        query = query.where(Inspection.id.in_(
            sa.select(inspection_agency.c.inspection_id).join(
                Agency, Agency.id == inspection_agency.c.agency_id).where(
                Agency.code == f.agency)))
    if f.year:
        query = query.where(Inspection.planned_on.between(date(f.year, 1, 1),
                                                          date(f.year, 12, 31)))
    return query


def list_inspections(session: Session, user: User, f: InspectionFilter, *, limit: int,
                     offset: int) -> tuple[list[Inspection], int]:
    """A page of the inspections the user may see, newest plan date first, and the total."""
    query = _inspection_query(user, f)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Inspection.planned_on.desc(), Inspection.id.desc())
                           .limit(limit).offset(offset)).all()
    return list(rows), total or 0


@dataclass
class ActionFilter:
    agency: str | None = None  # agency code
    status: str | None = None
    overdue: bool | None = None


def list_actions(session: Session, user: User, f: ActionFilter, today: date, *, limit: int,
                 offset: int) -> tuple[list[CorrectiveAction], int]:
    """A page of the corrective actions the user may see, soonest due first, and the total."""
    query = sa.select(CorrectiveAction).where(agency_filter(user, CorrectiveAction.agency_id))
    if f.agency:
        query = query.where(CorrectiveAction.agency_id.in_(
            sa.select(Agency.id).where(Agency.code == f.agency)))
    if f.status:
        query = query.where(CorrectiveAction.status == f.status)
    if f.overdue is not None:
        overdue = CorrectiveAction.overdue_clause(today)
        query = query.where(overdue if f.overdue else sa.not_(overdue))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(CorrectiveAction.due_on, CorrectiveAction.id)
                           .limit(limit).offset(offset)).all()
    return list(rows), total or 0
