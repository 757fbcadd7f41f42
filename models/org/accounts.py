"""Operations on user accounts: create, set password, authenticate."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from models.core.audit import record
from models.org.agencies import Agency
from models.org.errors import (
    EmailTaken,
    NotAnEmail,
    OfficerNeedsAgency,
    PasswordTooShort,
    UnknownAgencyCode,
    UnknownLocale,
    UnknownRole,
    UnknownUserEmail,
)
from models.org.users import Role, User

_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


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
    actor,
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
    """Create an account; officers must belong to an agency."""
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
        agency = session.scalar(sa.select(Agency).where(Agency.code == agency_code))
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
        "email": user.email, "role": user.role, "agency_id": user.agency_id,
        "locale": user.locale, "is_active": user.is_active, "is_agency_head": user.is_agency_head,
    }


def set_password(session: Session, actor, user: User, password: str, *, now: datetime) -> None:
    """Change a password and end the user's other sessions."""
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort(field="password", min_length=MIN_PASSWORD)
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.flush()
    record(session, actor=actor, action="user.password", entity_type="user", entity_id=user.id,
           before=None, after={"session_version": user.session_version}, now=now)


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


def set_locale(session: Session, actor, user: User, locale: str, *, now: datetime) -> None:
    """Change the language a user reads the app in."""
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
    actor,
    user: User,
    *,
    role: str,
    agency_code: str | None,
    is_active: bool,
    now: datetime,
) -> None:
    """An admin changes a user's role, agency or whether the account may log in."""
    if role not in {r.value for r in Role}:
        raise UnknownRole(field="role", role=role)
    agency = None
    if agency_code:
        agency = session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise UnknownAgencyCode(field="agency", agency_code=agency_code)
    if role == Role.OFFICER and agency is None:
        raise OfficerNeedsAgency(field="agency")
    before = user_snapshot(user)
    user.role = role
    user.agency = agency
    if user.is_active != is_active:
        user.session_version += 1  # a disabled account's open sessions end now
    user.is_active = is_active
    session.flush()
    record(session, actor=actor, action="user.update", entity_type="user", entity_id=user.id,
           before=before, after=user_snapshot(user), now=now)
