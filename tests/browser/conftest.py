"""Browser tests: Debian's Chromium driven by Playwright against a live app on SQLite."""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from werkzeug.serving import make_server

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine, make_session_factory
from models.tasks.generation import generate_tasks
from tests.factories import PASSWORD, T0, load_mini, make_user
from tests.webapp.conftest import USERS, WEB_NOW

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
BROWSER_USERS = ("officer_a", "officer_b", "coordinator")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium; `playwright install` cannot download here."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on a fresh SQLite file with the mini plan and three users, CSRF on."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'browser.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    for who in BROWSER_USERS:
        email, role, agency = USERS[who]
        make_user(session, email=email, role=role, agency=agency)
    session.commit()
    session.close()
    engine.dispose()
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "browser-tests", "UPLOAD_FOLDER": str(folder / "uploads"),
        "PLANWATCH_NOW": WEB_NOW,
    })


@contextlib.contextmanager
def serving(app):
    """`app` served from a thread on a free loopback port; yields its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def base_url(live_app):
    """The live server's address, served from a thread for the whole session."""
    with serving(live_app) as url:
        yield url


@pytest.fixture
def page_as(browser):
    """A new browser page logged in through the login form: page_as(base_url, email)."""
    from playwright.sync_api import expect

    def make(base_url: str, email: str, password: str = PASSWORD):
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        expect(page.locator("#logout")).to_be_visible()
        return page

    return make
