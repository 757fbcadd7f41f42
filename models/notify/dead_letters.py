"""Telling the admins, once per dispatch run, that messages went dead (not one per row)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.settings import NotifySettings
from models.org.users import Role, User

TEXT = {
    "vi": ("planwatch: {n} thông báo không gửi được",
           "Máy chủ đã thử nhiều lần nhưng không gửi được {n} thông báo (số {ids}).\n"
           "Lý do gần nhất: {reason}\n"
           "Xin kiểm tra kênh nhận hoặc cấu hình thư, rồi gửi lại tại: {link}"),
    "en": ("planwatch: {n} notification(s) could not be delivered",
           "The server tried several times but could not deliver {n} notification(s) "
           "(no. {ids}).\nLast reason: {reason}\n"
           "Check the channel or the mail settings, then send them again at: {link}"),
}


def alert_admins(session: Session, dead: list[tuple[int, str]], *, now: datetime,
                 base_url: str, settings: NotifySettings | None) -> int:
    """One outbox row per admin channel about the rows that went dead in this run; how many.

    These rows have subject_type "outbox": if one of them dies, no alert is raised about it.
    """
    ids = sorted(row_id for row_id, _ in dead)
    link = f"{base_url.rstrip('/')}/notifications/outbox?status=dead"
    mail_on = bool(settings and settings.smtp.configured)
    admins = session.scalars(sa.select(User).where(User.role == Role.ADMIN,
                                                   User.is_active.is_(True))).all()
    rows = []
    for admin in admins:
        lang = "en" if (admin.locale or "").startswith("en") else "vi"
        title, body = TEXT[lang]
        shown = ", ".join(f"#{i}" for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        payload = {"title": title.format(n=len(ids)),
                   "body": body.format(n=len(ids), ids=shown, reason=dead[-1][1][:300],
                                       link=link)}
        targets = session.scalars(sa.select(NotificationTarget.id).where(
            NotificationTarget.user_id == admin.id, NotificationTarget.active.is_(True))).all()
        for target_id in targets or ([None] if mail_on else []):
            rows.append({
                "dedupe_key": f"outbox:dead:{ids[0]}:{len(ids)}:user:{admin.id}:{target_id}",
                "recipient_user_id": admin.id, "target_id": target_id,
                "subject_type": "outbox", "subject_id": ids[0], "rung": "0", "kind": "alert",
                "payload": payload, "locale": lang, "status": NotificationStatus.PENDING.value,
                "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now})
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Notification.__table__).values(rows)
                    .on_conflict_do_nothing(index_elements=["dedupe_key"]))
    return len(rows)
