"""Inspections, findings and corrective actions: the inspector's desk and the agency's answers."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

TRANSLATIONS = str(Path(__file__).parent / "translations")


def init_inspections(app: Flask) -> None:
    """Register the blueprint, its template helpers and its Vietnamese catalogue."""
    from webapp.inspections import support

    app.register_blueprint(bp)
    support.init_templates(app)
    # our catalogue sits beside the app's; Flask-Babel merges every directory it is given
    babel = app.extensions.get("babel")
    if babel is not None:
        if TRANSLATIONS not in babel.translation_directories:
            babel.translation_directories.append(TRANSLATIONS)
    else:
        dirs = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        if TRANSLATIONS not in dirs.split(";"):
            app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{dirs};{TRANSLATIONS}"


from webapp.inspections import action_routes, routes  # noqa: E402,F401
