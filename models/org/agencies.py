"""Agencies, their hierarchy and the groups a plan assigns work to."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship

from models.core.db import db

# Codes are unique within a namespace (a province): "TU" is the default namespace's Tỉnh uỷ,
# "HG:TU" the Tỉnh uỷ of the province loaded with `namespace: HG`.
DEFAULT_NAMESPACE = ""
SEPARATOR = ":"


def split_code(qualified: str) -> tuple[str, str]:
    """("HG", "TU") for "HG:TU"; (DEFAULT_NAMESPACE, "TU") for "TU"."""
    namespace, sep, code = qualified.rpartition(SEPARATOR)
    return (namespace, code) if sep else (DEFAULT_NAMESPACE, qualified)


def qualify(namespace: str, code: str) -> str:
    """The code as typed on the command line: bare in the default namespace."""
    return f"{namespace}{SEPARATOR}{code}" if namespace else code

agency_group_member = sa.Table(
    "agency_group_member",
    db.metadata,
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("agency_group.id", ondelete="CASCADE"), primary_key=True),
)


class AgencyGroup(db.Model):
    __tablename__ = "agency_group"
    __table_args__ = (sa.UniqueConstraint("namespace", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(sa.String(32), default=DEFAULT_NAMESPACE,
                                           server_default="")
    code: Mapped[str] = mapped_column(sa.String(64))
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    # other names the group goes by in documents, one a line (drafting matches them)
    aliases: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    agencies: Mapped[list[Agency]] = relationship(
        secondary=agency_group_member, back_populates="groups", order_by="Agency.code"
    )


class Agency(db.Model):
    __tablename__ = "agency"
    __table_args__ = (sa.UniqueConstraint("namespace", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(sa.String(32), default=DEFAULT_NAMESPACE,
                                           server_default="")
    code: Mapped[str] = mapped_column(sa.String(64))
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # other names the agency goes by in documents, one a line (drafting matches them)
    aliases: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # the agency exists from active_from to active_to, both included (None: no limit); it is
    # given no task due outside that span (a commune set up later, one merged into another)
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    groups: Mapped[list[AgencyGroup]] = relationship(
        secondary=agency_group_member, back_populates="agencies"
    )

    def name(self, locale: str = "vi") -> str:
        """The agency's name in the reader's language, Vietnamese when no English is given."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name_vi

    @property
    def qualified_code(self) -> str:
        return qualify(self.namespace, self.code)

    def active_on(self, day: date) -> bool:
        """True when the agency exists on `day`."""
        return ((self.active_from is None or self.active_from <= day)
                and (self.active_to is None or day <= self.active_to))


def agency_code_is(qualified: str):
    """The SQL condition selecting the agency with this (possibly qualified) code."""
    namespace, code = split_code(qualified)
    return sa.and_(Agency.namespace == namespace, Agency.code == code)


def find_agency(session: Session, qualified: str) -> Agency | None:
    """The agency with this code ("TU", or "HG:TU" in namespace HG), or None."""
    return session.scalar(sa.select(Agency).where(agency_code_is(qualified)))


def qualified_agency_code():
    """`Agency.qualified_code` in SQL: the bare code in the default namespace, else "NS:CODE"."""
    return sa.case((Agency.namespace == DEFAULT_NAMESPACE, Agency.code),
                   else_=Agency.namespace + SEPARATOR + Agency.code)


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


def names_directory(session) -> tuple[list[dict], list[dict]]:
    """Every agency group and agency with the names a document may call it by (read-only).

    Returns (groups, agencies); each entry is {"code", "names", "members"/"parent", "groups"}
    with the Vietnamese name first, then the aliases.
    """
    groups = []
    for group in session.scalars(sa.select(AgencyGroup).order_by(AgencyGroup.code)):
        names = [group.name_vi] + [a for a in (group.aliases or "").splitlines() if a.strip()]
        groups.append({"code": group.code, "names": names,
                       "members": [a.code for a in group.agencies]})
    agencies = []
    for agency in session.scalars(sa.select(Agency).order_by(Agency.code)):
        names = [agency.name_vi] + [a for a in (agency.aliases or "").splitlines() if a.strip()]
        agencies.append({"code": agency.code, "names": names,
                         "parent": agency.parent.code if agency.parent else None,
                         "groups": sorted(g.code for g in agency.groups)})
    return groups, agencies
