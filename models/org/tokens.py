"""Personal API tokens: shown once, stored as a SHA-256 hash, revocable, with an expiry."""

from __future__ import annotations

import functools
import hashlib
import secrets
import weakref
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import (
    Mapped,
    Session,
    joinedload,
    make_transient_to_detached,
    mapped_column,
    relationship,
)

from models.core.actors import Actor, is_admin, is_user
from models.core.audit import record
from models.core.db import UTCDateTime, db
from models.org.errors import (
    AccountDisabled,
    AdminOnly,
    TokenLifetimeOutOfRange,
    TokenNameTooLong,
    TokenNotFound,
)
from models.org.users import User

DEFAULT_DAYS = 90
MAX_DAYS = 366
PREFIX = "pw_"  # lets secret scanners and humans recognise a planwatch token


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    # a random 256-bit secret needs no slow hash: SHA-256 cannot be reversed or guessed
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return self.revoked_at is None and now < self.expires_at and self.user.is_active


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _snapshot(token: ApiToken) -> dict:
    """What audit keeps of a token (never the secret or its hash)."""
    return {"user_id": token.user_id, "name": token.name, "expires_at": token.expires_at,
            "revoked_at": token.revoked_at}


def create_token(
    session: Session, actor: Actor, user: User, *, now: datetime, name: str = "",
    days: int = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new token for `user` (by the user or an admin); the secret is returned once, never kept."""
    if not (is_user(actor, user) or is_admin(actor)):
        raise AdminOnly(role=actor.role)
    name = (name or "").strip()
    if len(name) > 100:
        raise TokenNameTooLong(field="name")
    if not 1 <= days <= MAX_DAYS:
        raise TokenLifetimeOutOfRange(field="days", max_days=MAX_DAYS)
    if not user.is_active:
        raise AccountDisabled(field="user")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_secret(secret), created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(token)
    session.flush()
    record(session, actor=actor, action="token.create", entity_type="api_token",
           entity_id=token.id, before=None, after=_snapshot(token), now=now)
    return token, secret


def revoke_token(
    session: Session, actor: Actor, token_id: int, *, now: datetime, own_only: bool = False,
) -> ApiToken:
    """Stop a token from working; a user revokes their own, an admin (unless `own_only`) any."""
    token = session.get(ApiToken, token_id)
    own = token is not None and is_user(actor, token.user)
    admin = is_admin(actor)
    if token is None or not (own or (admin and not own_only)):
        raise TokenNotFound(token_id=token_id)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = now
    session.flush()
    forget(token_hash=token.token_hash)
    record(session, actor=actor, action="token.revoke", entity_type="api_token",
           entity_id=token.id, before=before, after=_snapshot(token), now=now)
    return token


_CACHES: weakref.WeakSet[TokenCache] = weakref.WeakSet()  # this process's caches


def forget(*, token_hash: str | None = None, user_id: int | None = None) -> None:
    """Make this process's token caches forget a token or a user's tokens (a revocation,
    a disabled account, a new password), so this worker honours the change at once."""
    for cache in list(_CACHES):
        cache.drop(token_hash=token_hash, user_id=user_id)


@functools.cache
def _user_fields() -> tuple[str, ...]:
    """The columns a cached user copy keeps (read once the mappers are configured)."""
    return tuple(a.key for a in sa.inspect(User).column_attrs if a.key != "password_hash")


class TokenCache:
    """Bearer secrets this process resolved in the last `seconds`, with a copy of their user.

    A web worker keeps one, so a request with a token it has seen does not go to the database
    for it. The price is a delay: a token revoked or expired, an account disabled or a password
    reset (which revokes the user's tokens) stops a cached token within `seconds` (0: at once).
    The process that makes such a change forgets the tokens at once (`forget`). The copy
    keeps no password hash.
    """

    def __init__(self, seconds: float, max_entries: int = 10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[datetime, datetime, User]] = {}
        _CACHES.add(self)

    def drop(self, *, token_hash: str | None = None, user_id: int | None = None) -> None:
        """Forget one token, or every token of one user."""
        if token_hash is not None:
            self._entries.pop(token_hash, None)
        if user_id is not None:
            for key in [k for k, (_, _, u) in self._entries.items() if u.id == user_id]:
                self._entries.pop(key, None)

    def get(self, token_hash: str, now: datetime) -> User | None:
        """The cached user of a token still within its time and its expiry, or None."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        resolved_at, expires_at, user = entry
        if not (resolved_at <= now < resolved_at + timedelta(seconds=self.seconds)
                and now < expires_at):
            self._entries.pop(token_hash, None)  # another thread may have dropped it
            return None
        return user

    def put(self, token_hash: str, token: ApiToken, now: datetime) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # many tokens in a few seconds: start again
        user = User(**{key: getattr(token.user, key) for key in _user_fields()})
        make_transient_to_detached(user)
        self._entries[token_hash] = (now, token.expires_at, user)


def revoke_user_tokens(session: Session, actor: Actor, user: User, *, now: datetime,
                       reason: str) -> int:
    """Stop every live token of `user` (a new password, a disabled account), audited as one
    event with how many; returns that number."""
    ids = session.scalars(sa.select(ApiToken.id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    forget(user_id=user.id)
    if not ids:
        return 0
    session.execute(sa.update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=now)
                    .execution_options(synchronize_session="fetch"))
    record(session, actor=actor, action="token.revoke_all", entity_type="user",
           entity_id=user.id, before=None, after={"tokens": len(ids), "reason": reason}, now=now)
    return len(ids)


def authenticate_token(session: Session, secret: str, now: datetime,
                       cache: TokenCache | None = None) -> User | None:
    """The user a bearer secret belongs to, or None when it is unknown, expired or revoked.

    With a `cache`, a token resolved in its last seconds is not looked up again: its user is
    attached to `session` without a query."""
    if not secret or len(secret) > 200:
        return None
    token_hash = hash_secret(secret)
    if cache is not None and (user := cache.get(token_hash, now)) is not None:
        return session.merge(user, load=False)
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash)
                           .options(joinedload(ApiToken.user)))  # one round trip per request
    if token is None or not token.is_valid(now):
        return None
    # last use is bookkeeping, not a state change: no audit event, at most once a minute
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    if cache is not None:
        cache.put(token_hash, token, now)
    return token.user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ))
