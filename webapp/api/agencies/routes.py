"""GET /agencies and /agencies/{id}: the directory every role may read."""

from flask.views import MethodView

from models.core.access import get_visible
from models.core.db import db
from models.org.agencies import Agency, directory
from models.org.errors import AgencyNotFound
from webapp.api.agencies.schemas import AgencySchema
from webapp.api.core import ApiBlueprint, api_user, json_response

bp = ApiBlueprint("Agencies", __name__, "/agencies", description="Agencies and their groups.")


@bp.route("")
class Agencies(MethodView):
    @bp.response(200, AgencySchema(many=True))
    def get(self):
        """Every agency, by code."""
        return json_response(directory(db.session))  # already in AgencySchema's shape


@bp.route("/<id:agency_id>")
class AgencyDetail(MethodView):
    @bp.response(200, AgencySchema)
    def get(self, agency_id: int):
        """One agency."""
        return get_visible(db.session, Agency, agency_id, api_user(), AgencyNotFound)
