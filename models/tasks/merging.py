"""Agencies that merge (the 2025 reorganisation merged communes and party committees): the old
agency's open tasks go to its successor, and the old one is closed (active_to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import Actor, has_role
from models.core.audit import record
from models.org.agencies import Agency, find_agency
from models.org.errors import (
    AgencyAlreadyClosed,
    MergeCoordinatorOnly,
    MergeIntoClosed,
    MergeIntoItself,
    UnknownAgencyCode,
)
from models.org.users import Role
from models.tasks.entities import OPEN_STATUSES, Task, lock_tasks


@dataclass
class Merge:
    old: Agency
    new: Agency
    last_day: date
    moved: list[int] = field(default_factory=list)  # task ids now the successor's
    kept: list[int] = field(default_factory=list)  # the successor already has that task
    groups_added: list[str] = field(default_factory=list)


def _agency(session: Session, code: str) -> Agency:
    agency = find_agency(session, code)
    if agency is None:
        raise UnknownAgencyCode(field="agency", agency_code=code)
    return agency


def merge_agencies(session: Session, actor: Actor, old_code: str, new_code: str, *, on: date,
                   now: datetime, dry_run: bool = False) -> Merge:
    """From `on`, `new_code` answers for `old_code`: the old agency's open tasks move to it
    (each audited), it joins the old one's groups (so it is given their future tasks), and the
    old agency's last day is the day before `on` (no task due after it is created for it).

    A task the successor already has for the same item and period stays with the old agency
    and is listed in `kept`, for a coordinator to settle."""
    if not has_role(actor, (Role.ADMIN, Role.COORDINATOR)):
        raise MergeCoordinatorOnly(role=getattr(actor, "role", None))
    old, new = _agency(session, old_code), _agency(session, new_code)
    if old.id == new.id:
        raise MergeIntoItself(field="new")
    last_day = on - timedelta(days=1)
    if old.active_to is not None and old.active_to < last_day:
        raise AgencyAlreadyClosed(agency_code=old_code, day=old.active_to.isoformat())
    if not new.active_on(on):
        raise MergeIntoClosed(field="new", agency_code=new_code, day=on.isoformat())
    merge = Merge(old, new, last_day)
    taken = set(session.execute(sa.select(Task.item_id, Task.period_start).where(
        Task.agency_id == new.id)).all())
    open_of_old = (Task.agency_id == old.id, Task.status.in_([s.value for s in OPEN_STATUSES]))
    tasks = sorted(session.scalars(sa.select(Task).where(*open_of_old)).all() if dry_run
                   else lock_tasks(session, *open_of_old), key=lambda t: (t.due_on, t.id))
    for task in tasks:
        if (task.item_id, task.period_start) in taken:
            merge.kept.append(task.id)
            continue
        merge.moved.append(task.id)
        if not dry_run:
            task.agency_id, task.updated_at = new.id, now
            record(session, actor=actor, action="task.agency_merged", entity_type="task",
                   entity_id=task.id, before={"agency": old.qualified_code},
                   after={"agency": new.qualified_code}, now=now)
    have = {g.id for g in new.groups}
    added = [g for g in old.groups if g.id not in have]
    merge.groups_added = [g.code for g in added]
    if dry_run:
        return merge
    new.groups = list(new.groups) + added
    before = {"active_to": old.active_to}
    old.active_to = last_day if old.active_to is None else min(old.active_to, last_day)
    merge.last_day = old.active_to
    session.flush()
    record(session, actor=actor, action="agency.merge", entity_type="agency", entity_id=old.id,
           before=before,
           after={"agency": old.qualified_code, "successor": new.qualified_code, "on": on,
                  "active_to": old.active_to, "moved": merge.moved, "kept": merge.kept,
                  "groups_added": merge.groups_added}, now=now)
    return merge
