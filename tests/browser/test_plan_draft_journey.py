"""A coordinator drafts Plan 516-KH/TU from its document in Chromium, corrects it and imports."""

from __future__ import annotations

import html

import pytest
from playwright.sync_api import expect

from drafting import draft_document
from drafting.agencies import directory_from_file
from drafting.extract import document_lines
from models.core.db import Base, make_engine, make_session_factory
from plan_items import SEED_AGENCIES
from plan_items.importer import import_agencies
from tests.browser.conftest import serving
from tests.factories import DATA, T0, make_user
from tests.webapp.conftest import WEB_NOW

pytestmark = pytest.mark.browser
SEED_TEXT = DATA / "516-KH-TU.txt"
COORDINATOR = "coord@example.org"


@pytest.fixture(scope="module")
def seed_app_url(tmp_path_factory):
    """The app on a fresh SQLite file with the seed's agencies and no plan, CSRF on."""
    from webapp import create_app

    folder = tmp_path_factory.mktemp("draft-browser")
    url = f"sqlite:///{folder / 'draft.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    import_agencies(session, SEED_AGENCIES, now=T0)
    make_user(session, email=COORDINATOR, role="coordinator", agency="BTGDV")
    session.commit()
    session.close()
    engine.dispose()
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "browser-tests", "UPLOAD_FOLDER": str(folder / "uploads"),
        "PLANWATCH_NOW": WEB_NOW,
    })
    with serving(app) as address:
        yield address


def test_upload_correct_one_field_import_and_see_the_tasks(seed_app_url, page_as):
    page = page_as(seed_app_url, COORDINATOR)
    page.goto("/plans/draft/")
    page.set_input_files("#document", str(SEED_TEXT))
    page.click("#draft-button")
    expect(page.locator("h1")).to_contain_text("516-KH/TU")
    row = page.locator("#item-III2-04")
    expect(row.locator("blockquote")).to_contain_text("Chủ trì là đầu mối chính")
    # The draft guessed a standing duty; the plan's surveys are a yearly programme.
    row.locator("select[name$='-cadence']").select_option("yearly")
    page.click("#check-button")
    row = page.locator("#item-III2-04")
    expect(row.locator(".problems")).to_contain_text("a yearly item needs a due rule")
    expect(row.locator("select[name$='-cadence']")).to_have_value("yearly")
    row.locator("input[name$='-due']").fill("rule: month_day, month: 12, day: 31")
    row.locator("select[name$='-kind']").select_option("programme")
    page.click("#check-button")
    expect(page.locator("#draft-ok")).to_be_visible()
    page.click("#import-button")
    expect(page.locator(".flash")).to_contain_text("516-KH/TU")
    expect(page.locator("table").first).to_contain_text("III1-03-M")
    page.context.close()


def test_a_pdf_printed_by_chromium_drafts_like_the_text(browser, tmp_path):
    """A PDF with a text layer (Chromium's print of the plan) gives the same draft."""
    lines = SEED_TEXT.read_text(encoding="utf-8").split("\n")
    body = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in lines)
    page = browser.new_page()
    page.set_content(f"<html><meta charset='utf-8'><body style='font:11pt serif'>{body}"
                     "</body></html>")
    pdf = page.pdf(format="A4")
    page.close()
    directory = directory_from_file(SEED_AGENCIES)
    from_pdf = draft_document(document_lines(pdf, "516.pdf"), directory)
    from_text = draft_document(lines, directory)
    assert from_pdf.section_codes() == from_text.section_codes()
    assert [(i.code, i.cadence, [str(b) for b in i.lead]) for i in from_pdf.items] == \
        [(i.code, i.cadence, [str(b) for b in i.lead]) for i in from_text.items]
