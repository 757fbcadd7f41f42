"""Inspections, findings and corrective actions: the inspector's desk and the agency's answers."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

TRANSLATIONS = str(Path(__file__).parent / "translations")


def init_inspections(app: Flask) -> None:
    """Register the blueprint and its Vietnamese catalogue (the app always has Babel)."""
    app.register_blueprint(bp)
    # our catalogue sits beside the app's; Flask-Babel merges every directory it is given
    babel = app.extensions["babel"]
    if TRANSLATIONS not in babel.translation_directories:
        babel.translation_directories.append(TRANSLATIONS)


from webapp.inspections import action_routes, routes  # noqa: E402,F401
