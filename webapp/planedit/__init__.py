from flask import Blueprint

bp = Blueprint("planedit", __name__, url_prefix="/plans/edit")

from webapp.planedit import routes  # noqa: E402,F401
