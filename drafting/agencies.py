"""Finding the bodies a sentence names, against the agencies and groups of the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drafting.text import fold


@dataclass(frozen=True)
class Body:
    kind: str  # "group" or "agency"
    code: str

    def __str__(self) -> str:
        return self.code


_PARTY_WORDS = ("Đảng", "Huyện", "Thành", "Tỉnh", "Thị", "Quận")
_COMMITTEE = re.compile(r"\b(" + "|".join(fold(w) for w in _PARTY_WORDS) + r") " + fold("uỷ")
                        + r"\b")


@dataclass(frozen=True)
class Mention:
    body: Body
    start: int  # offsets in the folded text
    end: int
    name: str  # the name or alias that matched


@dataclass
class Directory:
    """The agencies and groups drafting may name: {"code", "names", ...} as models.org gives."""

    groups: list[dict] = field(default_factory=list)
    agencies: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        names: dict[str, Body] = {}
        for group in self.groups:
            for name in group["names"]:
                names.setdefault(fold(name).strip(), Body("group", group["code"]))
        for agency in self.agencies:
            for name in agency["names"]:
                names.setdefault(fold(name).strip(), Body("agency", agency["code"]))
        self._names = {n: b for n, b in names.items() if len(n) >= 2}
        # Longest names first, so "Ban Tuyên giáo và Dân vận Trung ương" wins over a shorter one.
        alternatives = sorted(self._names, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(n) for n in alternatives) + r")(?!\w)"
        ) if alternatives else None
        self.members = {g["code"]: set(g.get("members", [])) for g in self.groups}

    @classmethod
    def from_session(cls, session) -> Directory:
        from models.org.agencies import names_directory

        groups, agencies = names_directory(session)
        return cls(groups, agencies)

    def mentions(self, folded: str) -> list[Mention]:
        """Every body named in already-folded text, leftmost-longest, not overlapping."""
        if self._pattern is None:
            return []
        return [Mention(self._names[m.group(1)], m.start(1), m.end(1), m.group(1))
                for m in self._pattern.finditer(folded)]

    def covered(self, bodies: list[Body]) -> list[Body]:
        """Drop agencies that a group in the list already includes (order kept, no repeats)."""
        groups = {b.code for b in bodies if b.kind == "group"}
        out: list[Body] = []
        for body in bodies:
            if body in out:
                continue
            if body.kind == "agency" and any(body.code in self.members.get(g, ()) for g in groups):
                continue
            out.append(body)
        return out

    def has_party_committee(self, body: Body) -> bool:
        """A group (of party committees or their bodies) or an agency named as a party
        committee (Đảng uỷ, Huyện uỷ, Thành uỷ…): the bodies with a cấp uỷ's Ban Thường vụ."""
        if body.kind == "group":
            return True
        names = next((a["names"] for a in self.agencies if a["code"] == body.code), [])
        return any(_COMMITTEE.search(fold(n)) for n in names)

    def in_groups(self, agency: Body, bodies: list[Body]) -> bool:
        return agency.kind == "agency" and any(
            b.kind == "group" and agency.code in self.members.get(b.code, ()) for b in bodies)


def directory_from_file(path) -> Directory:
    """A Directory from an agencies file (offline drafting and tests without a database)."""
    from plan_items.loader import read_agencies

    data = read_agencies(path).data
    groups = [{"code": g["code"], "names": [g["name_vi"], *g.get("aliases", [])],
               "members": [a["code"] for a in data["agencies"] if g["code"] in a["groups"]]}
              for g in data["groups"]]
    agencies = [{"code": a["code"], "names": [a["name_vi"], *a.get("aliases", [])],
                 "parent": a.get("parent"), "groups": a["groups"]} for a in data["agencies"]]
    return Directory(groups, agencies)
