"""User accounts and roles."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.db import UTCDateTime, db
from models.org.agencies import Agency


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    INSPECTOR = "inspector"
    OFFICER = "officer"
    VIEWER = "viewer"


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    role: Mapped[str] = mapped_column(sa.String(20))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="vi")
    is_active: Mapped[bool] = mapped_column(default=True)
    # leadership of an agency receives the higher rungs of the reminder ladder
    is_agency_head: Mapped[bool] = mapped_column(default=False)
    # kinds of notification (reminder, overdue, escalation) sent at once instead of in the
    # daily digest
    notify_immediate: Mapped[list] = mapped_column(sa.JSON, default=list)
    # bumped at logout and password change, so copied session cookies stop working
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()

    @property
    def label(self) -> str:
        """How the user is named in history and audit."""
        return self.display_name or self.email

    # The login protocol Flask-Login expects, kept here as plain attributes (no Flask import):
    # the id carries the session version, so bumping it invalidates every copied cookie.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The value kept in the session cookie: id and session version."""
        return f"{self.id}:{self.session_version}"

