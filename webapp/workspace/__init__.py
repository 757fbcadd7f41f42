from flask import Blueprint

bp = Blueprint("workspace", __name__)

from webapp.workspace import routes  # noqa: E402,F401
