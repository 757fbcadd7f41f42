"""The interactive API docs page: Swagger UI vendored from the swagger-ui-bundle package."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory, url_for
from markupsafe import escape
from swagger_ui_bundle import swagger_ui_path

HERE = Path(__file__).parent
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
          "favicon-32x32.png"}

bp = Blueprint("api_docs_page", __name__)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>planwatch API</title>
<link rel="stylesheet" href="{css}"><link rel="icon" href="{icon}"></head>
<body><div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{bundle}"></script><script src="{preset}"></script><script src="{init}"></script>
</body></html>"""


@bp.get("/docs")
def docs_page():
    """Swagger UI for /api/v1/openapi.json, with nothing loaded from the internet."""
    asset = lambda name: escape(url_for("api_docs_page.docs_asset", name=name))  # noqa: E731
    return PAGE.format(css=asset("swagger-ui.css"), icon=asset("favicon-32x32.png"),
                       bundle=asset("swagger-ui-bundle.js"),
                       preset=asset("swagger-ui-standalone-preset.js"),
                       init=asset("init.js"), spec=escape(url_for("api-docs.openapi_json")))


@bp.get("/docs/assets/<name>")
def docs_asset(name: str):
    """Swagger UI's files, from the installed package (and our starter script)."""
    if name == "init.js":
        return send_from_directory(HERE / "docs_static", name, max_age=3600)
    if name not in ASSETS:
        return ("", 404)
    return send_from_directory(Path(str(swagger_ui_path)), name, max_age=86400)
