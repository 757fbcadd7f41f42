"""Evidence files attached to task updates and corrective actions (stored by `evidence`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.db import UTCDateTime, db

if TYPE_CHECKING:
    from models.tasks.entities import TaskUpdate


class Attachment(db.Model):
    """Evidence: a file stored outside the web root under a generated name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("task_update.id", ondelete="CASCADE"), index=True
    )
    owner_type: Mapped[str] = mapped_column(sa.String(32), default="task_update")
    owner_id: Mapped[int | None] = mapped_column(index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    task_update: Mapped[TaskUpdate | None] = relationship(back_populates="attachments")
