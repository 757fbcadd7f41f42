"""Download the period report of a plan and an inspection's conclusion notice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from models.core.db import db
from models.org.agencies import Agency
from models.plans.entities import Plan
from models.reports.documents import DEFAULTS, find_template
from models.reports.drafts import Draft, inspection_notice_docx, period_report_docx
from models.reports.template_files import TEMPLATE_NAMES, install_template
from models.tasks.periods import parse_period
from webapp.clock import now, today
from webapp.guards import roles_required
from webapp.reports import bp

WRITERS = ("coordinator", "admin")
NOTICE_WRITERS = ("coordinator", "inspector", "admin")


def _as_of():
    raw = request.args.get("as_of")
    if not raw:
        return today()
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


@bp.get("/templates")
@roles_required("admin")
def templates():
    """Which template each plan and body uses, and the form to upload the office's own."""
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.code)).all()
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()
    home = _home()
    used = []
    for name in TEMPLATE_NAMES:
        used.append((name, "", find_template(name, home)))
        for p in plans:
            body = p.coordinator or p.issuer
            found = find_template(name, home, p.code, body.code if body else "")
            used.append((name, p.code, found))
    return render_template("reports/templates.html", plans=plans, agencies=agencies, used=used,
                           names=TEMPLATE_NAMES, defaults=DEFAULTS)


@bp.post("/templates")
@roles_required("admin")
def upload_template():
    """Store the uploaded template for the chosen plan or body."""
    upload = request.files.get("file")
    install_template(db.session, current_user, name=request.form.get("name", ""),
                     owner_code=request.form.get("owner", ""),
                     data=upload.read() if upload else b"", home=_home(), now=now())
    db.session.commit()
    return redirect(url_for("reports.templates"))


@bp.get("/templates/default/<name>")
@roles_required("admin")
def default_template(name: str):
    """The default template, to start the office's own from."""
    if name not in TEMPLATE_NAMES:
        abort(404)
    return send_file(DEFAULTS / name, as_attachment=True, download_name=name, max_age=0)
