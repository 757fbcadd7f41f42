"""The planwatch web app: agencies report, coordinators review, inspectors supervise."""

from __future__ import annotations

from flask import Flask

from models.db import db
from webapp.api import init_api


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides the environment-derived settings (tests)."""
    from webapp.config import Config

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config())
    if config:
        app.config.update(config)
    db.init_app(app)

    from webapp import main

    app.register_blueprint(main.bp)
    init_api(app)  # the REST API under /api/v1
    return app
