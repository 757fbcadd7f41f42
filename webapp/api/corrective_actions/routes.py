"""Corrective actions: list, raise from a finding, read (ETag), lifecycle steps, history."""

from flask import current_app
from flask.views import MethodView

from models.core.clock import local_today
from models.core.db import db
from models.core.evidence import Upload
from models.oversight.corrective_actions import (
    change_action_status,
    extend_action,
    get_action,
    raise_action,
)
from models.oversight.entities import ActionStatus
from models.oversight.inspections import get_finding
from models.oversight.queries import ActionFilter, list_actions
from webapp import clock
from webapp.api.core import ApiBlueprint, Paging, VersionSchema, api_user
from webapp.api.corrective_actions.present import action_row, history_of
from webapp.api.corrective_actions.schemas import (
    ETAG_HEADER,
    ActionPageSchema,
    ActionQueryArgsSchema,
    ActionSchema,
    ActionSubmitSchema,
    ActionUpdateSchema,
    ExtendSchema,
    NoteSchema,
    RaiseSchema,
    ReopenSchema,
    VerifySchema,
)

bp = ApiBlueprint("CorrectiveActions", __name__, "",
                  description="Corrective actions an agency owes for a finding.")


@bp.route("/corrective-actions")
class Actions(MethodView):
    @bp.arguments(ActionQueryArgsSchema, location="query")
    @bp.response(200, ActionPageSchema)
    def get(self, args):
        """Corrective actions the caller may see, soonest due first, a page at a time."""
        page = Paging.take(args)
        user, now = api_user(), clock.now()
        rows, total = list_actions(db.session, user, ActionFilter(**args), local_today(now),
                                   limit=page.size, offset=page.offset)
        return page.of([action_row(a, user, now) for a in rows], total)


@bp.route("/findings/<id:finding_id>/corrective-actions")
class RaiseAction(MethodView):
    @bp.arguments(RaiseSchema)
    @bp.response(201, ActionSchema, headers=ETAG_HEADER)
    def post(self, body, finding_id: int):
        """Issue a corrective action from a finding (inspectors)."""
        user, now = api_user(), clock.now()
        finding = get_finding(db.session, user, finding_id)
        action = raise_action(db.session, user, finding, now=now, **body)
        db.session.commit()
        return bp.created(action, action_row(action, user, now))


@bp.route("/corrective-actions/<id:action_id>")
class ActionDetail(MethodView):
    @bp.etag
    @bp.response(200, ActionSchema)
    def get(self, action_id: int):
        """One corrective action; its ETag is what a step must send back as If-Match."""
        user = api_user()
        action = get_action(db.session, user, action_id)
        bp.set_etag(action, VersionSchema)
        return action_row(action, user, clock.now())


def change(action_id: int, operation) -> dict:
    """Load if visible, check If-Match, run `operation(user, action, now)`, commit, show."""
    user, now = api_user(), clock.now()
    action = get_action(db.session, user, action_id)
    bp.check_etag(action, VersionSchema)
    operation(user, action, now)
    db.session.commit()
    bp.set_etag(action, VersionSchema)
    return action_row(action, user, now)


def step(action_id: int, to_status: str, **kwargs) -> dict:
    """Move the action along its lifecycle."""
    return change(action_id, lambda user, action, now: change_action_status(
        db.session, user, action, to_status, now=now, expected_version=action.version,
        **kwargs))


@bp.route("/corrective-actions/<id:action_id>/start")
class Start(MethodView):
    @bp.arguments(NoteSchema, required=False)
    @bp.etag
    @bp.response(200, ActionSchema)
    def post(self, body, action_id: int):
        """The owning agency starts work on the action."""
        return step(action_id, ActionStatus.IN_PROGRESS, note=body["note"])


@bp.route("/corrective-actions/<id:action_id>/submit")
class Submit(MethodView):
    @bp.arguments(ActionSubmitSchema, location="multipart", required=False)
    @bp.etag
    @bp.response(200, ActionSchema)
    def post(self, body, action_id: int):
        """The owning agency submits its response: a note and/or evidence files."""
        uploads = [Upload(part.filename or "", part.stream) for part in body["files"]]
        return step(action_id, ActionStatus.SUBMITTED, note=body["note"], evidence=uploads,
                    folder=current_app.config["UPLOAD_FOLDER"])


@bp.route("/corrective-actions/<id:action_id>/verify")
class Verify(MethodView):
    @bp.arguments(VerifySchema, required=False)
    @bp.etag
    @bp.response(200, ActionSchema)
    def post(self, body, action_id: int):
        """An inspector verifies the fix (naming the follow-up inspection where required)."""
        return step(action_id, ActionStatus.VERIFIED, **body)


@bp.route("/corrective-actions/<id:action_id>/reopen")
class Reopen(MethodView):
    @bp.arguments(ReopenSchema)
    @bp.etag
    @bp.response(200, ActionSchema)
    def post(self, body, action_id: int):
        """An inspector sends the response back, saying what is still missing."""
        return step(action_id, ActionStatus.REOPENED, note=body["note"])


@bp.route("/corrective-actions/<id:action_id>/extend")
class Extend(MethodView):
    @bp.arguments(ExtendSchema)
    @bp.etag
    @bp.response(200, ActionSchema)
    def post(self, body, action_id: int):
        """An inspector extends the due date once, with a reason."""
        return change(action_id, lambda user, action, now: extend_action(
            db.session, user, action, now=now, expected_version=action.version, **body))


@bp.route("/corrective-actions/<id:action_id>/history")
class History(MethodView):
    @bp.response(200, ActionUpdateSchema(many=True))
    def get(self, action_id: int):
        """The action's steps, oldest first, with the evidence of each."""
        return history_of(db.session, get_action(db.session, api_user(), action_id))
