"""GET/POST /inspections/{id}/findings and GET /findings/{id}."""

from flask.views import MethodView

from models.core.db import db
from models.oversight.inspections import get_finding, get_inspection, log_finding
from models.oversight.queries import visible_findings
from webapp import clock
from webapp.api.core import ApiBlueprint, VersionSchema, api_user
from webapp.api.findings.schemas import ETAG_HEADER, FindingCreateSchema, FindingSchema

bp = ApiBlueprint("Findings", __name__, "", description="What inspections found at agencies.")


@bp.route("/inspections/<id:inspection_id>/findings")
class Findings(MethodView):
    @bp.response(200, FindingSchema(many=True))
    def get(self, inspection_id: int):
        """The inspection's findings the caller may see (an officer: their agency's)."""
        user = api_user()
        inspection = get_inspection(db.session, user, inspection_id)
        return visible_findings(db.session, user, inspection=inspection)

    @bp.arguments(FindingCreateSchema)
    @bp.response(201, FindingSchema, headers=ETAG_HEADER)
    def post(self, body, inspection_id: int):
        """Log a finding of a running inspection at one of its agencies (inspectors)."""
        user = api_user()
        inspection = get_inspection(db.session, user, inspection_id)
        finding = log_finding(db.session, user, inspection, now=clock.now(), **body)
        db.session.commit()
        return bp.created(finding)


@bp.route("/findings/<id:finding_id>")
class FindingDetail(MethodView):
    @bp.etag
    @bp.response(200, FindingSchema)
    def get(self, finding_id: int):
        """One finding, if the caller may see its agency."""
        finding = get_finding(db.session, api_user(), finding_id)
        bp.set_etag(finding, VersionSchema)
        return finding
