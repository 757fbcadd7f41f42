"""Flow tests run against a throwaway Prefect server started once per session (~9 s)."""

import pytest


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    # generous: on a loaded CI machine the first start (creating its database) is slow
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_db(db_url, engine, monkeypatch, prefect_harness):
    """The flows open their own engine: point them at the test database."""
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("PLANWATCH_BASE_URL", "https://planwatch.example.org")
    return db_url
