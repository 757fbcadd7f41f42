"""The server's notification settings, kept in the database: SMTP, allowlist, Telegram, Zalo.

Secrets (the SMTP password, the bot token, the Official Account token) are stored encrypted
(models.notify.secrets); the encryption key never is. Only an admin changes these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.actors import Actor, is_admin
from models.core.audit import record
from models.core.db import UTCDateTime, db
from models.core.errors import N_, Forbidden, InvalidInput
from models.notify.secrets import decrypt, encrypt

TLS_MODES = ("starttls", "ssl", "none")
ZALO_DEFAULT_BASE = "https://openapi.zalo.me"


class ServerSetting(db.Model):
    """One group of settings (smtp, allowlist, telegram, zalo): plain values and one secret."""

    __tablename__ = "server_setting"

    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    secret: Mapped[str | None] = mapped_column(sa.Text)  # Fernet ciphertext
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SettingsAdminOnly(Forbidden):
    code = "notify.settings_admin_only"
    message = N_("Only an administrator may change the server's notification settings.")


class SmtpHostMissing(InvalidInput):
    code = "notify.smtp_host_missing"
    message = N_("Enter the mail server's name (for example mail.example.gov.vn).")


class SmtpPortInvalid(InvalidInput):
    code = "notify.smtp_port_invalid"
    message = N_("The port must be a number from 1 to 65535 (usually 587, 465 or 25).")


class SmtpFromInvalid(InvalidInput):
    code = "notify.smtp_from_invalid"
    message = N_("The sender address is not an email address.")


class AllowlistEntryInvalid(InvalidInput):
    code = "notify.allowlist_entry_invalid"
    message = N_("Line %(line)s of the allowed hosts is not of the form scheme://host "
                 "(for example jsons://hooks.example.gov.vn or mailtos://*.gov.vn).")


class ZaloBaseInvalid(InvalidInput):
    code = "notify.zalo_base_invalid"
    message = N_("The Zalo API address must start with http:// or https://.")


EMAIL_RE = re.compile(r"^[^@\s/?#:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
HOST_RE = re.compile(r"^(\*|(\*\.)?[A-Za-z0-9_.-]+)(:\d{1,5})?$")


@dataclass
class SmtpSettings:
    host: str = ""
    port: int = 587
    tls: str = "starttls"
    user: str = ""
    sender: str = ""
    password: str = field(default="", repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass
class NotifySettings:
    smtp: SmtpSettings
    allowlist: list[str]
    telegram_token: str = field(default="", repr=False)
    zalo_base: str = ZALO_DEFAULT_BASE
    zalo_token: str = field(default="", repr=False)


def _rows(session: Session) -> dict[str, ServerSetting]:
    return {row.key: row for row in session.scalars(sa.select(ServerSetting))}


def _secret(row: ServerSetting | None) -> str:
    return decrypt(row.secret) if row is not None and row.secret else ""


def smtp_from_url(url: str | None) -> SmtpSettings:
    """A `mailto://[user[:pass]@]host[:port]/?from=…&mode=…` URL (PLANWATCH_SMTP_URL, the
    deployment's default) as SMTP settings; an empty or unreadable URL is "not configured"."""
    if not url:
        return SmtpSettings()
    parts = urlsplit(url)
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError:
        return SmtpSettings()
    if parts.scheme not in ("mailto", "mailtos") or not parts.hostname:
        return SmtpSettings()
    tls = query.get("mode") or ("none" if parts.scheme == "mailto" else "starttls")
    return SmtpSettings(
        host=query.get("smtp") or parts.hostname,
        port=port or (25 if tls == "none" else 465 if tls == "ssl" else 587),
        tls=tls if tls in TLS_MODES else "starttls",
        user=unquote(parts.username or query.get("user", "")),
        sender=query.get("from", ""),
        password=unquote(parts.password or query.get("pass", "")))


def load_settings(session: Session, default_smtp_url: str | None = None) -> NotifySettings:
    """Every notification setting, secrets decrypted (for the dispatcher, never for a page).

    The SMTP server is the one an admin saved on the settings page; `default_smtp_url` (the
    deployment's PLANWATCH_SMTP_URL) only stands in while none is saved.
    """
    rows = _rows(session)
    smtp = rows.get("smtp")
    value = smtp.value if smtp else {}
    zalo = rows.get("zalo")
    stored = SmtpSettings(host=value.get("host", ""), port=int(value.get("port", 587)),
                          tls=value.get("tls", "starttls"), user=value.get("user", ""),
                          sender=value.get("from", ""), password=_secret(smtp))
    return NotifySettings(
        smtp=stored if stored.configured else smtp_from_url(default_smtp_url),
        allowlist=list((rows["allowlist"].value if "allowlist" in rows else {})
                       .get("entries", [])),
        telegram_token=_secret(rows.get("telegram")),
        zalo_base=(zalo.value.get("base_url") if zalo else None) or ZALO_DEFAULT_BASE,
        zalo_token=_secret(zalo),
    )


def server_mail(session: Session, default_smtp_url: str | None = None) -> str | None:
    """Whether people without a channel of their own are mailed at their account's address,
    and from which settings: "settings" (saved by an admin), "environment" (the default), or
    None (no server mail). The sweep writes their rows only then; the dispatcher builds the
    same server's mailto:// URL from `load_settings` with the same default."""
    settings = load_settings(session, default_smtp_url)
    if not settings.smtp.configured:
        return None
    stored = _rows(session).get("smtp")
    return "settings" if stored is not None and stored.value.get("host") else "environment"


def settings_view(session: Session) -> dict:
    """What the settings page shows: values, and only whether each secret is set."""
    rows = _rows(session)
    return {key: {**row.value, "secret_set": bool(row.secret)} for key, row in rows.items()}


def _check_admin(actor: Actor) -> None:
    """An administrator, or the server's console; no other person or system actor."""
    if not is_admin(actor):
        raise SettingsAdminOnly()


def _store(session: Session, actor: Actor, key: str, value: dict, secret: str | None, now: datetime,
           clear_secret: bool = False) -> ServerSetting:
    """Write one settings group; `secret` None keeps the stored one (a blank password field)."""
    row = session.get(ServerSetting, key)
    before = dict(row.value) if row else None
    if row is None:
        row = ServerSetting(key=key, value={})
        session.add(row)
    row.value, row.updated_at = value, now
    if secret:
        row.secret = encrypt(secret)
    elif clear_secret:
        row.secret = None
    session.flush()
    # the audit trail gets the values and whether a secret changed, never the secret
    record(session, actor=actor, action=f"settings.{key}", entity_type="server_setting",
           entity_id=key, before=before,
           after={**value, "secret_changed": bool(secret) or clear_secret}, now=now)
    return row


def save_smtp(session: Session, actor: Actor, *, host: str, port, tls: str, user: str, sender: str,
              password: str | None, now: datetime) -> ServerSetting:
    """The server's mail settings; a blank password keeps the stored one."""
    _check_admin(actor)
    host = (host or "").strip()
    if not host or not re.fullmatch(r"[A-Za-z0-9_.-]+", host):
        raise SmtpHostMissing(field="host")
    try:
        port = int(str(port).strip())
    except ValueError:
        raise SmtpPortInvalid(field="port") from None
    if not 1 <= port <= 65535:
        raise SmtpPortInvalid(field="port")
    sender = (sender or "").strip()
    if not EMAIL_RE.match(sender):
        raise SmtpFromInvalid(field="from")
    tls = tls if tls in TLS_MODES else "starttls"
    return _store(session, actor, "smtp", {"host": host, "port": port, "tls": tls,
                                           "user": (user or "").strip(), "from": sender},
                  password or None, now, clear_secret=not (user or "").strip())


def parse_allowlist(text: str) -> list[str]:
    """One `scheme://host` per line (host may be `*` or `*.domain`); blank lines ignored."""
    entries = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        scheme, sep, host = line.partition("://")
        if not sep or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme.lower()) \
                or not HOST_RE.match(host.rstrip("/")):
            raise AllowlistEntryInvalid(line=number, field="allowlist")
        entries.append(f"{scheme.lower()}://{host.rstrip('/').lower()}")
    return entries


def save_allowlist(session: Session, actor: Actor, *, text: str, now: datetime) -> ServerSetting:
    """The schemes and hosts the server may send to (webhooks and apprise URLs)."""
    _check_admin(actor)
    return _store(session, actor, "allowlist", {"entries": parse_allowlist(text)}, None, now)


def save_telegram(session: Session, actor: Actor, *, token: str | None, now: datetime,
                  clear: bool = False) -> ServerSetting:
    """The server's Telegram bot token (users give only their chat id)."""
    _check_admin(actor)
    return _store(session, actor, "telegram", {}, (token or "").strip() or None, now,
                  clear_secret=clear)


def save_zalo(session: Session, actor: Actor, *, base_url: str, token: str | None,
              now: datetime) -> ServerSetting:
    """The Zalo Official Account's API address and access token."""
    _check_admin(actor)
    base_url = (base_url or "").strip().rstrip("/") or ZALO_DEFAULT_BASE
    if not re.match(r"^https?://[^\s/]+", base_url):
        raise ZaloBaseInvalid(field="zalo_base")
    return _store(session, actor, "zalo", {"base_url": base_url}, (token or "").strip() or None,
                  now)
