"""The API's errors: the documented body, and the handlers its blueprints register.

The body is the one every JSON answer of the app uses (`webapp.errors.error_response`).
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy.orm.exc import StaleDataError

from models.core.db import db
from models.core.errors import DomainError, Forbidden, NotFound, RecordChanged
from webapp.errors import audit_refusal, domain_json, error_response

__all__ = ["ErrorSchema", "error_response", "register_on"]


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    error = ma.fields.String(
        required=True,
        metadata={"description": "Stable name of the refusal: a domain code such as "
                                 "`task.report_needs_content`, or `http.<status name>` such as "
                                 "`http.not_found` for an error without a domain reason",
                  "example": "task.report_needs_content"},
    )
    message = ma.fields.String(
        required=True,
        metadata={"description": "What went wrong, in the caller's language (Vietnamese by "
                                 "default, the token owner's language otherwise)"},
    )
    errors = ma.fields.Dict(
        required=True,
        metadata={"description": "Field errors (request location → field → messages)"},
    )


def domain_error(error: DomainError):
    """A rule the domain refused, with its status (404, 403, 409, 412, 422); refused access is
    audited as on the pages, naming the token's owner."""
    db.session.rollback()
    if isinstance(error, NotFound | Forbidden):
        audit_refusal(error.status, error.message)
    return domain_json(error)


def stale_data(error: StaleDataError):
    """Someone else changed the row between our read and our write."""
    db.session.rollback()
    return domain_json(RecordChanged())


def register_on(bp) -> None:
    """Domain errors and lost updates in a resource's views, as JSON (HTTP errors: the app's)."""
    bp.register_error_handler(DomainError, domain_error)
    bp.register_error_handler(StaleDataError, stale_data)
