"""Alembic environment: works from `planwatch init`, from `flask db` and from tests."""

from __future__ import annotations

from alembic import context

import models  # noqa: F401  (registers every table)
from models.core.db import Base, make_engine
from settings import Settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url")
    if url:
        return url
    try:  # under Flask-Migrate
        from flask import current_app

        return current_app.extensions["migrate"].db.engine.url.render_as_string(
            hide_password=False
        )
    except (ImportError, RuntimeError, KeyError):
        return Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # batch mode lets SQLite alter tables by copying them
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
