"""Extension requests: an officer asks for a later due date, a coordinator decides (If-Match)."""

import sqlalchemy as sa
from flask.views import MethodView

from models.core.access import agency_filter
from models.core.db import db
from models.tasks.entities import Task
from models.tasks.extensions import (
    ExtensionRequest,
    decide_extension,
    get_extension,
    request_extension,
    task_extensions,
)
from models.tasks.operations import get_task
from webapp import clock
from webapp.api.core import ApiBlueprint, Paging, VersionSchema, api_user
from webapp.api.extensions.schemas import (
    ETAG_HEADER,
    ExtensionAskSchema,
    ExtensionDecisionSchema,
    ExtensionPageSchema,
    ExtensionQueryArgsSchema,
    ExtensionSchema,
)

bp = ApiBlueprint("Extensions", __name__, "",
                  description="Extension requests (đề nghị điều chỉnh thời hạn) and decisions.")


@bp.route("/extensions")
class Extensions(MethodView):
    @bp.arguments(ExtensionQueryArgsSchema, location="query")
    @bp.response(200, ExtensionPageSchema)
    def get(self, args):
        """Extension requests the caller may see, newest first, a page at a time."""
        page = Paging.take(args)
        user = api_user()
        query = (sa.select(ExtensionRequest).join(Task, ExtensionRequest.task_id == Task.id)
                 .where(agency_filter(user, Task.agency_id)))
        if args.get("status"):
            query = query.where(ExtensionRequest.status == args["status"])
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by(ExtensionRequest.id.desc())
                                  .limit(page.size).offset(page.offset)).all()
        return page.of(rows, total)


@bp.route("/tasks/<id:task_id>/extensions")
class TaskExtensions(MethodView):
    @bp.response(200, ExtensionSchema(many=True))
    def get(self, task_id: int):
        """A task's extension requests, oldest first."""
        return task_extensions(db.session, get_task(db.session, api_user(), task_id))

    @bp.arguments(ExtensionAskSchema)
    @bp.response(201, ExtensionSchema, headers=ETAG_HEADER)
    def post(self, body, task_id: int):
        """Ask for a later due date, with the reasons, before the due date (the agency's
        officers)."""
        user = api_user()
        task = get_task(db.session, user, task_id)
        req = request_extension(db.session, user, task, due_on=body["due_on"],
                                reason=body["reason"], now=clock.now())
        db.session.commit()
        return bp.created(req)


@bp.route("/extensions/<id:request_id>")
class ExtensionDetail(MethodView):
    @bp.etag
    @bp.response(200, ExtensionSchema)
    def get(self, request_id: int):
        """One extension request; its ETag is what the decision sends back as If-Match."""
        req = get_extension(db.session, api_user(), request_id)
        bp.set_etag(req, VersionSchema)
        return req


@bp.route("/extensions/<id:request_id>/decision")
class ExtensionDecision(MethodView):
    @bp.arguments(ExtensionDecisionSchema)
    @bp.etag
    @bp.response(200, ExtensionSchema)
    def post(self, body, request_id: int):
        """Approve (the task's due date moves, the first one kept) or refuse with a reason
        (coordinators and admins)."""
        user = api_user()
        req = get_extension(db.session, user, request_id)
        bp.check_etag(req, VersionSchema)
        decide_extension(db.session, user, req, approve=body["decision"] == "approve",
                         note=body["note"], now=clock.now(), expected_version=req.version)
        db.session.commit()
        bp.set_etag(req, VersionSchema)
        return req
