"""GET/POST /inspections, GET /inspections/{id} (ETag), start, conclude, timeline."""

from flask.views import MethodView

from models.core.db import db
from models.oversight.entities import Inspection, InspectionStatus
from models.oversight.inspections import change_inspection_status, create_inspection, get_inspection
from models.oversight.queries import InspectionFilter, inspection_timeline, list_inspections
from webapp import clock
from webapp.api.core import ApiBlueprint, Paging, VersionSchema, api_user
from webapp.api.inspections.schemas import (
    ETAG_HEADER,
    ConcludeSchema,
    InspectionCreateSchema,
    InspectionPageSchema,
    InspectionQueryArgsSchema,
    InspectionSchema,
    StartSchema,
    TimelineEntrySchema,
)

bp = ApiBlueprint("Inspections", __name__, "/inspections",
                  description="Inspections and supervisions (kiểm tra, giám sát).")


@bp.route("")
class Inspections(MethodView):
    @bp.arguments(InspectionQueryArgsSchema, location="query")
    @bp.response(200, InspectionPageSchema)
    def get(self, args):
        """Inspections the caller may see, newest planned first, a page at a time."""
        page = Paging.take(args)
        rows, total = list_inspections(db.session, api_user(), InspectionFilter(**args),
                                       limit=page.size, offset=page.offset)
        return page.of(rows, total)

    @bp.arguments(InspectionCreateSchema)
    @bp.response(201, InspectionSchema, headers=ETAG_HEADER)
    def post(self, body):
        """Plan an inspection of one or more agencies (inspectors, coordinators, admins)."""
        inspection = create_inspection(db.session, api_user(), now=clock.now(), **body)
        db.session.commit()
        return bp.created(inspection)


@bp.route("/<id:inspection_id>")
class InspectionDetail(MethodView):
    @bp.etag
    @bp.response(200, InspectionSchema)
    def get(self, inspection_id: int):
        """One inspection; its ETag is the version a transition must send as If-Match."""
        inspection = get_inspection(db.session, api_user(), inspection_id)
        bp.set_etag(inspection, VersionSchema)
        return inspection


def transition(inspection_id: int, to_status: str, conclusion: str = "") -> Inspection:
    """Load, check If-Match, change status, commit, show the inspection."""
    user = api_user()
    inspection = get_inspection(db.session, user, inspection_id)
    bp.check_etag(inspection, VersionSchema)
    change_inspection_status(db.session, user, inspection, to_status, now=clock.now(),
                             conclusion=conclusion, expected_version=inspection.version)
    db.session.commit()
    bp.set_etag(inspection, VersionSchema)
    return inspection


@bp.route("/<id:inspection_id>/start")
class Start(MethodView):
    @bp.arguments(StartSchema, required=False)
    @bp.etag
    @bp.response(200, InspectionSchema)
    def post(self, body, inspection_id: int):
        """Start a planned inspection."""
        return transition(inspection_id, InspectionStatus.IN_PROGRESS)


@bp.route("/<id:inspection_id>/conclude")
class Conclude(MethodView):
    @bp.arguments(ConcludeSchema)
    @bp.etag
    @bp.response(200, InspectionSchema)
    def post(self, body, inspection_id: int):
        """Conclude a running inspection with its conclusion."""
        return transition(inspection_id, InspectionStatus.CONCLUDED, body["conclusion"])


@bp.route("/<id:inspection_id>/timeline")
class Timeline(MethodView):
    @bp.response(200, TimelineEntrySchema(many=True))
    def get(self, inspection_id: int):
        """Every audited step of the inspection, its findings, actions and files, in order."""
        user = api_user()
        return inspection_timeline(db.session, user, get_inspection(db.session, user,
                                                                    inspection_id))
