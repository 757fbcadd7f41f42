"""Telling the admins that the audit trail does not verify (the daily check found a broken link,
a missing tail or a forged checkpoint): one outbox row per admin channel and day."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.core.clock import local_today
from models.notify.entities import Notification, NotificationStatus, NotificationTarget
from models.notify.settings import NotifySettings
from models.org.users import Role, User

TZ = "Asia/Ho_Chi_Minh"
TEXT = {
    "vi": ("planwatch: nhật ký kiểm toán không còn nguyên vẹn",
           "Lần kiểm tra hằng ngày ({day}) thấy nhật ký kiểm toán đã bị thay đổi hoặc xoá:\n"
           "{problems}\n"
           "Xin không ghi đè bản sao lưu; chạy `planwatch audit verify` để xem chi tiết và so "
           "với bản điểm kiểm tra (checkpoint) đã xuất ra ngoài máy chủ."),
    "en": ("planwatch: the audit trail does not verify",
           "The daily check ({day}) found the audit trail changed or deleted:\n{problems}\n"
           "Do not overwrite the backups; run `planwatch audit verify` for the details and "
           "compare with a checkpoint kept off the server."),
}


def alert_audit_failure(session: Session, problems: list[str], *, now: datetime,
                        settings: NotifySettings | None) -> int:
    """One outbox row per active admin channel (mail when an admin has none and the server's
    mail is set up) about what verification found; at most one per admin, channel and day.
    Returns how many rows were written."""
    day = local_today(now, TZ)
    listed = "\n".join(f"- {p}" for p in problems[:10])
    mail_on = bool(settings and settings.smtp.configured)
    admins = session.scalars(sa.select(User).where(User.role == Role.ADMIN,
                                                   User.is_active.is_(True))).all()
    rows = []
    for admin in admins:
        lang = "en" if (admin.locale or "").startswith("en") else "vi"
        title, body = TEXT[lang]
        payload = {"title": title, "body": body.format(day=day.isoformat(), problems=listed)}
        targets = session.scalars(sa.select(NotificationTarget.id).where(
            NotificationTarget.user_id == admin.id, NotificationTarget.active.is_(True))).all()
        for target_id in targets or ([None] if mail_on else []):
            rows.append({
                "dedupe_key": f"audit:verify:{day.isoformat()}:user:{admin.id}:{target_id}",
                "recipient_user_id": admin.id, "target_id": target_id,
                "subject_type": "audit", "subject_id": 0, "rung": "0", "kind": "alert",
                "payload": payload, "locale": lang, "status": NotificationStatus.PENDING.value,
                "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now})
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = Notification.__table__
    written = session.execute(insert(table).values(rows)
                              .on_conflict_do_nothing(index_elements=["dedupe_key"])
                              .returning(table.c.id)).all()
    return len(written)
