"""Download the period report of a plan and an inspection's conclusion notice."""

from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, request, send_file
from flask_login import current_user

from models.core.db import db
from models.reports.drafts import Draft, inspection_notice_docx, period_report_docx
from models.tasks.periods import parse_period
from webapp.clock import today
from webapp.guards import roles_required
from webapp.reports import bp

WRITERS = ("coordinator", "admin")
NOTICE_WRITERS = ("coordinator", "inspector", "admin")


def _as_of():
    raw = request.args.get("as_of")
    if not raw:
        return today()
    from datetime import date

    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(422)


def _send(draft: Draft):
    if request.args.get("format") == "pdf":
        draft = draft.as_pdf()
    return send_file(io.BytesIO(draft.data), mimetype=draft.mimetype, as_attachment=True,
                     download_name=draft.filename, max_age=0)


def _home() -> Path:
    return Path(current_app.config["PLANWATCH_HOME"])


@bp.get("/period")
@roles_required(*WRITERS)
def period():
    """The consolidated report of ?plan= for ?period= (2026-03, 2026-Q1, …), as a DOCX draft."""
    plan_code = request.args.get("plan", "")
    chosen = parse_period(request.args.get("period", ""))
    return _send(period_report_docx(db.session, current_user, plan_code, chosen, _as_of(),
                                    home=_home(), signer=request.args.get("signer", "")))


@bp.get("/inspection/<int:inspection_id>")
@roles_required(*NOTICE_WRITERS)
def inspection(inspection_id: int):
    """The conclusion notice of an inspection, as a DOCX draft."""
    return _send(inspection_notice_docx(db.session, current_user, inspection_id, _as_of(),
                                        home=_home()))
