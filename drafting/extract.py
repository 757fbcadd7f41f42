"""The text of a plan document as paragraphs: plain text, DOCX and PDFs with a text layer."""

from __future__ import annotations

import io
import re
from pathlib import Path

from drafting.errors import DraftError

MAX_BYTES = 10 * 1024 * 1024
_HEADING = re.compile(r"^\s*(?:[IVX]+\s*[-.–]\s|\d+\.\s|[a-zđ]\)\s)")
_STRUCTURE = re.compile(r"^\s*(?:[IVX]+\s*[-.–]\s|\d+\.\s|[a-zđ]\)\s|[-–•]\s)")


def _from_text(data: bytes) -> list[str]:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DraftError("the text file is neither UTF-8 nor UTF-16")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _from_docx(data: bytes) -> list[str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise DraftError(f"not a readable DOCX file: {exc}") from None
    lines: list[str] = []
    for table in document.tables:  # the header block of many plans is a two-column table
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    lines += [p.text for p in document.paragraphs]
    return lines


def _from_pdf(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DraftError(f"not a readable PDF file: {exc}") from None
    raw = "\n".join(pages).replace("\r", "\n").split("\n")
    if not any(line.strip() for line in raw):
        raise DraftError("the PDF has no text layer (a scan?): drafting needs text")
    # A PDF breaks paragraphs into lines: join a line to the previous one when the previous
    # runs to the full width (it wrapped) without ending a sentence, and the line does not
    # start a numbered part, a section or a bullet.
    lengths = sorted(len(line.strip()) for line in raw if line.strip())
    full = lengths[int(len(lengths) * 0.9)] if lengths else 0
    lines: list[str] = []
    wrapped = False
    for line in raw:
        stripped = line.strip()
        if not stripped:
            lines.append("")
            wrapped = False
            continue
        # A heading's continuation starts in lower case; a capital after one is its first line.
        after_heading = bool(_HEADING.match(lines[-1])) if lines else False
        if (wrapped and lines and lines[-1] and not _STRUCTURE.match(stripped)
                and not re.search(r"[.:;!?]\s*$", lines[-1])
                and not (after_heading and stripped[0].isupper())):
            lines[-1] = lines[-1].rstrip() + " " + stripped
        else:
            lines.append(stripped)
        wrapped = len(stripped) >= 0.8 * full
    return lines


def document_lines(data: bytes, filename: str) -> list[str]:
    """The document's lines (paragraphs), by the file's kind (its name or its first bytes)."""
    if len(data) > MAX_BYTES:
        raise DraftError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    suffix = Path(filename).suffix.lower()
    if data[:5] == b"%PDF-" or suffix == ".pdf":
        return _from_pdf(data)
    if data[:2] == b"PK" or suffix == ".docx":
        return _from_docx(data)
    if suffix not in ("", ".txt", ".text", ".md"):
        raise DraftError(f"unsupported document type {suffix!r}: use .txt, .docx or .pdf")
    return _from_text(data)


def read_document(path: str | Path) -> list[str]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DraftError(f"cannot read {path}: {exc}") from None
    return document_lines(data, str(path))
