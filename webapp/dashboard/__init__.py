from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from models.tasks.periods import classify  # noqa: E402
from webapp.dashboard import routes  # noqa: E402,F401

bp.add_app_template_global(lambda task, day: classify(task, day).value, "task_category")
