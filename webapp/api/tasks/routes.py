"""GET /tasks (filters, pages), GET /tasks/{id} (ETag), POST /tasks/{id}/status, history."""

from flask import current_app
from flask.views import MethodView

from models.core.clock import local_today
from models.core.db import db
from models.tasks.listing import TaskListFilter, TotalCache, count_query, page_rows, plain_row
from models.tasks.operations import change_status, get_task, reschedule
from webapp import clock
from webapp.api.core import ApiBlueprint, Paging, api_user, json_response
from webapp.api.tasks.present import change, shown, task_out
from webapp.api.tasks.schemas import (
    RescheduleSchema,
    StatusChangeSchema,
    TaskPageSchema,
    TaskQueryArgsSchema,
    TaskSchema,
    UpdateSchema,
)


def total_cache() -> TotalCache:
    """This worker's totals of long task lists."""
    return current_app.extensions.setdefault("planwatch_task_totals", TotalCache())


bp = ApiBlueprint("Tasks", __name__, "/tasks",
                  description="Tasks: one item for one agency for one period.")


@bp.route("")
class Tasks(MethodView):
    @bp.arguments(TaskQueryArgsSchema, location="query")
    @bp.response(200, TaskPageSchema)
    def get(self, args):
        """Tasks the caller may see, filtered, a page at a time, with the total.

        "Overdue" and the category are judged on `as_of` (default: today in Hà Nội). A total
        of 1,000 tasks or more is counted once and reused for 5 seconds for the same filters,
        so it may lag that long behind changes; the items are always current."""
        page = Paging.take(args)
        sort = args.pop("sort")
        as_of = args.pop("as_of", None) or local_today(clock.now())
        filters = TaskListFilter(**args)
        user = api_user()
        rows, total = page_rows(db.session, user, filters, as_of, sort, page.size, page.offset,
                                total_cache())
        if total is None:  # past the last page: the total is not in any row
            total = db.session.scalar(count_query(user, filters, as_of)) if page.offset else 0
        # plain rows already in TaskRowSchema's shape: no marshmallow dump per row
        # (flask-smorest uses the schema for the documentation only)
        return json_response(page.of([plain_row(r, as_of) for r in rows], total))


@bp.route("/<id:task_id>")
class TaskDetail(MethodView):
    @bp.etag
    @bp.response(200, TaskSchema)
    def get(self, task_id: int):
        """One task; its ETag is the version a change must send back as If-Match."""
        user = api_user()
        return shown(bp, task_out(get_task(db.session, user, task_id), user, clock.now()))

    @bp.arguments(RescheduleSchema)
    @bp.etag
    @bp.response(200, TaskSchema)
    def patch(self, body, task_id: int):
        """Move an open task's due date, with the reason (coordinators and admins)."""
        return change(bp, task_id, lambda user, task, now: reschedule(
            db.session, user, task, body["due_on"], reason=body["reason"], now=now,
            expected_version=task.version))


@bp.route("/<id:task_id>/status")
class TaskStatus(MethodView):
    @bp.arguments(StatusChangeSchema)
    @bp.etag
    @bp.response(200, TaskSchema)
    def post(self, body, task_id: int):
        """Move the task along its workflow (start, submit; nil return where allowed)."""
        return change(bp, task_id, lambda user, task, now: change_status(
            db.session, user, task, body["status"], now=now, note=body["note"],
            expected_version=task.version, nil_return=body["nil_return"]), plain=True)


@bp.route("/<id:task_id>/history")
class TaskHistory(MethodView):
    @bp.response(200, UpdateSchema(many=True))
    def get(self, task_id: int):
        """The task's status changes, notes and submissions, oldest first, with evidence."""
        return get_task(db.session, api_user(), task_id).updates
