"""Files are judged by their content: what the name says must be what the bytes are."""

from __future__ import annotations

import io
import zipfile

import pytest

from models.core.sniff import content_matches


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
EXE = b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("suffix, data", [
    (".pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    (".png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 13),
    (".jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),
    (".docx", DOCX), (".xlsx", XLSX), (".odt", ODT), (".zip", _zip({"a.txt": b"a"})),
    (".doc", OLE2), (".xls", OLE2),
    (".txt", "Báo cáo tháng 3: đã hoàn thành.\n".encode()),
    (".csv", "\ufeffcơ quan;số\nBan TG&DV;3\n".encode()),
])
def test_genuine_files_are_accepted(suffix, data):
    assert content_matches(suffix, data)


@pytest.mark.parametrize("suffix, data", [
    (".pdf", EXE),  # an executable named .pdf
    (".png", HTML),  # a page named .png
    (".txt", HTML),
    (".docx", XLSX),  # a spreadsheet named .docx
    (".docx", _zip({"a.txt": b"a"})),
    (".odt", DOCX),
    (".jpg", b"%PDF-1.4"),
    (".txt", b"text\x00with a NUL"),
    (".csv", b"\xff\xfe\x00broken"),
    (".exe", EXE),
])
def test_files_that_are_not_what_their_name_says_are_refused(suffix, data):
    assert not content_matches(suffix, data)
