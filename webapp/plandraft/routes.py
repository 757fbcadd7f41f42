"""Drafting a plan from its document: upload, review beside the text, correct, import."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from ruamel.yaml.error import YAMLError

from drafting import DraftError, draft_document
from drafting.agencies import Directory
from drafting.extract import MAX_BYTES, document_lines
from drafting.render import grouped
from models.core.db import db
from models.org.agencies import Agency, AgencyGroup
from models.plans.entities import Plan
from models.tasks.generation import generate_tasks
from plan_items.importer import import_plan, validate_plan
from plan_items.loader import PlanFileError
from webapp.clock import now, today
from webapp.guards import current_actor, roles_required
from webapp.plandraft import bp
from webapp.plandraft.review import (
    CADENCES,
    HEADER_FIELDS,
    KINDS,
    Edited,
    apply_edits,
    due_text,
    load,
    problems_by_item,
)

EDITORS = ("coordinator", "admin")


@contextmanager
def _as_file(text: str, source: str = "draft"):
    """The plan text as a file named after its document, for the loader (FILE:LINE problems)
    and the import's audit record."""
    name = re.sub(r"[^\w.-]+", "_", os.path.basename(source or "draft"))[:100] or "draft"
    with tempfile.TemporaryDirectory(prefix="plan-draft-") as folder:
        path = os.path.join(folder, name + ".yaml")
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        yield path


def _check(edited: Edited, source: str) -> tuple[dict[int, list[str]], list[str], list[str] | None]:
    """Problems per item, general problems, and the difference against the imported plan."""
    by_item = {i: list(p) for i, p in edited.problems.items()}
    general: list[str] = []
    difference = None
    with _as_file(edited.text, source) as path:
        try:
            validate_plan(db.session, path)
        except PlanFileError as exc:
            found, general = problems_by_item(edited.text, edited.kept, exc.problems)
            for index, messages in found.items():
                by_item.setdefault(index, []).extend(messages)
        if not by_item and not general:
            code = load(edited.text)["plan"]["code"]
            if db.session.scalar(sa.select(Plan.id).where(Plan.code == str(code))):
                difference = import_plan(db.session, path, actor=current_actor(), now=now(),
                                         dry_run=True).lines
    return by_item, general, difference


def _render(edited: Edited, source: str, undecided: list[str], form=None, status=200):
    by_item, general, difference = _check(edited, source)
    tree = load(edited.text)
    items = {index: item for index, item in zip(edited.kept, tree["items"], strict=True)}
    # Every item of the draft (dropped ones too, so "drop" can be undone), with what was typed.
    base = load(request.form.get("base") or edited.text) if form is not None else tree
    rows = []
    for index, item in enumerate(base["items"]):
        current = items.get(index, item)
        rows.append({"index": index, "item": current, "dropped": index not in items,
                     "due": due_text(current.get("due")), "problems": by_item.get(index, [])})
    sections = []

    def walk(nodes, depth):
        for node in nodes or []:
            sections.append({"code": str(node["code"]), "title": node["title_vi"],
                             "text": node.get("text_vi") or "", "depth": depth})
            walk(node.get("sections"), depth + 1)

    walk(tree["sections"], 0)
    agencies = db.session.execute(sa.select(Agency.code, Agency.name_vi)
                                  .order_by(Agency.code)).all()
    groups = db.session.execute(sa.select(AgencyGroup.code, AgencyGroup.name_vi)
                                .order_by(AgencyGroup.code)).all()
    return render_template(
        "plandraft/review.html", plan=tree["plan"], header_fields=HEADER_FIELDS, rows=rows,
        sections=sections, base=request.form.get("base") if form is not None else edited.text,
        source=source, undecided=undecided, general=general, difference=difference,
        kinds=KINDS, cadences=CADENCES, agencies=agencies, groups=groups,
        ok=not by_item and not general, form=form or {}), status


@bp.get("/")
@roles_required(*EDITORS)
def upload_form():
    """Choose the plan's document (.txt, .docx or a PDF with text)."""
    return render_template("plandraft/upload.html", max_mb=MAX_BYTES // (1024 * 1024))


@bp.post("/")
@roles_required(*EDITORS)
def upload():
    """Draft the uploaded document and show the draft beside its text."""
    upload = request.files.get("document")
    if not upload or not upload.filename:
        flash(_("Choose the plan's document (.txt, .docx or .pdf)."), "error")
        return render_template("plandraft/upload.html",
                               max_mb=MAX_BYTES // (1024 * 1024)), 422
    try:
        lines = document_lines(upload.read(MAX_BYTES + 1), upload.filename)
        draft = draft_document(lines, Directory.from_session(db.session), today=today())
    except DraftError as exc:
        flash(_("This document cannot be drafted: %(reason)s", reason=str(exc)), "error")
        return render_template("plandraft/upload.html",
                               max_mb=MAX_BYTES // (1024 * 1024)), 422
    text = draft.to_yaml()
    edited = Edited(text, list(range(len(draft.items))))
    return _render(edited, upload.filename, grouped(draft.undecided))


@bp.post("/review")
@roles_required(*EDITORS)
def review():
    """Apply the corrections; check them as `plan validate` does; import when asked and valid."""
    base = request.form.get("base", "")
    source = request.form.get("source", "")
    undecided = request.form.getlist("undecided")
    try:
        edited = apply_edits(base, request.form)
    except (ValueError, TypeError, KeyError, AttributeError, YAMLError):  # not a draft
        flash(_("This form does not carry a plan draft: upload the document again."), "error")
        return redirect(url_for("plandraft.upload_form"))
    if request.form.get("action") != "import":
        return _render(edited, source, undecided, form=request.form)
    with _as_file(edited.text, source) as path:
        try:
            diff = import_plan(db.session, path, actor=current_actor(), now=now())
        except PlanFileError:
            db.session.rollback()
            return _render(edited, source, undecided, form=request.form, status=422)
        code = str(load(edited.text)["plan"]["code"])
        created = generate_tasks(db.session, through=today(), now=now(), actor=current_actor(),
                                 plan_code=code)
    db.session.commit()
    flash(_("Plan %(code)s imported: %(changes)d change(s), %(tasks)d task(s) created.",
            code=code, changes=len(diff.lines), tasks=sum(created.values())), "info")
    return redirect(url_for("dashboard.tasks", plan=code))
