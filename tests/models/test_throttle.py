"""Login throttling: growing delays per account-and-address and per address, nobody locked out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.org import throttle
from models.org.throttle import TooManyAttempts

T = datetime(2026, 12, 1, 2, tzinfo=UTC)
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def _fail(session, n, email="victim@example.org", address=ATTACKER, at=T):
    for _ in range(n):
        throttle.failed(session, email, address, now=at)
    session.commit()


def test_five_failures_block_the_account_at_that_address_only(session):
    _fail(session, 4)
    throttle.check(session, "victim@example.org", ATTACKER, now=T)  # four: still allowed
    _fail(session, 1)
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check(session, "victim@example.org", ATTACKER, now=T)
    assert refused.value.status == 429 and refused.value.details["seconds"] == 60
    throttle.check(session, "victim@example.org", OWNER, now=T)  # the owner elsewhere: fine


def test_thirty_failures_from_one_address_never_lock_the_owner_out_elsewhere(session):
    _fail(session, 30)
    with pytest.raises(TooManyAttempts):
        throttle.check(session, "someone.else@example.org", ATTACKER, now=T)  # address blocked
    throttle.check(session, "victim@example.org", OWNER, now=T)


def test_the_delay_doubles_with_each_block_and_ends(session):
    _fail(session, 5)
    _fail(session, 5, at=T + timedelta(seconds=61))
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check(session, "victim@example.org", ATTACKER, now=T + timedelta(seconds=62))
    assert refused.value.details["seconds"] == 119  # the second block lasts two minutes
    throttle.check(session, "victim@example.org", ATTACKER, now=T + timedelta(seconds=182))


def test_a_correct_password_clears_its_own_record(session):
    _fail(session, 4)
    throttle.succeeded(session, "victim@example.org", ATTACKER)
    _fail(session, 4)
    throttle.check(session, "victim@example.org", ATTACKER, now=T)
