"""The Flask configuration, built from the one settings object (see `settings`)."""

from __future__ import annotations

from models.core.db import engine_options
from settings import Settings


class Config:
    """Flask's names for planwatch's settings, read once when the app is created."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings.from_env()
        # the SQLite file and the secret key live here: the owner only
        settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.PLANWATCH_SETTINGS = settings
        self.PLANWATCH_HOME = str(settings.home)
        self.PLANWATCH_NOW = settings.now  # None: the wall clock (webapp.clock)
        self.SQLALCHEMY_DATABASE_URI = settings.database_url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(settings.database_url)
        self.SECRET_KEY = settings.flask_secret_key()
        self.UPLOAD_FOLDER = str(settings.upload_folder)
        self.MAX_CONTENT_LENGTH = settings.max_upload
        self.BASE_URL = settings.base_url
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = settings.secure_cookies
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

