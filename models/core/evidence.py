"""Evidence files: checked for size and type, stored outside the web root under generated names."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from models.core.access import can_see_agency
from models.core.attachments import Attachment
from models.core.audit import record
from models.core.errors import (
    AttachmentMissingFromStorage,
    AttachmentNotFound,
    FileEmpty,
    FileHasNoName,
    FileTooLarge,
    FileTypeNotAccepted,
)
from models.org.users import User
from models.tasks.entities import TaskUpdate

MAX_BYTES = 20 * 1024 * 1024
# office documents, PDFs, images and archives that agencies attach to reports
ALLOWED = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class Upload:
    """A file as received from a form or the API."""

    filename: str
    stream: BinaryIO


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name or name in (".", ".."):
        raise FileHasNoName(field="file")
    return name[:255]


def store_evidence(
    session: Session,
    actor: User,
    upload: Upload,
    *,
    folder: str | Path,
    now: datetime,
    task_update: TaskUpdate | None = None,
    owner_type: str = "task_update",
    owner_id: int | None = None,
    agency_id: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> Attachment:
    """Check and store one file; nothing is kept when it is refused."""
    name = _safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise FileTypeNotAccepted(field="file", suffix=suffix or "(none)", allowed=allowed)
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(field="file", limit_mb=max_bytes // (1024 * 1024))
    if not data:
        raise FileEmpty(field="file")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (folder / stored).write_bytes(data)
    if task_update is not None:
        owner_id = task_update.id
        agency_id = task_update.task.agency_id
    attachment = Attachment(
        task_update=task_update, owner_type=owner_type, owner_id=owner_id, agency_id=agency_id,
        filename=name, stored_name=stored, content_type=ALLOWED[suffix], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id, uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    record(session, actor=actor, action="attachment.add", entity_type="attachment",
           entity_id=attachment.id, before=None,
           after={"filename": name, "size": len(data), "sha256": attachment.sha256,
                  "owner_type": owner_type, "owner_id": owner_id}, now=now)
    return attachment


def open_evidence(session: Session, user: User, attachment_id: int,
                  folder: str | Path) -> tuple[Attachment, Path]:
    """The attachment and its file, if the user may see the agency it belongs to."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not can_see_agency(user, attachment.agency_id):
        raise AttachmentNotFound(attachment_id=attachment_id)
    path = Path(folder) / attachment.stored_name
    if not path.is_file():
        raise AttachmentMissingFromStorage(attachment_id=attachment_id)
    return attachment, path
