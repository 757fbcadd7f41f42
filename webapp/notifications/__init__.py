from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from webapp.notifications import (  # noqa: E402,F401
    outbox_routes,
    preference_routes,
    routes,
    settings_routes,
)
