"""Coordinator-set exceptions to the working calendar: extra days off and make-up working days.

Every change (one day set or removed, a year's official notice imported) is one operation:
the override rows, the open tasks whose due dates move (models.tasks.calendar_moves) and the
messages to their agencies are written together and audited; a dry run or
`preview_calendar_change` shows what would move and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.actors import Actor, has_role
from models.core.audit import record
from models.core.db import db
from models.org.users import Role
from models.plans.calendar import WorkingCalendar
from models.plans.errors import CalendarCoordinatorOnly, CalendarDayNotSet, UnknownDayKind

KINDS = ("day_off", "working_day")


class CalendarOverride(db.Model):
    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # day_off | working_day
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # where it came from: "" when set by hand, "import:2026" from the year's calendar file
    source: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")


def load_calendar(session: Session) -> WorkingCalendar:
    """The Vietnamese calendar with this installation's overrides applied."""
    rows = session.execute(sa.select(CalendarOverride.day, CalendarOverride.kind)).all()
    return WorkingCalendar(
        days_off=[d for d, k in rows if k == "day_off"],
        working_days=[d for d, k in rows if k == "working_day"],
    )


def _check(actor: Actor, kinds: Iterable[str]) -> None:
    if not has_role(actor, (Role.ADMIN, Role.COORDINATOR)):
        raise CalendarCoordinatorOnly(role=actor.role)
    for kind in kinds:
        if kind not in KINDS:
            raise UnknownDayKind(field="kind", kind=kind)


def _overrides(session: Session) -> dict[date, CalendarOverride]:
    return {row.day: row for row in session.scalars(sa.select(CalendarOverride))}


def _plan(rows: Mapping[date, CalendarOverride], set_days: Mapping[date, tuple[str, str]],
          remove_days: Iterable[date]):
    """The overrides before and after, and the days whose kind changes."""
    from models.tasks.calendar_moves import calendar_from

    before = {day: row.kind for day, row in rows.items()}
    after = dict(before)
    for day in remove_days:
        after.pop(day, None)
    after.update({day: kind for day, (kind, _) in set_days.items()})
    changed = {d for d in before.keys() | after.keys() if before.get(d) != after.get(d)}
    return calendar_from(before), calendar_from(after), changed


def preview_calendar_change(
    session: Session, *, set_days: Mapping[date, str] | None = None,
    remove_days: Iterable[date] = (),
):
    """What a change would move, writing nothing: a `CalendarChange` whose `moves` list each
    open task (agency, old -> new due date) and `kept` those whose date was set by hand.

    `set_days` maps a day to "day_off" or "working_day"; `remove_days` are overrides dropped.
    """
    from models.tasks.calendar_moves import compare

    set_days = dict(set_days or {})
    _check_kinds(set_days.values())
    old, new, changed = _plan(_overrides(session), {d: (k, "") for d, k in set_days.items()},
                              list(remove_days))
    return compare(session, old, new, changed)


def _check_kinds(kinds: Iterable[str]) -> None:
    for kind in kinds:
        if kind not in KINDS:
            raise UnknownDayKind(field="kind", kind=kind)


def change_calendar(
    session: Session, actor: Actor, *, set_days: Mapping[date, tuple[str, str]],
    remove_days: Iterable[date] = (), now: datetime, action: str, entity_id: str,
    source: str = "", dry_run: bool = False,
):
    """Set (day -> (kind, note)) and remove overrides, move the open tasks this changes and tell
    their agencies, audited as one `action`; a dry run only says what would move."""
    from models.tasks.calendar_moves import apply_moves, compare

    _check(actor, (kind for kind, _ in set_days.values()))
    rows = _overrides(session)
    remove_days = [d for d in remove_days if d not in set_days and d in rows]
    if not set_days and not remove_days:
        from models.tasks.calendar_moves import CalendarChange

        return CalendarChange()
    old, new, changed = _plan(rows, set_days, remove_days)
    change = compare(session, old, new, changed)
    if dry_run:
        return change
    before = {d.isoformat(): {"kind": rows[d].kind, "note": rows[d].note}
              for d in sorted(set(set_days) | set(remove_days)) if d in rows}
    for day in remove_days:
        if day in rows:
            session.delete(rows[day])
    for day, (kind, note) in sorted(set_days.items()):
        row = rows.get(day)
        if row is None:
            session.add(CalendarOverride(day=day, kind=kind, note=note, source=source))
        else:
            row.kind, row.note, row.source = kind, note, source
    session.flush()
    what = [f"{d.isoformat()} {set_days[d][0] if d in set_days else 'removed'}"
            for d in sorted(changed)]
    apply_moves(session, actor, change, now=now, what=what)
    after = {"set": {d.isoformat(): {"kind": k, "note": n} for d, (k, n) in
                     sorted(set_days.items())},
             "removed": [d.isoformat() for d in sorted(remove_days)],
             "moved": [m.as_dict() for m in change.moves],
             "kept": [m.as_dict() for m in change.kept], "notified": change.notified}
    record(session, actor=actor, action=action, entity_type="calendar", entity_id=entity_id,
           before=before or None, after=after, now=now)
    return change


def list_overrides(session: Session) -> list[CalendarOverride]:
    """Every extra day off and make-up working day, in date order."""
    return list(session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day)))


def set_override(
    session: Session, actor: Actor, day: date, kind: str, note: str, *, now: datetime,
    dry_run: bool = False,
) -> CalendarOverride | None:
    """Declare a day off or a make-up working day (coordinators and admins); the open tasks it
    affects get their new due date and their agencies are told. A dry run returns None (see
    `preview_calendar_change` for what would move)."""
    _check(actor, [kind])
    change_calendar(session, actor, set_days={day: (kind, note)}, now=now,
                    action="calendar.override", entity_id=day.isoformat(), dry_run=dry_run)
    if dry_run:
        return None
    return session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))


def remove_override(session: Session, actor: Actor, day: date, *, now: datetime,
                    dry_run: bool = False):
    """Drop the override of `day` (back to the public calendar), moving the tasks it affects;
    returns the `CalendarChange`."""
    _check(actor, [])
    if session.scalar(sa.select(CalendarOverride.id).where(CalendarOverride.day == day)) is None:
        raise CalendarDayNotSet(field="day", day=day.strftime("%d/%m/%Y"))
    return change_calendar(session, actor, set_days={}, remove_days=[day], now=now,
                           action="calendar.remove", entity_id=day.isoformat(), dry_run=dry_run)


def import_year(session: Session, actor: Actor, year: int, days: Mapping[date, tuple[str, str]],
                *, now: datetime, name: str, dry_run: bool = False):
    """A year's official days off and make-up working days (the Government's notice): the
    days of an earlier import of that year that the file no longer lists are dropped; days set
    by hand are replaced only where the file names them. Returns the `CalendarChange`."""
    source = f"import:{year}"
    stale = session.scalars(sa.select(CalendarOverride.day).where(
        CalendarOverride.source == source)).all()
    rows = _overrides(session)
    wanted = {d: v for d, v in days.items()
              if d not in rows or (rows[d].kind, rows[d].note, rows[d].source) != (*v, source)}
    return change_calendar(session, actor, set_days=wanted,
                           remove_days=[d for d in stale if d not in days], now=now,
                           action="calendar.import", entity_id=name, source=source,
                           dry_run=dry_run)
