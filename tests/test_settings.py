"""One settings object: read once from the environment (and a 0600 env file), then frozen."""

import dataclasses
import os
from datetime import UTC, datetime

import pytest

import settings as settings_module
from settings import Settings, SettingsError

SMTP = "mailtos://planwatch:s3cret-pw@smtp.example.gov.vn?from=planwatch@example.gov.vn"


def test_settings_are_frozen_and_keep_secrets_out_of_repr(tmp_path):
    s = Settings.from_env({"PLANWATCH_HOME": str(tmp_path), "PLANWATCH_SMTP_URL": SMTP,
                           "PLANWATCH_SECRET_KEY": "k3y-value"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.smtp_url = None
    assert s.smtp_url == SMTP and s.secret_key == "k3y-value"
    assert "s3cret-pw" not in repr(s) and "k3y-value" not in repr(s)


def test_defaults_live_under_the_home_folder(tmp_path):
    s = Settings.from_env({"PLANWATCH_HOME": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'planwatch.db'}"
    assert s.upload_folder == tmp_path / "uploads" and s.now is None
    assert s.base_url == "http://127.0.0.1:5000" and s.env_file is None
    assert Settings.from_env({"PLANWATCH_DATABASE_URL": "postgresql://u@h/db"}).database_url \
        == "postgresql+psycopg://u@h/db"


def test_now_is_an_iso_datetime_or_a_date(tmp_path):
    home = {"PLANWATCH_HOME": str(tmp_path)}
    assert Settings.from_env({**home, "PLANWATCH_NOW": "2025-10-01"}).now \
        == datetime(2025, 9, 30, 23, 0, tzinfo=UTC)  # 06:00 in Hà Nội
    assert Settings.from_env({**home, "PLANWATCH_NOW": "2025-10-01T09:00:00+00:00"}).now \
        == datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(SettingsError, match="PLANWATCH_NOW"):
        Settings.from_env({**home, "PLANWATCH_NOW": "tomorrow"})


def test_secrets_come_from_an_env_file_only_its_owner_reads(tmp_path):
    env_file = tmp_path / "planwatch.env"
    env_file.write_text(f"# mail\nPLANWATCH_SMTP_URL='{SMTP}'\nPLANWATCH_BASE_URL=https://a\n")
    env_file.chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        Settings.from_env({"PLANWATCH_HOME": str(tmp_path)})
    env_file.chmod(0o600)
    s = Settings.from_env({"PLANWATCH_HOME": str(tmp_path), "PLANWATCH_BASE_URL": "https://b"})
    assert s.smtp_url == SMTP and s.env_file == env_file
    assert s.base_url == "https://b"  # the process's own environment wins over the file
    assert s.public_env() == {"PLANWATCH_HOME": str(tmp_path), "PLANWATCH_BASE_URL": "https://b",
                              "PLANWATCH_ENV_FILE": str(env_file)}


def test_a_generated_secret_key_is_kept_private(tmp_path):
    s = Settings.from_env({"PLANWATCH_HOME": str(tmp_path / "home")})
    key = s.flask_secret_key()
    assert key == s.flask_secret_key() and len(key) == 64
    assert oct(os.stat(tmp_path / "home" / "secret_key").st_mode & 0o777) == "0o600"


def test_the_app_reads_the_environment_once_when_created(monkeypatch, tmp_path):
    from webapp import create_app

    reads = []
    original = Settings.from_env.__func__

    def counting(cls, environ=None):
        reads.append(1)
        return original(cls, environ)

    monkeypatch.setattr(settings_module.Settings, "from_env", classmethod(counting))
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("PLANWATCH_NOW", "2025-10-01")
    monkeypatch.setenv("PLANWATCH_BASE_URL", "https://planwatch.example.org")
    from models.core.db import Base, make_engine

    url = f"sqlite:///{tmp_path / 'app.db'}"  # the API's 401 is audited: the tables exist
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    monkeypatch.setenv("PLANWATCH_NOW", "2030-01-01")  # too late: the app has its settings
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/tasks").status_code == 401
    assert reads == [1]
    assert app.config["BASE_URL"] == "https://planwatch.example.org"
    assert app.config["PLANWATCH_NOW"] == datetime(2025, 9, 30, 23, 0, tzinfo=UTC)
    assert app.config["PLANWATCH_SETTINGS"].home == tmp_path
