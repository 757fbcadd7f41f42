"""Schemas of extension requests (shared with the task page's forms: webapp/api/tasks/schemas)."""

from webapp.api.tasks.schemas import (  # noqa: F401
    ExtensionAskSchema,
    ExtensionDecisionSchema,
    ExtensionPageSchema,
    ExtensionQueryArgsSchema,
    ExtensionSchema,
)

ETAG_HEADER = {"ETag": {"description": "The request's version; send it back as If-Match.",
                        "schema": {"type": "string"}}}
