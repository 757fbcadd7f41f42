"""Webhooks as an apprise channel that keeps its connections open (one pool per sender thread).

    pwhook://host:port/path?outbox_id=N   (pwhooks:// for https)

POSTs the same JSON as apprise's json:// ({"version", "title", "message", "type"}) plus
"outbox_id", and the header X-Planwatch-Outbox-Id, so an idempotent receiver can drop a repeat.
apprise's json:// opens a new connection per message (requests.post); at dispatch rates the
connection set-up was half of the cost of a send.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlencode

from apprise.decorators import notify

TIMEOUT = (4, 15)
logger = logging.getLogger("apprise")
_local = threading.local()


def _session():
    import requests

    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def _post(secure: bool, body, title, notify_type, meta) -> bool:
    import requests

    host, port = meta.get("host") or "", meta.get("port")
    path = meta.get("fullpath") or "/"
    query = dict(meta.get("qsd") or {})
    outbox_id = query.pop("outbox_id", "")
    url = f"{'https' if secure else 'http'}://{host}{f':{port}' if port else ''}{path}"
    if query:  # the webhook's own parameters, if its URL had any
        url += "?" + urlencode(query)
    payload = {"version": "1.0", "title": title, "message": body, "type": notify_type,
               "outbox_id": outbox_id}
    try:
        response = _session().post(url, json=payload, timeout=TIMEOUT,
                                   headers={"X-Planwatch-Outbox-Id": str(outbox_id)})
    except requests.RequestException as exc:
        _local.session = None  # a broken pool: start a fresh one next time
        logger.warning("Webhook %s unreachable: %s", host, type(exc).__name__)
        return False
    if not 200 <= response.status_code < 300:
        logger.warning("Webhook %s answered HTTP %s %s", host, response.status_code,
                       response.reason)
        return False
    return True


@notify(on="pwhook", name="planwatch webhook")
def send_webhook(body, title, notify_type, *args, meta=None, **kwargs):
    return _post(False, body, title, notify_type, meta or {})


@notify(on="pwhooks", name="planwatch webhook (https)")
def send_webhook_secure(body, title, notify_type, *args, meta=None, **kwargs):
    return _post(True, body, title, notify_type, meta or {})
