"""Importing agencies and plans: transactional, idempotent, and able to show the difference."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.core.actors import SYSTEM, Actor
from models.core.audit import record
from models.org.agencies import DEFAULT_NAMESPACE, SEPARATOR, Agency, AgencyGroup
from models.plans.cadence import Cadence, DueRule, Period, parse_first_period
from models.plans.calendar_days import load_calendar
from models.plans.entities import Item, ItemParty, Plan, Section
from models.tasks.entities import OPEN_STATUSES, Task
from models.tasks.generation import DueContext
from plan_items.loader import (
    Loaded,
    PlanFileError,
    check_agency_references,
    read_agencies,
    read_plan,
    walk_sections,
)


@dataclass
class Diff:
    """What an import adds, changes and removes, as lines a coordinator can read."""

    lines: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.lines.append(f"+ {what}")

    def change(self, what: str, old, new) -> None:
        self.lines.append(f"~ {what}: {old!r} -> {new!r}")

    def remove(self, what: str) -> None:
        self.lines.append(f"- {what}")

    @property
    def empty(self) -> bool:
        return not self.lines


SILENT = ("position",)  # follows from the file's order; a coordinator reads the items' changes


def _sync(obj, values: dict, label: str, diff: Diff, is_new: bool) -> None:
    """Set fields on obj, noting each change unless the object is new (or only moved)."""
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            if not is_new and key not in SILENT:
                diff.change(f"{label}.{key}", old, value)
            setattr(obj, key, value)


def _in_savepoint(session: Session, apply, loaded: Loaded, path, *, actor: Actor, now: datetime,
                  dry_run: bool) -> Diff:
    """Apply an import in a savepoint: kept on success, undone on error or for a dry run."""
    savepoint = session.begin_nested()
    try:
        diff = apply(session, loaded, path, actor=actor, now=now)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return diff


# ---------------------------------------------------------------- agencies

def import_agencies(
    session: Session, path: str | Path, *, actor: Actor = SYSTEM, now: datetime,
    dry_run: bool = False,
) -> Diff:
    """Create or update agency groups and agencies from a file (dry run: show, keep nothing).

    Groups and parents may be named by the file or already be in the database (in the file's
    namespace), so a province's communes can come in a second file."""
    loaded = validate_agencies(session, path)
    return _in_savepoint(session, _apply_agencies, loaded, path, actor=actor, now=now,
                         dry_run=dry_run)


def validate_agencies(session: Session, path: str | Path) -> Loaded:
    """An agencies file checked fully: its own codes, and its references against the database."""
    try:
        loaded, problems = read_agencies(path), []
    except PlanFileError as exc:
        if exc.loaded is None:
            raise
        loaded, problems = exc.loaded, list(exc.problems)
    namespace = loaded.data.get("namespace") or DEFAULT_NAMESPACE
    namespace = namespace if isinstance(namespace, str) else DEFAULT_NAMESPACE
    known_groups = set(session.scalars(sa.select(AgencyGroup.code)
                                       .where(AgencyGroup.namespace == namespace)))
    known_agencies = set(session.scalars(sa.select(Agency.code)
                                         .where(Agency.namespace == namespace)))
    problems += [p for p in check_agency_references(loaded, known_groups, known_agencies)
                 if "duplicate" not in p.message]
    if problems:
        unique = {(p.line, p.message): p for p in problems}
        raise PlanFileError(sorted(unique.values(), key=lambda p: (p.line, p.message)), loaded)
    return loaded


def _apply_agencies(session: Session, loaded: Loaded, path, *, actor: Actor, now: datetime) -> Diff:
    diff = Diff()
    namespace = loaded.data["namespace"]
    label = f"{namespace}{SEPARATOR}" if namespace else ""
    groups = {g.code: g for g in session.scalars(
        sa.select(AgencyGroup).where(AgencyGroup.namespace == namespace))}
    for g in loaded.data["groups"]:
        group = groups.get(g["code"])
        is_new = group is None
        if is_new:
            group = groups[g["code"]] = AgencyGroup(namespace=namespace, code=g["code"])
            session.add(group)
            diff.add(f"group {label}{g['code']}")
        _sync(group, {"name_vi": g["name_vi"], "name_en": g.get("name_en", ""),
                      "aliases": "\n".join(g["aliases"])},
              f"group {label}{g['code']}", diff, is_new)
    agencies = {a.code: a for a in session.scalars(
        sa.select(Agency).where(Agency.namespace == namespace))}
    new_codes: set[str] = set()
    for a in loaded.data["agencies"]:
        agency = agencies.get(a["code"])
        is_new = agency is None
        if is_new:
            new_codes.add(a["code"])
            agency = agencies[a["code"]] = Agency(namespace=namespace, code=a["code"])
            session.add(agency)
            diff.add(f"agency {label}{a['code']}")
        values = {"name_vi": a["name_vi"], "name_en": a.get("name_en", ""),
                  "note": a.get("note", ""), "aliases": "\n".join(a["aliases"])}
        # dates are kept unless the file gives them: a merger's active_to survives a re-import
        values |= {key: a[key] for key in ("active_from", "active_to") if key in a}
        _sync(agency, values, f"agency {label}{a['code']}", diff, is_new)
    session.flush()
    for a in loaded.data["agencies"]:
        agency = agencies[a["code"]]
        is_new = a["code"] in new_codes
        parent = agencies[a["parent"]] if a.get("parent") else None
        if agency.parent is not parent:
            if not is_new:
                diff.change(f"agency {label}{a['code']}.parent",
                            agency.parent.code if agency.parent else None, a.get("parent"))
            agency.parent = parent
        wanted = sorted(a["groups"])
        current = sorted(g.code for g in agency.groups)
        if wanted != current:
            if not is_new:
                diff.change(f"agency {label}{a['code']}.groups", current, wanted)
            agency.groups = [groups[c] for c in wanted]
    session.flush()
    if not diff.empty:
        record(session, actor=actor, action="agencies.import", entity_type="agencies",
               entity_id=Path(path).name, before=None,
               after={"namespace": namespace, "changes": diff.lines}, now=now)
    return diff


# ---------------------------------------------------------------- plans

def check_against_database(session: Session, loaded: Loaded) -> list:
    """Every agency and group a plan names must exist in the plan's namespace (tolerates a file
    with other mistakes)."""
    namespace = loaded.data.get("namespace") or DEFAULT_NAMESPACE
    namespace = namespace if isinstance(namespace, str) else DEFAULT_NAMESPACE
    agencies = set(session.scalars(sa.select(Agency.code).where(Agency.namespace == namespace)))
    groups = set(session.scalars(sa.select(AgencyGroup.code)
                                 .where(AgencyGroup.namespace == namespace)))
    problems = []
    header = loaded.data.get("plan")
    header = header if isinstance(header, dict) else {}
    for key in ("issuer", "coordinator"):
        if header.get(key) and header[key] not in agencies:
            problems.append(loaded.problem(("plan", key), f"unknown agency {header[key]!r}"))
    items = loaded.data.get("items")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        for role in ("lead", "coordinating"):
            parties = item.get(role) or {}
            if not isinstance(parties, dict):
                continue
            for j, code in enumerate(parties.get("groups", [])):
                if code not in groups:
                    problems.append(loaded.problem(("items", i, role, "groups", j),
                                                   f"unknown agency group {code!r}"))
            for key in ("agencies", "exclude"):
                for j, code in enumerate(parties.get(key, [])):
                    if code not in agencies:
                        problems.append(loaded.problem(("items", i, role, key, j),
                                                       f"unknown agency {code!r}"))
        for j, code in enumerate(item.get("reports_to") or []):
            if code not in agencies:
                problems.append(loaded.problem(("items", i, "reports_to", j),
                                               f"unknown agency {code!r}"))
        due = item.get("due")
        overrides = due.get("overrides") if isinstance(due, dict) else None
        for j, override in enumerate(overrides if isinstance(overrides, list) else []):
            code = override.get("group") if isinstance(override, dict) else None
            if isinstance(code, str) and code not in groups:
                problems.append(loaded.problem(("items", i, "due", "overrides", j, "group"),
                                               f"unknown agency group {code!r}"))
        lead = item.get("lead")
        if isinstance(lead, dict) and not lead.get("groups") and not lead.get("agencies"):
            problems.append(loaded.problem(("items", i, "lead"),
                                           "an item needs at least one lead group or agency"))
    return problems


def validate_plan(session: Session | None, path: str | Path) -> Loaded:
    """Check a plan file fully, against the database's agencies too when a session is given;
    every problem of the file is reported at once."""
    try:
        loaded, problems = read_plan(path), []
    except PlanFileError as exc:
        if exc.loaded is None or session is None:
            raise
        loaded, problems = exc.loaded, list(exc.problems)
    if session is not None:
        problems += check_against_database(session, loaded)
    if problems:
        unique = {(p.line, p.message): p for p in problems}
        raise PlanFileError(sorted(unique.values(), key=lambda p: (p.line, p.message)), loaded)
    return loaded


def _item_values(item: dict, section_ids: dict[str, int], position: int) -> dict:
    return {
        "section_id": section_ids[item["section"]],
        "position": position,
        "kind": item["kind"],
        "title_vi": item["title_vi"],
        "title_en": item["title_en"],
        "text_vi": item.get("text_vi", ""),
        "cadence": item["cadence"],
        "due_rule": item["due"],
        "absorbs": item["absorbs"],
        "reminders": item["reminders"],
        "reports_to": item["reports_to"],
        "allows_nil_return": item["allows_nil_return"],
        "evidence_vi": item.get("evidence_vi", ""),
        "evidence_en": item.get("evidence_en", ""),
        "starts_on": item.get("starts_on"),
        "ends_on": item.get("ends_on"),
        "first_period": item.get("first_period"),
        "active": True,
    }


def _parties(item: dict) -> list[tuple[str, str, str]]:
    """(role, 'group'|'agency', code) triples, sorted, for comparing and storing."""
    out = []
    for role in ("lead", "coordinating"):
        parties = item.get(role) or {}
        out += [(role, "group", c) for c in parties.get("groups", [])]
        out += [(role, "agency", c) for c in parties.get("agencies", [])]
        out += [("exclude", "agency", c) for c in parties.get("exclude", [])]
    return sorted(set(out))


def _current_parties(item: Item) -> list[tuple[str, str, str]]:
    return sorted(
        (p.role, "group" if p.group_id else "agency", p.group.code if p.group else p.agency.code)
        for p in item.parties
    )


def import_plan(
    session: Session, path: str | Path, *, actor: Actor = SYSTEM, now: datetime,
    dry_run: bool = False, action: str = "plan.import",
) -> Diff:
    """Create or update a plan from its file; re-importing the same file changes nothing.
    `action` names the audit record (the web's plan editor records "plan.edit")."""
    loaded = validate_plan(session, path)
    return _in_savepoint(session, functools.partial(_apply_plan, action=action), loaded, path,
                         actor=actor, now=now, dry_run=dry_run)


def _apply_plan(session: Session, loaded: Loaded, path, *, actor: Actor, now: datetime,
                action: str = "plan.import") -> Diff:
    data, header = loaded.data, loaded.data["plan"]
    namespace = data.get("namespace", DEFAULT_NAMESPACE)  # the province whose codes it uses
    agencies = {a.code: a for a in session.scalars(
        sa.select(Agency).where(Agency.namespace == namespace))}
    groups = {g.code: g for g in session.scalars(
        sa.select(AgencyGroup).where(AgencyGroup.namespace == namespace))}
    diff = Diff()

    plan = session.scalar(sa.select(Plan).where(Plan.code == header["code"]))
    is_new = plan is None
    if is_new:
        plan = Plan(code=header["code"])
        session.add(plan)
        diff.add(f"plan {header['code']}")
    roll_changed = not is_new and plan.due_roll != header["roll"]
    _sync(plan, {
        "title_vi": header["title_vi"], "title_en": header["title_en"],
        "issuer_id": agencies[header["issuer"]].id if header.get("issuer") else None,
        "coordinator_id": agencies[header["coordinator"]].id,
        "issued_on": header.get("issued_on"), "timezone": header["timezone"],
        "starts_on": header["starts_on"], "ends_on": header.get("ends_on"),
        "documents": _jsonable({"implements": header["implements"], "cites": header["cites"]}),
        "reminders": header["reminders"], "due_roll": header["roll"],
    }, "plan", diff, is_new)
    session.flush()

    sections = {s.code: s for s in plan.sections}
    seen: set[str] = set()
    for position, (s, parent_code, _) in enumerate(walk_sections(data["sections"])):
        section = sections.get(s["code"])
        new_section = section is None
        if new_section:
            section = sections[s["code"]] = Section(plan=plan, code=s["code"])
            session.add(section)
            diff.add(f"section {s['code']}")
        _sync(section, {"position": position, "title_vi": s["title_vi"],
                        "title_en": s.get("title_en", ""), "text_vi": s.get("text_vi", "")},
              f"section {s['code']}", diff, new_section)
        section.parent = sections[parent_code] if parent_code else None
        seen.add(s["code"])
    session.flush()

    items = {i.code: i for i in plan.items}
    section_ids = {code: s.id for code, s in sections.items()}
    rule_changed: list[Item] = []
    for position, it in enumerate(data["items"]):
        item = items.get(it["code"])
        new_item = item is None
        if new_item:
            item = items[it["code"]] = Item(plan=plan, code=it["code"])
            session.add(item)
            diff.add(f"item {it['code']} ({it['cadence']})")
        elif (item.due_rule != it["due"] or item.cadence != it["cadence"] or roll_changed
              or item.first_period != it.get("first_period")):
            rule_changed.append(item)
        _sync(item, _item_values(it, section_ids, position), f"item {it['code']}", diff, new_item)
        wanted = _parties(it)
        if new_item or _current_parties(item) != wanted:
            if not new_item:
                current = _current_parties(item)
                words = [f"-{role} {kind} {c}" for role, kind, c in current
                         if (role, kind, c) not in wanted]
                words += [f"+{role} {kind} {c}" for role, kind, c in wanted
                          if (role, kind, c) not in current]
                diff.lines.append(f"~ item {it['code']}.parties: {', '.join(words)}")
            item.parties = [
                ItemParty(role=role, group=groups[c] if kind == "group" else None,
                          agency=agencies[c] if kind == "agency" else None)
                for role, kind, c in wanted
            ]
    wanted_codes = {it["code"] for it in data["items"]}
    for code, item in items.items():
        if code not in wanted_codes and item.active:
            item.active = False
            diff.remove(f"item {code} (deactivated; its tasks are kept)")
    session.flush()
    for code, section in sections.items():
        if code not in seen:
            in_use = session.scalar(sa.select(sa.func.count()).where(Item.section_id == section.id))
            if in_use:
                continue
            session.delete(section)
            diff.remove(f"section {code}")
    session.flush()

    if rule_changed:
        # a rule may follow another item's due dates: reschedule those that follow a changed one
        changed_codes = {i.code for i in rule_changed}
        rule_changed += [i for i in plan.items if i.active and i not in rule_changed
                         and set((i.due_rule or {}).get("after") or ()) & changed_codes]
        context = DueContext(session, load_calendar(session))
        for item in rule_changed:
            _reschedule_open_tasks(session, item, actor=actor, now=now, diff=diff,
                                   context=context)
    if not diff.empty:
        record(session, actor=actor, action=action, entity_type="plan", entity_id=plan.code,
               before=None, after={"file": Path(path).name, "changes": diff.lines}, now=now)
    return diff


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _reschedule_open_tasks(session: Session, item: Item, *, actor: Actor, now: datetime,
                           diff: Diff, context: DueContext):
    """A changed due rule moves the due dates (and data periods) of tasks not yet submitted;
    open tasks of periods before a new first period are counted, and left as they are."""
    cadence = Cadence(item.cadence)
    if cadence == Cadence.NONE or not item.due_rule:
        return
    rule = DueRule.from_dict(item.due_rule)
    if cadence == Cadence.ON_REQUEST and rule.event is None:
        return
    once = cadence == Cadence.ONCE
    first = parse_first_period(cadence, item.first_period) if (
        item.first_period and cadence not in (Cadence.ONCE, Cadence.ON_REQUEST)) else None
    tasks = session.scalars(sa.select(Task).where(
        Task.item_id == item.id, Task.status.in_([s.value for s in OPEN_STATUSES])))
    moved = early = 0
    for task in tasks:
        if first is not None and task.period_start < first.start:
            early += 1
        if cadence == Cadence.ON_REQUEST:
            if task.event_on is None:
                continue
            period = Period(task.period_start, task.period_end)
            due, data = context.due(item, task.agency_id, period, event_on=task.event_on)
        else:
            period = Period(task.period_start, task.period_start if once else task.period_end)
            due, data = context.due(item, task.agency_id, period)
        data_from, data_to = (data.start, data.end) if data else (None, None)
        if (due.due_on, due.nominal, data_from, data_to) != (
                task.due_on, task.nominal_due_on, task.data_from, task.data_to):
            before = {"due_on": task.due_on, "nominal_due_on": task.nominal_due_on,
                      "data_from": task.data_from, "data_to": task.data_to}
            task.due_on, task.nominal_due_on = due.due_on, due.nominal
            task.data_from, task.data_to = data_from, data_to
            if once:
                task.period_end = max(task.period_start, due.nominal)
            task.updated_at = now
            record(session, actor=actor, action="task.due_rule_changed", entity_type="task",
                   entity_id=task.id, before=before,
                   after={"due_on": due.due_on, "nominal_due_on": due.nominal,
                          "data_from": data_from, "data_to": data_to}, now=now)
            moved += 1
    if moved:
        diff.lines.append(f"~ item {item.code}: {moved} open task(s) get a new due date")
    if early:
        diff.lines.append(f"! item {item.code}: {early} open task(s) of periods before its first "
                          f"period {item.first_period} are kept (not deleted)")
