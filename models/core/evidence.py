"""Evidence files: checked for size and type, stored outside the web root under generated names.

A file is written first to `<upload folder>/.staging/` and moved into the upload folder only
when the session's transaction commits; when the transaction (or the savepoint it was staged
in) rolls back, or the session closes without committing, the staged file is deleted. So a
refused file in a multi-file report leaves neither the files before it nor their rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from models.core.access import get_visible
from models.core.actors import Actor
from models.core.attachments import Attachment
from models.core.audit import record
from models.core.errors import (
    AttachmentMissingFromStorage,
    AttachmentNotFound,
    FileContentMismatch,
    FileEmpty,
    FileHasNoName,
    FileTooLarge,
    FileTypeNotAccepted,
    TooManyFiles,
)
from models.core.sniff import content_matches
from models.org.users import User
from models.tasks.entities import TaskUpdate

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10  # evidence files in one submission, on the web form as on the API
STAGING = ".staging"  # under the upload folder, so the final move is a rename on one disk
_STAGED = "planwatch.staged_evidence"  # key in Session.info: files waiting for the commit
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


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, read into memory (at most MAX_BYTES)."""

    filename: str
    content_type: str
    data: bytes


def check_count(uploads: list, *, field: str = "files") -> None:
    """Refuse more than MAX_FILES files in one submission."""
    if len(uploads) > MAX_FILES:
        raise TooManyFiles(field=field, limit=MAX_FILES)


def check_upload(upload: Upload, *, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """Refuse a file without a name, of a type not accepted, too large, empty, or whose content
    is not what its extension says (`models.core.sniff`)."""
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
    if not content_matches(suffix, data):
        raise FileContentMismatch(field="file", filename=name, suffix=suffix)
    return CheckedFile(name, ALLOWED[suffix], data)


@dataclass(frozen=True)
class _Staged:
    staged: Path
    final: Path
    transaction: SessionTransaction  # the innermost transaction the file was staged in


def _stage(session: Session, folder: Path, stored: str, data: bytes) -> None:
    """Write the file under staging; it moves into `folder` when the transaction commits."""
    staging = folder / STAGING
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # evidence is for its readers only
    staging.mkdir(exist_ok=True, mode=0o700)
    path = staging / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    if isinstance(session, scoped_session):  # Flask-SQLAlchemy's db.session
        session = session()
    # called after a flush, so a transaction has begun
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_STAGED, []).append(_Staged(path, folder / stored, transaction))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _discard(entries: list[_Staged]) -> None:
    for entry in entries:
        entry.staged.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _move_staged(session: Session) -> None:
    """The outermost transaction committed: the staged files take their place."""
    if session.in_nested_transaction():  # a savepoint released: the outer one may still roll back
        return
    for entry in session.info.pop(_STAGED, []):
        try:
            os.replace(entry.staged, entry.final)
        except OSError:  # the row is committed; open_evidence still finds the staged copy
            log.exception("evidence %s committed but not moved into place", entry.final.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_staged(session: Session, previous_transaction: SessionTransaction) -> None:
    """A transaction or savepoint rolled back: the files staged inside it go."""
    entries = session.info.get(_STAGED)
    if not entries:
        return
    gone = [e for e in entries if _within(e.transaction, previous_transaction)]
    _discard(gone)
    session.info[_STAGED] = [e for e in entries if e not in gone]


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (closed): nothing staged survives."""
    if transaction.parent is None and not transaction.nested:
        _discard(session.info.pop(_STAGED, []))


def store_evidence(
    session: Session,
    actor: Actor,
    upload: Upload | CheckedFile,
    *,
    folder: str | Path,
    now: datetime,
    task_update: TaskUpdate | None = None,
    owner_type: str = "task_update",
    owner_id: int | None = None,
    agency_id: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> Attachment:
    """Check and stage one file with its row; the file is in place once the caller commits."""
    checked = upload if isinstance(upload, CheckedFile) else check_upload(upload,
                                                                           max_bytes=max_bytes)
    folder = Path(folder)
    stored = secrets.token_hex(16)
    if task_update is not None:
        owner_id = task_update.id
        agency_id = task_update.task.agency_id
    data = checked.data
    attachment = Attachment(
        task_update=task_update, owner_type=owner_type, owner_id=owner_id, agency_id=agency_id,
        filename=checked.filename, stored_name=stored, content_type=checked.content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    _stage(session, folder, stored, data)
    record(session, actor=actor, action="attachment.add", entity_type="attachment",
           entity_id=attachment.id, before=None,
           after={"filename": checked.filename, "size": len(data), "sha256": attachment.sha256,
                  "owner_type": owner_type, "owner_id": owner_id}, now=now)
    return attachment


def open_evidence(session: Session, user: User, attachment_id: int,
                  folder: str | Path) -> tuple[Attachment, Path]:
    """The attachment and its file, if the user may see the agency it belongs to."""
    attachment = get_visible(session, Attachment, attachment_id, user, AttachmentNotFound)
    path = Path(folder) / attachment.stored_name
    if not path.is_file():
        # committed while the move failed (or not yet committed, in the same transaction)
        path = Path(folder) / STAGING / attachment.stored_name
    if not path.is_file():
        raise AttachmentMissingFromStorage(attachment_id=attachment_id)
    return attachment, path
