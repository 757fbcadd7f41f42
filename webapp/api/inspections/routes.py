"""GET/POST /inspections, GET /inspections/{id} (ETag), start, conclude, timeline."""

from flask.views import MethodView

from models.core.db import db
from models.oversight.entities import Inspection, InspectionStatus
from models.oversight.inspections import change_inspection_status, create_inspection, get_inspection
from models.oversight.queries import InspectionFilter, inspection_timeline, list_inspections
from webapp.api.core import (
    ApiBlueprint,
    api_user,
    expected_version,
    if_match_required,
    offset,
    page_of,
    utcnow,
)
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


def shown(inspection: Inspection, status: int = 200):
    return inspection, status, {"ETag": f'"{inspection.version}"'}


@bp.route("")
class Inspections(MethodView):
    @bp.arguments(InspectionQueryArgsSchema, location="query")
    @bp.response(200, InspectionPageSchema)
    def get(self, args):
        """Inspections the caller may see, newest planned first, a page at a time."""
        page = {k: args.pop(k) for k in ("page", "page_size")}
        rows, total = list_inspections(db.session, api_user(), InspectionFilter(**args),
                                       limit=page["page_size"], offset=offset(page))
        return page_of(rows, total, page)

    @bp.arguments(InspectionCreateSchema)
    @bp.response(201, InspectionSchema, headers=ETAG_HEADER)
    def post(self, body):
        """Plan an inspection of one or more agencies (inspectors, coordinators, admins)."""
        inspection = create_inspection(db.session, api_user(), now=utcnow(), **body)
        db.session.commit()
        return shown(inspection, 201)


@bp.route("/<id:inspection_id>")
class InspectionDetail(MethodView):
    @bp.response(200, InspectionSchema, headers=ETAG_HEADER)
    def get(self, inspection_id: int):
        """One inspection; its ETag is the version a transition must send as If-Match."""
        return shown(get_inspection(db.session, api_user(), inspection_id))


def transition(inspection_id: int, to_status: str, conclusion: str = ""):
    """Load, check If-Match, change status, commit, show the inspection."""
    user = api_user()
    inspection = get_inspection(db.session, user, inspection_id)
    version = expected_version(inspection.version)
    change_inspection_status(db.session, user, inspection, to_status, now=utcnow(),
                             conclusion=conclusion, expected_version=version)
    db.session.commit()
    return shown(inspection)


@bp.route("/<id:inspection_id>/start")
class Start(MethodView):
    @bp.arguments(StartSchema, required=False)
    @bp.response(200, InspectionSchema, headers=ETAG_HEADER)
    @bp.doc(parameters=[if_match_required()])
    def post(self, body, inspection_id: int):
        """Start a planned inspection."""
        return transition(inspection_id, InspectionStatus.IN_PROGRESS)


@bp.route("/<id:inspection_id>/conclude")
class Conclude(MethodView):
    @bp.arguments(ConcludeSchema)
    @bp.response(200, InspectionSchema, headers=ETAG_HEADER)
    @bp.doc(parameters=[if_match_required()])
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
