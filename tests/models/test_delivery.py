"""Delivery: channels checked when saved, secrets encrypted, rules at dispatch, reasons, Zalo."""

import email
import email.policy
import json
import logging
import os
import stat
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.core.actors import CONSOLE
from models.core.db import make_session_factory
from models.notify.channels import ChannelAdminOnly, HostNotAllowed, UrlPortInvalid, send_test_mail
from models.notify.dispatch import dispatch
from models.notify.entities import Notification, NotificationTarget
from models.notify.ladder import sweep
from models.notify.secrets import KEY_ENV, load_key
from models.notify.settings import save_allowlist, save_smtp, save_zalo
from models.notify.targets import remove_target, set_target, set_target_active
from models.org.users import User
from models.tasks.generation import generate_tasks
from tests.factories import T0, load_mini, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_DAY = datetime(2025, 9, 30, 6, tzinfo=HCM)
BASE = "https://planwatch.example.org"
PASSWORD = "Pw-9f3kQ-secret"


def immediate(session):
    """Every user takes each kind at once (no digest): these tests are about single rows."""
    from models.notify.digest import KINDS

    session.execute(sa.update(User).values(notify_immediate=list(KINDS)))


def factory(session):
    return make_session_factory(session.get_bind())


@pytest.fixture
def people(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 10, 31), now=T0)
    users = {"officer": make_user(session, email="a@a.example.org"),
             "admin": make_user(session, email="root@example.org", role="admin", agency=None)}
    session.commit()
    return users


def test_an_officer_cannot_point_the_server_at_loopback_or_other_hosts(session, people):
    officer, admin = people["officer"], people["admin"]
    for url in ("json://127.0.0.1:5210/x", "http://10.0.0.7/hook", "jsons://evil.example.com/"):
        with pytest.raises(ChannelAdminOnly):
            set_target(session, officer, url=url, user_email=officer.email, now=T0)
        with pytest.raises(ChannelAdminOnly):
            set_target(session, officer, channel="webhook", address=url,
                       user_email=officer.email, now=T0)
    # an admin is held to the allowlist too; a wildcard never opens loopback or private hosts
    save_allowlist(session, admin, text="jsons://*.cb.gov.vn\njson://*", now=T0)
    for url in ("json://127.0.0.1:5210/x", "http://10.0.0.7/hook", "https://localhost/x",
                "jsons://evil.example.com/"):
        with pytest.raises(HostNotAllowed):
            set_target(session, admin, url=url, user_email=admin.email, now=T0)
    with pytest.raises(UrlPortInvalid):
        set_target(session, admin, url="json://hooks.cb.gov.vn:99999/x", user_email=admin.email,
                   now=T0)
    ok = set_target(session, admin, url="https://hooks.cb.gov.vn/planwatch",
                    user_email=admin.email, now=T0)
    assert (ok.channel, ok.address) == ("webhook", "jsons://hooks.cb.gov.vn/planwatch")
    # the admin names the loopback receiver exactly: now it may be used
    save_allowlist(session, admin, text="json://127.0.0.1:5210", now=T0)
    assert set_target(session, admin, url="json://127.0.0.1:5210/x", user_email=admin.email,
                      now=T0).channel == "apprise"
    assert session.scalar(sa.select(sa.func.count()).select_from(NotificationTarget)) == 2


def test_no_outbox_row_nor_log_line_holds_a_password(
        session, people, http_receiver, smtp_receiver, caplog):  # noqa: F811
    """Secrets are stored encrypted once; a failed send's reason names no password."""
    caplog.set_level(logging.DEBUG)
    url = http_receiver.url("/hook").replace("json://", f"json://planwatch:{PASSWORD}@")
    set_target(session, CONSOLE, url=url, user_email="a@a.example.org", now=T0)
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none",
              user="planwatch", sender="planwatch@example.org", password=PASSWORD, now=T0)
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    http_receiver.status = 500
    summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert summary["failed"] == 1 and "500" in summary.failures[0][1]
    with session.get_bind().connect() as conn:
        for table in ("notification", "notification_target", "server_setting", "audit_event"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                assert PASSWORD not in repr(tuple(row)), table
    assert PASSWORD not in caplog.text
    assert session.scalar(sa.select(Notification.last_error)).count("***") <= 1


def test_a_refusal_that_repeats_the_secrets_is_stored_without_them(
        session, people, http_receiver):  # noqa: F811
    """A receiver that echoes the credentials in its refusal: the reason is kept, blanked."""
    token = "tok-7Qz2mW9xR4"
    url = f"http://planwatch:{PASSWORD}@127.0.0.1:{http_receiver.port}/hook?token={token}"
    assert set_target(session, CONSOLE, url=url, user_email="a@a.example.org",
                      now=T0).channel == "webhook"
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    http_receiver.status = 401
    http_receiver.reason = f"Unauthorized: planwatch:{PASSWORD} token={token}"
    summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert summary["failed"] == 1
    reason = summary.failures[0][1]
    assert "HTTP 401 Unauthorized" in reason and "***" in reason
    with session.get_bind().connect() as conn:
        for table in ("notification", "notification_target", "audit_event"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                assert PASSWORD not in repr(tuple(row)) and token not in repr(tuple(row)), table
    session.expire_all()
    assert session.scalar(sa.select(Notification.last_error)) == reason


def test_the_key_file_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path))
    key = load_key()
    path = tmp_path / "secrets.key"
    assert path.read_bytes() == key and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key() == key  # the same key next time


def test_paused_removed_and_disabled_stop_queued_messages(session, people, http_receiver):  # noqa: F811
    officer = people["officer"]
    make_user(session, email="a2@a.example.org")
    make_user(session, email="a3@a.example.org")
    targets = {email: set_target(session, CONSOLE, url=http_receiver.url(f"/{email}"),
                                 user_email=email, now=T0)
               for email in ("a@a.example.org", "a2@a.example.org", "a3@a.example.org")}
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3
    set_target_active(session, CONSOLE, targets["a@a.example.org"].id, active=False, now=T0)
    remove_target(session, CONSOLE, targets["a2@a.example.org"].id, now=T0)
    session.get(User, officer.id)  # the third recipient's account is disabled
    session.scalar(sa.select(User).where(User.email == "a3@a.example.org")).is_active = False
    session.commit()
    summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert summary["cancelled"] == 3 and summary["sent"] == 0 and http_receiver.received == []
    reasons = set(session.scalars(sa.select(Notification.last_error)))
    assert reasons == {"the channel is paused", "the channel was removed",
                       "the recipient's account is disabled"}
    assert set(session.scalars(sa.select(Notification.status))) == {"cancelled"}


def test_every_message_carries_its_outbox_id(session, people, http_receiver, smtp_receiver):  # noqa: F811
    make_user(session, email="b@b.example.org", agency="AG-B")
    set_target(session, CONSOLE, url=http_receiver.url("/a"), user_email="a@a.example.org",
               now=T0)
    save_smtp(session, CONSOLE, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    set_target(session, CONSOLE, channel="email", address="b.mail@b.example.org",
               user_email="b@b.example.org", now=T0)
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 2
    ids = dict(session.execute(sa.select(Notification.target_id, Notification.id)).all())
    [(_, body)] = http_receiver.received
    [(rcpt, raw)] = smtp_receiver.messages
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert rcpt == ["b.mail@b.example.org"]
    assert {body["outbox_id"], mail["X-Planwatch-Outbox-Id"]} == {str(i) for i in ids.values()}


def test_the_smtp_test_message_reaches_the_server(session, people, smtp_receiver):  # noqa: F811
    admin = people["admin"]
    save_smtp(session, admin, host="127.0.0.1", port=smtp_receiver.port, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    assert send_test_mail(session, admin, to="root@example.org", now=T0) is None
    [(rcpt, _)] = smtp_receiver.messages
    assert rcpt == ["root@example.org"]
    save_smtp(session, admin, host="127.0.0.1", port=9, tls="none", user="",
              sender="planwatch@example.org", password=None, now=T0)
    reason = send_test_mail(session, admin, to="root@example.org", now=T0)
    assert reason and "127.0.0.1" in reason  # apprise's own words: the server was unreachable


class ZaloStandIn:
    """Answers like Zalo's OA API and keeps what it was sent (path, token header, JSON)."""

    def __init__(self):
        self.requests = []
        self.error = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append((self.path, self.headers.get("access_token"),
                                          self.headers.get("Content-Type"), body))
                ok = (self.path == "/v3.0/oa/message/cs" and self.headers.get("access_token")
                      and set(body) == {"recipient", "message"}
                      and set(body["recipient"]) == {"user_id"}
                      and isinstance(body["message"].get("text"), str))
                error = stand_in.error if ok else -201
                answer = {"error": error, "message": "Success" if not error else "invalid"}
                if not error:
                    answer["data"] = {"message_id": "m1", "user_id": body["recipient"]["user_id"]}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_zalo_messages_follow_the_official_account_api(session, people):
    stand_in = ZaloStandIn()
    try:
        save_zalo(session, people["admin"], base_url=stand_in.base, token="oa-token-123456",
                  now=T0)
        set_target(session, people["officer"], channel="zalo", address="8723451234567",
                   user_email="a@a.example.org", now=T0)
        immediate(session)
        sweep(session, now=DUE_DAY)
        session.commit()
        assert dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)["sent"] == 1
        [(path, token, content_type, body)] = stand_in.requests
        assert (path, token, content_type) == ("/v3.0/oa/message/cs", "oa-token-123456",
                                               "application/json")
        assert body["recipient"] == {"user_id": "8723451234567"}
        assert "Thời hạn: 30/09/2025" in body["message"]["text"]
        # Zalo refuses (HTTP 200 with an error code): a failure with Zalo's reason, retried
        stand_in.error = -230
        session.execute(sa.update(Notification).values(status="pending"))
        session.commit()
        summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
        assert summary["failed"] == 1 and "-230" in summary.failures[0][1]
        assert "oa-token-123456" not in summary.failures[0][1]
    finally:
        stand_in.server.shutdown()
        stand_in.server.server_close()


def test_admins_get_one_message_when_rows_go_dead(session, people, http_receiver):  # noqa: F811
    make_user(session, email="a2@a.example.org")
    for email_ in ("a@a.example.org", "a2@a.example.org"):
        set_target(session, CONSOLE, url="json://127.0.0.1:9/nobody", user_email=email_, now=T0)
    admin_target = set_target(session, CONSOLE, url=http_receiver.url("/admin"),
                              user_email="root@example.org", now=T0)
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE, max_attempts=1)
    assert summary["dead"] == 2 and summary.alerted == 1 and not summary.ok
    alert = session.scalar(sa.select(Notification).where(Notification.kind == "alert"))
    assert alert.target_id == admin_target.id
    assert dispatch(factory(session), now=DUE_DAY + timedelta(seconds=1), limit=10,
                    base_url=BASE)["sent"] == 1
    [(path, body)] = http_receiver.received
    assert path == "/admin" and body["title"] == "planwatch: 2 thông báo không gửi được"
    assert f"{BASE}/notifications/outbox?status=dead" in body["message"]


def test_a_webhook_gets_json_with_its_outbox_id_and_a_refusal_is_explained(
        session, people, http_receiver):  # noqa: F811
    target = set_target(session, CONSOLE, url=f"http://127.0.0.1:{http_receiver.port}/hook",
                        user_email="a@a.example.org", now=T0)
    assert target.channel == "webhook"
    immediate(session)
    sweep(session, now=DUE_DAY)
    session.commit()
    row_id = session.scalar(sa.select(Notification.id))
    http_receiver.status = 503
    summary = dispatch(factory(session), now=DUE_DAY, limit=10, base_url=BASE)
    assert summary["failed"] == 1 and "HTTP 503" in summary.failures[0][1]
    http_receiver.status = 200
    assert dispatch(factory(session), now=DUE_DAY + timedelta(minutes=1), limit=10,
                    base_url=BASE)["sent"] == 1
    (path, body) = http_receiver.received[-1]
    assert path == "/hook" and body["outbox_id"] == str(row_id)
    assert body["title"] == "Nhắc hạn: Xây dựng kế hoạch" and "30/09/2025" in body["message"]
