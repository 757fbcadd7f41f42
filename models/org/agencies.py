"""Agencies, their hierarchy and the groups a plan assigns work to."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from models.core.db import db

agency_group_member = sa.Table(
    "agency_group_member",
    db.metadata,
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("agency_group.id", ondelete="CASCADE"), primary_key=True),
)


class AgencyGroup(db.Model):
    __tablename__ = "agency_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")

    agencies: Mapped[list[Agency]] = relationship(
        secondary=agency_group_member, back_populates="groups", order_by="Agency.code"
    )


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    groups: Mapped[list[AgencyGroup]] = relationship(
        secondary=agency_group_member, back_populates="agencies"
    )

    def name(self, locale: str = "vi") -> str:
        """The agency's name in the reader's language, Vietnamese when no English is given."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name_vi


def directory(session) -> list[dict]:
    """Every agency by code, as plain values (`id`, `code`, `name_vi`, `name_en`, `parent`
    code, sorted `groups` codes): one statement, no entities (the API's agency list)."""
    parent, group = aliased(Agency), aliased(AgencyGroup)
    query = (sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en,
                       parent.code.label("parent"), group.code.label("group"))
             .outerjoin(parent, Agency.parent_id == parent.id)
             .outerjoin(agency_group_member, agency_group_member.c.agency_id == Agency.id)
             .outerjoin(group, agency_group_member.c.group_id == group.id)
             .order_by(Agency.code, group.code))
    out: dict[int, dict] = {}
    for row in session.execute(query):
        entry = out.get(row.id)
        if entry is None:
            entry = out[row.id] = {"id": row.id, "code": row.code, "name_vi": row.name_vi,
                                   "name_en": row.name_en, "parent": row.parent, "groups": []}
        if row.group is not None:
            entry["groups"].append(row.group)
    return list(out.values())
