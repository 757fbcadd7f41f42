"""Webhooks as an apprise channel that keeps its connections open (one per host and sender thread).

    pwhook://host:port/path?outbox_id=N   (pwhooks:// for https)

POSTs the same JSON as apprise's json:// ({"version", "title", "message", "type"}) plus
"outbox_id", and the header X-Planwatch-Outbox-Id, so an idempotent receiver can drop a repeat.

Why not apprise's json:// or requests: apprise's json:// opens a new connection per message,
and requests (urllib3) writes the headers and the body of a POST in two packets, so on a
kept-alive connection every message waited for the receiver's delayed ACK (Nagle): ~20-40 ms
each on loopback, whatever the CPU. http.client writes a bytes body with its headers in one
packet, and the sockets here set TCP_NODELAY besides. The dispatcher calls `post` directly for
these URLs (models.notify.sending): apprise itself adds nothing to our own plugin but ~1.5 ms
of CPU per message building its objects.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit

from apprise.decorators import notify

TIMEOUT = 15  # seconds for connecting and for each read
SCHEMES = ("pwhook", "pwhooks")
logger = logging.getLogger("apprise")
_local = threading.local()


def _connection(secure: bool, host: str, port: int | None) -> tuple[http.client.HTTPConnection,
                                                                     bool]:
    """This thread's open connection to host:port (and whether it was used before)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (secure, host, port)
    conn = pool.get(key)
    if conn is not None:
        return conn, True
    if secure:
        conn = http.client.HTTPSConnection(host, port, timeout=TIMEOUT,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pool[key] = conn
    return conn, False


def _drop(secure: bool, host: str, port: int | None) -> None:
    conn = getattr(_local, "pool", {}).pop((secure, host, port), None)
    if conn is not None:
        conn.close()


def _request(secure: bool, host: str, port: int | None, path: str, data: bytes,
             headers: dict) -> http.client.HTTPResponse:
    """POST on the kept-alive connection; once more on a fresh one if the kept one had been
    closed by the server meanwhile (nothing was delivered on it)."""
    for attempt in (1, 2):
        conn, reused = _connection(secure, host, port)
        try:
            conn.request("POST", path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            _drop(secure, host, port)
            if reused and attempt == 1:
                continue  # a stale keep-alive connection: the request did not reach a handler
            raise
        except Exception:
            _drop(secure, host, port)
            raise
        if response.will_close:
            _drop(secure, host, port)
        return response
    raise AssertionError("unreachable")


def post(url: str, title: str, body: str, notify_type: str = "info") -> str | None:
    """Send one message to a pwhook(s):// URL; None on success, else why not (no secret: the
    caller blanks the URL's own parts)."""
    parts = urlsplit(url)
    secure = parts.scheme.lower() == "pwhooks"
    try:
        port = parts.port
    except ValueError:
        return "invalid notification URL"
    host = parts.hostname or ""
    query = parse_qsl(parts.query, keep_blank_values=True)
    outbox_id = next((v for k, v in query if k == "outbox_id"), "")
    rest = [(k, v) for k, v in query if k != "outbox_id"]
    path = (parts.path or "/") + ("?" + urlencode(rest) if rest else "")
    data = json.dumps({"version": "1.0", "title": title, "message": body, "type": notify_type,
                       "outbox_id": outbox_id}).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "planwatch",
               "X-Planwatch-Outbox-Id": str(outbox_id)}
    if parts.username:  # basic auth given in the URL (user:password@host)
        import base64
        from urllib.parse import unquote

        token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
    try:
        response = _request(secure, host, port, path, data, headers)
    except (OSError, http.client.HTTPException) as exc:
        return f"Webhook {host} unreachable: {type(exc).__name__}"
    if not 200 <= response.status < 300:
        return f"Webhook {host} answered HTTP {response.status} {response.reason}"
    return None


def _via_apprise(secure: bool, body, title, notify_type, meta) -> bool:
    host, port = meta.get("host") or "", meta.get("port")
    query = dict(meta.get("qsd") or {})
    auth = ""
    if meta.get("user"):
        auth = meta["user"] + (f":{meta['password']}" if meta.get("password") else "") + "@"
    url = (f"{'pwhooks' if secure else 'pwhook'}://{auth}{host}{f':{port}' if port else ''}"
           f"{meta.get('fullpath') or '/'}" + ("?" + urlencode(query) if query else ""))
    reason = post(url, title, body, str(notify_type))
    if reason:
        logger.warning("%s", reason)
        return False
    return True


@notify(on="pwhook", name="planwatch webhook")
def send_webhook(body, title, notify_type, *args, meta=None, **kwargs):
    return _via_apprise(False, body, title, notify_type, meta or {})


@notify(on="pwhooks", name="planwatch webhook (https)")
def send_webhook_secure(body, title, notify_type, *args, meta=None, **kwargs):
    return _via_apprise(True, body, title, notify_type, meta or {})
