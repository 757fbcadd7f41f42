"""GET /agencies and /agencies/{id}: the directory every role may read."""

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from models.core.db import db
from models.org.agencies import Agency
from models.org.errors import AgencyNotFound
from webapp.api.agencies.schemas import AgencySchema
from webapp.api.core import ApiBlueprint

bp = ApiBlueprint("Agencies", __name__, "/agencies", description="Agencies and their groups.")


@bp.route("")
class Agencies(MethodView):
    @bp.response(200, AgencySchema(many=True))
    def get(self):
        """Every agency, by code."""
        query = sa.select(Agency).options(selectinload(Agency.groups), selectinload(Agency.parent))
        return db.session.scalars(query.order_by(Agency.code)).all()


@bp.route("/<id:agency_id>")
class AgencyDetail(MethodView):
    @bp.response(200, AgencySchema)
    def get(self, agency_id: int):
        """One agency."""
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            raise AgencyNotFound(agency_id=agency_id)
        return agency
