"""The inspection's conclusion notice ("Thông báo kết luận kiểm tra, giám sát"), as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from models.core.access import can_see_agency
from models.org.agencies import Agency
from models.org.users import User
from models.oversight.inspections import get_inspection
from models.reports.issuer import Issuer, issuer_of
from models.reports.oversight import (
    FindingLine,
    action_line,
    finding_line,
    status_sentence,
)
from models.reports.wording import DRAFT_MARK, INSPECTION_KIND_VI, day, plan_reference


@dataclass
class InspectionNotice:
    issuer: Issuer
    as_of: date
    subject: str
    intro: str
    conclusion: list[str]
    findings: list[FindingLine]
    actions_summary: list[str]
    closing: str
    recipients: list[str]
    plan_code: str | None = None

    def context(self) -> dict:
        return {
            "draft_mark": DRAFT_MARK, "issuer": self.issuer,
            "number": self.issuer.number("TB"),
            "date_line": f"{self.issuer.place}, ngày     tháng     năm {self.as_of.year}",
            "kind": "THÔNG BÁO", "subject": self.subject, "intro": self.intro,
            "conclusion": self.conclusion or ["[Nội dung kết luận do đoàn kiểm tra ghi.]"],
            "findings": self.findings or [FindingLine("Không có nội dung phát hiện.")],
            "actions_summary": self.actions_summary, "closing": self.closing,
            "recipients": self.recipients,
        }


def _body(inspection) -> Agency | None:
    plan = inspection.plan
    if plan is not None:
        return plan.coordinator or plan.issuer
    return None


def inspection_notice(session: Session, user: User, inspection_id: int, as_of: date, *,
                      body: Agency | None = None, signer: str = "",
                      place: str = "") -> InspectionNotice:
    """The notice of one inspection's conclusion, its findings and corrective actions."""
    inspection = get_inspection(session, user, inspection_id)
    body = body or _body(inspection)
    if body is None:  # an inspection outside any plan: the first inspected agency's superior
        first = inspection.agencies[0]
        body = first.parent or first
    issuer = issuer_of(body, signer=signer, place=place)
    tz = inspection.plan.timezone if inspection.plan else "Asia/Ho_Chi_Minh"
    kind = INSPECTION_KIND_VI.get(inspection.kind, inspection.kind)
    agencies = "; ".join(a.name_vi for a in inspection.agencies)
    span = ""
    if inspection.started_on:
        span = f", từ ngày {day(inspection.started_on)}"
        if inspection.concluded_on:
            span += f" đến ngày {day(inspection.concluded_on)}"
    about = f" về việc thực hiện {plan_reference(inspection.plan)}" if inspection.plan else ""
    findings = [f for f in inspection.findings if can_see_agency(user, f.agency_id)]
    actions = [a for f in findings for a in f.actions]
    return InspectionNotice(
        issuer=issuer, as_of=as_of,
        subject=f"kết luận {kind} đối với {agencies}",
        intro=(f"Thực hiện cuộc {kind} “{inspection.title}” đối với {agencies}{about}{span}, "
               f"{issuer.name} thông báo kết luận như sau:"),
        conclusion=[p.strip() for p in inspection.conclusion.splitlines() if p.strip()],
        findings=[FindingLine(finding_line(f, tz, with_inspection=False),
                              [action_line(a, as_of) for a in f.actions]) for f in findings],
        actions_summary=[status_sentence(actions, as_of)] if actions else [
            "Không có yêu cầu khắc phục."],
        closing=(f"Đề nghị {agencies} thực hiện các yêu cầu khắc phục nêu trên đúng thời hạn và "
                 f"gửi kết quả về {issuer.name}./." if actions else
                 f"Trên đây là thông báo kết luận {kind} của {issuer.name}./."),
        recipients=[*(f"- {a.name_vi} (để thực hiện)," for a in inspection.agencies),
                    f"- {issuer.archive}."],
        plan_code=inspection.plan.code if inspection.plan else None,
    )
