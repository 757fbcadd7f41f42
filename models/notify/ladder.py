"""The reminder ladder: one set-based insert into the outbox per rung, deduplicated by key.

A rung `{at: k, kind, to: [...]}` fires for a subject due on d on the day add_working_days(d, k).
The sweep inverts that: for each rung it computes the due dates that map to today (or to one of
the last `catch_up_days` days, so a day the flow did not run is caught up), and inserts one row
per (subject, target) with a key naming the subject, its due date, the rung and the target. A
second run the same day inserts nothing; a reschedule gives new keys (new due date).
Subjects are tasks (the plan item's ladder) and open corrective actions (ACTION_LADDER).

Who is told is the chase chain, not the bodies a report is sent to: `responsible` (the task's
agency's officers), `agency_head`, `coordinator` (the plan's coordinating body), `parent_head`
(the head of the agency above); `reports_to` only where a plan names it. A user is told only
about subjects they can open (models.core.access): leadership of another agency without a role
that reads every agency is left out. An agency's own mailbox is a fallback: it gets an item
only when a person the rung names in that agency has no channel of their own.

Item rows are BUNDLED into one digest per person, channel and local day (models.notify.digest);
a user who chose immediate messages for a kind gets those rows sent one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from models.core.access import ALL_AGENCY_ROLES
from models.core.audit import AuditEvent
from models.core.clock import local_today
from models.notify.digest import release_immediate, write_digests
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.subjects import DEFAULT_TZ
from models.notify.sweep_runs import done_today, rung_key, save_marks
from models.org.agencies import Agency
from models.org.users import Role, User
from models.oversight.entities import (
    ACTION_OPEN_STATUSES,
    CorrectiveAction,
    Finding,
    inspection_inspector,
)
from models.plans.calendar import WorkingCalendar
from models.plans.calendar_days import load_calendar
from models.plans.entities import Item, Plan
from models.tasks.entities import OPEN_STATUSES, Task

RECIPIENT_ROLES = ("responsible", "agency_head", "coordinator", "parent_head", "reports_to",
                   "inspectors")
# roles whose users belong to the subject's own agency: its mailbox may stand in for them
OWN_AGENCY_ROLES = ("responsible", "agency_head")
CATCH_UP_DAYS = 3
# corrective actions have no plan item to carry a ladder: one fixed ladder for all of them
ACTION_LADDER = (
    {"at": -3, "kind": "reminder", "to": ["responsible"]},
    {"at": -1, "kind": "reminder", "to": ["responsible"]},
    {"at": 0, "kind": "reminder", "to": ["responsible"]},
    {"at": 1, "kind": "overdue", "to": ["responsible", "agency_head"]},
    {"at": 3, "kind": "escalation", "to": ["inspectors"]},
)
COLUMNS = ["dedupe_key", "recipient_user_id", "target_id", "subject_type",
           "subject_id", "rung", "kind", "payload", "locale", "status", "attempts",
           "next_attempt_at", "last_error", "created_at", "digest_key"]


def rung_label(at: int) -> str:
    """'-7', '0', '+1': the offset in working days from the due date."""
    return f"+{at}" if at > 0 else str(at)


def rung_kind(rung: dict) -> str:
    """The rung's kind; unset means a reminder before or on the due day, overdue after."""
    return rung.get("kind") or ("reminder" if rung["at"] <= 0 else "overdue")


def due_dates_for(
    calendar: WorkingCalendar, at: int, today: date, catch_up_days: int = CATCH_UP_DAYS,
    later_at: int | None = None, reminder: bool = False,
) -> set[date]:
    """Due dates d whose rung day add_working_days(d, at) is today or within the catch-up days.

    A missed rung is skipped when `later_at`, the next rung of the same kind, is due by today:
    after a two-day outage the officer gets "1 day left", not also "3 days left". A missed
    `reminder` is skipped once its due date has passed: the overdue notice takes its place, so
    a catch-up never sends both for one task on one day.
    """
    first = today - timedelta(days=catch_up_days)
    # a working day spans at most a few calendar days (Tết: ~9), so this window holds them all
    span = 2 * abs(at) + 20
    lo, hi = (first - timedelta(days=span), today) if at >= 0 else (first, today + timedelta(span))
    out = set()
    d = lo
    while d <= hi:
        if first <= calendar.add_working_days(d, at) <= today and (not reminder or d >= today) and (
                later_at is None or calendar.add_working_days(d, later_at) > today):
            out.add(d)
        d += timedelta(days=1)
    return out


def _payload(dialect: str, id_key: str, subject_id, due_on, agency_id):
    """A JSON object built by the database, so no subject row passes through Python."""
    fn = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    return fn(id_key, subject_id, "due_on", sa.cast(due_on, sa.String), "agency_id", agency_id)


def _as_text(column):
    return sa.cast(column, sa.String)


def _user_conditions(roles: Iterable[str], S, reports_to: tuple[int, ...]) -> dict:
    """Which users each role names, for subjects S (columns agency_id, coordinator_id, ...)."""
    U, conds = User, {}
    for role in roles:
        if role == "responsible":
            # leadership gets only the rungs that name it, not every routine reminder
            conds[role] = sa.and_(U.agency_id == S.agency_id, U.role == Role.OFFICER,
                                  U.is_agency_head.is_(False))
        elif role == "agency_head":
            conds[role] = sa.and_(U.agency_id == S.agency_id, U.is_agency_head.is_(True))
        elif role == "coordinator":
            conds[role] = sa.and_(U.agency_id == S.coordinator_id, U.role == Role.COORDINATOR)
        elif role == "parent_head":  # the head of the agency above in the hierarchy
            conds[role] = sa.and_(U.agency_id == S.parent_id, U.is_agency_head.is_(True))
        elif role == "reports_to":
            conds[role] = U.agency_id.in_(reports_to)
        elif role == "inspectors":  # of the inspection that found it, and who raised it
            II = inspection_inspector.c
            conds[role] = sa.and_(U.role == Role.INSPECTOR, sa.or_(
                U.id == S.raised_by,
                U.id.in_(sa.select(II.user_id).where(II.inspection_id == S.inspection_id))))
    return conds


def _can_open(S):
    """The user may open the subject: a role that reads every agency, or its own agency."""
    return sa.or_(User.role.in_([r.value for r in ALL_AGENCY_ROLES]),
                  User.agency_id == S.agency_id)


def _stand_in_mailboxes(own: list[str], smtp_url: str | None):
    """(target_id, agency_id) of the agencies' active mailboxes that stand in for the people
    the rung names in the agency (`own`: roles of OWN_AGENCY_ROLES) who have no channel, or
    for nobody yet named: someone with a channel of their own does not get a second copy.

    Which people a role names here depends on the agency alone, so this is judged once per
    mailbox, not once per due subject (27,000 subjects of 400 agencies in the bench)."""
    mailbox = aliased(NotificationTarget, name="mailbox")
    agency = SimpleNamespace(agency_id=mailbox.agency_id)  # the subjects' column, as an agency's
    U = User
    named = sa.or_(*(sa.and_(cond, U.is_active.is_(True), _can_open(agency))
                     for cond in _user_conditions(own, agency, ()).values()))
    unreached = sa.false()
    if smtp_url is None:
        personal = aliased(NotificationTarget)
        unreached = sa.exists().where(named, ~sa.exists().where(
            personal.user_id == U.id, personal.active.is_(True)))
    return (sa.select(mailbox.id.label("target_id"), mailbox.agency_id)
            .where(mailbox.agency_id.is_not(None), mailbox.active.is_(True),
                   sa.or_(~sa.exists().where(named), unreached))
            .subquery("stand_in"))


def _recipients(roles: Iterable[str], subjects, reports_to: tuple[int, ...],
                smtp_url: str | None):
    """(subject, user, target) rows for the rung's recipients: users' and agencies' targets.

    With `smtp_url` (the server's mailto:// settings), a user with no target of their own is
    mailed at their account's address. Branches are combined with UNION ALL: a row two roles
    share has one dedupe key, and ON CONFLICT DO NOTHING keeps one of them.
    """
    S, U, NT = subjects.c, User, NotificationTarget
    roles = list(roles)
    user_cond = {role: sa.and_(cond, U.is_active.is_(True), _can_open(S))
                 for role, cond in _user_conditions(roles, S, reports_to).items()}
    own_target = sa.and_(NT.user_id == U.id, NT.active.is_(True))
    base = (S.subject_id, S.agency_id, S.due_on)
    selects = []
    for role in roles:
        selects.append(
            sa.select(*base, U.id.label("user_id"), NT.id.label("target_id"),
                      ("target:" + _as_text(NT.id)).label("to_key"), U.locale)
            .select_from(subjects).join(U, user_cond[role]).join(NT, own_target)
        )
        if smtp_url:  # no target and a recipient: the dispatcher mails the account's address
            selects.append(
                sa.select(*base, U.id.label("user_id"), sa.null().label("target_id"),
                          ("user:" + _as_text(U.id) + ":email").label("to_key"), U.locale)
                .select_from(subjects).join(U, user_cond[role])
                .where(~sa.exists().where(own_target))
            )
    own = [r for r in roles if r in OWN_AGENCY_ROLES]
    if own:
        stand_in = _stand_in_mailboxes(own, smtp_url)
        selects.append(
            sa.select(*base, sa.null().label("user_id"), stand_in.c.target_id,
                      ("target:" + _as_text(stand_in.c.target_id)).label("to_key"),
                      sa.literal("vi").label("locale"))
            .select_from(subjects).join(stand_in, stand_in.c.agency_id == S.agency_id)
        )
    combined = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return combined.subquery("recipient")


def _insert(session: Session, *, subject_type: str, id_key: str, subjects, rung: dict,
            reports_to: tuple[int, ...], now: datetime, smtp_url: str | None,
            day: date | None = None) -> int:
    """The one INSERT … SELECT of a rung; returns how many rows were new (rowcount).

    The rows are BUNDLED into the digest of `day` (the sweep's local day) and their target.
    """
    roles = [r for r in rung["to"] if r in RECIPIENT_ROLES]
    if not roles:
        return 0
    dialect = session.get_bind().dialect.name
    label, kind = rung_label(rung["at"]), rung_kind(rung)
    day = day or local_today(now)
    r = _recipients(roles, subjects, reports_to, smtp_url).c
    key = (f"{subject_type}:" + _as_text(r.subject_id) + ":due:" + _as_text(r.due_on)
           + f":rung:{label}:" + r.to_key)
    rows = sa.select(
        key, r.user_id, r.target_id, sa.literal(subject_type), r.subject_id,
        sa.literal(label), sa.literal(kind),
        _payload(dialect, id_key, r.subject_id, r.due_on, r.agency_id),
        sa.func.coalesce(r.locale, "vi"), sa.literal(NotificationStatus.BUNDLED.value),
        sa.literal(0), sa.literal(now, type_=Notification.next_attempt_at.type),
        sa.literal("", type_=sa.Text), sa.literal(now, type_=Notification.created_at.type),
        sa.literal(f"digest:{day.isoformat()}:") + r.to_key,
    ).where(sa.true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Notification.__table__).from_select(COLUMNS, rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .execution_options(preserve_rowcount=True))
    # rowcount counts only the rows inserted (not the conflicts) on psycopg and sqlite3 alike;
    # RETURNING would ship every new id back to Python just to be counted
    return max(session.execute(stmt).rowcount, 0)


def insert_rung(
    session: Session, *, rung: dict, item_ids: list[int], due_dates: set[date],
    reports_to: tuple[int, ...], now: datetime, smtp_url: str | None = None,
    day: date | None = None,
) -> int:
    """One INSERT … SELECT for one rung over a set of items; returns how many rows were new."""
    if not due_dates or not item_ids:
        return 0
    # only a rung naming the coordinator needs the plan: the others skip two joins per row
    coordinator = Plan.coordinator_id if "coordinator" in rung["to"] else sa.null()
    parent = Agency.parent_id if "parent_head" in rung["to"] else sa.null()
    tasks = (
        sa.select(Task.id.label("subject_id"), Task.agency_id, Task.due_on,
                  coordinator.label("coordinator_id"), parent.label("parent_id"),
                  sa.null().label("inspection_id"), sa.null().label("raised_by"))
        .where(Task.item_id.in_(item_ids), Task.due_on.in_(sorted(due_dates)),
               Task.status.in_([s.value for s in OPEN_STATUSES]))
    )
    if "coordinator" in rung["to"]:
        tasks = tasks.join(Item, Item.id == Task.item_id).join(Plan, Plan.id == Item.plan_id)
    if "parent_head" in rung["to"]:
        tasks = tasks.join(Agency, Agency.id == Task.agency_id)
    tasks = tasks.subquery("due_task")
    return _insert(session, subject_type="task", id_key="task_id", subjects=tasks, rung=rung,
                   reports_to=reports_to, now=now, smtp_url=smtp_url, day=day)


def insert_action_rung(
    session: Session, *, rung: dict, due_dates: set[date], now: datetime,
    smtp_url: str | None = None, day: date | None = None,
) -> int:
    """One INSERT … SELECT for one rung of the corrective-action ladder."""
    if not due_dates:
        return 0
    CA = CorrectiveAction
    actions = (
        sa.select(CA.id.label("subject_id"), CA.agency_id, CA.due_on,
                  sa.null().label("coordinator_id"), sa.null().label("parent_id"),
                  Finding.inspection_id.label("inspection_id"),
                  CA.created_by_id.label("raised_by"))
        .join(Finding, Finding.id == CA.finding_id)
        .where(CA.due_on.in_(sorted(due_dates)),
               CA.status.in_([s.value for s in ACTION_OPEN_STATUSES]))
        .subquery("due_action")
    )
    return _insert(session, subject_type="corrective_action", id_key="action_id",
                   subjects=actions, rung=rung, reports_to=(), now=now, smtp_url=smtp_url,
                   day=day)


def _spec(ladder, rung: dict) -> tuple:
    """(at, kind, recipients, next rung of the same kind): what one rung group shares."""
    kind = rung_kind(rung)
    later = [r["at"] for r in ladder if r["at"] > rung["at"] and rung_kind(r) == kind]
    return rung["at"], kind, tuple(sorted(set(rung["to"]))), min(later, default=None)


def _ladders(session: Session) -> dict[tuple, list[int]]:
    """Rung groups -> item ids: one insert per group. Corrective actions form group(s) of []."""
    # a plan's codes are those of its namespace (its coordinator's): two provinces may share them
    codes = {(ns, code): agency_id for ns, code, agency_id in session.execute(
        sa.select(Agency.namespace, Agency.code, Agency.id))}
    coordinator = aliased(Agency)
    groups: dict[tuple, list[int]] = defaultdict(list)
    items = session.execute(
        sa.select(Item.id, Item.reports_to, Item.reminders, Plan.reminders, Plan.timezone,
                  sa.func.coalesce(coordinator.namespace, ""))
        .select_from(Item).join(Plan, Plan.id == Item.plan_id)
        .outerjoin(coordinator, coordinator.id == Plan.coordinator_id)
        .where(Item.active.is_(True)).order_by(Item.id)
    )
    for item_id, item_reports_to, own, plan_ladder, tz, ns in items:
        reports_to = tuple(sorted(codes[(ns, c)] for c in item_reports_to or []
                                  if (ns, c) in codes))
        ladder = own if own is not None else (plan_ladder or [])
        for rung in ladder:
            rt = reports_to if "reports_to" in rung["to"] else ()
            groups[("task", tz, _spec(ladder, rung), rt)].append(item_id)
    for rung in ACTION_LADDER:
        groups[("corrective_action", DEFAULT_TZ, _spec(ACTION_LADDER, rung), ())] = []
    return groups


def _dates_with_open(session: Session, model, statuses, dates: set[date]) -> set[date]:
    """Which of these due dates any open subject has: rungs of the others need no insert."""
    if not dates:
        return set()
    return set(session.scalars(sa.select(model.due_on).where(
        model.status.in_([s.value for s in statuses]), model.due_on.in_(sorted(dates)))
        .group_by(model.due_on)))


def sweep(
    session: Session, *, now: datetime, catch_up_days: int = CATCH_UP_DAYS,
    smtp_url: str | None = None, kinds: Iterable[str] | None = None,
) -> dict[str, int]:
    """Write today's reminders, overdue notices and escalations; returns new rows per rung.

    `kinds` limits the sweep to some rung kinds (the flow sweeps each kind in its own task).

    A group already swept today, with no audited change since (submissions, reschedules,
    reassignments and new targets are all audited), is skipped without touching the outbox.
    """
    calendar = load_calendar(session)
    # items may change since an earlier sweep on the same data; the audit chain says if so
    mark = session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    groups = sorted(_ladders(session).items(), key=repr)
    if kinds is not None:
        groups = [(g, ids) for g, ids in groups if g[2][1] in set(kinds)]
    todays = {group[1]: local_today(now, group[1]) for group, _ in groups}
    done = done_today(session, set(todays.values()), mark)
    todo = []
    for group, item_ids in groups:
        subject, tz, (at, _kind, _to, later), _rt = group
        key = rung_key(group, item_ids, catch_up_days, smtp_url)
        if (todays[tz], key) not in done:
            todo.append((group, item_ids, key,
                         due_dates_for(calendar, at, todays[tz], catch_up_days, later,
                                       reminder=_kind == "reminder")))
    # one cheap look per subject type spares the rungs whose dates nobody is due on
    live = {
        "task": _dates_with_open(session, Task, OPEN_STATUSES, {
            d for g, _, _, ds in todo if g[0] == "task" for d in ds}),
        "corrective_action": _dates_with_open(session, CorrectiveAction, ACTION_OPEN_STATUSES, {
            d for g, _, _, ds in todo if g[0] != "task" for d in ds}),
    }
    created: dict[str, int] = {}
    marks = []
    for group, item_ids, key, dates in todo:
        subject, tz, (at, kind, to, _later), reports_to = group
        dates &= live[subject]
        rung = {"at": at, "kind": kind, "to": list(to)}
        if subject == "task":
            n = insert_rung(session, rung=rung, item_ids=item_ids, due_dates=dates,
                            reports_to=reports_to, now=now, smtp_url=smtp_url, day=todays[tz])
        else:
            n = insert_action_rung(session, rung=rung, due_dates=dates, now=now,
                                   smtp_url=smtp_url, day=todays[tz])
        marks.append({"day": todays[tz], "rung_key": key, "created": n})
        if n:
            label = rung_label(at)
            created[label] = created.get(label, 0) + n
    if created:
        release_immediate(session, now=now)
        write_digests(session, now=now, days=set(todays.values()))
    save_marks(session, marks, mark, now)
    return created
