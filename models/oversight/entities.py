"""Inspections and supervision (kiểm tra, giám sát), their findings and corrective actions."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.db import UTCDateTime, db
from models.org.agencies import Agency
from models.org.users import User
from models.plans.entities import Item, Plan, Section
from models.tasks.entities import Task


class InspectionKind(enum.StrEnum):
    INSPECTION = "inspection"  # kiểm tra
    SUPERVISION = "supervision"  # giám sát


class InspectionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CONCLUDED = "concluded"


class Severity(enum.StrEnum):
    OBSERVATION = "observation"
    MINOR = "minor"
    MAJOR = "major"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REOPENED = "reopened"


# statuses in which the agency still owes the fix: these can be overdue
ACTION_OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.REOPENED)

inspection_agency = sa.Table(
    "inspection_agency",
    db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspection.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id"), primary_key=True, index=True),
)

inspection_inspector = sa.Table(
    "inspection_inspector",
    db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspection.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id"), primary_key=True, index=True),
)

inspection_item = sa.Table(
    "inspection_item",
    db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspection.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("item_id", sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
)

inspection_section = sa.Table(
    "inspection_section",
    db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspection.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("section_id", sa.ForeignKey("section.id", ondelete="CASCADE"), primary_key=True),
)


class Inspection(db.Model):
    """One inspection or supervision of one or several agencies over some of a plan."""

    __tablename__ = "inspection"
    __table_args__ = (sa.Index("ix_inspection_status_planned", "status", "planned_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=InspectionKind.INSPECTION)
    title: Mapped[str] = mapped_column(sa.Text)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"), index=True)
    planned_on: Mapped[date]
    started_on: Mapped[date | None]
    concluded_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(16), default=InspectionStatus.PLANNED)
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan | None] = relationship()
    agencies: Mapped[list[Agency]] = relationship(secondary=inspection_agency,
                                                  order_by="Agency.code")
    inspectors: Mapped[list[User]] = relationship(secondary=inspection_inspector,
                                                  order_by="User.id")
    items: Mapped[list[Item]] = relationship(secondary=inspection_item, order_by="Item.position")
    sections: Mapped[list[Section]] = relationship(secondary=inspection_section,
                                                   order_by="Section.position")
    findings: Mapped[list[Finding]] = relationship(back_populates="inspection",
                                                   order_by="Finding.id")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def agency_ids(self) -> set[int]:
        return {a.id for a in self.agencies}

    def visible_to(self, user: User) -> bool:
        """Staff read every inspection; an officer only those of their own agency."""
        from models.core.access import sees_all_agencies

        return sees_all_agencies(user) or user.agency_id in self.agency_ids

    @property
    def is_open(self) -> bool:
        return self.status != InspectionStatus.CONCLUDED


class Finding(db.Model):
    """What an inspection saw at one agency, and the task, item or section it concerns."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(16))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item.id", ondelete="SET NULL"))
    section_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("section.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    agency: Mapped[Agency] = relationship()
    task: Mapped[Task | None] = relationship()
    item: Mapped[Item | None] = relationship()
    section: Mapped[Section | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    actions: Mapped[list[CorrectiveAction]] = relationship(back_populates="finding",
                                                           order_by="CorrectiveAction.id")

    __mapper_args__ = {"version_id_col": version}


class CorrectiveAction(db.Model):
    """A fix an agency owes for a finding; closed only when an inspector verifies it."""

    __tablename__ = "corrective_action"
    __table_args__ = (
        sa.Index("ix_corrective_action_agency_status_due", "agency_id", "status", "due_on"),
        sa.Index("ix_corrective_action_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        sa.ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date]
    original_due_on: Mapped[date | None]  # the first due date, kept once extended
    extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=ActionStatus.OPEN)
    requires_followup: Mapped[bool] = mapped_column(default=False)
    followup_inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    finding: Mapped[Finding] = relationship(back_populates="actions")
    agency: Mapped[Agency] = relationship()
    followup_inspection: Mapped[Inspection | None] = relationship()
    updates: Mapped[list[CorrectiveActionUpdate]] = relationship(
        back_populates="corrective_action", order_by="CorrectiveActionUpdate.id",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        """Derived: the due day has passed and the agency has not submitted its fix."""
        return self.status in ACTION_OPEN_STATUSES and self.due_on < today

    @classmethod
    def overdue_clause(cls, today: date):
        """The same rule as `is_overdue`, as SQL."""
        return sa.and_(cls.status.in_([s.value for s in ACTION_OPEN_STATUSES]),
                       cls.due_on < today)


class CorrectiveActionUpdate(db.Model):
    """One step in a corrective action's history: who moved it, when, and why."""

    __tablename__ = "corrective_action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("corrective_action.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(sa.String(32))  # raise | start | submit | verify | ...
    from_status: Mapped[str] = mapped_column(sa.String(16), default="")
    to_status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    corrective_action: Mapped[CorrectiveAction] = relationship(back_populates="updates")
    actor: Mapped[User | None] = relationship()
