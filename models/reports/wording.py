"""The words and number formats Vietnamese Party documents use (documents are Vietnamese only)."""

from __future__ import annotations

from datetime import date, datetime

from models.core.clock import DEFAULT_TZ, local_today
from models.oversight.entities import ActionStatus, InspectionKind, Severity
from models.plans.entities import Plan
from models.tasks.periods import Category

CATEGORY_VI = {
    Category.DONE_ON_TIME: "hoàn thành đúng hạn",
    Category.DONE_LATE: "hoàn thành quá hạn",
    Category.IN_PROGRESS: "đang thực hiện trong hạn",
    Category.OVERDUE: "quá hạn chưa hoàn thành",
    Category.NOT_DUE: "chưa đến hạn",
}
SEVERITY_VI = {
    Severity.OBSERVATION: "lưu ý",
    Severity.MINOR: "hạn chế, thiếu sót",
    Severity.MAJOR: "khuyết điểm, vi phạm",
}
ACTION_STATUS_VI = {
    ActionStatus.OPEN: "chưa thực hiện",
    ActionStatus.IN_PROGRESS: "đang thực hiện",
    ActionStatus.SUBMITTED: "đã gửi kết quả, chờ xác nhận",
    ActionStatus.VERIFIED: "đã xác nhận khắc phục",
    ActionStatus.REOPENED: "yêu cầu làm lại",
}
INSPECTION_KIND_VI = {InspectionKind.INSPECTION: "kiểm tra", InspectionKind.SUPERVISION: "giám sát"}
DRAFT_MARK = "DỰ THẢO"


def day(value: date | None) -> str:
    """A date as offices write it: 05/03/2026."""
    return value.strftime("%d/%m/%Y") if value else ""


def local_day(value: datetime | None, tz: str = DEFAULT_TZ) -> str:
    return day(local_today(value, tz)) if value else ""


def percent(rate: float | None) -> str:
    """85,7% (decimal comma); a dash when nothing is due."""
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')}%"


def plan_reference(plan: Plan) -> str:
    """"Kế hoạch số 516-KH/TU, ngày 18/8/2025 của Ban Thường vụ Tỉnh uỷ thực hiện Chỉ thị …"."""
    text = f"Kế hoạch số {plan.code}"
    if plan.issued_on:
        text += f", ngày {plan.issued_on.day}/{plan.issued_on.month}/{plan.issued_on.year}"
    if plan.issuer is not None:
        text += f" của {plan.issuer.name_vi}"
    rest = plan.title_vi
    if rest.lower().startswith("kế hoạch "):
        rest = rest[len("kế hoạch "):]
    return f"{text} {rest}".strip()


def names(items: list[str]) -> str:
    return "; ".join(items)
