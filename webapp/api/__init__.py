"""The REST API under /api/v1: flask-smorest, bearer tokens, one blueprint per resource.

Adding a resource: create webapp/api/<name>/routes.py (with `bp = ApiBlueprint(...)`) and
schemas.py, then add <name> to RESOURCES below. Auth, errors and the CSRF exemption follow.
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from webapp.api import docs, errors
from webapp.api.core import PREFIX, id_converter_doc
from webapp.errors import http_error
from webapp.extensions import csrf

RESOURCES = ("me", "agencies", "plans", "tasks", "reviews", "submissions", "audit",
             "inspections", "findings", "corrective_actions", "notifications", "figures",
             "extensions")


class IdConverter(BaseConverter):
    """A database id in a path: 1 to 999,999,999, so no driver ever overflows."""

    regex = r"[1-9][0-9]{0,8}"  # up to MAX_ID

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class PlanwatchApi(Api):
    """flask-smorest's Api with our error body (documented as the default error response)."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        """The app's one HTTP error handler: JSON under /api/v1 or when asked for, else a page."""
        return http_error(error)


def init_api(app: Flask) -> Api:
    """Mount the API and its docs on `app`."""
    app.config.setdefault("API_TITLE", "planwatch API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.url_map.converters["id"] = IdConverter
    api = PlanwatchApi(app, spec_kwargs={
        "info": {"description": "Plans, tasks, submissions, review, inspections, findings, "
                                "corrective actions and notifications. Send "
                                "`Authorization: Bearer <token>` (`planwatch users token EMAIL`)."},
        "security": [{"bearerAuth": []}],
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "personal API token"}
    )
    api.register_converter(IdConverter, id_converter_doc)
    blueprints = [importlib.import_module(f"webapp.api.{name}.routes").bp for name in RESOURCES]
    for bp in blueprints:
        api.register_blueprint(bp)
    app.register_blueprint(docs.bp, url_prefix=PREFIX)
    for bp in blueprints:  # bearer tokens are not sent by browsers on their own: no CSRF
        csrf.exempt(bp)
    from webapp.api.tasks import lane

    lane.init_app(app)  # the task list's short way for tokens this worker has checked
    return api
