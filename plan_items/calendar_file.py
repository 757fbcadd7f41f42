"""The year's official calendar as a file: days off and make-up working days (the Government
announces them each year; the `holidays` package only estimates), checked with FILE:LINE."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from models.core.actors import SYSTEM, Actor
from models.plans.calendar import WorkingCalendar
from models.plans.calendar_days import import_year
from plan_items.loader import Loaded, PlanFileError, Problem, read
from plan_items.schema import Strict, text

CALENDAR_FORMAT = "planwatch/calendar@1"


class SourceSchema(Strict):
    """The announcement the days come from (a document number, a link)."""

    title_vi = text()
    document = text(required=False, max_len=200)
    issued_on = fields.Date()
    url = fields.Url(required=False)


class DaySchema(Strict):
    day = fields.Date(required=True)
    note = text(required=False, max_len=500)


class CalendarFileSchema(Strict):
    format = fields.String(required=True, validate=validate.Equal(CALENDAR_FORMAT))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    days_off = fields.List(fields.Nested(DaySchema), load_default=list)
    working_days = fields.List(fields.Nested(DaySchema), load_default=list)

    @validates_schema
    def _something(self, data, **_):
        if not data.get("days_off") and not data.get("working_days"):
            raise ValidationError("a calendar file lists days_off or working_days")


def _checks(loaded: Loaded) -> list[Problem]:
    """Every day in the file's year, listed once, never both off and working."""
    data, problems = loaded.data, []
    year = data.get("year")
    seen: dict[date, str] = {}
    public = WorkingCalendar()
    for key in ("days_off", "working_days"):
        entries = data.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            day = entry.get("day") if isinstance(entry, dict) else None
            if not isinstance(day, date):
                continue
            if isinstance(year, int) and day.year != year:
                problems.append(loaded.problem((key, i, "day"),
                                               f"{day.isoformat()} is not in {year}"))
            if day in seen:
                both = "both a day off and a working day" if seen[day] != key else "listed twice"
                problems.append(loaded.problem((key, i, "day"), f"{day.isoformat()} is {both}"))
            seen.setdefault(day, key)
            if key == "working_days" and public.is_working_day(day):
                problems.append(loaded.problem(
                    (key, i, "day"), f"{day.isoformat()} is already a working day: a make-up "
                                     "working day is a weekend or holiday worked"))
    return problems


def read_calendar(path: str | Path) -> Loaded:
    """A calendar file, schema-checked, every problem with its line."""
    return read(path, CalendarFileSchema(), _checks)


def calendar_days(loaded: Loaded) -> dict[date, tuple[str, str]]:
    """day -> (kind, note) of a checked file."""
    out = {e["day"]: ("day_off", e.get("note", "")) for e in loaded.data["days_off"]}
    out |= {e["day"]: ("working_day", e.get("note", "")) for e in loaded.data["working_days"]}
    return out


def import_calendar(session: Session, path: str | Path, *, actor: Actor = SYSTEM,
                    now: datetime, dry_run: bool = False):
    """Load a year's days off and make-up working days; open tasks they affect are moved and
    their agencies told (dry run: say what would move, keep nothing). A `CalendarChange`."""
    loaded = read_calendar(path)
    return import_year(session, actor, loaded.data["year"], calendar_days(loaded), now=now,
                       name=Path(path).name, dry_run=dry_run)


__all__ = ["CALENDAR_FORMAT", "PlanFileError", "import_calendar", "read_calendar"]
