"""API tokens: shown once, stored hashed, refused when expired, revoked or the user disabled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.audit import AuditEvent
from models.core.errors import InvalidInput, NotFound
from models.org.tokens import ApiToken, authenticate_token, create_token, revoke_token
from tests.factories import T0, load_mini, make_user


@pytest.fixture
def officer(session):
    load_mini(session)
    return make_user(session)


def test_the_secret_is_not_stored_and_authenticates_until_expiry(session, officer):
    token, secret = create_token(session, CONSOLE, officer, now=T0, name="portal", days=30)
    stored = session.scalar(sa.select(ApiToken))
    assert secret not in (stored.token_hash, stored.name) and len(stored.token_hash) == 64
    assert authenticate_token(session, secret, T0 + timedelta(days=29)) is officer
    assert stored.last_used_at == T0 + timedelta(days=29)
    assert authenticate_token(session, secret, T0 + timedelta(days=30)) is None
    assert authenticate_token(session, secret + "x", T0) is None
    assert authenticate_token(session, "", T0) is None


def test_revoked_tokens_and_disabled_users_are_refused(session, officer):
    token, secret = create_token(session, CONSOLE, officer, now=T0)
    other = make_user(session, email="b@b.example.org", agency="AG-B")
    with pytest.raises(NotFound):
        revoke_token(session, other, token.id, now=T0)  # not theirs
    assert authenticate_token(session, secret, T0) is officer
    revoke_token(session, officer, token.id, now=T0)
    assert authenticate_token(session, secret, T0) is None
    second, secret2 = create_token(session, CONSOLE, officer, now=T0)
    officer.is_active = False
    assert authenticate_token(session, secret2, T0) is None
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_type == "api_token").order_by(AuditEvent.id)).all()
    assert actions == ["token.create", "token.revoke", "token.create"]


def test_an_admin_revokes_any_token_except_through_own_only(session, officer):
    token, _ = create_token(session, CONSOLE, officer, now=T0)
    admin = make_user(session, email="admin@example.org", role="admin", agency=None)
    with pytest.raises(NotFound):
        revoke_token(session, admin, token.id, now=T0, own_only=True)
    assert revoke_token(session, admin, token.id, now=T0).revoked_at == T0


@pytest.mark.parametrize("days", [0, 367])
def test_lifetime_is_bounded(session, officer, days):
    with pytest.raises(InvalidInput):
        create_token(session, CONSOLE, officer, now=T0, days=days)
