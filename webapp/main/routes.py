"""Health check."""

import sqlalchemy as sa
from flask import jsonify

from models.core.db import db
from webapp.main import bp


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for gunicorn and the operator."""
    db.session.execute(sa.select(1))
    return jsonify(status="ok")
