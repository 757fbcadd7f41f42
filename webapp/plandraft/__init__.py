from flask import Blueprint

bp = Blueprint("plandraft", __name__, url_prefix="/plans/draft")

from webapp.plandraft import routes  # noqa: E402,F401
