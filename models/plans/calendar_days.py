"""Coordinator-set exceptions to the working calendar: extra days off and make-up working days."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.actors import Actor, has_role
from models.core.audit import record
from models.core.db import db
from models.org.users import Role
from models.plans.calendar import WorkingCalendar
from models.plans.errors import CalendarCoordinatorOnly, CalendarDayNotFound, UnknownDayKind


class CalendarOverride(db.Model):
    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # day_off | working_day
    note: Mapped[str] = mapped_column(sa.Text, default="")


def load_calendar(session: Session) -> WorkingCalendar:
    """The Vietnamese calendar with this installation's overrides applied."""
    rows = session.execute(sa.select(CalendarOverride.day, CalendarOverride.kind)).all()
    return WorkingCalendar(
        days_off=[d for d, k in rows if k == "day_off"],
        working_days=[d for d, k in rows if k == "working_day"],
    )


def set_override(
    session: Session, actor: Actor, day: date, kind: str, note: str, *, now: datetime
) -> CalendarOverride:
    """Declare a day off or a make-up working day (coordinators and admins)."""
    if not has_role(actor, (Role.ADMIN, Role.COORDINATOR)):
        raise CalendarCoordinatorOnly(role=actor.role)
    if kind not in ("day_off", "working_day"):
        raise UnknownDayKind(field="kind", kind=kind)
    row = session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))
    before = {"kind": row.kind, "note": row.note} if row else None
    if row is None:
        row = CalendarOverride(day=day, kind=kind, note=note)
        session.add(row)
    else:
        row.kind, row.note = kind, note
    session.flush()
    record(session, actor=actor, action="calendar.override", entity_type="calendar",
           entity_id=day.isoformat(), before=before, after={"kind": kind, "note": note}, now=now)
    return row


def list_overrides(session: Session) -> list[CalendarOverride]:
    """Every extra day off and make-up working day, in date order."""
    return list(session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day)))


def remove_override(session: Session, actor: Actor, day: date, *, now: datetime) -> None:
    """Take back an extra day off or a make-up working day (coordinators and admins).

    Due dates already set stay as they are: a coordinator moves them one by one (reschedule).
    """
    if not has_role(actor, (Role.ADMIN, Role.COORDINATOR)):
        raise CalendarCoordinatorOnly(role=actor.role)
    row = session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        raise CalendarDayNotFound(field="day", day=day.strftime("%d/%m/%Y"))
    before = {"kind": row.kind, "note": row.note}
    session.delete(row)
    session.flush()
    record(session, actor=actor, action="calendar.remove", entity_type="calendar",
           entity_id=day.isoformat(), before=before, after=None, now=now)
