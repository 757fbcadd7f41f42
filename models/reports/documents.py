"""Rendering documents with docxtpl templates the office can replace, and PDF by LibreOffice.

Template lookup, first found wins (the folder names are the plan code with "/" written "-",
and the issuing body's agency code):

    $PLANWATCH_HOME/templates/<plan-code>/<name>.docx   templates/516-KH-TU/period-report.docx
    $PLANWATCH_HOME/templates/<body-code>/<name>.docx   templates/BTGDV/period-report.docx
    $PLANWATCH_HOME/templates/<name>.docx
    models/reports/templates/<name>.docx                the default shipped with planwatch
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docxtpl import DocxTemplate

from models.core.errors import N_, DomainError

DEFAULTS = Path(__file__).parent / "templates"
PERIOD_REPORT = "period-report.docx"
INSPECTION_NOTICE = "inspection-notice.docx"
SOFFICE_NAMES = ("soffice", "libreoffice")
PDF_TIMEOUT = 180  # seconds; LibreOffice's first start on a fresh profile takes a few


class PdfConverterMissing(DomainError):
    status = 503
    code = "report.pdf_unavailable"
    message = N_("LibreOffice is not installed here, so no PDF can be made; the DOCX is ready. "
                 "Install libreoffice-writer-nogui (Debian) to make PDFs.")


class PdfConversionFailed(DomainError):
    status = 500
    code = "report.pdf_failed"
    message = N_("LibreOffice could not convert the document to PDF: %(reason)s")


def folder_name(code: str) -> str:
    """A plan or agency code as a folder name: "516-KH/TU" → "516-KH-TU"."""
    return code.replace("/", "-").replace("\\", "-").strip(". ")


def template_candidates(name: str, home: Path | None, *codes: str) -> list[Path]:
    """Where `name` is looked for, in order (see the module docstring)."""
    out = []
    if home is not None:
        base = Path(home) / "templates"
        out += [base / folder_name(c) / name for c in codes if c]
        out.append(base / name)
    out.append(DEFAULTS / name)
    return out


def find_template(name: str, home: Path | None, *codes: str) -> Path:
    """The office's own template for this plan or body when there is one, else the default."""
    for path in template_candidates(name, home, *codes):
        if path.is_file():
            return path
    return DEFAULTS / name


def render_docx(template: Path, context: dict) -> bytes:
    """Fill the template with the context; the result is an ordinary DOCX."""
    doc = DocxTemplate(str(template))
    doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def soffice() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(docx: bytes, *, timeout: int = PDF_TIMEOUT) -> bytes:
    """Convert a DOCX to PDF with LibreOffice headless (its own profile, so runs can overlap)."""
    binary = soffice()
    if binary is None:
        raise PdfConverterMissing()
    with tempfile.TemporaryDirectory(prefix="planwatch-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        command = [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise PdfConversionFailed(reason=f"no answer in {timeout} s") from None
        target = work / "document.pdf"
        if done.returncode != 0 or not target.exists():
            reason = (done.stderr or done.stdout or f"exit status {done.returncode}").strip()
            raise PdfConversionFailed(reason=reason[-300:])
        return target.read_bytes()
