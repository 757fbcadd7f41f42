"""Notification pages: my notifications, my channels, the outbox and agencies' channels."""

from __future__ import annotations

import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.audit import AuditEvent
from models.notify.entities import Notification, NotificationTarget
from models.notify.settings import save_smtp
from tests.factories import make_notification
from tests.webapp.conftest import WEB_NOW


def _ids(world, *keys):
    return [world["users"][k] for k in keys]


def test_an_officer_sees_only_their_own_notifications(world, as_user, session):
    me, other, coord = _ids(world, "officer_a", "officer_b", "coordinator")
    mine = make_notification(session, recipient_id=me, subject_id=world["task_of"]("AG-A"))
    theirs = make_notification(session, recipient_id=other, subject_id=world["task_of"]("AG-B"))
    mailbox = make_notification(session, recipient_id=None, subject_id=world["task_of"]("AG-B"))
    coords = make_notification(session, recipient_id=coord, subject_id=world["task_of"]("AG-B"),
                               kind="escalation", rung="+3", status="pending")
    session.commit()
    page = as_user("officer_a").get("/notifications/").get_data(as_text=True)
    assert f'data-id="{mine.id}"' in page
    assert f'/tasks/{mine.subject_id}"' in page
    assert "30/09/2025 08:00" in page  # written and sent, in Hà Nội time
    for absent in (theirs, mailbox, coords):
        assert f'data-id="{absent.id}"' not in page
    assert f"/tasks/{theirs.subject_id}\"" not in page and "AG-B" not in page
    page_b = as_user("officer_b").get("/notifications/").get_data(as_text=True)
    assert f'data-id="{theirs.id}"' in page_b and f'data-id="{mine.id}"' not in page_b


def test_my_notifications_are_paginated_newest_first(world, as_user, session):
    me = world["users"]["officer_a"]
    task = world["task_of"]("AG-A")
    rows = [make_notification(session, recipient_id=me, subject_id=task,
                              created_at=WEB_NOW.replace(day=1 + i % 28, hour=i // 28))
            for i in range(55)]
    session.commit()
    newest = max(rows, key=lambda r: r.created_at)
    oldest = min(rows, key=lambda r: r.created_at)
    client = as_user("officer_a")
    first = client.get("/notifications/").get_data(as_text=True)
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert first.count('<tr data-id="') == 50 and second.count('<tr data-id="') == 5
    assert f'data-id="{newest.id}"' in first and f'data-id="{oldest.id}"' in second


def test_a_non_admin_cannot_retry_and_nothing_changes(world, as_user, session):
    dead = make_notification(session, recipient_id=None, subject_id=world["task_of"]("AG-A"),
                             status="dead", attempts=8, last_error="SMTP 550 mailbox full")
    session.commit()
    coordinator = as_user("coordinator")
    page = coordinator.get("/notifications/outbox?status=dead").get_data(as_text=True)
    assert "SMTP 550 mailbox full" in page
    assert f"/notifications/outbox/{dead.id}/retry" not in page  # no button for a reader
    for who in ("coordinator", "officer_a", "viewer"):
        assert as_user(who).post(f"/notifications/outbox/{dead.id}/retry").status_code == 403
    assert as_user("officer_a").get("/notifications/outbox").status_code == 403
    session.expire_all()
    row = session.get(Notification, dead.id)
    assert (row.status, row.attempts) == ("dead", 8)
    assert not session.scalars(sa.select(AuditEvent)
                               .where(AuditEvent.action == "notification.retry")).all()


def test_an_admin_retries_a_dead_notification(world, as_user, session):
    dead = make_notification(session, recipient_id=None, subject_id=world["task_of"]("AG-A"),
                             status="dead", attempts=8, last_error="connection refused")
    make_notification(session, recipient_id=None, subject_id=world["task_of"]("AG-B"))
    session.commit()
    admin = as_user("admin")
    page = admin.get("/notifications/outbox").get_data(as_text=True)
    assert 'data-status="dead">1<' in page and 'data-status="sent">1<' in page
    assert f"/notifications/outbox/{dead.id}/retry" in page
    response = admin.post(f"/notifications/outbox/{dead.id}/retry")
    assert response.status_code == 302
    session.expire_all()
    row = session.get(Notification, dead.id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, WEB_NOW)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "notification.retry"))
    assert event.actor_label == "admin@example.org" and event.after == {"status": "pending"}
    again = admin.post(f"/notifications/outbox/{dead.id}/retry")  # a second click, or stale page
    assert again.status_code == 409
    admin.post("/language", data={"lang": "en"})
    body = admin.post(f"/notifications/outbox/{dead.id}/retry").get_data(as_text=True)
    assert "Nothing was changed" in body
    session.expire_all()
    assert session.get(Notification, dead.id).status == "pending"
    assert admin.get("/notifications/outbox?status=bogus").status_code == 404


def with_mail(session):
    """The server's SMTP settings, so email channels may be chosen."""
    save_smtp(session, CONSOLE, host="mail.example.org", port=587, tls="starttls",
              user="planwatch", sender="planwatch@example.org", password="smtp-s3cret",
              now=WEB_NOW)
    session.commit()


def live_targets(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(NotificationTarget).where(
        NotificationTarget.removed_at.is_(None)))


def test_an_invalid_address_is_refused_and_nothing_is_saved(world, as_user, session):
    with_mail(session)
    client = as_user("officer_a")
    response = client.post("/notifications/channels",
                           data={"channel": "email", "address": "not an address", "label": "x"})
    assert response.status_code == 422
    assert "không phải là địa chỉ thư" in response.get_data(as_text=True)  # Vietnamese first
    assert session.scalar(sa.select(sa.func.count()).select_from(NotificationTarget)) == 0
    client.post("/language", data={"lang": "en"})
    response = client.post("/notifications/channels",
                           data={"channel": "telegram", "address": "my chat"})
    assert "A Telegram chat id is a number" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(NotificationTarget)) == 0


def test_a_user_manages_only_their_own_channels(world, as_user, session):
    with_mail(session)
    officer_a = as_user("officer_a")
    response = officer_a.post("/notifications/channels",
                              data={"channel": "email", "address": "a.work@a.example.org",
                                    "label": "work"})
    assert response.status_code == 302
    target = session.scalar(sa.select(NotificationTarget))
    assert target.user_id == world["users"]["officer_a"]
    target_id = target.id
    page = officer_a.get("/notifications/channels").get_data(as_text=True)
    assert "a.work@a.example.org" in page and "s3cret" not in page
    officer_b = as_user("officer_b")
    assert f'data-id="{target.id}"' not in officer_b.get("/notifications/channels").get_data(
        as_text=True)
    assert officer_b.post(f"/notifications/channels/{target.id}/remove").status_code == 404
    assert as_user("admin").post(f"/notifications/channels/{target.id}/remove").status_code == 404
    assert officer_a.post(f"/notifications/channels/{target.id}/active",
                          data={"active": "0"}).status_code == 302
    session.expire_all()
    assert session.get(NotificationTarget, target.id).active is False
    assert officer_a.post(f"/notifications/channels/{target.id}/remove").status_code == 302
    session.expire_all()
    removed = session.scalar(sa.select(NotificationTarget).filter_by(id=target_id))
    assert removed.removed_at is not None and removed.secret is None and live_targets(session) == 0
    assert f'data-id="{target_id}"' not in officer_a.get("/notifications/channels").get_data(
        as_text=True)
    actions = set(session.scalars(sa.select(AuditEvent.action)
                                  .where(AuditEvent.entity_type == "notification_target")))
    assert actions == {"notification_target.set", "notification_target.set_active",
                       "notification_target.remove"}


def test_admins_manage_agency_channels(world, as_user, session):
    with_mail(session)
    admin = as_user("admin")
    assert admin.post("/notifications/agency-channels",
                      data={"agency": "AG-A", "channel": "email",
                            "address": "bad"}).status_code == 422
    assert admin.post("/notifications/agency-channels",
                      data={"agency": "AG-A", "channel": "email", "address": "vp@a.example.org",
                            "label": "mailbox"}).status_code == 302
    target = session.scalar(sa.select(NotificationTarget))
    page = admin.get("/notifications/agency-channels").get_data(as_text=True)
    assert f'data-id="{target.id}"' in page and "mailbox" in page
    assert as_user("coordinator").get("/notifications/agency-channels").status_code == 403
    assert as_user("officer_a").post(
        f"/notifications/agency-channels/{target.id}/remove").status_code == 403
    assert admin.post(f"/notifications/agency-channels/{target.id}/remove").status_code == 302
    assert live_targets(session) == 0


def test_the_pages_speak_vietnamese_and_english(world, as_user):
    client = as_user("admin")
    pages = ["/notifications/", "/notifications/channels", "/notifications/outbox",
             "/notifications/agency-channels"]
    vi = [client.get(p).get_data(as_text=True) for p in pages]
    assert "Thông báo của tôi" in vi[0] and "Kênh nhận thông báo của tôi" in vi[1]
    assert "Hộp thư đi" in vi[2] and "Kênh nhận thông báo của các cơ quan" in vi[3]
    client.post("/language", data={"lang": "en"})
    en = [client.get(p).get_data(as_text=True) for p in pages]
    assert "My notifications" in en[0] and "My notification channels" in en[1]
    assert "Outbox" in en[2] and "Agency notification channels" in en[3]


def test_an_officer_cannot_save_a_url_and_an_admin_only_an_allowed_one(world, as_user, session):
    officer = as_user("officer_a")
    for channel, address in (("webhook", "http://127.0.0.1:5210/x"),
                             ("apprise", "json://127.0.0.1:5210/x"),
                             ("email", "mailto://officer@cb.gov.vn")):
        response = officer.post("/notifications/channels",
                                data={"channel": channel, "address": address})
        assert response.status_code == 422, channel
    page = response.get_data(as_text=True)
    assert "Đây không phải là địa chỉ thư điện tử" in page
    assert "Webhook" not in officer.get("/notifications/channels").get_data(as_text=True)
    admin = as_user("admin")
    response = admin.post("/notifications/channels",
                          data={"channel": "webhook", "address": "http://10.1.2.3/hook"})
    assert response.status_code == 422
    assert "không có trong danh sách được phép" in response.get_data(as_text=True)
    response = admin.post("/notifications/channels",
                          data={"channel": "apprise", "address": "json://hooks.cb.gov.vn:0/x"})
    assert "Cổng trong địa chỉ này không hợp lệ" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(NotificationTarget)) == 0
    assert admin.post("/notifications/settings/allowlist",
                      data={"allowlist": "jsons://hooks.cb.gov.vn"}).status_code == 302
    assert admin.post("/notifications/channels",
                      data={"channel": "webhook",
                            "address": "https://hooks.cb.gov.vn/pw"}).status_code == 302
    assert live_targets(session) == 1


def test_the_settings_page_keeps_the_password_secret(world, as_user, session):
    admin = as_user("admin")
    response = admin.post("/notifications/settings/smtp", data={
        "host": "mail.cb.gov.vn", "port": "70000", "tls": "starttls", "user": "pw",
        "password": "smtp-Pa55", "from": "planwatch@cb.gov.vn"})
    assert response.status_code == 422
    assert "Cổng không hợp lệ" in response.get_data(as_text=True)
    assert admin.post("/notifications/settings/smtp", data={
        "host": "mail.cb.gov.vn", "port": "587", "tls": "starttls", "user": "pw",
        "password": "smtp-Pa55", "from": "planwatch@cb.gov.vn"}).status_code == 302
    page = admin.get("/notifications/settings").get_data(as_text=True)
    assert "mail.cb.gov.vn" in page and "smtp-Pa55" not in page and "(đã lưu)" in page
    # saved again with the password left blank: the stored one is kept
    admin.post("/notifications/settings/smtp", data={
        "host": "mail2.cb.gov.vn", "port": "465", "tls": "ssl", "user": "pw", "password": "",
        "from": "planwatch@cb.gov.vn"})
    from models.notify.settings import load_settings

    session.expire_all()
    smtp = load_settings(session).smtp
    assert (smtp.host, smtp.port, smtp.password) == ("mail2.cb.gov.vn", 465, "smtp-Pa55")
    assert as_user("officer_a").get("/notifications/settings").status_code == 403


def test_the_outbox_shows_why_a_send_failed(world, as_user, session):
    make_notification(session, recipient_id=world["users"]["officer_a"],
                      subject_id=world["tasks"]["a"] if "tasks" in world else 1, status="failed",
                      last_error="Failed to send JSON notification: Internal Server Error - "
                                 "error=500.")
    session.commit()
    page = as_user("admin").get("/notifications/outbox?status=failed").get_data(as_text=True)
    assert "Internal Server Error - error=500." in page


def _row(page: str, row_id: int) -> str:
    start = page.index(f'<tr data-id="{row_id}"')
    return page[start:page.index("</tr>", start)]


def test_a_daily_digest_reads_as_the_day_s_digest_not_as_a_task_rung(world, as_user, session):
    """The digest is named by the day it gathers, in the reader's words; only a ladder's row
    says when it fell against the due date."""
    me = world["users"]["officer_a"]
    digest = make_notification(session, recipient_id=me, subject_id=0, subject_type="digest",
                               kind="digest", rung="", dedupe_key="digest:2025-09-30:user:1")
    item = make_notification(session, recipient_id=me, subject_id=world["task_of"]("AG-A"),
                             status="bundled", digest_key=digest.dedupe_key)
    session.commit()
    page = as_user("admin").get("/notifications/outbox").get_data(as_text=True)
    row = _row(page, digest.id)
    assert "Bản tổng hợp ngày 30/09/2025" in row and "Bản tổng hợp hằng ngày" in row
    assert "digest" not in row.replace(f'data-id="{digest.id}"', "")
    assert "đúng ngày đến hạn" not in row
    assert "Nhắc việc · đúng ngày đến hạn" in _row(page, item.id)
    mine = as_user("officer_a").get("/notifications/").get_data(as_text=True)
    assert "đúng ngày đến hạn" not in _row(mine, digest.id)
    assert "Bản tổng hợp hằng ngày" in _row(mine, digest.id)
