"""The issuing body as a Party document names it: header, number symbol, place, signature."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.org.agencies import Agency

# words a body's name repeats from its superior ("Ban Tuyên giáo và Dân vận Tỉnh uỷ" under
# "Tỉnh uỷ Cao Bằng" is written "BAN TUYÊN GIÁO VÀ DÂN VẬN" in the header)
_SUPERIOR_KINDS = ("Tỉnh uỷ", "Tỉnh ủy", "Thành uỷ", "Thành ủy", "Huyện uỷ", "Huyện ủy",
                   "Đảng uỷ", "Đảng ủy")


@dataclass
class Issuer:
    """What the header and the signature block say about the body that sends the document."""

    code: str
    name: str  # as written in sentences: "Ban Tuyên giáo và Dân vận Tỉnh uỷ"
    header_superior: str  # "TỈNH UỶ CAO BẰNG" (empty when the body has no superior)
    header_name: str  # "BAN TUYÊN GIÁO VÀ DÂN VẬN"
    symbol: str  # the part of the number after the kind: "BTGDVTU" in "Số 12-BC/BTGDVTU"
    place: str  # "Cao Bằng"
    authority: str  # "K/T TRƯỞNG BAN", "T/M BAN THƯỜNG VỤ" or ""
    title: str  # "PHÓ TRƯỞNG BAN"
    signer: str  # the signer's name; a placeholder until the office fills it
    archive: str  # the last recipient line: "Lưu Văn phòng Ban"
    extra: dict = field(default_factory=dict)

    def number(self, kind: str) -> str:
        """The number line with the number left blank for the clerk: "Số      -BC/BTGDVTU"."""
        return f"Số{' ' * 6}-{kind}/{self.symbol}"


def _strip_superior(name: str, superior: Agency | None) -> str:
    for word in _SUPERIOR_KINDS:
        if superior is not None and name.endswith(" " + word):
            return name[: -len(word) - 1]
    return name


def _place(superior: Agency | None, agency: Agency) -> str:
    for candidate in (superior, agency):
        if candidate is None:
            continue
        for word in _SUPERIOR_KINDS:
            if candidate.name_vi.startswith(word + " "):
                return candidate.name_vi[len(word) + 1:]
    return ""


def _signature(name: str) -> tuple[str, str, str]:
    """The signature lines a body of this kind uses (36-HD/VPTW, quyền hạn và chức vụ)."""
    lowered = name.lower()
    if lowered.startswith("ban thường vụ"):
        return "T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Lưu Văn phòng"
    if lowered.startswith(("ban ", "uỷ ban kiểm tra", "ủy ban kiểm tra")):
        head = "CHỦ NHIỆM" if lowered.startswith(("uỷ ban", "ủy ban")) else "TRƯỞNG BAN"
        return f"K/T {head}", f"PHÓ {head}", "Lưu Văn phòng Ban"
    if lowered.startswith(("đảng uỷ", "đảng ủy")):
        return "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Lưu Văn phòng"
    return "", "THỦ TRƯỞNG CƠ QUAN", "Lưu Văn phòng"


def issuer_of(agency: Agency, *, signer: str = "", place: str = "") -> Issuer:
    """The header and signature of documents `agency` issues, derived from its names."""
    superior = agency.parent
    short = _strip_superior(agency.name_vi, superior)
    symbol = agency.code.replace("-", "")
    if superior is not None and not symbol.endswith(superior.code):
        symbol += superior.code.replace("-", "")
    authority, title, archive = _signature(agency.name_vi)
    return Issuer(
        code=agency.code, name=agency.name_vi,
        header_superior=superior.name_vi.upper() if superior is not None else "",
        header_name=short.upper(), symbol=symbol, place=place or _place(superior, agency),
        authority=authority, title=title, signer=signer or "[Họ và tên người ký]",
        archive=archive)
