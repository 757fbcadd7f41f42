"""Schemathesis over every operation, in-process, with an admin token and all checks."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

import models  # noqa: F401
from models.core.db import Base, make_engine, make_session_factory
from models.org.tokens import create_token
from models.org.users import User
from tests.api.conftest import API_NOW, build_world
from tests.factories import T0

ROOT = Path(__file__).resolve().parents[2]


def _make_app():
    """An app on its own SQLite file with seeded data (schemathesis needs it at import)."""
    from webapp import create_app

    folder = Path(tempfile.mkdtemp(prefix="pw-api-fuzz-"))
    atexit.register(shutil.rmtree, folder, True)
    url = f"sqlite:///{folder / 'fuzz.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        world = build_world(session, folder / "uploads")
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "test", "UPLOAD_FOLDER": str(folder / "uploads"),
        "PLANWATCH_NOW": lambda: API_NOW,
    })
    return app, world, make_session_factory(engine)


app, world, Session = _make_app()


def fresh_admin_token() -> str:
    """A new token per case: a fuzzed revoke may end the token it was sent with."""
    with Session() as session:
        user = session.get(User, world.users["admin"])
        secret = create_token(session, "fuzz", user, now=T0)[1]
        session.commit()
    return secret


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", app,
    config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml"),
)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case):
    headers = {"Authorization": f"Bearer {fresh_admin_token()}"}
    if case.meta and case.meta.is_negative_at(ParameterLocation.HEADER) and not any(
            k.lower() == "authorization" for k in (case.headers or {})):
        # the case means "no token": adding one would turn it into a valid request that
        # schemathesis still counts as invalid (a flaky "schema-violating request accepted")
        headers = {}
    case.call_and_validate(headers=headers)
