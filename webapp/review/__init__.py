from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from webapp.review import routes  # noqa: E402,F401
