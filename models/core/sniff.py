"""Is a file what its name says? Judged by its content (magic bytes), not only by its extension.

puremagic names the family from the first bytes; the Office and OpenDocument formats, which are
all ZIP files, are then told apart by the entries inside; text must decode as UTF-8 and hold no
control characters. An executable named `.pdf` or a page of HTML named `.png` is refused.
"""

from __future__ import annotations

import io
import zipfile

import puremagic

# extension -> the extensions puremagic may report for a genuine file of that kind
FAMILIES = {
    ".pdf": {".pdf"},
    ".png": {".png"},
    ".jpg": {".jpg", ".jpeg", ".jfif", ".jpe"},
    ".jpeg": {".jpg", ".jpeg", ".jfif", ".jpe"},
    ".doc": {".doc"},
    ".xls": {".xls", ".doc"},  # OLE2 compound files look alike from their first bytes
}
ZIPPED = {".zip", ".docx", ".xlsx", ".odt", ".ods"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OPENDOCUMENT = {".odt": b"application/vnd.oasis.opendocument.text",
                ".ods": b"application/vnd.oasis.opendocument.spreadsheet"}
OOXML_PART = {".docx": "word/", ".xlsx": "xl/"}
TEXT = {".txt", ".csv"}
_CONTROL = {c for c in range(32) if chr(c) not in "\t\n\r\f"} | {127}


def _guesses(data: bytes) -> set[str]:
    try:
        return {m.extension.lower() for m in puremagic.magic_string(data)}
    except puremagic.PureError:
        return set()


def _zipped(suffix: str, data: bytes) -> bool:
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if suffix in OPENDOCUMENT:
                return "mimetype" in names and archive.read("mimetype") == OPENDOCUMENT[suffix]
            if suffix in OOXML_PART:
                return ("[Content_Types].xml" in names
                        and any(n.startswith(OOXML_PART[suffix]) for n in names))
            return True
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return False


def _text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if any(ord(c) in _CONTROL for c in text):
        return False
    head = text.lstrip()[:200].lower()
    return not head.startswith(("<!doctype html", "<html", "<script", "<svg"))


def content_matches(suffix: str, data: bytes) -> bool:
    """True when `data` is a file of the kind `suffix` names."""
    suffix = suffix.lower()
    if suffix in ZIPPED:
        return _zipped(suffix, data)
    if suffix in TEXT:
        return _text(data)
    if suffix in FAMILIES:
        return bool(_guesses(data) & FAMILIES[suffix])
    return False
