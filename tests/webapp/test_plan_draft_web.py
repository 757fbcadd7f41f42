"""Drafting a plan in the web: upload the document, correct the draft, check, import."""

from __future__ import annotations

import io
import re
from html import unescape

import sqlalchemy as sa

from models.core.audit import AuditEvent
from models.plans.entities import Item, Plan
from models.tasks.entities import Task
from plan_items import SEED_AGENCIES
from plan_items.importer import import_agencies
from tests.factories import DATA, T0, make_user
from tests.webapp.conftest import WEB_NOW, login

SEED_TEXT = DATA / "516-KH-TU.txt"


def _setup(app, session):
    app.config["PLANWATCH_NOW"] = WEB_NOW
    import_agencies(session, SEED_AGENCIES, now=T0)
    make_user(session, email="coord@example.org", role="coordinator", agency="BTGDV")
    make_user(session, email="officer@example.org", role="officer", agency="VPTU")
    session.commit()


def _upload(client, content: bytes = None, name: str = "516-KH-TU.txt"):
    content = SEED_TEXT.read_bytes() if content is None else content
    return client.post("/plans/draft/", data={"document": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _form(html: str) -> dict:
    """The review form's fields as a browser would send them (checkboxes left unticked)."""
    form = html.split('id="draft-form"')[1]
    data: dict = {}
    for m in re.finditer(r'<input type="(?:text|hidden)"[^>]*name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(m.group(1), []).append(unescape(m.group(2)))
    for m in re.finditer(r'<select name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r"<option selected>([^<]*)<", m.group(2))
        data[m.group(1)] = [chosen.group(1)]
    data["base"] = [unescape(re.search(r'<textarea name="base" hidden>(.*?)</textarea>', form,
                                       re.S).group(1))]
    return data


def _index_of(html: str, code: str) -> int:
    row = html.split(f'id="item-{code}"')[1]
    return int(re.search(r'name="items-(\d+)-title_vi"', row).group(1))


def test_upload_shows_each_item_beside_its_sentence(app, session):
    _setup(app, session)
    client = app.test_client()
    login(client, "coord@example.org")
    page = _upload(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "516-KH/TU" in html and 'id="draft-ok"' in html
    row = html.split('id="item-III1-03-M"')[1].split("</tr>")[0]
    assert "Định kỳ báo cáo hằng tháng, quý, năm hoặc khi có yêu cầu" in unescape(row)
    assert '<option selected>monthly</option>' in row
    assert 'id="difference"' not in html  # nothing imported yet
    assert session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def test_a_bad_correction_is_refused_beside_the_item_and_kept(app, session):
    _setup(app, session)
    client = app.test_client()
    login(client, "coord@example.org")
    html = _upload(client).get_data(as_text=True)
    data = _form(html)
    i = _index_of(html, "III2-04")
    data[f"items-{i}-cadence"] = ["yearly"]  # a yearly item needs a due rule: none given
    data["action"] = ["import"]
    page = client.post("/plans/draft/review", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    row = html.split('id="item-III2-04"')[1].split("</tr>")[0]
    assert "a yearly item needs a due rule" in row
    assert '<option selected>yearly</option>' in row  # the form keeps what was typed
    assert session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def test_corrected_draft_imports_with_tasks_and_a_redraft_shows_the_difference(app, session):
    _setup(app, session)
    client = app.test_client()
    login(client, "coord@example.org")
    html = _upload(client).get_data(as_text=True)
    data = _form(html)
    i = _index_of(html, "III2-04")
    data[f"items-{i}-cadence"] = ["yearly"]
    data[f"items-{i}-kind"] = ["programme"]
    data[f"items-{i}-due"] = ["rule: month_day, month: 12, day: 31"]
    noise = _index_of(html, "II3-01")
    data[f"items-{noise}-drop"] = ["1"]
    data["action"] = ["import"]
    done = client.post("/plans/draft/review", data=data)
    assert done.status_code == 302 and "/dashboard/tasks?plan=516-KH" in done.location
    plan = session.scalar(sa.select(Plan).where(Plan.code == "516-KH/TU"))
    items = {i.code: i for i in session.scalars(sa.select(Item).where(Item.plan_id == plan.id))}
    assert items["III2-04"].cadence == "yearly" and "II3-01" not in items
    assert session.scalar(sa.select(sa.func.count()).select_from(Task)) > 0
    actions = set(session.scalars(sa.select(AuditEvent.action)))
    assert {"plan.import", "tasks.generate"} <= actions
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.import"))
    assert event.after["file"] == "516-KH-TU.txt.yaml"
    tasks = client.get(done.location).get_data(as_text=True)
    assert "III1-03-M" in tasks

    # The plan is amended: its monthly reports dropped. Re-drafting shows the difference.
    amended = SEED_TEXT.read_text(encoding="utf-8").replace(
        "Định kỳ báo cáo hằng tháng, quý, năm", "Định kỳ báo cáo hằng quý, năm")
    html = _upload(client, amended.encode("utf-8")).get_data(as_text=True)
    difference = unescape(html.split('id="difference"')[1].split("</section>")[0])
    assert "III1-03-M" in difference and "III1-03-Q" in difference


def test_an_unreadable_document_is_refused_with_the_reason(app, session):
    _setup(app, session)
    client = app.test_client()
    login(client, "coord@example.org")
    page = _upload(client, b"not a plan at all\n", "note.txt")
    assert page.status_code == 422
    assert "no part numbered" in page.get_data(as_text=True)


def test_officers_cannot_draft_plans(app, session):
    _setup(app, session)
    client = app.test_client()
    login(client, "officer@example.org")
    assert client.get("/plans/draft/").status_code == 403
    assert _upload(client).status_code == 403
