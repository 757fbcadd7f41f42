"""GET /me and the caller's tokens (list, revoke)."""

from flask.views import MethodView

from models.core.db import db
from models.org.tokens import list_tokens, revoke_token
from webapp import clock
from webapp.api.core import ApiBlueprint, api_user
from webapp.api.me.schemas import MeSchema, TokenSchema

bp = ApiBlueprint("Me", __name__, "/me", description="The caller's account and API tokens.")


@bp.route("")
class Me(MethodView):
    @bp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to."""
        return api_user()


@bp.route("/tokens")
class MyTokens(MethodView):
    @bp.response(200, TokenSchema(many=True))
    def get(self):
        """The caller's API tokens (never their secrets)."""
        return list_tokens(db.session, api_user())


@bp.route("/tokens/<id:token_id>/revoke")
class RevokeToken(MethodView):
    @bp.response(200, TokenSchema)
    def post(self, token_id: int):
        """Revoke one of the caller's tokens (it stops working at once)."""
        token = revoke_token(db.session, api_user(), token_id, now=clock.now(), own_only=True)
        db.session.commit()
        return token
