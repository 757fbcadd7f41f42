"""GET /audit-events: the hash-chained trail, newest first, for admins."""

import sqlalchemy as sa
from flask.views import MethodView

from models.core.audit import AuditEvent
from models.core.db import db
from models.core.errors import AuditAdminOnly
from models.org.users import Role
from webapp.api.audit.schemas import AuditPageSchema, AuditQueryArgsSchema
from webapp.api.core import ApiBlueprint, Paging, api_user

bp = ApiBlueprint("Audit", __name__, "/audit-events", description="The audit trail (admins).")


@bp.route("")
class AuditEvents(MethodView):
    @bp.arguments(AuditQueryArgsSchema, location="query")
    @bp.response(200, AuditPageSchema)
    def get(self, args):
        """Audit events, newest first, optionally for one action or entity."""
        if api_user().role != Role.ADMIN:
            raise AuditAdminOnly()
        page = Paging.take(args)
        query = sa.select(AuditEvent)
        for name in ("action", "entity_type", "entity_id"):
            if args.get(name):
                query = query.where(getattr(AuditEvent, name) == args[name])
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by(AuditEvent.id.desc())
                                  .limit(page.size).offset(page.offset)).all()
        return page.of(rows, total)
