from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from webapp.feeds import routes  # noqa: E402,F401
