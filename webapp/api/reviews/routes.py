"""POST /tasks/{id}/accept and /tasks/{id}/return (coordinators and admins)."""

from flask.views import MethodView

from models.core.db import db
from models.tasks.entities import TaskStatus
from models.tasks.operations import change_status
from webapp.api.core import ApiBlueprint
from webapp.api.reviews.schemas import AcceptSchema, ReturnSchema, TaskSchema
from webapp.api.tasks.present import change

bp = ApiBlueprint("Reviews", __name__, "/tasks",
                  description="Accept a submitted report or return it with a reason.")


def review(task_id: int, to_status: str, note: str) -> dict:
    """Load, check If-Match, change status, commit, show the task."""
    return change(bp, task_id, lambda user, task, now: change_status(
        db.session, user, task, to_status, now=now, note=note, expected_version=task.version),
        plain=True)


@bp.route("/<id:task_id>/accept")
class Accept(MethodView):
    @bp.arguments(AcceptSchema, required=False)
    @bp.etag
    @bp.response(200, TaskSchema)
    def post(self, body, task_id: int):
        """Accept a submitted report."""
        return review(task_id, TaskStatus.ACCEPTED, body["note"])


@bp.route("/<id:task_id>/return")
class Return(MethodView):
    @bp.arguments(ReturnSchema)
    @bp.etag
    @bp.response(200, TaskSchema)
    def post(self, body, task_id: int):
        """Return a submitted report to the agency, with the reason."""
        return review(task_id, TaskStatus.RETURNED, body["reason"])
