"""An admin replaces a document template for a plan or a body, from the web, without code."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime
from pathlib import Path

from docxtpl import DocxTemplate
from sqlalchemy.orm import Session

from models.core.audit import record
from models.core.errors import N_, Forbidden, InvalidInput
from models.org.users import Role, User
from models.reports.documents import INSPECTION_NOTICE, PERIOD_REPORT, folder_name

TEMPLATE_NAMES = (PERIOD_REPORT, INSPECTION_NOTICE)


class TemplateForbidden(Forbidden):
    code = "report.template_forbidden"
    message = N_("Only an administrator may replace a document template.")


class TemplateNameUnknown(InvalidInput):
    code = "report.template_name_unknown"
    message = N_("Choose which document the template is for.")


class TemplateNotADocx(InvalidInput):
    code = "report.template_not_docx"
    message = N_("The file is not a Word document (.docx) that can serve as a template.")


def template_path(home: Path, name: str, owner_code: str = "") -> Path:
    """Where the template of `name` for a plan or body (or for all, with no code) is kept."""
    base = Path(home) / "templates"
    return (base / folder_name(owner_code) / name) if owner_code else base / name


def check_template(data: bytes) -> set[str]:
    """The names a DOCX template uses; refuses a file docxtpl cannot read as a template."""
    try:
        return set(DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables())
    except Exception as exc:  # a zip that is not a document, a broken tag, …
        raise TemplateNotADocx(field="file") from exc


def install_template(session: Session, actor: User, *, name: str, owner_code: str,
                     data: bytes, home: Path, now: datetime) -> Path:
    """Store the office's template where the lookup finds it first; audited."""
    if actor.role != Role.ADMIN:
        raise TemplateForbidden(role=actor.role)
    if name not in TEMPLATE_NAMES:
        raise TemplateNameUnknown(field="name")
    check_template(data)
    path = template_path(home, name, owner_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, path)  # a reader never sees half a file
    record(session, actor=actor, action="report.template_install", entity_type="report_template",
           entity_id=str(path.relative_to(Path(home)))[:64],
           before={"sha256": before} if before else None,
           after={"name": name, "owner": owner_code, "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()}, now=now)
    return path
