"""Personal API tokens: shown once, stored as a SHA-256 hash, revocable, with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from models.core.audit import record
from models.core.db import UTCDateTime, db
from models.org.errors import (
    AccountDisabled,
    TokenLifetimeOutOfRange,
    TokenNameTooLong,
    TokenNotFound,
)
from models.org.users import Role, User

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
    session: Session, actor, user: User, *, now: datetime, name: str = "",
    days: int = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new token for `user`; the secret is returned once and never stored."""
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
    session: Session, actor: User | str, token_id: int, *, now: datetime, own_only: bool = False,
) -> ApiToken:
    """Stop a token from working; a user revokes their own, an admin (unless `own_only`) any."""
    token = session.get(ApiToken, token_id)
    own = isinstance(actor, User) and token is not None and token.user_id == actor.id
    admin = isinstance(actor, str) or (isinstance(actor, User) and actor.role == Role.ADMIN)
    if token is None or not (own or (admin and not own_only)):
        raise TokenNotFound(token_id=token_id)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = now
    session.flush()
    record(session, actor=actor, action="token.revoke", entity_type="api_token",
           entity_id=token.id, before=before, after=_snapshot(token), now=now)
    return token


def authenticate_token(session: Session, secret: str, now: datetime) -> User | None:
    """The user a bearer secret belongs to, or None when it is unknown, expired or revoked."""
    if not secret or len(secret) > 200:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
                           .options(joinedload(ApiToken.user)))  # one round trip per request
    if token is None or not token.is_valid(now):
        return None
    # last use is bookkeeping, not a state change: no audit event, at most once a minute
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ))
