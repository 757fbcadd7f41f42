"""GET /notifications (admins, coordinators) and GET /me/notifications."""

from flask.views import MethodView

from models.core.db import db
from models.notify.queries import list_notifications
from webapp.api.core import ApiBlueprint, Paging, api_user
from webapp.api.notifications.schemas import NotificationPageSchema, NotificationQueryArgsSchema

bp = ApiBlueprint("Notifications", __name__, "",
                  description="Reminders and escalations in the outbox.")


def page(args: dict, own: bool) -> dict:
    """One page of the notifications the caller may see (or of their own)."""
    paging = Paging.take(args)
    rows, total = list_notifications(db.session, api_user(), status=args.get("status"),
                                     own=own, limit=paging.size, offset=paging.offset)
    return paging.of(rows, total)


@bp.route("/notifications")
class Notifications(MethodView):
    @bp.arguments(NotificationQueryArgsSchema, location="query")
    @bp.response(200, NotificationPageSchema)
    def get(self, args):
        """Every notification, newest first (admins and coordinators)."""
        return page(args, own=False)


@bp.route("/me/notifications")
class MyNotifications(MethodView):
    @bp.arguments(NotificationQueryArgsSchema, location="query")
    @bp.response(200, NotificationPageSchema)
    def get(self, args):
        """Notifications addressed to the caller, newest first."""
        return page(args, own=True)
