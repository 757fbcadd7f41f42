"""Support for the inspection page tests: the blueprint on the test app, and logging in.

On a branch without the web app's login, translations, CSRF and base.html, this fills in
minimal stand-ins so the pages render; where the app has its own, those are used unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

from models.core.db import db
from models.core.errors import DomainError
from models.org.users import User

MINIMAL_BASE = """<!doctype html><html><head><title>{% block title %}{% endblock %}</title></head>
<body><main>{% block content %}{% endblock %}</main></body></html>"""


def _fill_in_missing_web_pieces(app, monkeypatch) -> None:
    from flask_babel import Babel
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    if not hasattr(User, "is_authenticated"):
        monkeypatch.setattr(User, "is_authenticated", True, raising=False)
        monkeypatch.setattr(User, "is_anonymous", False, raising=False)
        monkeypatch.setattr(User, "get_id", lambda self: str(self.id), raising=False)
    if not hasattr(app, "login_manager"):
        manager = LoginManager(app)

        @manager.user_loader
        def load(user_id: str):
            return db.session.scalar(sa.select(User).where(User.id == int(user_id.split(":")[0])))
    if "babel" not in app.extensions:
        Babel(app)
    if "csrf" not in app.extensions:
        CSRFProtect(app)
    try:
        app.jinja_env.get_template("base.html")
    except TemplateNotFound:
        app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader,
                                             DictLoader({"base.html": MINIMAL_BASE})])
    handlers = app.error_handler_spec.get(None, {}).get(None, {})
    if DomainError not in handlers:
        @app.errorhandler(DomainError)
        def domain_error(exc: DomainError):
            db.session.rollback()
            return exc.message, exc.status


def with_inspections(app, monkeypatch):
    """The test app with the inspection pages registered (once)."""
    from webapp.inspections import init_inspections

    if "inspections" not in app.blueprints:
        init_inspections(app)
    _fill_in_missing_web_pieces(app, monkeypatch)
    return app


def client_as(app, user: User):
    """A test client logged in as `user` by setting the Flask-Login session directly."""
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
    return client
