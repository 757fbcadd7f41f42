"""Plans, their section tree and the trackable items (obligations) they contain."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.db import db
from models.org.agencies import Agency, AgencyGroup


class ItemKind(enum.StrEnum):
    ONE_OFF = "one_off"
    RECURRING_REPORT = "recurring_report"
    ON_REQUEST_REPORT = "on_request_report"
    ANNUAL_DUTY = "annual_duty"
    PROGRAMME = "programme"
    STANDING_DUTY = "standing_duty"


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text, default="")
    issuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    issued_on: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Ho_Chi_Minh")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    documents: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # implements / cites
    reminders: Mapped[list] = mapped_column(sa.JSON, default=list)  # default reminder ladder
    # a due date on a day off moves forward ("chậm nhất") or back ("trước ngày"); items may differ
    due_roll: Mapped[str] = mapped_column(sa.String(8), default="forward",
                                          server_default="forward")
    version: Mapped[int] = mapped_column(default=1)

    issuer: Mapped[Agency | None] = relationship(foreign_keys=[issuer_id])
    coordinator: Mapped[Agency | None] = relationship(foreign_keys=[coordinator_id])
    sections: Mapped[list[Section]] = relationship(
        back_populates="plan", order_by="Section.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="plan", order_by="Item.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def title(self, locale: str = "vi") -> str:
        return self.title_en if locale.startswith("en") and self.title_en else self.title_vi


class Section(db.Model):
    __tablename__ = "section"
    __table_args__ = (sa.UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("section.id"))
    code: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int] = mapped_column(default=0)
    title_vi: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text, default="")
    text_vi: Mapped[str] = mapped_column(sa.Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="sections")
    parent: Mapped[Section | None] = relationship(remote_side=[id])

    def title(self, locale: str = "vi") -> str:
        return self.title_en if locale.startswith("en") and self.title_en else self.title_vi


class Item(db.Model):
    __tablename__ = "item"
    __table_args__ = (sa.UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("section.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title_vi: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text, default="")
    text_vi: Mapped[str] = mapped_column(sa.Text, default="")
    cadence: Mapped[str] = mapped_column(sa.String(16))
    due_rule: Mapped[dict | None] = mapped_column(sa.JSON)
    absorbs: Mapped[list] = mapped_column(sa.JSON, default=list)  # item codes it replaces
    reminders: Mapped[list | None] = mapped_column(sa.JSON)  # None: the plan's ladder
    reports_to: Mapped[list] = mapped_column(sa.JSON, default=list)  # agency codes
    allows_nil_return: Mapped[bool] = mapped_column(default=False)
    evidence_vi: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_en: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    first_period: Mapped[str | None] = mapped_column(sa.String(16))  # 2025-10, 2025-Q4, 2026
    active: Mapped[bool] = mapped_column(default=True)  # False once removed from the plan file

    plan: Mapped[Plan] = relationship(back_populates="items")
    section: Mapped[Section] = relationship()
    parties: Mapped[list[ItemParty]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )

    def title(self, locale: str = "vi") -> str:
        return self.title_en if locale.startswith("en") and self.title_en else self.title_vi

    @property
    def effective_reminders(self) -> list:
        """The item's reminder ladder, or the plan's default."""
        return self.reminders if self.reminders is not None else (self.plan.reminders or [])


class ItemParty(db.Model):
    """An agency group or a single agency named as lead or coordinating for an item."""

    __tablename__ = "item_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))  # lead | coordinating | exclude
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency_group.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))

    item: Mapped[Item] = relationship(back_populates="parties")
    group: Mapped[AgencyGroup | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
