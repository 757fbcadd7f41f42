"""planwatch's settings: read from the environment once, by whoever starts (web, CLI, flow run).

`Settings.from_env()` is the only code that reads `PLANWATCH_*` variables. The web app reads it
in `create_app`, a CLI command when it starts, a flow run when it starts; everything below
receives the frozen object. No Flask, no SQLAlchemy: models, webapp, cli and flows import it.

Secrets (the SMTP password inside `PLANWATCH_SMTP_URL`, `PLANWATCH_SECRET_KEY`, a database
password) come from the process's environment or from an env file readable by its owner only
(`$PLANWATCH_HOME/planwatch.env`, or `PLANWATCH_ENV_FILE`); the environment wins.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL_TZ = "Asia/Ho_Chi_Minh"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
DEFAULT_TOKEN_CACHE_SECONDS = 10.0  # a revoked token stops working within this
ENV_FILE_NAME = "planwatch.env"
# the names a deployed flow run may be handed in its job variables: none of them is a secret
PUBLIC_NAMES = ("PLANWATCH_HOME", "PLANWATCH_ENV_FILE", "PLANWATCH_BASE_URL")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def parse_instant(value: str, name: str = "time") -> datetime:
    """An ISO datetime, or a bare ISO date meaning 06:00 in Hà Nội (the morning run)."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 6, tzinfo=ZoneInfo(LOCAL_TZ))
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not an ISO date or datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(LOCAL_TZ))
    return parsed


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def read_env_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines (blank lines and `#` comments skipped) of a file only its owner reads."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(f"{path} holds secrets and is readable by others: chmod 600 {path}")
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip():
            raise SettingsError(f"{path}:{number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


@dataclass(frozen=True)
class Settings:
    """Every setting planwatch reads; secrets are left out of `repr`."""

    home: Path
    database_url: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    smtp_url: str | None = field(default=None, repr=False)
    now: datetime | None = None  # PLANWATCH_NOW: a fixed clock for the web app and the API
    upload_folder: Path | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    secret_key: str | None = field(default=None, repr=False)  # else kept in secret_key_file
    secret_key_file: Path | None = None
    ratelimit_storage: str = "memory://"  # redis://127.0.0.1:6379 shares counters
    secure_cookies: bool = False
    # how long a web worker trusts a bearer token it has checked (models/org/tokens.TokenCache)
    api_token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS
    env_file: Path | None = None  # the file secrets were read from, if any

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (and the env file under the home folder) once."""
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("PLANWATCH_HOME") or "instance").resolve()
        env_file = Path(env.get("PLANWATCH_ENV_FILE") or home / ENV_FILE_NAME)
        if env_file.is_file():
            env = {**read_env_file(env_file), **env}  # the process's own environment wins
        else:
            env_file = None
        url = env.get("PLANWATCH_DATABASE_URL") or f"sqlite:///{home / 'planwatch.db'}"
        now = env.get("PLANWATCH_NOW")
        try:
            max_upload = int(env.get("PLANWATCH_MAX_UPLOAD") or DEFAULT_MAX_UPLOAD)
        except ValueError:
            raise SettingsError("PLANWATCH_MAX_UPLOAD must be a number of bytes") from None
        try:
            token_cache = float(env.get("PLANWATCH_API_TOKEN_CACHE_SECONDS")
                                or DEFAULT_TOKEN_CACHE_SECONDS)
        except ValueError:
            raise SettingsError("PLANWATCH_API_TOKEN_CACHE_SECONDS must be a number") from None
        if not 0 <= token_cache <= 300:
            raise SettingsError("PLANWATCH_API_TOKEN_CACHE_SECONDS must be 0 to 300")
        return cls(
            home=home,
            database_url=normalise_database_url(url),
            base_url=(env.get("PLANWATCH_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            smtp_url=env.get("PLANWATCH_SMTP_URL") or None,
            now=parse_instant(now, "PLANWATCH_NOW") if now else None,
            upload_folder=Path(env.get("PLANWATCH_UPLOADS") or home / "uploads"),
            max_upload=max_upload,
            secret_key=env.get("PLANWATCH_SECRET_KEY") or None,
            secret_key_file=home / "secret_key",
            ratelimit_storage=env.get("PLANWATCH_RATELIMIT_STORAGE") or "memory://",
            secure_cookies=env.get("PLANWATCH_SECURE_COOKIES", "0") == "1",
            api_token_cache_seconds=token_cache,
            env_file=env_file,
        )

    def flask_secret_key(self) -> str:
        """PLANWATCH_SECRET_KEY, or a random key kept (0600) in the home folder across restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.secret_key_file or self.home / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(32))
        return path.read_text().strip()

    def public_env(self) -> dict[str, str]:
        """What a deployed flow run is handed: where to find its settings, never a secret."""
        values = {"PLANWATCH_HOME": str(self.home), "PLANWATCH_BASE_URL": self.base_url}
        if self.env_file is not None:
            values["PLANWATCH_ENV_FILE"] = str(self.env_file)
        return values
