"""One message through apprise, with apprise's own reason when it fails (captured per send).

apprise does not raise on a failed delivery: it returns False and logs why. A handler on the
"apprise" logger keeps the lines of the current thread only (the dispatcher sends from several
threads at once, which `apprise.LogCapture`, a process-wide handler, would mix up), and every
secret the URL holds is blanked out of them before they are stored or shown.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import unquote, urlsplit

_local = threading.local()
_install_lock = threading.Lock()
_installed = False
MAX_REASON = 1000
# schemes whose host part is a network host (elsewhere, e.g. tgram://TOKEN/, it is a secret)
HOSTED = {"json", "jsons", "mailto", "mailtos", "xml", "xmls", "form", "forms", "pwhook",
          "pwhooks"}
SECRET_PARAMS = {"pass", "password", "token", "key", "secret", "apikey", "access_token"}


class _ThreadLines(logging.Handler):
    """Appends the warnings of the thread that is sending to that thread's list."""

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(_local, "lines", None)
        if lines is not None:
            try:
                lines.append(record.getMessage())
            except Exception:  # a malformed log call must not break a send
                lines.append(str(record.msg))


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            import apprise  # noqa: F401  (its logger exists once it is imported)

            import models.notify.webhook  # noqa: F401  (registers pwhook://, pwhooks://)
            import models.notify.zalo  # noqa: F401  (registers zalo://)

            handler = _ThreadLines(level=logging.WARNING)
            logging.getLogger("apprise").addHandler(handler)
            _installed = True


def secrets_of(url: str) -> list[str]:
    """The parts of a URL that may be secret: password, user, host of token schemes, query."""
    parts = urlsplit(url)
    found = [url]
    for piece in (parts.password, parts.username):
        if piece:
            found += [piece, unquote(piece)]
    if parts.scheme not in HOSTED:
        found += [p for p in (parts.netloc, *parts.path.split("/")) if len(p) >= 8]
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if value and (name.lower().lstrip(":+") in SECRET_PARAMS or parts.scheme not in HOSTED):
            found += [value, unquote(value)]
    return sorted(set(found), key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def send_apprise(url: str, title: str, body: str, notify_type: str = "info") -> str | None:
    """Send one message; None on success, else apprise's reason (secrets blanked)."""
    from apprise import Apprise, AppriseAsset, NotifyFormat, NotifyType

    _install()
    if url[:8].lower().startswith(("pwhook:", "pwhooks:")):
        # our own webhook plugin, called without building apprise's objects for it
        from models.notify.webhook import post

        reason = post(url, title, body, NotifyType(notify_type).value)
        return None if reason is None else scrub(reason, secrets_of(url))[:MAX_REASON]
    from models.notify import mail

    if mail.is_server_mail(url):
        # the server's own SMTP settings: on a connection kept open across messages
        reason = mail.send(url, title, body)
        return None if reason is None else scrub(reason, secrets_of(url))[:MAX_REASON]
    _local.lines = []
    try:
        # service_timeout=0: apprise sends in this thread instead of handing each call to its
        # shared pool (cpu+4 threads), which capped our parallel sends; socket timeouts still
        # apply
        apobj = Apprise(asset=AppriseAsset(service_timeout=0))
        if not apobj.add(url):
            return "invalid notification URL"
        if apobj.notify(title=title, body=body, body_format=NotifyFormat.TEXT,
                        notify_type=NotifyType(notify_type)):
            return None
        reason = "; ".join(dict.fromkeys(_local.lines)) or "apprise gave no reason"
        return scrub(reason, secrets_of(url))[:MAX_REASON]
    finally:
        _local.lines = None
