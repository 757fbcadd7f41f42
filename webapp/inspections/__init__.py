"""Inspections, findings and corrective actions: the inspector's desk and the agency's answers."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


def init_inspections(app: Flask) -> None:
    """Register the blueprint (its helpers are the app's: guards, forms, templating, clock)."""
    app.register_blueprint(bp)


from webapp.inspections import action_routes, routes  # noqa: E402,F401
