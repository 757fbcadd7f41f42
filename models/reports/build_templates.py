"""Build the default docxtpl templates (run: `python -m models.reports.build_templates`).

The layout follows Hướng dẫn 36-HD/VPTW (2018) of the Party Central Office, as the README's
"Report sent upward" section lists: A4, margins 20/20/30/15 mm, Times New Roman, the header and
the footer in two-column tables without borders. The committed .docx files are this script's
output; an office replaces them by its own (see `documents.find_template`) without code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
HERE = Path(__file__).parent / "templates"
TEXT_WIDTH = 165  # mm: 210 - 30 (left) - 15 (right)
HEADER_COLUMNS = (86, 79)
FOOTER_COLUMNS = (80, 85)
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT


def _fonts(element_rpr) -> None:
    fonts = element_rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element_rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def run(paragraph, text: str, size: float = 14, *, bold=False, italic=False, underline=False):
    """A run in Times New Roman at `size` points (every run names its font)."""
    r = paragraph.add_run(text)
    r.font.name, r.font.size = FONT, Pt(size)
    r.bold, r.italic, r.underline = bold, italic, underline
    _fonts(r._element.get_or_add_rPr())
    return r


def para(container, text: str = "", size: float = 14, *, align=JUSTIFY, indent=True,
         after: float = 6, before: float = 0, exact: float | None = 18, **style):
    """A paragraph: body text is justified, first line indented 1.27 cm, 6 pt after."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Mm(12.7) if indent else None
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(exact)
    if text:
        run(p, text, size, **style)
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl tag ({%p for … %}); docxtpl removes it."""
    return para(container, text, indent=False, after=0)


def centre(container, text: str, size: float = 14, *, after: float = 0, **style):
    return para(container, text, size, align=CENTER, indent=False, after=after, exact=None,
                **style)


def _boxed(paragraph) -> None:
    """A single-line box around a paragraph (the "DỰ THẢO" mark)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single"), b.set(qn("w:sz"), "6"), b.set(qn("w:space"), "1")
        b.set(qn("w:color"), "auto")
        borders.append(b)
    ppr.append(borders)


def _first_cell_paragraph(cell):
    """Table cells start with one empty paragraph; reuse it for the first line."""
    return cell.paragraphs[0]


def _row_flag(row, name: str) -> None:
    """<w:cantSplit/> keeps a row on one page; <w:tblHeader/> repeats it on every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement(f"w:{name}"))


def two_columns(doc, widths):
    table = doc.add_table(rows=1, cols=2)  # the default table style draws no border
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = cell.width = Mm(width)  # gridCol for LibreOffice, tcW for Word
    _row_flag(table.rows[0], "cantSplit")
    return table.rows[0].cells


def _cell_line(cell, text: str, size: float = 14, *, first=False, align=CENTER, **style):
    p = _first_cell_paragraph(cell) if first else cell.add_paragraph()
    p.paragraph_format.alignment = align
    p.paragraph_format.space_after = Pt(0)
    if text:
        run(p, text, size, **style)
    return p


def header(doc) -> None:
    """Issuing body and number at left; the Party's title, place and date at right."""
    left, right = two_columns(doc, HEADER_COLUMNS)
    _cell_line(left, "{{ issuer.header_superior }}", first=True)
    _cell_line(left, "{{ issuer.header_name }}", bold=True)
    _cell_line(left, "*")
    _cell_line(left, "{{ number }}")
    mark = _cell_line(left, "{{ draft_mark }}", 13, bold=True)
    mark.paragraph_format.space_before = Pt(6)
    mark.paragraph_format.left_indent = mark.paragraph_format.right_indent = Mm(20)
    _boxed(mark)
    _cell_line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", 15, first=True, bold=True, underline=True)
    date = _cell_line(right, "{{ date_line }}", italic=True)
    date.paragraph_format.space_before = Pt(6)


def title(doc) -> None:
    """The kind of document and its subject, centred below the header."""
    centre(doc, "{{ kind }}", 16, bold=True).paragraph_format.space_before = Pt(18)
    centre(doc, "{{ subject }}", 14, bold=True)
    centre(doc, "-----", 14, after=12)


def heading(doc, text: str, **style):
    return para(doc, text, bold=True, **style)


def loop(doc, name: str, var: str = "s", **style) -> None:
    tag(doc, f"{{%p for {var} in {name} %}}")
    para(doc, f"{{{{ {var} }}}}", **style)
    tag(doc, "{%p endfor %}")


def grid(doc, heads: list[str], widths: list[float], cells: list[str], loop_: str,
         totals: list[str] | None = None, size: float = 12):
    """A bordered table whose middle row repeats for each element of a list ({%tr … %})."""
    table = doc.add_table(rows=0, cols=len(heads))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def row(texts, *, bold=False, align=CENTER):
        added = table.add_row()
        _row_flag(added, "cantSplit")
        cells = added.cells
        for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            cell.width = Mm(widths[i])
            p = _first_cell_paragraph(cell)
            p.paragraph_format.alignment = LEFT if (align is LEFT and i == 1) else CENTER
            p.paragraph_format.space_after = Pt(0)
            if text:
                run(p, text, size, bold=bold)

    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    row(heads, bold=True)
    _row_flag(table.rows[0], "tblHeader")
    row([f"{{%tr for {loop_} %}}"] + [""] * (len(heads) - 1))
    row(cells, align=LEFT)
    row(["{%tr endfor %}"] + [""] * (len(heads) - 1))
    if totals:
        row(totals, bold=True)
    return table


def footer(doc) -> None:
    """"Nơi nhận" at bottom left; the signature block at bottom right."""
    left, right = two_columns(doc, FOOTER_COLUMNS)
    _cell_line(left, "Nơi nhận:", 14, first=True, align=LEFT, underline=True)
    tag(left, "{%p for r in recipients %}")
    _cell_line(left, "{{ r }}", 12, align=LEFT)
    tag(left, "{%p endfor %}")
    _cell_line(right, "{{ issuer.authority }}", first=True, bold=True)
    _cell_line(right, "{{ issuer.title }}", bold=True)
    for _ in range(4):  # room for the signature and the seal
        _cell_line(right, "")
    _cell_line(right, "{{ issuer.signer }}", bold=True)


def page_setup(doc) -> None:
    """A4, margins 20/20/30/15 mm, page numbers from page 2 at the top centre."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    _fonts(rpr)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "28")
    rpr.append(size)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = "2"
    r.append(t)
    field.append(r)
    p._p.append(field)
    for style in ("Normal", "Table Grid"):
        s = doc.styles[style]
        s.font.name, s.font.size = FONT, Pt(14 if style == "Normal" else 12)
        _fonts(s.element.get_or_add_rPr())


def new_document():
    doc = Document()
    page_setup(doc)
    return doc


NUMBERS = ["{{ r.counts.total }}", "{{ r.counts.done_on_time }}", "{{ r.counts.done_late }}",
           "{{ r.counts.in_progress }}", "{{ r.counts.overdue }}", "{{ r.counts.not_due }}"]
CATEGORY_HEADS = ["Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                  "Đang thực hiện trong hạn", "Quá hạn chưa hoàn thành", "Chưa đến hạn"]


def period_report() -> Document:
    doc = new_document()
    header(doc)
    title(doc)
    para(doc, "{{ intro }}")
    heading(doc, "I- KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CÓ HẠN TRONG KỲ")
    heading(doc, "1. Tổng hợp chung")
    loop(doc, "summary")
    centre(doc, "Bảng 1. Kết quả thực hiện nhiệm vụ theo cơ quan, đơn vị ({{ period_label }}, "
                "số liệu đến ngày {{ as_of }})", 12, italic=True,
           after=4).paragraph_format.keep_with_next = True
    grid(doc, ["STT", "Cơ quan, đơn vị", *CATEGORY_HEADS, "Tỷ lệ đúng hạn"],
         [13, 39, 14, 16, 16, 17, 17, 15, 18],
         ["{{ r.number }}", "{{ r.name }}", *NUMBERS, "{{ r.on_time_rate }}"], "r in rows",
         ["", "Tổng cộng", *(n.replace("r.counts", "total") for n in NUMBERS),
          "{{ total_on_time_rate }}"])
    para(doc, "", after=0)
    heading(doc, "2. Cơ quan, đơn vị chưa gửi báo cáo")
    loop(doc, "not_reported")
    heading(doc, "3. Báo cáo gửi quá hạn")
    loop(doc, "late")
    heading(doc, "4. Báo cáo không có nội dung phát sinh")
    loop(doc, "nil_returns")
    heading(doc, "II- KẾT QUẢ KIỂM TRA, GIÁM SÁT VÀ VIỆC KHẮC PHỤC")
    loop(doc, "oversight.summary")
    tag(doc, "{%p for f in oversight.findings %}")
    para(doc, "{{ f.text }}")
    loop(doc, "f.actions", "a")
    tag(doc, "{%p endfor %}")
    heading(doc, "III- Ý KIẾN CỦA CÁC CƠ QUAN, ĐƠN VỊ THEO NỘI DUNG KẾ HOẠCH")
    tag(doc, "{%p for g in notes %}")
    para(doc, "{{ g.heading }}", bold=True, italic=True)
    loop(doc, "g.quotes", "q", italic=True)
    tag(doc, "{%p endfor %}")
    loop(doc, "no_notes")
    para(doc, "{{ closing }}").paragraph_format.keep_with_next = True
    footer(doc)
    appendix(doc)
    return doc


def appendix(doc) -> None:
    """One table per agency: the tasks of the period, their due dates and states."""
    p = para(doc, "", indent=False, after=0)
    p.add_run().add_break(WD_BREAK.PAGE)
    centre(doc, "PHỤ LỤC", 14, bold=True)
    centre(doc, "Tình hình thực hiện nhiệm vụ của từng cơ quan, đơn vị, {{ period_label }}",
           14, bold=True)
    centre(doc, "(Kèm theo Báo cáo {{ number }}, số liệu đến ngày {{ as_of }})", 14,
           italic=True, after=12)
    tag(doc, "{%p for a in appendix %}")
    para(doc, "{{ a.number }}. {{ a.name }}", bold=True, indent=False,
         before=6).paragraph_format.keep_with_next = True
    grid(doc, ["STT", "Nhiệm vụ", "Hạn", "Ngày gửi", "Tình trạng"], [13, 66, 26, 26, 34],
         ["{{ loop.index }}", "{{ l.item }}", "{{ l.due_on }}", "{{ l.submitted_on }}",
          "{{ l.state }}"], "l in a.lines")
    tag(doc, "{%p endfor %}")


def inspection_notice() -> Document:
    doc = new_document()
    header(doc)
    title(doc)
    para(doc, "{{ intro }}")
    heading(doc, "I- KẾT LUẬN")
    loop(doc, "conclusion")
    heading(doc, "II- NỘI DUNG PHÁT HIỆN VÀ YÊU CẦU KHẮC PHỤC")
    tag(doc, "{%p for f in findings %}")
    para(doc, "{{ f.text }}")
    loop(doc, "f.actions", "a")
    tag(doc, "{%p endfor %}")
    loop(doc, "actions_summary")
    para(doc, "{{ closing }}").paragraph_format.keep_with_next = True
    footer(doc)
    return doc


TEMPLATES = {"period-report.docx": period_report, "inspection-notice.docx": inspection_notice}


def main(folder: Path = HERE) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, build in TEMPLATES.items():
        build().save(folder / name)
        out.append(folder / name)
    return out


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
