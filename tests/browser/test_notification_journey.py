"""The notification pages in a real browser: an admin sets the server's mail and tests it; an
officer chooses how their notifications arrive and adds an address of their own."""

from __future__ import annotations

import email
import email.policy

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models.core.db import db
from models.notify.entities import NotificationTarget
from models.notify.settings import load_settings
from models.org.users import User
from tests.factories import make_user
from tests.webapp.conftest import USERS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ADMIN = "admin.notify@example.org"


@pytest.fixture
def admin(live_app):
    with live_app.app_context():
        if db.session.scalar(sa.select(User).where(User.email == ADMIN)) is None:
            make_user(db.session, email=ADMIN, role="admin", agency=None)
            db.session.commit()
    return ADMIN


def test_an_admin_sets_the_mail_server_and_a_test_message_arrives(
        page_as, base_url, live_app, admin, smtp_receiver):
    page = page_as(base_url, admin)
    page.goto("/notifications/settings")
    smtp = page.locator("#smtp")
    # a bad port is refused with the reason, and what was typed stays in the form
    smtp.locator("input[name=host]").fill("127.0.0.1")
    smtp.locator("input[name=port]").fill("70000")
    smtp.locator("select[name=tls]").select_option("none")
    smtp.locator("input[name=from]").fill("planwatch@cb.example.org")
    smtp.locator("form").first.locator("button[type=submit]").click()
    expect(page.locator("p.flash-error[data-section=smtp]")).to_contain_text("65535")
    expect(page.locator("#smtp input[name=host]")).to_have_value("127.0.0.1")
    # the loopback receiver, no TLS (a local relay)
    smtp = page.locator("#smtp")
    smtp.locator("input[name=port]").fill(str(smtp_receiver.port))
    smtp.locator("select[name=tls]").select_option("none")
    smtp.locator("input[name=from]").fill("planwatch@cb.example.org")
    smtp.locator("form").first.locator("button[type=submit]").click()
    expect(page.locator("p.flash-info")).to_have_text("Đã lưu cấu hình.")
    expect(page.locator("#smtp input[name=port]")).to_have_value(str(smtp_receiver.port))
    # "send a test message" to a mailbox of the admin's choosing
    test_form = page.locator("#smtp form.inline")
    test_form.locator("input[name=to]").fill("hop.thu@cb.example.org")
    test_form.locator("button[type=submit]").click()
    expect(page.locator("p.flash-info")).to_have_text("Đã gửi thư thử. Xin kiểm tra hộp thư.")
    [(rcpt, raw)] = smtp_receiver.messages
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert rcpt == ["hop.thu@cb.example.org"]
    assert mail["From"].addresses[0].addr_spec == "planwatch@cb.example.org"
    with live_app.app_context():  # what the flows and the dispatcher will send with
        saved = load_settings(db.session).smtp
        assert (saved.host, saved.port, saved.tls) == ("127.0.0.1", smtp_receiver.port, "none")


def test_an_officer_chooses_immediate_overdue_notices_and_adds_an_email_address(
        page_as, base_url, live_app):
    officer_email = USERS["officer_a"][0]
    page = page_as(base_url, officer_email)
    page.goto("/notifications/delivery")
    overdue = page.locator("input[name=immediate][value=overdue]")
    expect(overdue).not_to_be_checked()
    overdue.check()
    page.locator("form.form-box button[type=submit]").click()
    expect(page.locator("p.flash-info")).to_have_text("Đã lưu.")
    page.goto("/notifications/delivery")
    expect(page.locator("input[name=immediate][value=overdue]")).to_be_checked()
    expect(page.locator("input[name=immediate][value=reminder]")).not_to_be_checked()

    page.goto("/notifications/channels")
    form = page.locator("form[action$='/notifications/channels']")
    form.locator("select[name=channel]").select_option("email")
    # a mistyped address is refused, and stays in the field to correct
    form.locator("input[name=address]").fill("can.bo.a@")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.flash-error[role=alert]")).to_be_visible()
    expect(page.locator("input[name=address]")).to_have_value("can.bo.a@")
    page.locator("input[name=address]").fill("can.bo.a@a.example.org")
    page.locator("input[name=label]").fill("Hộp thư công vụ")
    page.locator("form[action$='/notifications/channels'] button[type=submit]").click()
    expect(page.locator("#my-channels")).to_contain_text("can.bo.a@a.example.org")
    expect(page.locator("#my-channels")).to_contain_text("Hộp thư công vụ")
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == officer_email))
        assert user.notify_immediate == ["overdue"]
        [target] = db.session.scalars(sa.select(NotificationTarget).where(
            NotificationTarget.user_id == user.id, NotificationTarget.removed_at.is_(None)))
        assert (target.channel, target.address, target.active) == (
            "email", "can.bo.a@a.example.org", True)
