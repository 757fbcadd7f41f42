"""Bearer-token authentication for the API: no cookies, so no CSRF."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import Unauthorized

from models.core.db import db
from models.org.tokens import TokenCache, authenticate_token
from webapp.clock import now


class TokenRequired(Unauthorized):
    description = "a valid API token is required: Authorization: Bearer <token>"

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", 'Bearer realm="api"')]


def token_cache() -> TokenCache:
    """This worker's cache of checked tokens (PLANWATCH_API_TOKEN_CACHE_SECONDS)."""
    cache = current_app.extensions.get("planwatch_token_cache")
    if cache is None:
        seconds = current_app.config["PLANWATCH_SETTINGS"].api_token_cache_seconds
        cache = current_app.extensions["planwatch_token_cache"] = TokenCache(seconds)
    return cache


def require_token() -> None:
    """Before every API request: find the user of the bearer token or refuse with 401."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer":
        user = authenticate_token(db.session, secret.strip(), now(), token_cache())
    if user is None:
        db.session.rollback()
        raise TokenRequired()
    if db.session.dirty:  # last_used_at moved (at most once a minute per token)
        db.session.commit()
    # else no commit: it would cost a round trip and expire the user, reloaded by the view
    g.api_user = user
