"""Drafting a plan file from the plan's own text: the seed document against the bundled file."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from drafting import DraftError, draft_document
from drafting.agencies import Directory, directory_from_file
from drafting.compare import compare
from drafting.extract import document_lines
from plan_items import SEED_AGENCIES, SEED_PLAN
from plan_items.importer import import_agencies, validate_plan
from plan_items.loader import read_plan
from tests.factories import DATA, T0

SEED_TEXT = DATA / "516-KH-TU.txt"  # a copy of shared/seed/516-KH-TU.txt, the plan as issued
MINIMUM = 0.90


@pytest.fixture(scope="module")
def directory() -> Directory:
    return directory_from_file(SEED_AGENCIES)


def seed_lines() -> list[str]:
    return SEED_TEXT.read_text(encoding="utf-8").split("\n")


def draft_of(lines, directory, tmp_path, name="draft.yaml"):
    """The draft of `lines`, written as a plan file and loaded back like any other."""
    draft = draft_document(lines, directory)
    path = tmp_path / name
    path.write_text(draft.to_yaml(), encoding="utf-8")
    return draft, read_plan(path).data, path


def test_seed_draft_has_the_bundled_sections_and_agrees_on_cadence_and_lead(session, tmp_path):
    """The figure of the issue: agencies from the database, the draft against the bundled file."""
    import_agencies(session, SEED_AGENCIES, now=T0)
    directory = Directory.from_session(session)
    _, data, path = draft_of(seed_lines(), directory, tmp_path)
    validate_plan(session, path)  # loads with `plan validate`, agencies included
    result = compare(data, read_plan(SEED_PLAN).data)
    print("\n".join(result.lines()))
    assert result.sections_same, result.section_differences
    assert result.total >= 30
    assert result.share("cadence") >= MINIMUM, result.wrong["cadence"]
    assert result.share("lead") >= MINIMUM, result.wrong["lead"]


def test_the_measure_counts_a_wrong_cadence(directory, tmp_path):
    """The figure falls when the draft is wrong: the check can fail."""
    _, data, _ = draft_of(seed_lines(), directory, tmp_path)
    bundled = read_plan(SEED_PLAN).data
    good = compare(data, bundled).agree["cadence"]
    for item in data["items"]:
        if item["cadence"] == "monthly":
            item["cadence"] = "yearly"
    assert compare(data, bundled).agree["cadence"] == good - 2


def test_header_comes_from_the_opening_lines(directory, tmp_path):
    draft, data, _ = draft_of(seed_lines(), directory, tmp_path)
    plan = data["plan"]
    assert plan["code"] == "516-KH/TU"
    assert plan["issued_on"] == dt.date(2025, 8, 18)
    assert plan["issuer"] == "BTV" and plan["coordinator"] == "BTGDV"
    assert plan["title_vi"].startswith("Kế hoạch thực hiện Chỉ thị số 47-CT/TW, ngày 23/5/2025")
    assert plan["implements"][0] == {**plan["implements"][0], "code": "47-CT/TW",
                                     "kind": "directive", "issuer_vi": "Ban Bí thư",
                                     "issued_on": dt.date(2025, 5, 23)}
    assert {d["code"] for d in plan["cites"]} == {"172-ĐA/TU", "35-NQ/TW", "85-QĐ/TW",
                                                  "57-NQ/TW"}
    assert any("starts_on" in entry for entry in draft.undecided)


def test_every_item_quotes_its_sentence_verbatim(directory, tmp_path):
    _, data, _ = draft_of(seed_lines(), directory, tmp_path)
    text = " ".join(" ".join(seed_lines()).split())
    assert data["items"]
    for item in data["items"]:
        assert item["text_vi"] in text, item["code"]


def test_the_draft_comments_every_guess(directory, tmp_path):
    draft, _, path = draft_of(seed_lines(), directory, tmp_path)
    yaml = path.read_text(encoding="utf-8")
    assert "# COULD NOT DECIDE:" in yaml
    assert "'định kỳ' names no period (drafted quarterly and yearly): III2-02" in yaml
    block = yaml.split('- code: "III1-03-M"')[1].split("- code:")[0]
    assert "# sure: 'hằng tháng, quý, năm'" in block
    assert "# likely: BTGDV receives these reports and is in the lead group" in block


def _items(data, section):
    return [i for i in data["items"] if i["section"] == section]


def test_removing_hang_thang_removes_the_monthly_reports(directory, tmp_path):
    original = seed_lines()
    _, before, _ = draft_of(original, directory, tmp_path, "before.yaml")
    assert "monthly" in {i["cadence"] for i in _items(before, "III.1")}
    amended = [line.replace("Định kỳ báo cáo hằng tháng, quý, năm",
                            "Định kỳ báo cáo hằng quý, năm") for line in original]
    assert amended != original
    _, after, _ = draft_of(amended, directory, tmp_path, "after.yaml")
    reports = [i for i in _items(after, "III.1") if "báo cáo" in i["text_vi"]]
    assert sorted(i["cadence"] for i in reports) == ["on_request", "quarterly", "yearly"]
    yearly = next(i for i in reports if i["cadence"] == "yearly")
    assert yearly["absorbs"] == [next(i["code"] for i in reports if i["cadence"] == "quarterly")]
    # III.3's own monthly report is untouched
    assert "monthly" in {i["cadence"] for i in _items(after, "III.3")}


def test_a_deadline_added_to_a_section_becomes_a_fixed_date(directory, tmp_path):
    original = seed_lines()
    sentence = ("- Phân công 01 đồng chí trong Ban Thường vụ cấp uỷ trực tiếp phụ trách"
                " công tác DLXH.")
    assert sentence in original
    amended = [line.replace(sentence, sentence[:-1] + " trước ngày 30/9/2026.")
               if line == sentence else line for line in original]
    _, before, _ = draft_of(original, directory, tmp_path, "before.yaml")
    _, after, _ = draft_of(amended, directory, tmp_path, "after.yaml")

    def assign(data):
        return next(i for i in _items(data, "III.3") if i["text_vi"].startswith("Phân công 01"))

    assert assign(before)["due"] == {"rule": "days_after_start", "days": 30}
    assert assign(after)["due"] == {"rule": "fixed_date", "date": "2026-09-30"}
    assert assign(after)["cadence"] == "once"
    assert assign(after)["text_vi"].endswith("trước ngày 30/9/2026.")


def test_a_deadline_turns_a_standing_duty_into_a_one_off(directory, tmp_path):
    original = seed_lines()
    target = "Tham mưu đề xuất chế độ đãi ngộ phù hợp, thoả đáng"
    amended = [line.replace(target, "Trước ngày 15/3/2027, tham mưu đề xuất chế độ đãi ngộ phù"
                                    " hợp, thoả đáng") for line in original]
    _, before, _ = draft_of(original, directory, tmp_path, "before.yaml")
    _, after, _ = draft_of(amended, directory, tmp_path, "after.yaml")
    old = next(i for i in _items(before, "III.2") if target in i["text_vi"])
    new = next(i for i in _items(after, "III.2") if "15/3/2027" in i["text_vi"])
    assert (old["cadence"], old["kind"]) == ("none", "standing_duty")
    assert (new["cadence"], new["kind"], new["due"]) == (
        "once", "one_off", {"rule": "fixed_date", "date": "2027-03-15"})


def test_half_yearly_reports_and_aliases(tmp_path):
    """'định kỳ 6 tháng' is half-yearly; an alias from the agencies file names the body."""
    directory = Directory(
        [{"code": "units", "names": ["Các đơn vị trực thuộc"], "members": ["U1"]}],
        [{"code": "U1", "names": ["Đơn vị một"], "groups": ["units"]},
         {"code": "VP", "names": ["Văn phòng Uỷ ban nhân dân tỉnh"], "aliases": [],
          "groups": []},
         {"code": "SO", "names": ["Sở Nội vụ", "SNV"], "groups": []}])
    lines = ["UỶ BAN NHÂN DÂN TỈNH", "Số 12/KH-UBND", "Hà Giang, ngày 3 tháng 2 năm 2026",
             "KẾ HOẠCH", "triển khai công tác năm 2026", "I. MỤC ĐÍCH", "Nâng cao hiệu quả.",
             "II. NHIỆM VỤ", "1. Các đơn vị trực thuộc",
             "a) Báo cáo", "Định kỳ 6 tháng, năm báo cáo SNV (qua Văn phòng Uỷ ban nhân dân tỉnh).",
             "b) Kế hoạch", "Xây dựng kế hoạch cụ thể trước ngày 31/3/2026.",
             "Nơi nhận:", "- Như trên."]
    draft, data, _ = draft_of(lines, directory, tmp_path)
    assert draft.section_codes() == [("I", "MỤC ĐÍCH"), ("II", "NHIỆM VỤ"),
                                     ("II.1", "Các đơn vị trực thuộc"), ("II.1.a", "Báo cáo"),
                                     ("II.1.b", "Kế hoạch")]
    reports = _items(data, "II.1.a")
    assert [(i["cadence"], i["reports_to"]) for i in reports] == [
        ("half_yearly", ["SO", "VP"]), ("yearly", ["SO", "VP"])]
    assert all(i["lead"]["groups"] == ["units"] for i in reports)
    (plan_item,) = _items(data, "II.1.b")
    assert plan_item["due"] == {"rule": "fixed_date", "date": "2026-03-31"}
    assert data["plan"]["code"] == "12/KH-UBND" and data["plan"]["coordinator"] == "VP"


def test_a_docx_drafts_like_the_text(directory, tmp_path):
    import docx

    document = docx.Document()
    for line in seed_lines():
        document.add_paragraph(line)
    path = tmp_path / "516.docx"
    document.save(path)
    from_docx = draft_document(document_lines(path.read_bytes(), path.name), directory)
    from_text = draft_document(seed_lines(), directory)
    assert from_docx.section_codes() == from_text.section_codes()
    assert [i.to_dict() for i in from_docx.items] == [i.to_dict() for i in from_text.items]


def test_not_a_plan_is_refused_with_a_reason(directory):
    with pytest.raises(DraftError, match="no part numbered 'I-'"):
        draft_document(["Biên bản họp", "Nội dung cuộc họp."], directory)
    with pytest.raises(DraftError, match="neither UTF-8"):
        document_lines(b"\xff\xfe\xff" + "x".encode("utf-32"), "a.txt")
    with pytest.raises(DraftError, match="unsupported document type"):
        document_lines(b"abc", "a.odt")
    with pytest.raises(DraftError, match="not a readable PDF"):
        document_lines(b"%PDF-1.4 garbage", "a.pdf")


def test_cli_draft_writes_a_valid_file_and_refuses_a_non_plan(tmp_path, empty_db_url,
                                                              monkeypatch):
    from cli import main

    monkeypatch.setenv("PLANWATCH_DATABASE_URL", empty_db_url)
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["agencies", "import", str(SEED_AGENCIES)]).exit_code == 0
    out = tmp_path / "draft.yaml"
    result = runner.invoke(main, ["plan", "draft", str(SEED_TEXT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "candidate item(s) in 12 section(s)" in result.output
    assert runner.invoke(main, ["plan", "validate", str(out)]).exit_code == 0
    check = runner.invoke(main, ["plan", "draft-check", str(SEED_TEXT), "--against",
                                 str(SEED_PLAN)])
    assert check.exit_code == 0 and "cadence" in check.output and "lead" in check.output
    bad = tmp_path / "note.txt"
    bad.write_text("Không phải kế hoạch.\n", encoding="utf-8")
    refused = runner.invoke(main, ["plan", "draft", str(bad), "-o", str(tmp_path / "x.yaml")])
    assert refused.exit_code == 1 and "no part numbered" in refused.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_aliases_from_the_agencies_file_are_stored_and_matched(session, tmp_path):
    """`aliases:` in the agencies file: imported, shown as a difference, used by drafting."""
    import_agencies(session, SEED_AGENCIES, now=T0)
    directory = Directory.from_session(session)
    bcd35 = next(a for a in directory.agencies if a["code"] == "BCD35")
    assert bcd35["names"] == ["Ban Chỉ đạo 35 Tỉnh uỷ", "Ban Chỉ đạo 35"]
    text = SEED_AGENCIES.read_text(encoding="utf-8").replace(
        "aliases: [Ban Chỉ đạo 35]", "aliases: [Ban Chỉ đạo 35, BCĐ 35]")
    amended = tmp_path / "agencies.yaml"
    amended.write_text(text, encoding="utf-8")
    diff = import_agencies(session, amended, now=T0)
    assert diff.lines == ["~ agency BCD35.aliases: 'Ban Chỉ đạo 35' -> 'Ban Chỉ đạo 35\\nBCĐ 35'"]
    lines = [line.replace("Phối hợp chặt chẽ với Ban Chỉ đạo 35 các cấp",
                          "Phối hợp chặt chẽ với BCĐ 35 các cấp") for line in seed_lines()]
    draft = draft_document(lines, Directory.from_session(session))
    online = next(i for i in draft.items if i.text_vi.startswith("Phối hợp chặt chẽ với BCĐ 35"))
    assert [str(b) for b in online.coordinating] == ["BCD35"]
    without = draft_document(lines, directory_from_file(SEED_AGENCIES))
    online = next(i for i in without.items if i.text_vi.startswith("Phối hợp chặt chẽ với BCĐ"))
    assert online.coordinating == []


def test_a_document_without_a_date_starts_on_the_day_given(directory, tmp_path):
    lines = ["KẾ HOẠCH", "thực hiện công tác", "I. NHIỆM VỤ",
             "1. Ban Tuyên giáo và Dân vận Tỉnh uỷ", "Hằng năm, tổ chức kiểm tra."]
    with pytest.raises(DraftError, match="no day given"):
        draft_document(lines, directory)
    draft = draft_document(lines, directory, today=dt.date(2026, 3, 17))
    assert draft.header["starts_on"] == dt.date(2026, 3, 1)
    (item,) = draft.items
    assert (item.cadence, [str(b) for b in item.lead]) == ("yearly", ["BTGDV"])
