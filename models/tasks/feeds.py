"""Calendar feeds of open deadlines at secret URLs: one per agency or per user, revocable.

A calendar program fetches `/feeds/<secret>.ics` without logging in, so the secret is the only
credential: it is shown once, stored as a SHA-256 hash, and stops working when revoked or when
its owner's account is disabled. Renewing revokes the old URL and gives a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.core.access import agency_filter, can_see_agency
from models.core.audit import record
from models.core.db import UTCDateTime, db
from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item
from models.tasks.entities import OPEN_STATUSES, Task
from models.tasks.errors import FeedAgencyForbidden, FeedNotFound

PREFIX = "pwf_"


class FeedToken(db.Model):
    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))  # None: user feed
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.user.is_active


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _snapshot(feed: FeedToken) -> dict:
    """What audit keeps of a feed (never its secret or hash)."""
    return {"user_id": feed.user_id, "agency_id": feed.agency_id, "revoked_at": feed.revoked_at}


def issue_feed(session: Session, actor: User, *, agency: Agency | None,
               now: datetime) -> tuple[FeedToken, str]:
    """A new feed URL secret for the actor: their own deadlines, or one agency's."""
    if agency is not None and not can_see_agency(actor, agency.id):
        raise FeedAgencyForbidden(field="agency")
    secret = PREFIX + secrets.token_urlsafe(32)
    feed = FeedToken(user=actor, agency=agency, token_hash=hash_secret(secret), created_at=now)
    session.add(feed)
    session.flush()
    record(session, actor=actor, action="feed.issue", entity_type="feed_token",
           entity_id=feed.id, before=None, after=_snapshot(feed), now=now)
    return feed, secret


def _own(session: Session, actor: User, feed_id: int) -> FeedToken:
    feed = session.get(FeedToken, feed_id)
    if feed is None or feed.user_id != actor.id:  # a feed is personal: admins included
        raise FeedNotFound(field="feed")
    return feed


def revoke_feed(session: Session, actor: User, feed_id: int, *, now: datetime) -> FeedToken:
    """Stop a feed URL from working (its owner only)."""
    feed = _own(session, actor, feed_id)
    if feed.revoked_at is None:
        before = _snapshot(feed)
        feed.revoked_at = now
        record(session, actor=actor, action="feed.revoke", entity_type="feed_token",
               entity_id=feed.id, before=before, after=_snapshot(feed), now=now)
    return feed


def renew_feed(session: Session, actor: User, feed_id: int, *,
               now: datetime) -> tuple[FeedToken, str]:
    """Revoke a feed URL and issue a new one of the same scope."""
    old = revoke_feed(session, actor, feed_id, now=now)
    return issue_feed(session, old.user, agency=old.agency, now=now)


def feeds_of(session: Session, user: User) -> list[FeedToken]:
    """The user's feeds that still work, newest first."""
    return list(session.scalars(
        sa.select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.id.desc())))


def feed_by_secret(session: Session, secret: str) -> FeedToken:
    """The working feed a secret names; FeedNotFound for unknown, revoked or disabled ones."""
    feed = session.scalar(sa.select(FeedToken).where(
        FeedToken.token_hash == hash_secret(secret or "")))
    if feed is None or not feed.active:
        raise FeedNotFound(field="token")
    return feed


def _scope(feed: FeedToken):
    where = [agency_filter(feed.user, Task.agency_id)]
    if feed.agency_id is not None:
        where.append(Task.agency_id == feed.agency_id)
    return where


def open_deadlines(session: Session, feed: FeedToken):
    """The feed's open tasks (not yet submitted), soonest first, with item and agency."""
    query = (sa.select(Task.id, Task.due_on, Task.period_start, Task.period_end, Task.status,
                       Task.updated_at, Task.version, Item.code, Item.title_vi, Agency.code,
                       Agency.name_vi)
             .join(Item, Task.item_id == Item.id).join(Agency, Task.agency_id == Agency.id)
             .where(*_scope(feed), Task.status.in_([s.value for s in OPEN_STATUSES]))
             .order_by(Task.due_on, Task.id))
    return session.execute(query).all()


def last_modified(session: Session, feed: FeedToken) -> datetime | None:
    """When a task in the feed's scope last changed (a submission takes it out of the feed)."""
    return session.scalar(sa.select(sa.func.max(Task.updated_at)).where(*_scope(feed)))


def feed_name(feed: FeedToken) -> str:
    if feed.agency is not None:
        return f"planwatch – {feed.agency.name_vi}"
    return f"planwatch – {feed.user.label}"


def calendar(feed: FeedToken, rows, base_url: str, stamp: datetime) -> bytes:
    """The feed as iCalendar: one all-day event per open deadline, linking to its task."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//planwatch//deadlines//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", feed_name(feed))
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    base = base_url.rstrip("/")
    for row in rows:
        task_id, due_on, start, end, status, updated_at, version, item, title, code, name = row
        url = f"{base}/tasks/{task_id}"
        event = Event()
        event.add("uid", f"task-{task_id}@planwatch")
        event.add("dtstamp", updated_at or stamp)
        event.add("dtstart", due_on)
        event.add("dtend", due_on + timedelta(days=1))
        event.add("summary", f"{item} – {name}")
        event.add("description", f"{title}\n{_period_text(start, end)}\n{url}")
        event.add("url", url)
        event.add("sequence", version)
        event.add("categories", [code])
        cal.add_component(event)
    return cal.to_ical()


def _period_text(start: date, end: date) -> str:
    return f"Kỳ {start:%d/%m/%Y} – {end:%d/%m/%Y}"
