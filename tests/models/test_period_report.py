"""The report sent upward, read back as the office will read it: layout, numbers, template, PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from models.reports import build_templates
from models.reports.documents import (
    DEFAULTS,
    PERIOD_REPORT,
    PdfConverterMissing,
    soffice,
    template_candidates,
    to_pdf,
)
from models.reports.drafts import inspection_notice_docx, period_report_docx
from models.tasks.periods import counts_by, parse_period, total
from tests.report_factories import AS_OF, NOTE_LATE, NOTE_NIL, NOTE_ON_TIME, PLAN, make_report_world

CATEGORIES = ["done_on_time", "done_late", "in_progress", "overdue", "not_due"]


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def blocks(document) -> list:
    """Paragraphs and tables in the order they appear in the body."""
    out = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            out.append(Paragraph(child, document))
        elif child.tag.endswith("}tbl"):
            out.append(Table(child, document))
    return out


def lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def all_runs(document):
    for p in document.paragraphs:
        yield from p.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    yield from p.runs


def text_of(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def check_party_layout(document, kind: str) -> tuple[Table, Table]:
    """Header, title, Nơi nhận and signature where Hướng dẫn 36-HD/VPTW puts them."""
    section = document.sections[0]
    def mm(value) -> float:  # lengths are stored in twentieths of a point
        return round(value.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)  # A4
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)
    body = blocks(document)
    header = body[0]
    assert isinstance(header, Table), "the document starts with the header table"
    left, right = header.rows[0].cells
    assert lines(left) == ["TỈNH UỶ CAO BẰNG", "BAN TUYÊN GIÁO VÀ DÂN VẬN", "*",
                           f"Số      -{kind}/BTGDVTU", "DỰ THẢO"]
    name_run = left.paragraphs[1].runs[0]
    assert name_run.bold and not left.paragraphs[0].runs[0].bold
    title_run = right.paragraphs[0].runs[0]
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert title_run.bold and title_run.underline and title_run.font.size == Pt(15)
    date_line = right.paragraphs[1]
    assert re.fullmatch(r"Cao Bằng, ngày\s+tháng\s+năm 2026", date_line.text)
    assert date_line.runs[0].italic
    # the kind of document, centred, bold, right after the header; then its subject
    title = body[1]
    assert isinstance(title, Paragraph) and title.text == {"BC": "BÁO CÁO", "TB": "THÔNG BÁO"}[kind]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
    assert title.runs[0].font.size == Pt(16)
    assert body[2].alignment == WD_ALIGN_PARAGRAPH.CENTER and body[2].runs[0].bold
    # the footer: the last table before the appendix, Nơi nhận left, signature right
    appendix = next((i for i, b in enumerate(body)
                     if isinstance(b, Paragraph) and b.text == "PHỤ LỤC"), len(body))
    footer = [b for b in body[:appendix] if isinstance(b, Table)][-1]
    recipients, signature = footer.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert recipients.paragraphs[0].runs[0].underline
    assert lines(recipients)[-1].startswith("- Lưu ") and lines(recipients)[-1].endswith(".")
    assert lines(signature)[:2] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    assert lines(signature)[2:6] == ["", "", "", ""]  # room to sign and seal
    assert lines(signature)[-1] and all(r.bold for r in signature.paragraphs[0].runs)
    # Times New Roman everywhere, body text at 14 pt
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert {r.font.name for r in all_runs(document) if r.text.strip()} == {"Times New Roman"}
    return header, footer


def numbers_table(document) -> Table:
    return next(t for t in document.tables if t.rows[0].cells[0].text == "STT"
                and t.rows[0].cells[1].text == "Cơ quan, đơn vị")


@pytest.mark.parametrize("key", ["2026-03", "2026-Q1"])
def test_the_period_report_is_a_party_document_whose_numbers_are_the_dashboards(session, key):
    world = make_report_world(session)
    coordinator = world["coordinator"]
    period = parse_period(key)
    draft = period_report_docx(session, coordinator, PLAN, period, AS_OF)
    document = read(draft.data)
    header, footer = check_party_layout(document, "BC")
    assert blocks(document)[2].text == f"kết quả thực hiện Kế hoạch số 516-KH/TU {period.label()}"
    assert lines(footer.rows[0].cells[0])[1:] == [
        "- Ban Tuyên giáo và Dân vận Trung ương (để báo cáo),",
        "- Ban Thường vụ Tỉnh uỷ (để báo cáo),", "- Lưu Văn phòng Ban."]

    # every number equals counts_by for the same period and day (the dashboard's numbers)
    counted = counts_by(session, coordinator, period, AS_OF, plan_code=PLAN)
    from models.org.agencies import Agency

    by_name = {session.get(Agency, k[0]).name_vi: v for k, v in counted.items()}
    table = numbers_table(document)
    rows = {r.cells[1].text: [c.text for c in r.cells[2:8]] for r in table.rows[1:-1]}
    assert rows == {name: [str(c.total), *(str(getattr(c, f)) for f in CATEGORIES)]
                    for name, c in by_name.items()}
    whole = total(counted)
    assert [c.text for c in table.rows[-1].cells[1:8]] == [
        "Tổng cộng", str(whole.total), *(str(getattr(whole, f)) for f in CATEGORIES)]
    text = text_of(document)
    assert (f"có {whole.total} nhiệm vụ theo Kế hoạch có hạn hoàn thành trong kỳ (số liệu tính "
            f"đến ngày 23/03/2026), trong đó: {whole.done_on_time} nhiệm vụ hoàn thành đúng hạn; "
            f"{whole.done_late} nhiệm vụ hoàn thành quá hạn; {whole.in_progress} nhiệm vụ đang "
            f"thực hiện trong hạn; {whole.overdue} nhiệm vụ quá hạn chưa hoàn thành; "
            f"{whole.not_due} nhiệm vụ chưa đến hạn.") in text
    due = [c for c in by_name.values() if c.due]
    perfect = [c for c in due if c.done_on_time == c.due]
    assert f"có {len(perfect)}/{len(due)} cơ quan, đơn vị hoàn thành đúng hạn" in text
    # the appendix has one table per agency, with as many rows as that agency's tasks
    appendix = [t for t in document.tables if t.rows[0].cells[0].text == "STT"
                and t.rows[0].cells[1].text == "Nhiệm vụ"]
    assert [len(t.rows) - 1 for t in appendix] == [
        by_name[r.cells[1].text].total for r in table.rows[1:-1]]

    # what the coordinator must see in the draft
    assert "DỰ THẢO" in text and "{{" not in text and "{%" not in text
    assert "- Ban Nội chính Tỉnh uỷ: Báo cáo quý" in text  # has not reported
    assert "- Ban Tổ chức Tỉnh uỷ: Báo cáo quý" in text and "gửi ngày 21/03/2026" in text  # late
    assert f"“{NOTE_ON_TIME}”" in text and f"“{NOTE_LATE}”" in text  # their own words
    assert "Mục III.1. Các cơ quan tham mưu, giúp việc của Tỉnh uỷ" in text
    assert "Chưa xây dựng kế hoạch cụ thể hoá Chỉ thị 47-CT/TW" in text  # the finding
    assert ("qua 1 cuộc kiểm tra, giám sát đã ghi nhận 2 nội dung phát hiện (1 khuyết điểm, "
            "vi phạm; 1 lưu ý) và 1 yêu cầu khắc phục.") in text
    assert "hạn 31/03/2026; tình trạng đến ngày 23/03/2026: chưa thực hiện." in text
    if key == "2026-Q1":  # February's nil return belongs to the quarter, not to March
        assert "- Uỷ ban Kiểm tra Tỉnh uỷ: Báo cáo tháng" in text and f"“{NOTE_NIL}”" in text
        # 33 (31 before issue 14): Ban TG&DV's monthly report upward (III3-CONSOL-M) for
        # January and February 2026 is new
        assert whole.total == 33
    else:
        assert f"“{NOTE_NIL}”" not in text and whole.total == 11


def test_the_inspection_notice_is_in_the_same_form(session):
    world = make_report_world(session)
    draft = inspection_notice_docx(session, world["inspector"], world.inspection.id, AS_OF)
    document = read(draft.data)
    _, footer = check_party_layout(document, "TB")
    text = text_of(document)
    assert blocks(document)[2].text == "kết luận kiểm tra đối với Ban Nội chính Tỉnh uỷ"
    assert "Cần ban hành kế hoạch cụ thể hoá." in text  # the conclusion, as written
    assert "Hồ sơ lưu báo cáo tháng đầy đủ (lưu ý, ngày 11/03/2026)" in text
    assert "Ban hành kế hoạch cụ thể hoá và gửi về Ban Tuyên giáo và Dân vận" in text
    assert lines(footer.rows[0].cells[0])[1:] == [
        "- Ban Nội chính Tỉnh uỷ (để thực hiện),", "- Lưu Văn phòng Ban."]
    assert draft.filename == f"thong-bao-ket-luan-{world.inspection.id}.docx"


def test_an_office_template_replaces_the_default_without_code(session, tmp_path):
    world = make_report_world(session)
    period = parse_period("2026-03")
    default = period_report_docx(session, world["coordinator"], PLAN, period, AS_OF,
                                 home=tmp_path)
    assert default.template == DEFAULTS / PERIOD_REPORT
    # the office edits its copy in Word: a heading reworded, its own signer written in
    own = docx.Document(str(DEFAULTS / PERIOD_REPORT))
    heading = next(p for p in own.paragraphs if p.text.startswith("I- KẾT QUẢ"))
    heading.runs[0].text = "I- TÌNH HÌNH THỰC HIỆN (MẪU CỦA VĂN PHÒNG BAN)"
    folder = tmp_path / "templates" / "BTGDV"
    folder.mkdir(parents=True)
    own.save(str(folder / PERIOD_REPORT))
    by_body = period_report_docx(session, world["coordinator"], PLAN, period, AS_OF,
                                 home=tmp_path)
    assert by_body.template == folder / PERIOD_REPORT
    assert "MẪU CỦA VĂN PHÒNG BAN" in text_of(read(by_body.data))
    assert "MẪU CỦA VĂN PHÒNG BAN" not in text_of(read(default.data))
    # a template for the plan comes before the body's
    plan_folder = tmp_path / "templates" / "516-KH-TU"
    plan_folder.mkdir()
    heading.runs[0].text = "I- THEO KẾ HOẠCH 516"
    own.save(str(plan_folder / PERIOD_REPORT))
    by_plan = period_report_docx(session, world["coordinator"], PLAN, period, AS_OF,
                                 home=tmp_path)
    assert "I- THEO KẾ HOẠCH 516" in text_of(read(by_plan.data))
    assert template_candidates(PERIOD_REPORT, tmp_path, PLAN, "BTGDV")[:2] == [
        plan_folder / PERIOD_REPORT, folder / PERIOD_REPORT]


def _xml(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(member)


def test_the_committed_templates_are_what_the_script_builds(tmp_path):
    for built in build_templates.main(tmp_path):
        for member in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
            members = zipfile.ZipFile(built).namelist()
            if member in members:
                assert _xml(built, member) == _xml(DEFAULTS / built.name, member), (
                    f"{built.name}: run `python -m models.reports.build_templates` and commit")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: "
                    "apt-get install libreoffice-writer-nogui")
@pytest.mark.slow
def test_libreoffice_makes_a_pdf_whose_first_page_reads_as_the_report(session, tmp_path):
    world = make_report_world(session)
    draft = period_report_docx(session, world["coordinator"], PLAN, parse_period("2026-03"),
                               AS_OF).as_pdf()
    assert draft.filename.endswith(".pdf") and draft.data.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(draft.data)
    if shutil.which("pdftotext"):
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first and "BAN TUYÊN GIÁO VÀ DÂN VẬN" in first
        assert "BÁO CÁO" in first and "tháng 3 năm 2026" in first
        # the header's two blocks stand side by side on the same line
        line = next(x for x in first.splitlines() if "ĐẢNG CỘNG SẢN VIỆT NAM" in x)
        assert "TỈNH UỶ CAO BẰNG" in line
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / "page")], check=True)
        assert list(tmp_path.glob("page*.png"))


def test_without_libreoffice_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no soffice on it
    with pytest.raises(PdfConverterMissing) as refused:
        to_pdf(b"not needed")
    assert refused.value.code == "report.pdf_unavailable"
    assert "libreoffice-writer-nogui" in refused.value.message
