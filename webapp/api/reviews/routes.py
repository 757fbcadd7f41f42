"""POST /tasks/{id}/accept and /tasks/{id}/return (coordinators and admins)."""

from flask.views import MethodView

from models.core.db import db
from models.tasks.entities import TaskStatus
from models.tasks.operations import change_status, get_task
from webapp.api.core import ApiBlueprint, api_user, expected_version, if_match_required, utcnow
from webapp.api.reviews.schemas import ETAG_HEADER, AcceptSchema, ReturnSchema, TaskSchema
from webapp.api.tasks.present import task_out

bp = ApiBlueprint("Reviews", __name__, "/tasks",
                  description="Accept a submitted report or return it with a reason.")


def review(task_id: int, to_status: str, note: str):
    """Load, check If-Match, change status, commit, show the task."""
    user, now = api_user(), utcnow()
    task = get_task(db.session, user, task_id)
    version = expected_version(task.version)
    change_status(db.session, user, task, to_status, now=now, note=note, expected_version=version)
    db.session.commit()
    return task_out(task, user, now)


@bp.route("/<id:task_id>/accept")
class Accept(MethodView):
    @bp.arguments(AcceptSchema, required=False)
    @bp.response(200, TaskSchema, headers=ETAG_HEADER)
    @bp.doc(parameters=[if_match_required()])
    def post(self, body, task_id: int):
        """Accept a submitted report."""
        return review(task_id, TaskStatus.ACCEPTED, body["note"])


@bp.route("/<id:task_id>/return")
class Return(MethodView):
    @bp.arguments(ReturnSchema)
    @bp.response(200, TaskSchema, headers=ETAG_HEADER)
    @bp.doc(parameters=[if_match_required()])
    def post(self, body, task_id: int):
        """Return a submitted report to the agency, with the reason."""
        return review(task_id, TaskStatus.RETURNED, body["reason"])
