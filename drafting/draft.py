"""From a plan document's lines to a draft plan file (rules over the text; pure functions).

The rules, in the order they apply:
- structure: Roman-numbered parts ("II- NỘI DUNG"), numbered sections ("1. ..."), lettered
  sub-sections ("a) ..."); "-" bullets stay paragraphs of their section; "Nơi nhận" ends the body;
- header: "Số ..." (number), "..., ngày d tháng m năm y" (date), the title block under "KẾ HOẠCH",
  "<body> ban hành" in the preamble (issuer), the documents the title implements and the body cites;
- items: every sentence of a section outside "Mục đích, yêu cầu", cut at semicolons where the
  clauses are different kinds of duty; cadence words ("hằng tháng, quý, năm", "định kỳ 6 tháng",
  "hằng năm", "khi có yêu cầu"), deadlines ("trước ngày 30/9/2026"), duty verbs ("báo cáo",
  "gửi", "(qua ...)", "phối hợp với", "chỉ đạo", "xây dựng kế hoạch", "phân công ... phụ trách");
- bodies: the names and aliases of the database's agencies and groups; a section titled with
  bodies ("2. Ban Tuyên giáo và Dân vận Tỉnh uỷ") makes them the lead of its sentences; a
  sentence that names nobody ("Các cấp, các ngành ...") goes to every body the plan assigns.
Every guess carries a note (why, and how sure: sure / likely / guess) that becomes a comment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from drafting.agencies import Body, Directory, Mention
from drafting.errors import DraftError
from drafting.extract import read_document
from drafting.text import clauses, clean, fold, sentences

SURE, LIKELY, GUESS = "sure", "likely", "guess"

_ROMAN = re.compile(r"^([IVX]{1,5})\s*[-.–]\s*(\S.*)$")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_LETTERED = re.compile(r"^([a-zđ])\)\s+(\S.*)$")
_BULLET = re.compile(r"^[-–•+]\s*")
_END_OF_BODY = re.compile(r"^(nơi nhận|t/m |tm\.)", re.I)
_DOC_KINDS = {
    "chỉ thị": "directive", "nghị quyết": "resolution", "đề án": "scheme",
    "quy định": "regulation", "kế hoạch": "plan", "kết luận": "other", "quyết định": "other",
    "chương trình": "other", "hướng dẫn": "other", "thông báo": "other",
}
_DOC_REF = re.compile(
    r"(Chỉ thị|Nghị quyết|Đề án|Quy định|Kế hoạch|Kết luận|Quyết định|Chương trình|Hướng dẫn"
    r"|Thông báo) số (\d+[\w/\-]*\w)"
    r"(?:,?\s*ngày (\d{1,2})/(\d{1,2})/(\d{4}))?"
    r"(?:\s*của ([^,;.()]+?))?(?=\s+khoá|\s+khóa|\s+về\s|[,;.()]|$)"
    r"(?:\s+kho[áa] [IVXL]+)?"
    r"(?:\s+(về\s.+?))?(?=\s*\(sau đây|;|\.\s|\.$|\s+và\s+(?:Chỉ thị|Nghị quyết|Đề án|Quy định"
    r"|Kết luận|Quyết định) số|$)"
)
_TITLE_WORDS = ("KẾ HOẠCH", "CHƯƠNG TRÌNH HÀNH ĐỘNG", "CHƯƠNG TRÌNH", "ĐỀ ÁN", "CHỈ THỊ",
                "NGHỊ QUYẾT")
_CONTEXT_SECTION = re.compile(r"mục đích|yêu cầu|quan điểm|bối cảnh|tình hình", re.I)

# Cadence words.
_UNITS = {"tháng": "monthly", "quý": "quarterly", "6 tháng": "half_yearly",
          "sáu tháng": "half_yearly", "nửa năm": "half_yearly", "năm": "yearly"}
_UNIT_RE = r"(?:6 tháng|sáu tháng|nửa năm|tháng|quý|năm)"
_CADENCE_LIST = re.compile(
    r"(?<!\w)(?:hằng|hàng|định kỳ|báo cáo)\s+(" + _UNIT_RE + r"(?:\s*(?:,|và|hoặc)\s*"
    + _UNIT_RE + r"(?!\s+(?:nay|tới|sau|trước|\d)))*)(?!\w)")
_ON_REQUEST = re.compile(r"khi có yêu cầu|theo yêu cầu|đột xuất|báo cáo nhanh")
_DEADLINE = re.compile(
    r"(?:trước|chậm nhất|hoàn thành trước|xong trước)\s+(?:ngày\s+)?(\d{1,2})[/-](\d{1,2})"
    r"(?:[/-](\d{4}))?")
_DEADLINE_WORDS = re.compile(
    r"(?:trước|chậm nhất)\s+ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?")
_ONE_OFF = re.compile(
    r"(?:xây dựng|ban hành)(?: các)? (?:kế hoạch|quy định|quy chế|văn bản|đề án|chương trình "
    r"hành động)|sửa đổi, bổ sung|bổ sung chế độ|phân công .{0,60}phụ trách"
    r"|^(?:lãnh đạo, chỉ đạo )?(?:tổ chức )?quán triệt")
_DISSEMINATE = re.compile(r"^(?:lãnh đạo, chỉ đạo )?(?:tổ chức )?quán triệt")
_MAKE_PLAN = re.compile(r"^(?:và )?xây dựng kế hoạch")
_ROSTER = re.compile(r"kiện toàn đội ngũ|^thường xuyên rà soát")
_PROGRAMME = re.compile(r"chương trình.{0,80}giai đoạn \d{4}\s*-\s*\d{4}")
_GENERIC_SUBJECT = re.compile(
    r"(?:^|, )(?:các cấp, các ngành|các cấp|cấp uỷ, tổ chức đảng|các ngành|các cơ quan, đơn vị"
    r"|các đơn vị, địa phương|các địa phương)")
_NOT_A_DUTY = re.compile(r"^(?:xác định đây là|đây là|trong đó|nhằm )")
_REPORT_TRIGGER = re.compile(r"báo cáo(?!\s*viên)|gửi|\(qua|qua")
_SEPARATOR = re.compile(r"^[\s,()]*(?:và|\(qua|qua)?[\s,()]*$")

DEFAULT_DUE = {  # CHOICE: the plan sets no day (the seed's README examples)
    "monthly": {"rule": "day_of_last_month", "day": 20},
    "quarterly": {"rule": "day_of_last_month", "day": 20},
    "half_yearly": {"rule": "day_of_last_month", "day": 20},
    "yearly": {"rule": "month_day", "month": 12, "day": 15},
    "once": {"rule": "days_after_start", "days": 30},
}
_SUFFIX = {"monthly": "M", "quarterly": "Q", "half_yearly": "H", "yearly": "Y",
           "on_request": "REQ"}
_CADENCE_WORD = {"monthly": "hằng tháng", "quarterly": "hằng quý", "half_yearly": "6 tháng",
                 "yearly": "hằng năm", "on_request": "khi có yêu cầu"}
_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


@dataclass
class Note:
    field: str
    why: str
    sure: str

    def __str__(self) -> str:
        return f"{self.field} ({self.sure}): {self.why}"


@dataclass
class Section:
    code: str
    title_vi: str
    paragraphs: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    parent: Section | None = None

    @property
    def text_vi(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n" if self.paragraphs else ""

    def walk(self):
        yield self
        for child in self.sections:
            yield from child.walk()


@dataclass
class DraftItem:
    code: str
    section: str
    kind: str
    cadence: str
    text_vi: str  # the sentence (or clauses of it) the item comes from, verbatim
    title_vi: str
    lead: list[Body] = field(default_factory=list)
    exclude: list[Body] = field(default_factory=list)
    coordinating: list[Body] = field(default_factory=list)
    reports_to: list[Body] = field(default_factory=list)
    due: dict | None = None
    absorbs: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def parties(self, bodies: list[Body], exclude: list[Body] | None = None) -> dict:
        out = {"groups": [b.code for b in bodies if b.kind == "group"],
               "agencies": [b.code for b in bodies if b.kind == "agency"]}
        if exclude is not None:
            out["exclude"] = [b.code for b in exclude]
        return out

    def to_dict(self) -> dict:
        data = {"code": self.code, "section": self.section, "kind": self.kind,
                "title_vi": self.title_vi, "title_en": self.title_vi, "text_vi": self.text_vi,
                "lead": self.parties(self.lead, self.exclude)}
        if self.coordinating:
            data["coordinating"] = self.parties(self.coordinating)
        if self.reports_to:
            data["reports_to"] = [b.code for b in self.reports_to]
        data["cadence"] = self.cadence
        if self.due:
            data["due"] = dict(self.due)
        if self.absorbs:
            data["absorbs"] = list(self.absorbs)
        return data


@dataclass
class Draft:
    header: dict
    header_notes: list[Note]
    sections: list[Section]
    items: list[DraftItem]
    undecided: list[str]

    def section_codes(self) -> list[tuple[str, str]]:
        return [(s.code, s.title_vi) for top in self.sections for s in top.walk()]

    def to_dict(self) -> dict:
        def sec(s: Section) -> dict:
            return {"code": s.code, "title_vi": s.title_vi, "text_vi": s.text_vi,
                    "sections": [sec(c) for c in s.sections]}
        return {"format": "planwatch/plan@1", "plan": dict(self.header),
                "sections": [sec(s) for s in self.sections],
                "items": [i.to_dict() for i in self.items]}

    def to_yaml(self) -> str:
        from drafting.render import render

        return render(self)


# ------------------------------------------------------------------------------ structure

def _split_header_body(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(header lines, body lines, closing lines), cleaned, blank lines dropped."""
    cleaned = [clean(line) for line in lines]
    cleaned = [line for line in cleaned if line]
    first_part = next((i for i, line in enumerate(cleaned) if _ROMAN.match(line)
                       and _ROMAN.match(line).group(1) == "I"), None)
    if first_part is None:
        raise DraftError("no part numbered 'I-' or 'I.' found: is this a plan document?")
    end = next((i for i in range(first_part, len(cleaned)) if _END_OF_BODY.match(cleaned[i])),
               len(cleaned))
    return cleaned[:first_part], cleaned[first_part:end], cleaned[end:]


def parse_sections(body: list[str]) -> list[Section]:
    parts: list[Section] = []
    current: Section | None = None
    for line in body:
        roman = _ROMAN.match(line)
        if roman and (roman.group(2).isupper() or len(roman.group(2)) < 120):
            current = Section(roman.group(1), roman.group(2).strip())
            parts.append(current)
            continue
        if current is None:
            continue
        numbered = _NUMBERED.match(line)
        if numbered and len(numbered.group(2)) < 250 and not numbered.group(2).endswith("."):
            part = current if current.parent is None else current.parent
            while part.parent is not None:
                part = part.parent
            current = Section(f"{part.code}.{numbered.group(1)}", numbered.group(2).strip(),
                              parent=part)
            part.sections.append(current)
            continue
        lettered = _LETTERED.match(line)
        if lettered and current.parent is not None:
            numbered_section = current if current.parent.parent is None else current.parent
            title, _, rest = lettered.group(2).partition(": ")
            current = Section(f"{numbered_section.code}.{lettered.group(1)}", title.strip(),
                              parent=numbered_section)
            numbered_section.sections.append(current)
            if rest.strip():
                current.paragraphs.append(rest.strip())
            continue
        current.paragraphs.append(line)
    return parts


# ------------------------------------------------------------------------------ header

def _date(day, month, year) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


def documents_in(text: str) -> list[dict]:
    out = []
    for m in _DOC_REF.finditer(text):
        doc = {"code": m.group(2)[:64], "kind": _DOC_KINDS[m.group(1).lower()]}
        if m.group(6):
            doc["issuer_vi"] = m.group(6).strip()
        issued = _date(m.group(3), m.group(4), m.group(5))
        if issued:
            doc["issued_on"] = issued
        if m.group(7):
            doc["title_vi"] = m.group(7).strip().rstrip(",;")
        out.append(doc)
    return out


def parse_header(header: list[str], body_text: str, closing: list[str],
                 directory: Directory, today: dt.date | None = None,
                 ) -> tuple[dict, list[Note], list[str]]:
    notes: list[Note] = []
    undecided: list[str] = []
    joined = " ".join(header)
    out: dict = {}
    number = re.search(r"Số[:\s]+(\d+[\w/\-]*\w)", joined)
    if number:
        out["code"] = number.group(1)[:64]
        notes.append(Note("code", f"'Số {number.group(1)}' in the opening lines", SURE))
    else:
        out["code"] = "DRAFT"
        undecided.append("plan.code: no 'Số ...' line in the opening lines")
    issued = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", joined)
    issued_on = _date(*issued.groups()) if issued else None
    if issued_on:
        out["issued_on"] = issued_on
        notes.append(Note("issued_on", f"'{issued.group(0)}' in the opening lines", SURE))
    else:
        undecided.append("plan.issued_on: no 'ngày ... tháng ... năm ...' in the opening lines")
    # The title: the document-kind line ("KẾ HOẠCH") and the lines under it, up to the rule
    # line or the preamble.
    title_at = next((i for i, line in enumerate(header) if line.upper() == line
                     and line.strip(" *") in _TITLE_WORDS), None)
    preamble: list[str] = []
    if title_at is not None:
        words = [header[title_at].capitalize()]
        for line in header[title_at + 1:]:
            if set(line) <= set("-_*=. ") or re.match(r"^(Thực hiện|Căn cứ)\b", line):
                break
            words.append(line)
        out["title_vi"] = clean(" ".join(words))
        preamble = header[title_at + len(words):]
        notes.append(Note("title_vi", f"the lines under '{header[title_at]}'", SURE))
    else:
        out["title_vi"] = header[-1] if header else out["code"]
        undecided.append("plan.title_vi: no 'KẾ HOẠCH' title block found")
    out["title_en"] = out["title_vi"]
    undecided.append("plan.title_en and every item's title_en: not translated (copied from"
                     " the Vietnamese)")
    preamble_text = " ".join(line for line in preamble if not set(line) <= set("-_*=. "))
    # The issuer: "<body> ban hành Kế hoạch" in the preamble; else the signature ("T/M ...").
    issuer = None
    folded = fold(preamble_text)
    at = folded.find(" ban hành")
    if at > 0:
        before = [m for m in directory.mentions(folded[:at]) if m.end >= at - 12]
        if before:
            issuer = before[-1].body
            notes.append(Note("issuer", f"'{before[-1].name} ... ban hành' in the preamble",
                              LIKELY))
    if issuer is None:
        for line in closing:
            if line.upper().startswith(("T/M", "TM.")):
                found = directory.mentions(fold(line[3:]))
                if found:
                    issuer = found[0].body
                    notes.append(Note("issuer", f"the signature '{line}'", GUESS))
                    break
    if issuer is not None and issuer.kind == "agency":
        out["issuer"] = issuer.code
    else:
        undecided.append("plan.issuer: no known agency 'ban hành' the plan")
    implements = documents_in(out["title_vi"]) or documents_in(preamble_text)
    out["implements"] = implements[:3]
    if implements:
        notes.append(Note("implements", "the documents the title says it implements", LIKELY))
    known = {d["code"] for d in implements} | {out["code"]}
    cites: list[dict] = []
    for doc in documents_in(body_text):
        if doc["code"] not in known:
            known.add(doc["code"])
            cites.append(doc)
    out["cites"] = cites
    # Dates the text does not give.
    if issued_on:
        month = issued_on.replace(day=1)
        out["starts_on"] = (month + dt.timedelta(days=32)).replace(day=1)
        notes.append(Note("starts_on", "the text sets no start: the first day of the month after"
                                       " issue (CHOICE)", GUESS))
    else:
        if today is None:
            raise DraftError("no 'ngày ... tháng ... năm ...' date in the opening lines,"
                             " and no day given to start the plan from")
        out["starts_on"] = today.replace(day=1)
    undecided.append("plan.starts_on: the text sets no start date")
    years = [int(y) for y in re.findall(r"giai đoạn \d{4}\s*-\s*(\d{4})", body_text)]
    years = [y for y in years if not issued_on or y >= issued_on.year]
    if years:
        out["ends_on"] = dt.date(max(years), 12, 31)
        notes.append(Note("ends_on", f"the latest period the text names ends in {max(years)}",
                          GUESS))
    undecided.append("plan.ends_on: the text sets no end date")
    return out, notes, undecided


# ------------------------------------------------------------------------------ items

@dataclass
class _Clause:
    text: str  # verbatim
    folded: str
    kind: str
    cadences: list[str]
    why: list[Note]
    flags: set[str] = field(default_factory=set)


def _cadences(folded: str) -> list[str]:
    found: list[str] = []
    for m in _CADENCE_LIST.finditer(folded):
        for unit in re.findall(_UNIT_RE, m.group(1)):
            cadence = _UNITS[unit]
            if cadence not in found:
                found.append(cadence)
    return sorted(found, key=lambda c: _MONTHS[c])


def _deadline(folded: str, year_hint: int | None) -> tuple[dt.date | None, tuple | None]:
    m = _DEADLINE.search(folded) or _DEADLINE_WORDS.search(folded)
    if not m:
        return None, None
    day, month, year = m.groups()
    return _date(day, month, year or year_hint), (m.group(0), year is None)


def _recipients(folded: str, mentions: list[Mention], start: int = 0,
                end: int | None = None) -> list[tuple[Mention, str]]:
    """Bodies listed right after 'báo cáo', 'gửi' or '(qua', with the word that led to them."""
    end = len(folded) if end is None else end
    out: list[tuple[Mention, str]] = []
    for trigger in _REPORT_TRIGGER.finditer(folded, start, end):
        position = trigger.end()
        word = trigger.group(0)
        for mention in mentions:
            if mention.start < position or mention.start >= end:
                continue
            gap = folded[position:mention.start]
            if not _SEPARATOR.match(gap):
                break
            if mention not in [m for m, _ in out]:
                out.append((mention, "(qua" if "qua" in gap else word))
            position = mention.end
    return out


def _classify(text: str) -> _Clause:
    folded = fold(text)
    why: list[Note] = []
    cadences = _cadences(folded)
    clause = _Clause(text, folded, "standing_duty", [], why)
    if _PROGRAMME.search(folded):
        clause.kind = "programme"
        why.append(Note("kind", "names a programme with its period ('chương trình ... giai đoạn')",
                        LIKELY))
        return clause
    if _ONE_OFF.search(folded):
        m = _ONE_OFF.search(folded)
        clause.kind, clause.cadences = "one_off", ["once"]
        if _DISSEMINATE.search(folded):
            clause.flags.add("disseminate")
        if _MAKE_PLAN.search(folded):
            clause.flags.add("make_plan")
        why.append(Note("kind", f"'{m.group(0)}' produces something once", LIKELY))
        return clause
    if cadences and not re.search(r"báo cáo|gửi", folded):
        clause.kind = "annual_duty"
        clause.cadences = cadences
        why.append(Note("cadence", f"'{_CADENCE_LIST.search(folded).group(0)}'", SURE))
        return clause
    if _ROSTER.search(folded):
        clause.kind, clause.cadences = "annual_duty", ["yearly"]
        why.append(Note("cadence", "a regular review of a roster ('"
                        + _ROSTER.search(folded).group(0)
                        + "'): tracked yearly; the text says no period", GUESS))
        return clause
    return clause


def _mergeable(previous: _Clause, clause: _Clause) -> bool:
    if previous.kind == clause.kind == "standing_duty":
        return True
    # The roll-out duty: "Tổ chức quán triệt ...; xây dựng kế hoạch cụ thể hoá ...".
    return "disseminate" in previous.flags and "make_plan" in clause.flags


def _units(sentence: str) -> list[list[_Clause]]:
    """The sentence's clauses grouped into the units that become items."""
    groups: list[list[_Clause]] = []
    for text in clauses(sentence):
        clause = _classify(text)
        folded = clause.folded
        is_report = bool(re.search(r"báo cáo|gửi", folded)) and (
            "báo cáo nhanh" in folded or re.search(r"định kỳ|hằng|khi có yêu cầu", folded)
            or re.search(r"(?:báo cáo|gửi)\s+(?:ban|uỷ ban|thường trực|đảng uỷ|sở)", folded))
        if is_report:
            clause.kind = "report"
        if groups and clause.kind != "report" and groups[-1][-1].kind != "report" \
                and _mergeable(groups[-1][-1], clause):
            groups[-1].append(clause)
        else:
            groups.append([clause])
    return groups


@dataclass
class _Context:
    directory: Directory
    assignees: list[Body]
    coordinator: Body | None
    year_hint: int | None
    undecided: list[str]


def _section_bodies(section: Section, directory: Directory) -> list[Body]:
    """The bodies a section's title consists of ("Ban Tuyên giáo và Dân vận Tỉnh uỷ")."""
    folded = fold(section.title_vi)
    mentions = directory.mentions(folded)
    if not mentions:
        return []
    rest = folded
    for m in reversed(mentions):
        rest = rest[:m.start] + rest[m.end:]
    return [m.body for m in mentions] if re.fullmatch(r"[\s,;.và]*", rest) else []


def _lead_of(section: Section, ctx: _Context) -> tuple[list[Body], Note]:
    node: Section | None = section
    while node is not None:
        bodies = _section_bodies(node, ctx.directory)
        if bodies:
            return bodies, Note("lead", f"section {node.code} is titled '{node.title_vi}'",
                                LIKELY)
        node = node.parent
    return list(ctx.assignees), Note(
        "lead", "the sentence names no body: every body section "
        "'Tổ chức thực hiện' assigns work to", GUESS)


def _title(text: str, limit: int = 150) -> str:
    text = text.rstrip(" ;.")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;")
    return cut + " …"


def _items_of_section(section: Section, ctx: _Context, counter: list[int]) -> list[DraftItem]:
    directory = ctx.directory
    section_lead, section_note = _lead_of(section, ctx)
    items: list[DraftItem] = []
    prefix = section.code.replace(".", "").upper()
    for paragraph in section.paragraphs:
        text = _BULLET.sub("", paragraph) if _BULLET.match(paragraph) else paragraph
        bullet_lead: list[Body] = []
        bullet_note: Note | None = None
        bullet_directed: list[Body] = []
        head, colon, rest = text.partition(": ")
        if colon and len(head) < 120:
            head_bodies = _section_bodies(Section("x", head), directory)
            if head_bodies:
                bullet_lead = head_bodies
                bullet_note = Note("lead", f"the item starts '{head}:'", SURE)
        for sentence in sentences(text):
            if _NOT_A_DUTY.search(fold(sentence)):
                continue
            for unit in _units(sentence):
                verbatim = " ".join(c.text for c in unit)
                folded = fold(verbatim)
                mentions = directory.mentions(folded)
                notes = [n for c in unit for n in c.why]
                # lead
                if bullet_lead:
                    lead, lead_note = list(bullet_lead), bullet_note
                elif mentions and mentions[0].start == 0 and not _recipients(folded, mentions[:1]):
                    subject = [mentions[0]]
                    for m in mentions[1:]:
                        if _SEPARATOR.match(folded[subject[-1].end:m.start]):
                            subject.append(m)
                        else:
                            break
                    lead = [m.body for m in subject]
                    lead_note = Note("lead", "the sentence's subject: "
                                     + ", ".join(f"'{m.name}'" for m in subject), LIKELY)
                elif _GENERIC_SUBJECT.search(folded) and not _section_bodies(section, directory) \
                        and section_lead == ctx.assignees:
                    lead, lead_note = list(ctx.assignees), Note(
                        "lead", f"'{_GENERIC_SUBJECT.search(folded).group(0).strip(', ')}' = every"
                        " body section 'Tổ chức thực hiện' assigns work to", GUESS)
                else:
                    lead, lead_note = list(section_lead), section_note
                lead = directory.covered(lead)
                # coordinating: "phối hợp (chặt chẽ) với X", "chỉ đạo X"
                coordinating: list[Body] = []
                for m in mentions:
                    before = folded[max(0, m.start - 30):m.start]
                    if re.search(r"(?:phối hợp(?: chặt chẽ)? với|chỉ đạo)\s*$", before):
                        if m.body not in lead and m.body not in coordinating:
                            coordinating.append(m.body)
                if bullet_lead and coordinating and not bullet_directed:
                    bullet_directed = list(coordinating)
                for body in bullet_directed:
                    if body not in coordinating:
                        coordinating.append(body)
                if coordinating:
                    notes.append(Note("coordinating", "named after 'phối hợp với' or"
                                      " 'chỉ đạo'" + (" in this item" if bullet_lead else ""),
                                      LIKELY))
                counter[0] += 1
                base = f"{prefix}-{counter[0]:02d}"
                items += _make_items(base, section, unit, verbatim, folded, mentions, lead,
                                     [lead_note] + notes, coordinating, ctx)
    return items


def _make_items(base, section, unit, verbatim, folded, mentions, lead, notes, coordinating,
                ctx: _Context) -> list[DraftItem]:
    directory = ctx.directory
    kind = unit[0].kind
    deadline, deadline_words = _deadline(folded, ctx.year_hint)
    title = _title(verbatim)
    if kind != "report":
        cadence = unit[0].cadences[0] if unit[0].cadences else "none"
        due = None
        if deadline and deadline_words and cadence in ("none", "once"):
            kind, cadence = "one_off", "once"
            due = {"rule": "fixed_date", "date": deadline}
            notes.append(Note("due", f"'{deadline_words[0]}'", SURE if not deadline_words[1]
                              else LIKELY))
        elif deadline and deadline_words and cadence == "yearly" and deadline_words[1]:
            due = {"rule": "month_day", "month": deadline.month, "day": deadline.day}
            notes.append(Note("due", f"'{deadline_words[0]}' every year", LIKELY))
        elif cadence in DEFAULT_DUE:
            due = dict(DEFAULT_DUE[cadence])
            notes.append(Note("due", "the text sets no day: CHOICE", GUESS))
            ctx.undecided.append(f"{base}: due day (the text sets none)")
        elif cadence == "none":
            notes.append(Note("cadence", "no cadence word and no deadline: a standing duty",
                              LIKELY))
        reports_to: list[Body] = []
        if kind in ("one_off", "annual_duty") and ctx.coordinator and ctx.coordinator not in lead:
            reports_to = [ctx.coordinator]
            notes.append(Note("reports_to", "the plan's coordinator (the text names nobody)",
                              GUESS))
        if lead == ctx.assignees and lead:
            ctx.undecided.append(f"{base}: lead (the sentence names no body)")
        if fold("Ban Thường vụ cấp uỷ") in folded:
            # a duty of a cấp uỷ's Ban Thường vụ: only bodies that have one (the Fatherland
            # Front has a Ban Thường trực)
            kept = [b for b in lead if directory.has_party_committee(b)]
            if kept != lead:
                notes.append(Note("lead", "'Ban Thường vụ cấp uỷ': only party committees; left"
                                  " out " + ", ".join(b.code for b in lead if b not in kept),
                                  LIKELY))
                lead = kept
        # the body the result goes to does not owe it to itself
        exclude = [b for b in reports_to if directory.in_groups(b, lead)]
        if exclude:
            notes.append(Note("lead.exclude", ", ".join(b.code for b in exclude)
                              + " receives the result and is in the lead group", LIKELY))
        return [DraftItem(base, section.code, kind, cadence, verbatim, title, lead, exclude,
                          coordinating, reports_to, due, [], notes)]
    # A report: one item per cadence, plus the consolidation "gửi X để tổng hợp, báo cáo Y".
    cut = folded.find("để tổng hợp")
    main_end = cut if cut > 0 else len(folded)
    main = folded[:main_end]
    cadences = _cadences(main)
    notes = list(notes)
    if cadences:
        notes.append(Note("cadence", f"'{_CADENCE_LIST.search(main).group(0)}'", SURE))
    on_request = bool(_ON_REQUEST.search(main))
    if "báo cáo nhanh" in main:
        notes.append(Note("kind", "'báo cáo nhanh' (flash reports) come when events need them",
                          LIKELY))
    if not cadences and not on_request:
        if deadline:
            cadences = ["once"]
        elif "định kỳ" in main:
            cadences = ["quarterly", "yearly"]
            notes.append(Note("cadence", "'định kỳ' without a period: quarterly and yearly, the"
                              " usual periodic reports (CHOICE)", GUESS))
            ctx.undecided.append(f"{base}: 'định kỳ' names no period (drafted quarterly and"
                                 " yearly)")
        else:
            on_request = True
            notes.append(Note("cadence", "a report with no period or date: on request", GUESS))
    found = _recipients(main, mentions, 0, main_end)
    reports_to = [m.body for m, _ in found]
    if reports_to:
        notes.append(Note("reports_to", "named after " + ", ".join(
            f"'{w}'" for w in dict.fromkeys(w for _, w in found)), SURE))
    elif ctx.coordinator and ctx.coordinator not in lead:
        reports_to = [ctx.coordinator]
        notes.append(Note("reports_to", "the plan's coordinator (the text names nobody)", GUESS))
    # The body that receives the reports does not report to itself.
    exclude = [b for b in reports_to if directory.in_groups(b, lead)]
    if exclude:
        notes.append(Note("lead.exclude", ", ".join(b.code for b in exclude)
                          + " receives these reports and is in the lead group", LIKELY))
    items: list[DraftItem] = []
    calendar = [c for c in cadences if c in _MONTHS]
    for cadence in cadences + (["on_request"] if on_request else []):
        item_notes = list(notes)
        if cadence == "once":
            due = {"rule": "fixed_date", "date": deadline}
            kind = "one_off"
            item_notes.append(Note("due", f"'{deadline_words[0]}'", SURE))
        elif cadence == "on_request":
            due, kind = None, "on_request_report"
        else:
            kind = "recurring_report"
            if deadline and deadline_words and deadline_words[1] and cadence == "yearly":
                due = {"rule": "month_day", "month": deadline.month, "day": deadline.day}
                item_notes.append(Note("due", f"'{deadline_words[0]}'", LIKELY))
            else:
                due = dict(DEFAULT_DUE[cadence])
                item_notes.append(Note("due", "the text sets no day: CHOICE", GUESS))
        absorbs = [f"{base}-{_SUFFIX[c]}" for c in calendar
                   if cadence in _MONTHS and _MONTHS[c] < _MONTHS[cadence]]
        suffix = _SUFFIX.get(cadence, "")
        code = f"{base}-{suffix}" if suffix and len(cadences) + on_request > 1 else base
        label = _CADENCE_WORD.get(cadence)
        items.append(DraftItem(code, section.code, kind, cadence, verbatim,
                               _title(verbatim, 130) + (f" ({label})" if label else ""),
                               lead, exclude, coordinating, reports_to, due, absorbs,
                               item_notes))
    if len(cadences) + on_request > 1:
        due_days = [c for c in cadences if c in _MONTHS]
        if due_days:
            ctx.undecided.append(f"{base}-*: due days of the periodic reports (the text sets"
                                 " none)")
    if cut > 0:
        rest = folded[cut:]
        upward = [m.body for m, _ in _recipients(folded, mentions, cut)]
        gatherers = [m.body for m, _ in found[:1]]
        if upward and gatherers:
            up_cadences = _cadences(rest)
            up_request = bool(_ON_REQUEST.search(rest)) or not up_cadences
            for cadence in up_cadences + (["on_request"] if up_request else []):
                kind = "on_request_report" if cadence == "on_request" else "recurring_report"
                items.append(DraftItem(
                    f"{base}-C{_SUFFIX[cadence]}", section.code, kind, cadence, verbatim,
                    _title(verbatim, 130) + " (tổng hợp)", gatherers, [], [], upward,
                    None if cadence == "on_request" else dict(DEFAULT_DUE[cadence]), [],
                    [Note("lead", f"'gửi {gatherers[0]} để tổng hợp': it consolidates", LIKELY),
                     Note("reports_to", "named after 'để tổng hợp, báo cáo'", SURE),
                     Note("cadence", "'" + (_ON_REQUEST.search(rest).group(0)
                                            if _ON_REQUEST.search(rest) else "no period")
                          + "' after 'để tổng hợp'", LIKELY)]))
    return items


def _coordinator(body_text: str, directory: Directory) -> tuple[Body | None, Note | None]:
    """The body others send their reports to: most often named after '(qua' or 'gửi'."""
    folded = fold(body_text)
    mentions = directory.mentions(folded)
    counts: dict[Body, int] = {}
    for mention, word in _recipients(folded, mentions):
        if word in ("gửi", "(qua", "qua"):
            counts[mention.body] = counts.get(mention.body, 0) + 1
    agencies = {b: n for b, n in counts.items() if b.kind == "agency"}
    if not agencies:
        return None, None
    best = max(agencies, key=lambda b: agencies[b])
    return best, Note("coordinator", f"reports go 'qua'/'gửi' {best.code} {agencies[best]} time(s)",
                      LIKELY)


def draft_document(lines: list[str], directory: Directory, *, today: dt.date | None = None
                   ) -> Draft:
    """The draft of the plan the lines (paragraphs) of a document hold; `today` starts a plan
    whose text carries no date."""
    header_lines, body, closing = _split_header_body(lines)
    sections = parse_sections(body)
    if not sections:
        raise DraftError("no numbered parts found")
    body_text = " ".join(body)
    header, header_notes, undecided = parse_header(header_lines, body_text, closing, directory,
                                                   today)
    coordinator, note = _coordinator(body_text, directory)
    if coordinator is not None:
        header["coordinator"] = coordinator.code
        header_notes.append(note)
    elif header.get("issuer"):
        header["coordinator"] = header["issuer"]
        undecided.append("plan.coordinator: no body receives reports 'qua'/'gửi': the issuer")
    else:
        header["coordinator"] = "UNKNOWN"
        undecided.append("plan.coordinator: not found; set a known agency")
    # Every body the implementation part assigns work to (its sections' titles).
    assignees: list[Body] = []
    for top in sections:
        for section in top.walk():
            for body_ in _section_bodies(section, directory):
                if body_ not in assignees:
                    assignees.append(body_)
    assignees = directory.covered(assignees)
    ctx = _Context(directory, assignees, coordinator,
                   header.get("issued_on").year if header.get("issued_on") else None, undecided)
    items: list[DraftItem] = []
    for top in sections:
        for section in top.walk():
            if _is_context(section):
                continue
            items += _items_of_section(section, ctx, [0])
    if not items:
        undecided.append("items: no sentence sets a duty")
    return Draft(header, header_notes, sections, items, undecided)


def _is_context(section: Section) -> bool:
    node: Section | None = section
    while node is not None:
        if _CONTEXT_SECTION.search(node.title_vi) and node.parent is None:
            return True
        node = node.parent
    return False


def draft_file(path: str | Path, directory: Directory, *, today: dt.date | None = None
               ) -> Draft:
    return draft_document(read_document(path), directory, today=today)

