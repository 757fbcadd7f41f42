"""Flask extensions, created here and bound to the app in `init_app`."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import joinedload

from models.core.db import db
from models.org.users import User

LOCALES = ("vi", "en")

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user named by the cookie, only while its session version is still current."""
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    # with its agency: every page's header names it (one round trip, not two)
    user = db.session.scalar(sa.select(User).where(User.id == uid)
                             .options(joinedload(User.agency)))
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def select_locale() -> str:
    """The language chosen in the page, else the user's or token owner's, else Vietnamese."""
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    api_user = g.get("api_user")  # an API call: the token owner's language
    if api_user is not None and api_user.locale in LOCALES:
        return api_user.locale
    return "vi"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
