"""Schemathesis over every operation, in-process, with an admin token and all checks.

The seeded app is built by a fixture when a test runs (schemathesis's lazy schema), not at
import: collecting the suite or running `-k something_else` never pays for it. Each API
operation is reported as a subtest. The operations are split in three tests by tag, so that
`-n auto` can spread them over the workers; the third takes every tag the first two do not,
so no operation is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.parameters import ParameterLocation

import models  # noqa: F401
from models.core.db import Base, make_engine, make_session_factory
from models.org.tokens import create_token
from models.org.users import User
from tests.api.conftest import API_NOW, World, build_world
from tests.factories import T0

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FuzzSite:
    app: object
    world: World
    sessions: object  # a session factory on the fuzz database

    def fresh_admin_token(self) -> str:
        """A new token per case: a fuzzed revoke may end the token it was sent with."""
        with self.sessions() as session:
            user = session.get(User, self.world.users["admin"])
            secret = create_token(session, user, user, now=T0)[1]
            session.commit()
        return secret


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory) -> FuzzSite:
    """An app on its own SQLite file with seeded data, shared by every fuzzed operation."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("api-fuzz")
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
    yield FuzzSite(app, world, make_session_factory(engine))
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_site):
    from schemathesis.config import SchemathesisConfig

    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", fuzz_site.app,
        config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml"),
    )


TASK_TAGS = ["Tasks", "Reviews", "Submissions"]
OVERSIGHT_TAGS = ["Inspections", "Findings", "CorrectiveActions"]
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def check(case, site: FuzzSite) -> None:
    """Call the operation with a fresh admin token and run every schemathesis check."""
    headers = {"Authorization": f"Bearer {site.fresh_admin_token()}"}
    if case.meta and case.meta.is_negative_at(ParameterLocation.HEADER) and not any(
            k.lower() == "authorization" for k in (case.headers or {})):
        # the case means "no token": adding one would turn it into a valid request that
        # schemathesis still counts as invalid (a flaky "schema-violating request accepted")
        headers = {}
    case.call_and_validate(headers=headers)


def _fuzz(api_schema, site: FuzzSite, selected) -> None:
    """Every operation of `selected`, each with its own Hypothesis run; all failures reported.

    (schemathesis.pytest.from_fixture breaks on pytest 9, see TOOLING.md: the lazy schema is
    walked here instead.)
    """
    failures, seen = [], 0
    for result in selected.get_all_operations():
        operation = result.ok()
        seen += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            check(case, site)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - reported with the operation's name
            failures.append(f"{operation.label}: {exc}")
    assert seen > 0
    assert failures == [], "\n\n".join(failures)


def test_task_operations_conform_to_the_schema(api_schema, fuzz_site):
    _fuzz(api_schema, fuzz_site, api_schema.include(tag=TASK_TAGS))


def test_oversight_operations_conform_to_the_schema(api_schema, fuzz_site):
    _fuzz(api_schema, fuzz_site, api_schema.include(tag=OVERSIGHT_TAGS))


def test_other_operations_conform_to_the_schema(api_schema, fuzz_site):
    _fuzz(api_schema, fuzz_site, api_schema.exclude(tag=TASK_TAGS + OVERSIGHT_TAGS))
