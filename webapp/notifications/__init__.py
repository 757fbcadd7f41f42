from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from webapp.notifications import outbox_routes, routes, settings_routes  # noqa: E402,F401
