"""`planwatch report build|inspection` as the coordinator runs them before the monthly deadline."""

from __future__ import annotations

import docx
import pytest
from click.testing import CliRunner

from cli import main
from models.reports.documents import soffice
from tests.report_factories import make_report_world


@pytest.fixture
def run(db_url, session, tmp_path, monkeypatch):
    world = make_report_world(session)
    session.commit()
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path / "home"))

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return world, invoke


def test_the_report_of_a_quarter_and_the_notice_of_an_inspection(run, tmp_path):
    world, invoke = run
    out = tmp_path / "q1.docx"
    done = invoke("report", "build", "--plan", "516-KH/TU", "--period", "2026-Q1",
                  "--as-of", "2026-03-23", "--out", str(out), "--signer", "Nguyễn Văn A")
    assert done.exit_code == 0, done.output
    assert "period-report.docx" in done.output  # says which template it used
    document = docx.Document(str(out))
    assert "quý I năm 2026" in document.paragraphs[1].text
    footer = [t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận")][0]
    assert footer.rows[0].cells[1].paragraphs[-1].text == "Nguyễn Văn A"
    notice = tmp_path / "notice.docx"
    done = invoke("report", "inspection", "--id", str(world.inspection.id), "--as-of",
                  "2026-03-23", "--out", str(notice))
    assert done.exit_code == 0, done.output
    assert docx.Document(str(notice)).paragraphs[0].text == "THÔNG BÁO"


def test_a_wrong_period_is_refused_without_a_traceback(run, tmp_path):
    _, invoke = run
    done = invoke("report", "build", "--plan", "516-KH/TU", "--period", "Q1-2026",
                  "--out", str(tmp_path / "x.docx"))
    assert done.exit_code == 1 and "Not a period" in done.stderr
    assert not (tmp_path / "x.docx").exists()


def test_pdf_without_libreoffice_keeps_the_docx_and_says_what_to_install(run, tmp_path,
                                                                        monkeypatch):
    _, invoke = run
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    out = tmp_path / "m.docx"
    done = invoke("report", "build", "--plan", "516-KH/TU", "--period", "2026-03",
                  "--as-of", "2026-03-23", "--out", str(out), "--pdf")
    assert done.exit_code == 1 and "libreoffice-writer-nogui" in done.stderr
    assert out.exists() and not out.with_suffix(".pdf").exists()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.slow
def test_pdf_beside_the_docx(run, tmp_path):
    _, invoke = run
    out = tmp_path / "m.docx"
    done = invoke("report", "build", "--plan", "516-KH/TU", "--period", "2026-03",
                  "--as-of", "2026-03-23", "--out", str(out), "--pdf")
    assert done.exit_code == 0, done.output
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
