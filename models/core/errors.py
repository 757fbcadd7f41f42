"""Domain errors, each with a stable code and a message marked for translation where it is written.

An error kind is a subclass that names its `code` and its English `message` (the msgid, marked with
`N_` so Babel extracts it; `%(name)s` placeholders are filled from the details). The web and the API
translate by code: `DomainError.registry` maps every code to its class, and a test checks that each
has a Vietnamese translation.

    class ReportNeedsContent(InvalidInput):
        code = "task.report_needs_content"
        message = N_("Attach a file or write a note to submit a report.")

    raise ReportNeedsContent(field="note")
"""

from __future__ import annotations

from typing import ClassVar


def N_(message: str) -> str:
    """Mark a message for extraction by Babel; it is translated when shown (by its code)."""
    return message


class DomainError(Exception):
    """Base of every rule the domain refuses."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = ""
    message: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[DomainError]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if code:
            other = DomainError.registry.setdefault(code, cls)
            if other is not cls:
                raise TypeError(f"error code {code!r}: {other.__name__} and {cls.__name__}")

    def __init__(self, message: str | None = None, **details):
        text = message if message is not None else type(self).message
        super().__init__(fill(text, details))
        self.text = text  # the msgid, before placeholders are filled
        self.details = details
        self.message = fill(text, details)  # English, for logs and the CLI

    @property
    def field(self) -> str | None:
        """The input field the refusal is about, when there is one."""
        return self.details.get("field")

    def __str__(self) -> str:
        return fill(self.text, self.details)


def fill(text: str, details: dict) -> str:
    try:
        return text % details if details and "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class TransitionNotAllowed(DomainError):
    status = 409


class VersionConflict(DomainError):
    """The object changed since the caller read it (stale If-Match or form version)."""

    status = 412


class InvalidInput(DomainError):
    status = 422


# -- refusals every area shares ----------------------------------------------------------------


class RecordChanged(VersionConflict):
    code = "record.changed"
    message = N_("This was changed by someone else since you opened it. "
                 "Reload the page to see the change, then try again.")


class FieldRequired(InvalidInput):
    code = "input.required"
    message = N_("This field is required: %(field)s.")


class FieldNotANumber(InvalidInput):
    code = "input.not_a_number"
    message = N_("This field must be a number: %(field)s.")


class FieldNotNumbers(InvalidInput):
    code = "input.not_numbers"
    message = N_("This field must hold numbers: %(field)s.")


class FieldNotADate(InvalidInput):
    code = "input.not_a_date"
    message = N_("This field is not a date (dd/mm/yyyy): %(field)s.")


class UnknownValue(InvalidInput):
    code = "input.unknown_value"
    message = N_("Unknown value for %(field)s: %(value)s.")


class FileHasNoName(InvalidInput):
    code = "file.no_name"
    message = N_("The file has no name.")


class FileTypeNotAccepted(InvalidInput):
    code = "file.type_not_accepted"
    message = N_("Files of type %(suffix)s are not accepted (PDF, office documents, images, "
                 "text, CSV or ZIP).")


class FileTooLarge(InvalidInput):
    code = "file.too_large"
    message = N_("The file is larger than %(limit_mb)s MB.")


class FileEmpty(InvalidInput):
    code = "file.empty"
    message = N_("The file is empty.")


class FileContentMismatch(InvalidInput):
    code = "file.content_mismatch"
    message = N_("The file %(filename)s is not what its name says: its content is not a "
                 "%(suffix)s file.")


class TooManyFiles(InvalidInput):
    code = "file.too_many"
    message = N_("At most %(limit)s files may be sent at once.")


class NoStorageFolder(InvalidInput):
    code = "file.no_storage_folder"
    message = N_("No storage folder is set up for evidence files.")


class AttachmentNotFound(NotFound):
    code = "attachment.not_found"
    message = N_("This file does not exist.")


class AttachmentMissingFromStorage(NotFound):
    code = "attachment.missing_from_storage"
    message = N_("The file is missing from storage.")


class AuditAdminOnly(Forbidden):
    code = "audit.admin_only"
    message = N_("Only an administrator may read the audit trail.")


class BackupUnreadable(InvalidInput):
    code = "backup.unreadable"
    message = N_("This file is not a planwatch backup: %(reason)s")


class RestoreTargetNotEmpty(InvalidInput):
    code = "backup.target_not_empty"
    message = N_("The database to restore into already holds data (%(rows)s audit events); "
                 "restore into an empty database.")


class RestoreBackendMismatch(InvalidInput):
    code = "backup.backend_mismatch"
    message = N_("This backup is of a %(made)s database and cannot be restored into %(target)s.")
