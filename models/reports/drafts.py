"""One call per document: gather the content, find the office's template, render the DOCX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from models.org.users import User
from models.reports.content import period_report
from models.reports.documents import (
    INSPECTION_NOTICE,
    PERIOD_REPORT,
    find_template,
    folder_name,
    render_docx,
    to_pdf,
)
from models.reports.inspection_notice import inspection_notice
from models.tasks.periods import ReportPeriod

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Draft:
    """A rendered document: its file name, bytes and the template it came from."""

    filename: str
    data: bytes
    template: Path
    mimetype: str = DOCX

    def as_pdf(self) -> Draft:
        """The same document converted by LibreOffice (PdfConverterMissing when absent)."""
        return Draft(str(Path(self.filename).with_suffix(".pdf")), to_pdf(self.data),
                     self.template, "application/pdf")


def period_report_docx(session: Session, user: User, plan_code: str, period: ReportPeriod,
                       as_of: date, *, home: Path | None = None, signer: str = "",
                       place: str = "") -> Draft:
    """The consolidated report of a plan for a period, as a DOCX draft."""
    report = period_report(session, user, plan_code, period, as_of, signer=signer, place=place)
    template = find_template(PERIOD_REPORT, home, report.plan_code, report.issuer.code)
    name = f"bao-cao-{folder_name(report.plan_code)}-{period.key}.docx"
    return Draft(name, render_docx(template, report.context()), template)


def inspection_notice_docx(session: Session, user: User, inspection_id: int, as_of: date, *,
                           home: Path | None = None, signer: str = "", place: str = "") -> Draft:
    """The conclusion notice of one inspection, as a DOCX draft."""
    notice = inspection_notice(session, user, inspection_id, as_of, signer=signer, place=place)
    plan_code = notice.plan_code or ""
    template = find_template(INSPECTION_NOTICE, home, plan_code, notice.issuer.code)
    name = f"thong-bao-ket-luan-{inspection_id}.docx"
    return Draft(name, render_docx(template, notice.context()), template)
