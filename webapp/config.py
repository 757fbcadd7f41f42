"""Configuration from the environment, with defaults for the embedded (SQLite) setup."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from models.core.db import database_url, engine_options, planwatch_home


def _secret_key(home: Path) -> str:
    """PLANWATCH_SECRET_KEY, or a random key kept in the home folder across restarts."""
    key = os.environ.get("PLANWATCH_SECRET_KEY")
    if key:
        return key
    path = home / "secret_key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings read once when the app is created."""

    def __init__(self) -> None:
        home = planwatch_home()
        url = database_url()
        self.PLANWATCH_HOME = str(home)
        self.SQLALCHEMY_DATABASE_URI = url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(url)
        self.SECRET_KEY = _secret_key(home)
        self.UPLOAD_FOLDER = os.environ.get("PLANWATCH_UPLOADS", str(home / "uploads"))
        self.MAX_CONTENT_LENGTH = int(os.environ.get("PLANWATCH_MAX_UPLOAD", 20 * 1024 * 1024))
        self.BASE_URL = os.environ.get("PLANWATCH_BASE_URL", "http://127.0.0.1:5000")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("PLANWATCH_SECURE_COOKIES", "0") == "1"
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
        # login throttling counters: in memory for one process, redis:// for several workers
        self.RATELIMIT_STORAGE_URI = os.environ.get("PLANWATCH_RATELIMIT_STORAGE", "memory://")
