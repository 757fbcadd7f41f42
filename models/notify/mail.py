"""The server's own mail (the SMTP settings page) on kept-open SMTP connections.

apprise's mailto:// opens, greets, (starts TLS, logs in,) sends and quits for every message.
The URLs the server builds from its SMTP settings (models.notify.channels.mail_url) carry only
`smtp`, `from`, `to`, `mode` and the outbox id header: those are sent here with smtplib, one
connection per mail server and sender thread, kept open across messages. Any other mailto://
URL (an admin's raw apprise URL with its own options) still goes through apprise.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qsl, unquote, urlsplit

TIMEOUT = 15
OUTBOX_HEADER = "X-Planwatch-Outbox-Id"
OWN_PARAMS = {"smtp", "from", "to", "mode", "+" + OUTBOX_HEADER.lower()}
_local = threading.local()


def _query(query: str) -> dict[str, str]:
    """The URL's parameters as apprise reads them: "+" is a header prefix, not a space."""
    return {k.lower(): v for k, v in parse_qsl(query.replace("+", "%2B"),
                                                keep_blank_values=True)}


def is_server_mail(url: str) -> bool:
    """A mailto(s):// URL of the shape mail_url builds (nothing apprise alone understands)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("mailto", "mailtos"):
        return False
    keys = set(_query(parts.query))
    return {"from", "to"} <= keys <= OWN_PARAMS


def _connect(host: str, port: int, mode: str, user: str, password: str) -> smtplib.SMTP:
    if mode == "ssl":
        conn = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT,
                                context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
        if mode == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if user:
        conn.login(user, password)
    return conn


def _drop(key) -> None:
    conn = getattr(_local, "pool", {}).pop(key, None)
    if conn is not None:
        try:
            conn.close()
        except Exception:  # closing a broken connection: nothing more to learn
            pass


def send(url: str, title: str, body: str) -> str | None:
    """One message to the URL's address; None on success, else the server's reason (the
    caller blanks the URL's secrets out of it)."""
    parts = urlsplit(url)
    query = _query(parts.query)
    secure = parts.scheme.lower() == "mailtos"
    mode = (query.get("mode") or "starttls") if secure else "none"
    host = query.get("smtp") or parts.hostname or ""
    try:
        port = parts.port or (465 if mode == "ssl" else 587 if secure else 25)
    except ValueError:
        return "invalid notification URL"
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    msg = EmailMessage()
    msg["Subject"] = title
    msg["From"] = query["from"]
    msg["To"] = query["to"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=query["from"].rpartition("@")[2] or None)
    outbox_id = query.get("+" + OUTBOX_HEADER.lower())
    if outbox_id:
        msg[OUTBOX_HEADER] = outbox_id
    msg.set_content(body, cte="quoted-printable")  # 7-bit safe for any relay
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (host, port, mode, user)
    for attempt in (1, 2):
        reused = key in pool
        try:
            if not reused:
                pool[key] = _connect(host, port, mode, user, password)
            pool[key].send_message(msg)
            return None
        except smtplib.SMTPServerDisconnected as exc:
            _drop(key)
            if reused and attempt == 1:
                continue  # the server closed the idle connection: the message was not taken
            return f"SMTP {host}:{port} closed the connection: {exc}"
        except smtplib.SMTPRecipientsRefused as exc:
            # the connection stays usable for the next message
            code, reason = next(iter(exc.recipients.values()), (0, b""))
            return (f"SMTP {host}:{port} refused {query['to']}: {code} "
                    f"{reason.decode('utf-8', 'replace') if isinstance(reason, bytes) else reason}")
        except smtplib.SMTPResponseException as exc:
            _drop(key)
            error = exc.smtp_error
            return (f"SMTP {host}:{port} answered {exc.smtp_code} "
                    f"{error.decode('utf-8', 'replace') if isinstance(error, bytes) else error}")
        except (OSError, smtplib.SMTPException) as exc:
            _drop(key)
            return f"SMTP {host}:{port} unreachable: {type(exc).__name__}: {exc}"
    return None
