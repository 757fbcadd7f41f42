"""Zalo as an apprise channel: a custom plugin for the Official Account "consultation" message.

    zalo://USER_ID?token=ACCESS_TOKEN&base=https://openapi.zalo.me

POSTs {base}/v3.0/oa/message/cs with the header `access_token` and the JSON body
{"recipient": {"user_id": ...}, "message": {"text": ...}}, as Zalo documents it. Zalo answers
HTTP 200 with {"error": 0, ...} on success and a non-zero "error" with a "message" otherwise.
The URL is built by the dispatcher from the server's settings and never stored.
"""

from __future__ import annotations

import logging

from apprise.decorators import notify

PATH = "/v3.0/oa/message/cs"
TIMEOUT = (4, 10)
logger = logging.getLogger("apprise")


def _arg(meta: dict, name: str) -> str:
    value = (meta.get("qsd") or {}).get(name, "")
    return value if isinstance(value, str) else ""


@notify(on="zalo", name="Zalo Official Account")
def send_zalo(body, title, notify_type, *args, meta=None, **kwargs):
    """One text message to one follower of the Official Account."""
    import requests

    meta = meta or {}
    user_id = meta.get("host") or ""
    token, base = _arg(meta, "token"), _arg(meta, "base") or "https://openapi.zalo.me"
    if not user_id or not token:
        logger.warning("Zalo: no user id or no access token configured")
        return False
    text = f"{title}\n\n{body}" if title else body
    try:
        response = requests.post(
            base.rstrip("/") + PATH, json={"recipient": {"user_id": user_id},
                                           "message": {"text": text}},
            headers={"access_token": token, "Accept": "application/json"}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        logger.warning("Zalo: cannot reach %s: %s", base, type(exc).__name__)
        return False
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or answer.get("error", -1) != 0:
        logger.warning("Zalo refused the message: HTTP %s, error %s: %s", response.status_code,
                       answer.get("error"), str(answer.get("message", ""))[:200])
        return False
    return True
