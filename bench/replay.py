"""Replay the seed plan day by day: who was told what, and how often.

    python -m bench.replay --from 2026-01-01 --to 2026-12-31 [--db URL]

Loads the bundled agencies and Plan 516-KH/TU into a fresh database (a temporary SQLite file
unless --db names one), gives every agency a realistic set of accounts (officers, a head;
coordinators at the coordinating body; leadership as viewers), a mailbox for every agency and
personal channels for most people, then for each day: opens periods (cadence), submits what
the agencies submit that day (most on time, some late, some never), runs the sweep at 06:00 and
the dispatcher at 06:05 to an HTTP receiver on loopback through apprise. It prints what the
issue asks to be measured (see `Report`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import tempfile
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

import models  # noqa: F401  (every table)
from models.core.access import can_see_agency
from models.core.actors import CONSOLE
from models.core.db import Base, make_engine, make_session_factory
from models.core.errors import TransitionNotAllowed
from models.notify.digest import DIGEST
from models.notify.dispatch import dispatch
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.ladder import sweep
from models.notify.targets import set_target
from models.org.accounts import create_user
from models.org.agencies import Agency
from models.org.users import Role, User
from models.plans.entities import Item, Plan
from models.tasks.entities import OPEN_STATUSES, Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, import_plan

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
LINK = re.compile(r"/(tasks|inspections/actions)/(\d+)")
LEADERSHIP = ("TU", "BTV", "TTTU")  # read every agency: viewers


class Receiver:
    """Records every POST (path, JSON body) on a loopback port."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        lock, received = threading.Lock(), self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with lock:
                    received.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _u(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a key."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 2**32


def submit_day(task: Task) -> date | None:
    """When the agency submits: 75 % on time (0-4 days early), 15 % late (1-20 days), 10 % never.

    Drawn from what the task is (item, agency, period), not its id: ids depend on what the
    database held before (PostgreSQL's sequences are not reset between tests), and the same
    replay must give the same year."""
    key = f"{task.item.code}|{task.agency.code}|{task.period_start.isoformat()}"
    u = _u(f"task:{key}")
    if u < 0.75:
        return task.due_on - timedelta(days=int(_u(f"early:{key}") * 5))
    if u < 0.90:
        return task.due_on + timedelta(days=1 + int(_u(f"late:{key}") * 20))
    return None


def people(session: Session, receiver: Receiver, now: datetime,
           password: str = "replay-password") -> dict[str, list[User]]:
    """Accounts per agency, a mailbox per agency, personal channels for most people."""
    agencies = session.scalars(sa.select(Agency).order_by(Agency.code)).all()
    coordinator = session.scalar(sa.select(Plan.coordinator_id))
    made: dict[str, list[User]] = defaultdict(list)

    def user(code, n, role, head=False, **kw):
        u = create_user(session, CONSOLE, email=f"{code.lower()}.{n}@replay.example.org",
                        role=role, password=password, now=now, agency_code=code,
                        is_agency_head=head, display_name=f"{code} {n}", **kw)
        made[code].append(u)
        return u

    for agency in agencies:
        code = agency.code
        set_target(session, CONSOLE, url=receiver.url(f"/agency/{code}"), agency_code=code,
                   label="mailbox", now=now)
        if code in LEADERSHIP:
            user(code, "head", Role.VIEWER, head=True)
            user(code, "viewer", Role.VIEWER)
            continue
        officers = 3 if agency.id == coordinator else 2
        for n in range(1, officers + 1):
            user(code, f"officer{n}", Role.OFFICER)
        user(code, "head", Role.OFFICER, head=True)
        if agency.id == coordinator:
            user(code, "coord1", Role.COORDINATOR)
            user(code, "coord2", Role.COORDINATOR)
        if code == "UBKTTU":
            user(code, "inspector", Role.INSPECTOR)
    session.flush()
    for users in made.values():
        for u in users:
            if _u(f"channel:{u.email}") < 0.8:  # a fifth rely on the agency's mailbox
                set_target(session, CONSOLE, url=receiver.url(f"/user/{u.id}/mail"),
                           user_email=u.email, label="email", now=now)
            if u.is_agency_head:  # heads also read a chat app: a second channel
                set_target(session, CONSOLE, url=receiver.url(f"/user/{u.id}/chat"),
                           user_email=u.email, label="chat", now=now)
    # one officer wants overdue notices at once rather than in the morning digest
    first = made[sorted(c for c in made if c not in LEADERSHIP)[0]][0]
    first.notify_immediate = ["overdue"]
    session.flush()
    return made


@dataclass
class Report:
    """What the replay measured."""

    days: int = 0
    tasks: int = 0
    submitted_on_time: int = 0
    submitted_late: int = 0
    never: int = 0
    items: Counter = field(default_factory=Counter)  # outbox items written per kind
    messages: int = 0  # messages the receiver got
    sent_rows: int = 0
    cannot_open: int = 0  # links in messages their recipient cannot open
    links: int = 0
    escalations_to_reports_to: int = 0  # escalation items to a reports_to body's people
    escalations_to_coordinators: int = 0
    max_digests_per_person_channel_day: int = 0
    reminder_and_overdue_same_day: int = 0
    reminder_saying_overdue: int = 0
    per_person_day: Counter = field(default_factory=Counter)  # messages -> person-days
    items_per_message: Counter = field(default_factory=Counter)  # items -> messages
    busiest: tuple = ()

    def lines(self) -> list[str]:
        hist = ", ".join(f"{k}: {v}" for k, v in sorted(self.per_person_day.items()))
        return [
            f"days replayed: {self.days}; tasks: {self.tasks} (submitted on time "
            f"{self.submitted_on_time}, late {self.submitted_late}, never {self.never})",
            f"outbox items per kind: {dict(self.items)}",
            f"messages received: {self.messages} (sent rows {self.sent_rows}); links: {self.links}",
            f"links their recipient cannot open: {self.cannot_open}",
            f"escalation items to the plan's reports_to bodies: {self.escalations_to_reports_to}"
            f" (to the coordinating body's coordinators: {self.escalations_to_coordinators})",
            f"max digests per person, channel and day: {self.max_digests_per_person_channel_day}",
            f"same-day reminder + overdue pairs for one task: {self.reminder_and_overdue_same_day}",
            f"reminders that say overdue: {self.reminder_saying_overdue}",
            f"messages per person (or mailbox) per day with any: {hist}",
            f"busiest person-day: {self.busiest}",
            "items per message: " + ", ".join(
                f"{k}: {v}" for k, v in sorted(self.items_per_message.items())),
        ]


def replay(session: Session, start: date, end: date, *, receiver: Receiver,
           base_url: str = "https://planwatch.example.org") -> Report:
    """Run the days [start, end] on a database holding the seed plan and `people`."""
    report = Report()
    factory = make_session_factory(session.get_bind())
    actors = {u.agency_id: u for u in session.scalars(
        sa.select(User).where(User.role == Role.OFFICER, User.is_agency_head.is_(False)))}
    day = start
    while day <= end:
        morning = datetime(day.year, day.month, day.day, 6, tzinfo=HCM)
        generate_tasks(session, through=day + timedelta(days=31), now=morning - timedelta(hours=1))
        # submissions during the previous day, before this morning's sweep
        for task in session.scalars(sa.select(Task).where(
                Task.status.in_([s.value for s in OPEN_STATUSES]),
                Task.due_on <= day + timedelta(days=10))):
            when = submit_day(task)
            if when is not None and when < day and task.agency_id in actors:
                actor, at = actors[task.agency_id], morning - timedelta(hours=12)
                try:
                    change_status(session, actor, task, "submitted", now=at, note="báo cáo")
                except TransitionNotAllowed:
                    change_status(session, actor, task, "in_progress", now=at)
                    change_status(session, actor, task, "submitted", now=at, note="báo cáo")
        sweep(session, now=morning, catch_up_days=3)
        session.commit()
        while sum(dispatch(factory, now=morning + timedelta(minutes=5), limit=500,
                           base_url=base_url).values()):
            pass
        day += timedelta(days=1)
        report.days += 1
    measure(session, report, start, end, receiver)
    return report


def measure(session: Session, report: Report, start: date, end: date, receiver: Receiver):
    """Count the issue's four properties and the per-person-day distribution."""
    N = Notification
    tasks = {t.id: t for t in session.scalars(sa.select(Task).where(
        Task.due_on.between(start - timedelta(days=40), end)))}
    report.tasks = len(tasks)
    for t in tasks.values():
        if t.submitted_at is None:
            report.never += 1
        elif t.late:
            report.submitted_late += 1
        else:
            report.submitted_on_time += 1
    users = {u.id: u for u in session.scalars(sa.select(User))}
    targets = {t.id: t for t in session.scalars(sa.select(NotificationTarget))}
    agency_users = defaultdict(list)
    for u in users.values():
        agency_users[u.agency_id].append(u)
    items_of = defaultdict(list)
    for row in session.scalars(sa.select(N).where(N.subject_type != DIGEST)):
        report.items[row.kind] += 1
        if row.digest_key:
            items_of[row.digest_key].append(row)
    sent = session.scalars(sa.select(N).where(N.status == NotificationStatus.SENT)).all()
    report.sent_rows = len(sent)
    report.messages = len(receiver.received)
    per_channel_day: Counter = Counter()
    per_person_day: Counter = Counter()
    kinds_per_task_day = defaultdict(set)
    reports_to = {i.id: set(i.reports_to or []) for i in session.scalars(sa.select(Item))}
    codes = dict(session.execute(sa.select(Agency.id, Agency.code)).all())
    coordinators = set(session.scalars(sa.select(Plan.coordinator_id)))
    by_path = defaultdict(list)
    for path, body in receiver.received:
        by_path[path].append(body)
    for row in sent:
        day = row.sent_at.astimezone(HCM).date()
        items = items_of[row.dedupe_key] if row.subject_type == DIGEST else [row]
        items = [i for i in items if i.status != NotificationStatus.CANCELLED]
        report.items_per_message[len(items)] += 1
        who = (f"user:{row.recipient_user_id}" if row.recipient_user_id
               else f"target:{row.target_id}")
        if row.subject_type == DIGEST:
            per_channel_day[(row.target_id, row.recipient_user_id, day)] += 1
        per_person_day[(who, day)] += 1
        readers = ([users[row.recipient_user_id]] if row.recipient_user_id
                   else agency_users[targets[row.target_id].agency_id])
        for item in items:
            if item.subject_type == "task":
                task = session.get(Task, item.subject_id)
                kinds_per_task_day[(task.id, day)].add(item.kind)
                if item.kind == "escalation":
                    for reader in readers:
                        if codes.get(reader.agency_id) in reports_to[task.item_id] and \
                                reader.agency_id not in coordinators:
                            report.escalations_to_reports_to += 1
                        elif reader.agency_id in coordinators:
                            report.escalations_to_coordinators += 1
    # every link in every message, against what its recipient may open
    for path, bodies in by_path.items():
        kind, _, rest = path.strip("/").partition("/")
        if kind == "user":
            readers = [users[int(rest.split("/")[0])]]
        else:
            agency = session.scalar(sa.select(Agency).where(Agency.code == rest))
            readers = agency_users[agency.id]
        for body in bodies:
            text = body.get("message", "")
            if "Đã quá hạn" in text and body.get("title", "").startswith("Nhắc hạn"):
                report.reminder_saying_overdue += 1
            for what, ident in LINK.findall(text):
                report.links += 1
                if what != "tasks":
                    continue
                task = session.get(Task, int(ident))
                report.cannot_open += sum(not can_see_agency(r, task.agency_id) for r in readers)
    report.max_digests_per_person_channel_day = max(per_channel_day.values(), default=0)
    report.reminder_and_overdue_same_day = sum(
        {"reminder", "overdue"} <= kinds for kinds in kinds_per_task_day.values())
    report.per_person_day = Counter(per_person_day.values())
    if per_person_day:
        report.busiest = max(per_person_day.items(), key=lambda kv: kv[1])
    return report


def setup(session: Session, receiver: Receiver, *, now: datetime) -> dict:
    """The seed agencies and plan, and the people of `people`."""
    import_agencies(session, SEED_AGENCIES, now=now)
    import_plan(session, SEED_PLAN, now=now)
    session.flush()
    made = people(session, receiver, now)
    session.commit()
    return made


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", type=date.fromisoformat,
                        default=date(2026, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2026, 12, 31))
    parser.add_argument("--db", help="an empty database's URL (default: a temporary SQLite)")
    args = parser.parse_args(argv)
    from argon2 import PasswordHasher

    import models.org.accounts

    # replay accounts never log in from outside: cheap hashes spare ~0.5 s per account
    models.org.accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'replay.db'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        receiver = Receiver()
        try:
            with make_session_factory(engine)() as session:
                t0 = datetime(args.start.year, 1, 1, tzinfo=HCM) - timedelta(days=200)
                made = setup(session, receiver, now=t0)
                generate_tasks(session, through=args.start, now=t0)
                session.commit()
                report = replay(session, args.start, args.end, receiver=receiver)
        finally:
            receiver.close()
            engine.dispose()
    print(f"accounts: {sum(len(v) for v in made.values())} in {len(made)} agencies")
    for line in report.lines():
        print(line)


if __name__ == "__main__":
    main()
