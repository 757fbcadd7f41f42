"""Channels people fill in, checked when saved and turned into apprise URLs when sent.

An officer gives an email address, a Telegram chat id or a Zalo user id: the host, port and
credentials are the server's (SMTP settings, bot token, Official Account). Only an admin enters a
webhook or an apprise URL, and only to a scheme and host on the server's allowlist; loopback and
private addresses are refused unless the allowlist names that very host.
"""

from __future__ import annotations

import ipaddress
import re
from fnmatch import fnmatchcase
from urllib.parse import quote, urlencode, urlsplit

from models.core.errors import N_, Forbidden, InvalidInput
from models.notify.entities import Channel
from models.notify.settings import EMAIL_RE, NotifySettings


class ChannelUnknown(InvalidInput):
    code = "notify.channel_unknown"
    message = N_("Choose how to be told: email, Telegram, Zalo, a webhook or an apprise URL.")


class EmailInvalid(InvalidInput):
    code = "notify.email_invalid"
    message = N_("This is not an email address (for example can.bo@cb.gov.vn).")


class ChatIdInvalid(InvalidInput):
    code = "notify.chat_id_invalid"
    message = N_("A Telegram chat id is a number (a group's starts with -100) or the @name "
                 "of a channel.")


class ZaloIdInvalid(InvalidInput):
    code = "notify.zalo_id_invalid"
    message = N_("A Zalo user id is the number the Official Account sees for you "
                 "(digits only).")


class ChannelNotConfigured(InvalidInput):
    code = "notify.channel_not_configured"
    message = N_("The administrator has not set up %(channel)s on this server yet; choose "
                 "another channel or ask them.")


class ChannelAdminOnly(Forbidden):
    code = "notify.channel_admin_only"
    message = N_("Only an administrator may enter a webhook or an apprise URL.")


class UrlSchemeUnknown(InvalidInput):
    code = "notify.url_scheme_unknown"
    message = N_("The server does not know the address type \u201c%(scheme)s\u201d.")


class UrlPortInvalid(InvalidInput):
    code = "notify.url_port_invalid"
    message = N_("The port in this address is not valid: it must be a number from 1 to 65535.")


class UrlInvalid(InvalidInput):
    code = "notify.url_invalid"
    message = N_("The server cannot use this address; check it (nothing was saved).")


class HostNotAllowed(InvalidInput):
    code = "notify.host_not_allowed"
    message = N_("The server may not send to %(host)s: it is not on the administrator's list "
                 "of allowed hosts.")


WEBHOOK_SCHEMES = {"http": "json", "https": "jsons"}
# apprise schemes whose body takes extra JSON fields (`:name=value`): the outbox id goes there
JSON_SCHEMES = {"json", "jsons", "form", "forms", "xml", "xmls"}
MAIL_SCHEMES = {"mailto", "mailtos"}
CHAT_ID_RE = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
ZALO_ID_RE = re.compile(r"^\d{5,25}$")


def _host_is_internal(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified \
        or ip.is_multicast or ip.is_reserved


def allowed(allowlist: list[str], scheme: str, host: str, port: int | None) -> bool:
    """Whether an allowlist entry (`scheme://host[:port]`, host `*` or `*.domain`) matches."""
    internal = _host_is_internal(host)
    for entry in allowlist:
        e_scheme, _, e_host = entry.partition("://")
        e_host, _, e_port = e_host.partition(":")
        if e_scheme != scheme or (e_port and str(port or "") != e_port):
            continue
        if e_host == host:
            return True
        # a wildcard never opens loopback or private addresses: those must be named
        if not internal and (e_host == "*" or fnmatchcase(host, e_host)
                             or (e_host.startswith("*.") and host == e_host[2:])):
            return True
    return False


def check_url(url: str, allowlist: list[str] | None) -> str:
    """A URL apprise can use, on the allowlist (None: the operator, no allowlist); or why not."""
    from apprise import Apprise

    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        raise UrlInvalid(field="url")
    if scheme in WEBHOOK_SCHEMES:
        scheme, url = WEBHOOK_SCHEMES[scheme], WEBHOOK_SCHEMES[scheme] + url[len(scheme):]
        parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise UrlPortInvalid(field="url") from None
    if port == 0:
        raise UrlPortInvalid(field="url")
    probe = Apprise()
    # apprise splits on spaces and commas: exactly one usable URL, or none is kept
    if not probe.add(url) or len(probe) != 1:
        from apprise.apprise import N_MGR

        if scheme not in N_MGR:
            raise UrlSchemeUnknown(scheme=scheme, field="url")
        raise UrlInvalid(field="url")
    host = (parts.hostname or "").lower()
    if allowlist is not None and not allowed(allowlist, scheme, host, port):
        raise HostNotAllowed(host=f"{scheme}://{host}" + (f":{port}" if port else ""),
                             field="url")
    return url


def shown(url: str) -> str:
    """A URL without its secrets, to show its owner: scheme, host, port, path; no user, query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    if parts.scheme in JSON_SCHEMES or parts.scheme in MAIL_SCHEMES:
        return f"{parts.scheme}://{host}{port}{parts.path}"
    return f"{parts.scheme}://…"  # tgram://TOKEN/…, discord://ID/TOKEN: the host is the secret


def check_channel(channel: str, value: str, *, actor_role: str | None,
                  settings: NotifySettings) -> tuple[str, str, str | None]:
    """(channel, address shown, secret URL or None) for a form's input; or the reason why not.

    `actor_role` None is the operator (command line, flows): any URL, no allowlist.
    """
    value = (value or "").strip()
    if channel not in set(Channel):
        raise ChannelUnknown(field="channel")
    if channel == Channel.EMAIL:
        if value.lower().startswith(("mailto:", "mailtos:")) or not EMAIL_RE.match(value):
            raise EmailInvalid(field="address")
        if not settings.smtp.configured:
            raise ChannelNotConfigured(channel="email", field="channel")
        return channel, value.lower(), None
    if channel == Channel.TELEGRAM:
        if not CHAT_ID_RE.match(value):
            raise ChatIdInvalid(field="address")
        if not settings.telegram_token:
            raise ChannelNotConfigured(channel="Telegram", field="channel")
        return channel, value, None
    if channel == Channel.ZALO:
        if not ZALO_ID_RE.match(value):
            raise ZaloIdInvalid(field="address")
        if not settings.zalo_token:
            raise ChannelNotConfigured(channel="Zalo", field="channel")
        return channel, value, None
    if actor_role is not None and actor_role != "admin":
        raise ChannelAdminOnly(field="channel")
    if channel == Channel.WEBHOOK and urlsplit(value).scheme.lower() not in WEBHOOK_SCHEMES:
        raise UrlSchemeUnknown(scheme=urlsplit(value).scheme or value[:20], field="url")
    url = check_url(value, None if actor_role is None else settings.allowlist)
    return channel, shown(url), url


def _with_query(url: str, params: dict) -> str:
    extra = urlencode(params, safe="<>@:+-")
    return url + ("&" if "?" in url else "?") + extra


def mail_url(settings: NotifySettings, to: str, outbox_id: int | None) -> str:
    """The server's SMTP settings as a mailto(s):// URL to one address."""
    smtp = settings.smtp
    scheme = "mailto" if smtp.tls == "none" else "mailtos"
    auth = ""
    if smtp.user:
        auth = quote(smtp.user, safe="") + (":" + quote(smtp.password, safe="")
                                            if smtp.password else "") + "@"
    params = {"smtp": smtp.host, "from": smtp.sender, "to": to}
    if smtp.tls != "none":
        params["mode"] = smtp.tls
    if outbox_id is not None:
        params["+X-Planwatch-Outbox-Id"] = str(outbox_id)
    return _with_query(f"{scheme}://{auth}{smtp.host}:{smtp.port}/", params)


def send_url(channel: str, address: str, secret_url: str | None, settings: NotifySettings,
             outbox_id: int | None) -> str:
    """The apprise URL of one message to a target, with the outbox id where the channel has
    room for it (a JSON field for webhooks, a mail header)."""
    if channel == Channel.EMAIL:
        return mail_url(settings, address, outbox_id)
    if channel == Channel.TELEGRAM:
        return f"tgram://{settings.telegram_token}/{address}/"
    if channel == Channel.ZALO:
        return _with_query(f"zalo://{address}/", {"token": settings.zalo_token,
                                                  "base": settings.zalo_base})
    url = secret_url or ""
    scheme = urlsplit(url).scheme.lower()
    if channel == Channel.WEBHOOK and scheme in ("json", "jsons"):
        # a webhook is sent by our keep-alive plugin (models.notify.webhook), same JSON
        url = ("pwhooks" if scheme == "jsons" else "pwhook") + url[len(scheme):]
        return _with_query(url, {"outbox_id": str(outbox_id or "")})
    if outbox_id is not None and scheme in JSON_SCHEMES:
        return _with_query(url, {":outbox_id": str(outbox_id),
                                 "+X-Planwatch-Outbox-Id": str(outbox_id)})
    if outbox_id is not None and scheme in MAIL_SCHEMES:
        return _with_query(url, {"+X-Planwatch-Outbox-Id": str(outbox_id)})
    return url


def send_test_mail(session, actor, *, to: str, now, send=None) -> str | None:
    """An admin's test of the server's SMTP settings: None if the mail left, else why not."""
    from models.core.audit import record
    from models.notify.sending import send_apprise
    from models.notify.settings import _check_admin, load_settings

    _check_admin(actor)
    to = (to or "").strip()
    if not EMAIL_RE.match(to):
        raise EmailInvalid(field="to")
    settings = load_settings(session)
    if not settings.smtp.configured:
        raise ChannelNotConfigured(channel="email", field="host")
    error = (send or send_apprise)(
        mail_url(settings, to, None), "planwatch: thư thử / test message",
        "Máy chủ planwatch gửi được thư qua cấu hình SMTP này.\n"
        "The planwatch server can send mail with these SMTP settings.")
    record(session, actor=actor, action="settings.smtp_test", entity_type="server_setting",
           entity_id="smtp", after={"to": to, "ok": error is None}, now=now)
    return error
