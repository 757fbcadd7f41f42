"""Reports sent upward, as DOCX drafts (and PDF where LibreOffice is installed)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from webapp.reports import routes  # noqa: E402,F401
