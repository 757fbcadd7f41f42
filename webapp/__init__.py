"""The planwatch web app: agencies report, coordinators review, inspectors supervise."""

from __future__ import annotations

from flask import Flask

from models.core.db import db
from settings import Settings
from webapp.api import init_api


def create_app(config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app from the settings (read from the environment here, once, when not given);
    `config` overrides Flask settings (tests)."""
    from webapp.config import Config

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config(settings or Settings.from_env()))
    if config:
        app.config.update(config)
    db.init_app(app)

    from webapp import errors, extensions, input_guard, security, templating

    input_guard.init_app(app)  # first: no view, login or audit sees a NUL
    extensions.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    from webapp import (
        admin,
        auth,
        dashboard,
        exports,
        feeds,
        main,
        notifications,
        plandraft,
        planedit,
        reports,
        review,
        workspace,
    )

    for area in (main, auth, workspace, review, dashboard, admin, notifications, reports, exports,
                 feeds, plandraft, planedit):
        app.register_blueprint(area.bp)

    from webapp.inspections import init_inspections

    init_inspections(app)
    init_api(app)  # the REST API under /api/v1
    return app
