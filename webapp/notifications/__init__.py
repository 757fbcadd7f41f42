from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from webapp.notifications import outbox_routes, preference_routes, routes  # noqa: E402,F401
