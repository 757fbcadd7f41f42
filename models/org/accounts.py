"""Operations on user accounts: create, change, set password, authenticate.

Managing accounts is an administrator's work (or the console's, see `models.core.actors`);
a user may change only their own password and language.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from models.core.actors import Actor, is_admin, is_user
from models.core.audit import record
from models.org import throttle
from models.org.agencies import Agency, agency_code_is
from models.org.errors import (
    AdminOnly,
    EmailTaken,
    NotAnEmail,
    OfficerNeedsAgency,
    PasswordsDiffer,
    PasswordTooShort,
    UnknownAgencyCode,
    UnknownLocale,
    UnknownRole,
    UnknownUserEmail,
    WrongCurrentPassword,
)
from models.org.tokens import forget, revoke_user_tokens
from models.org.users import Role, User

_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def _require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise AdminOnly(role=getattr(actor, "role", None))


def _require_self_or_admin(actor: Actor, user: User) -> None:
    if not (is_user(actor, user) or is_admin(actor)):
        raise AdminOnly(role=getattr(actor, "role", None))


def generate_password() -> str:
    """A random password to show once."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True when the password matches the stored argon2 hash."""
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    role: str,
    password: str,
    now: datetime,
    agency_code: str | None = None,
    display_name: str = "",
    locale: str = "vi",
    is_agency_head: bool = False,
) -> User:
    """An administrator creates an account; officers must belong to an agency."""
    _require_admin(actor)
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise NotAnEmail(field="email", email=email)
    if role not in {r.value for r in Role}:
        raise UnknownRole(field="role", role=role)
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort(field="password", min_length=MIN_PASSWORD)
    if locale not in ("vi", "en"):
        raise UnknownLocale(field="locale")
    agency = None
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(agency_code_is(agency_code)))
        if agency is None:
            raise UnknownAgencyCode(field="agency", agency_code=agency_code)
    if role == Role.OFFICER and agency is None:
        raise OfficerNeedsAgency(field="agency")
    if session.scalar(sa.select(User.id).where(User.email == email)):
        raise EmailTaken(field="email", email=email)
    user = User(
        email=email, role=role, password_hash=hash_password(password), agency=agency,
        display_name=display_name, locale=locale, is_agency_head=is_agency_head, created_at=now,
    )
    session.add(user)
    session.flush()
    record(session, actor=actor, action="user.create", entity_type="user", entity_id=user.id,
           before=None, after=user_snapshot(user), now=now)
    return user


def user_snapshot(user: User) -> dict:
    """What audit keeps of an account (never the password hash)."""
    return {
        "email": user.email, "display_name": user.display_name, "role": user.role,
        "agency_id": user.agency_id,
        "locale": user.locale, "is_active": user.is_active, "is_agency_head": user.is_agency_head,
    }


def set_password(
    session: Session, actor: Actor, user: User, password: str, *, now: datetime
) -> None:
    """Change a password (an admin, or the user themself), end the user's other sessions and
    revoke the user's API tokens: whoever knew the old password may have made a token with it."""
    _require_self_or_admin(actor, user)
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort(field="password", min_length=MIN_PASSWORD)
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.flush()
    record(session, actor=actor, action="user.password", entity_type="user", entity_id=user.id,
           before=None, after={"session_version": user.session_version}, now=now)
    # whoever knew the old password may have made tokens: they stop too
    revoke_user_tokens(session, actor, user, now=now, reason="password")


def change_own_password(session: Session, user: User, *, current: str, new: str, repeat: str,
                        now: datetime) -> None:
    """A user changes their own password, giving the current one; other sessions end."""
    if not is_user(user, user) or not check_password(user, current or ""):
        raise WrongCurrentPassword(field="current_password")
    if len(new or "") < MIN_PASSWORD:
        raise PasswordTooShort(field="new_password", min_length=MIN_PASSWORD)
    if new != repeat:
        raise PasswordsDiffer(field="repeat_password")
    set_password(session, user, user, new, now=now)


def reset_password(session: Session, actor: Actor, user: User, *, now: datetime) -> str:
    """An admin (or the console) gives the user a new generated password, to show once."""
    _require_admin(actor)
    password = generate_password()
    set_password(session, actor, user, password, now=now)
    return password


def search_users(session: Session, actor: Actor, text: str = "", *, role: str | None = None,
                 limit: int = 500) -> list[User]:
    """Accounts whose email or name contains `text` (any case), optionally of one role."""
    _require_admin(actor)
    query = sa.select(User).order_by(User.email)
    words = (text or "").strip().lower()
    if words:
        pattern = f"%{words.replace('%', '').replace('_', '')}%"
        query = query.outerjoin(Agency, User.agency_id == Agency.id).where(sa.or_(
            sa.func.lower(User.email).like(pattern), sa.func.lower(User.display_name).like(pattern),
            sa.func.lower(Agency.code).like(pattern)))
    if role:
        query = query.where(User.role == role)
    return list(session.scalars(query.limit(limit)))


def find_user(session: Session, email: str) -> User:
    """The user with this email, or NotFound."""
    user = session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise UnknownUserEmail(field="email", email=email)
    return user


def end_sessions(session: Session, user: User, now: datetime) -> None:
    """Log the user out everywhere: session cookies carrying the old version stop working."""
    user.session_version += 1
    session.flush()
    record(session, actor=user, action="user.logout", entity_type="user", entity_id=user.id,
           before=None, after={"session_version": user.session_version}, now=now)


def set_locale(session: Session, actor: Actor, user: User, locale: str, *, now: datetime) -> None:
    """Change the language a user reads the app in (the user themself, or an admin)."""
    _require_self_or_admin(actor, user)
    if locale not in ("vi", "en"):
        raise UnknownLocale(field="locale")
    if user.locale == locale:
        return
    before = user.locale
    user.locale = locale
    session.flush()
    record(session, actor=actor, action="user.locale", entity_type="user", entity_id=user.id,
           before={"locale": before}, after={"locale": locale}, now=now)


def update_user(
    session: Session,
    actor: Actor,
    user: User,
    *,
    role: str,
    agency_code: str | None,
    is_active: bool,
    now: datetime,
    display_name: str | None = None,
    is_agency_head: bool | None = None,
) -> None:
    """An admin changes a user's name, role, agency, agency-head flag or whether the account
    may log in (None: the name or flag stays as it is)."""
    _require_admin(actor)
    if role not in {r.value for r in Role}:
        raise UnknownRole(field="role", role=role)
    agency = None
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(agency_code_is(agency_code)))
        if agency is None:
            raise UnknownAgencyCode(field="agency", agency_code=agency_code)
    if role == Role.OFFICER and agency is None:
        raise OfficerNeedsAgency(field="agency")
    before = user_snapshot(user)
    user.role = role
    user.agency = agency
    if display_name is not None:
        user.display_name = display_name.strip()[:200]
    if is_agency_head is not None:
        user.is_agency_head = is_agency_head
    if user.is_active != is_active:
        user.session_version += 1  # a disabled account's open sessions end now
    user.is_active = is_active
    session.flush()
    record(session, actor=actor, action="user.update", entity_type="user", entity_id=user.id,
           before=before, after=user_snapshot(user), now=now)
    forget(user_id=user.id)  # its role, agency or access changed: no worker of ours keeps it


def deactivate_user(session: Session, actor: Actor, user: User, *, now: datetime) -> None:
    """An admin stops an account from logging in; its open sessions end now."""
    update_user(session, actor, user, role=user.role,
                agency_code=user.agency.code if user.agency else None, is_active=False, now=now)


# verified for an unknown email, so that it takes as long as a wrong password
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def authenticate(
    session: Session, email: str, password: str, *, now: datetime, address: str | None = None
) -> User | None:
    """The active user with this email and password, or None; either way audited.

    Unknown email, wrong password and disabled account give the same None, so the answer
    reveals none of them; the audit event says which (reason), with the address.

    Failures are throttled per account-and-address and per address (`models.org.throttle`,
    in the database every worker shares): while either is blocked this raises
    `TooManyAttempts` before any password is checked. Someone else's failures from another
    address never block the owner. The caller commits, so a failure is counted and audited.
    """
    email = (email or "").strip().lower()
    address = address or "unknown"
    throttle.check(session, email, address, now=now)
    user = session.scalar(sa.select(User).where(User.email == email)) if email else None
    if user is None:
        try:  # the same argon2 work as for a known email: timing reveals no account
            _hasher.verify(_dummy_hash(), password or "")
        except (VerificationError, InvalidHashError):
            pass
        reason = "unknown_email"
    elif not check_password(user, password or ""):
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        record(session, actor=user, action="auth.login", entity_type="user", entity_id=user.id,
               before=None, after={"address": address}, now=now)
        throttle.succeeded(session, email, address)
        return user
    throttle.failed(session, email, address, now=now)
    record(session, actor=None, action="auth.login_failed", entity_type="user",
           entity_id=user.id if user else None, before=None,
           after={"email": email[:200], "address": address, "reason": reason}, now=now)
    return None
