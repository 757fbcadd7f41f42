"""Inspections, findings and corrective actions: the inspector's desk and the agency's answers."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


def init_inspections(app: Flask) -> None:
    """Register the blueprint and its template helpers (its texts are in the app's catalogue)."""
    from webapp.inspections import support

    app.register_blueprint(bp)
    support.init_templates(app)


from webapp.inspections import action_routes, routes  # noqa: E402,F401
