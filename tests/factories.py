"""Small data factories for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from models.core.actors import CONSOLE
from models.org.accounts import create_user
from models.org.users import User
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, import_plan

DATA = Path(__file__).parent / "data"
T0 = datetime(2025, 8, 20, 1, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"


def load_mini(session: Session) -> None:
    """The small test plan (two agencies groups, a handful of items)."""
    import_agencies(session, DATA / "mini-agencies.yaml", now=T0)
    import_plan(session, DATA / "mini-plan.yaml", now=T0)
    session.flush()


def load_seed(session: Session) -> None:
    """The bundled agencies and Plan 516-KH/TU."""
    import_agencies(session, SEED_AGENCIES, now=T0)
    import_plan(session, SEED_PLAN, now=T0)
    session.flush()


def make_user(session: Session, email: str = "officer@a.example.org", role: str = "officer",
              agency: str | None = "AG-A", **overrides) -> User:
    return create_user(session, CONSOLE, email=email, role=role, password=PASSWORD, now=T0,
                       agency_code=agency if role == "officer" or agency else None, **overrides)
