"""Reading plan and agency files with line numbers, so every error says FILE:LINE."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from plan_items.schema import AgenciesFileSchema, PlanFileSchema


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class PlanFileError(Exception):
    """A file with mistakes: every problem found, none written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Loaded:
    path: str
    raw: Any  # the ruamel tree, which knows the line of every key
    data: dict = field(default_factory=dict)  # validated and typed

    def line_of(self, *keys: str | int) -> int:
        """1-based line of the deepest key of `keys` that exists in the file."""
        node, line = self.raw, 1
        for key in keys:
            try:
                if isinstance(node, CommentedMap) and key in node:
                    line = node.lc.key(key)[0] + 1
                elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                    line = node.lc.item(key)[0] + 1
                else:
                    break
            except (AttributeError, KeyError, IndexError, TypeError):
                break
            node = node[key]
        return line

    def problem(self, keys: Iterable[str | int], message: str) -> Problem:
        return Problem(self.path, self.line_of(*keys), message)


def _plain(node: Any) -> Any:
    """The ruamel tree as plain Python (dates kept as dates)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime):
        return node.date() if (node.hour, node.minute, node.second) == (0, 0, 0) else node
    if isinstance(node, date) or node is None or isinstance(node, bool | int | float):
        return node
    return str(node)


def _flatten(messages: Any, prefix: tuple = ()) -> Iterable[tuple[tuple, str]]:
    """Marshmallow's nested error dict as (key path, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                yield from _flatten(value, prefix)
            else:
                yield from _flatten(value, prefix + (key,))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                yield from _flatten(message, prefix)
            else:
                yield prefix, str(message)
    else:
        yield prefix, str(messages)


def read(path: str | Path, schema: Schema) -> Loaded:
    """Parse YAML and validate it against `schema`, or raise PlanFileError with every problem."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError([Problem(name, 1, f"cannot read the file: {exc}")]) from None
    try:
        raw = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PlanFileError([Problem(name, line, f"YAML syntax: {exc.problem or exc}")]) from None
    except YAMLError as exc:
        raise PlanFileError([Problem(name, 1, f"YAML syntax: {exc}")]) from None
    loaded = Loaded(name, raw)
    if not isinstance(raw, CommentedMap):
        raise PlanFileError([Problem(name, 1, "the file must be a YAML mapping")])
    try:
        loaded.data = schema.load(_plain(raw))
    except ValidationError as exc:
        problems = [
            loaded.problem(keys, f"{'.'.join(map(str, keys)) or 'file'}: {message}")
            for keys, message in _flatten(exc.messages)
        ]
        raise PlanFileError(sorted(problems, key=lambda p: p.line)) from None
    return loaded


def read_plan(path: str | Path) -> Loaded:
    """A plan file, schema-checked, with its internal references checked too."""
    loaded = read(path, PlanFileSchema())
    problems = check_plan_references(loaded)
    if problems:
        raise PlanFileError(problems)
    return loaded


def read_agencies(path: str | Path) -> Loaded:
    """An agencies file, schema-checked, with unique codes and known parents and groups."""
    loaded = read(path, AgenciesFileSchema())
    data, problems = loaded.data, []
    group_codes: set[str] = set()
    for i, group in enumerate(data["groups"]):
        if group["code"] in group_codes:
            problems.append(loaded.problem(("groups", i, "code"),
                                           f"duplicate group code {group['code']!r}"))
        group_codes.add(group["code"])
    codes: set[str] = set()
    for i, agency in enumerate(data["agencies"]):
        if agency["code"] in codes:
            problems.append(loaded.problem(("agencies", i, "code"),
                                           f"duplicate agency code {agency['code']!r}"))
        codes.add(agency["code"])
    for i, agency in enumerate(data["agencies"]):
        if agency.get("parent") and agency["parent"] not in codes:
            problems.append(loaded.problem(("agencies", i, "parent"),
                                           f"unknown parent agency {agency['parent']!r}"))
        for j, group in enumerate(agency["groups"]):
            if group not in group_codes:
                problems.append(loaded.problem(("agencies", i, "groups", j),
                                               f"unknown agency group {group!r}"))
    if problems:
        raise PlanFileError(sorted(problems, key=lambda p: p.line))
    return loaded


def walk_sections(sections: list[dict], parent: str | None = None, keys: tuple = ("sections",)):
    """(section, parent code, key path) in document order."""
    for i, section in enumerate(sections):
        yield section, parent, keys + (i,)
        yield from walk_sections(section["sections"], section["code"], keys + (i, "sections"))


def check_plan_references(loaded: Loaded) -> list[Problem]:
    """Duplicate codes, items citing unknown sections, absorbs that make no sense."""
    data, problems = loaded.data, []
    section_codes: set[str] = set()
    for section, _, keys in walk_sections(data["sections"]):
        if section["code"] in section_codes:
            problems.append(loaded.problem(keys + ("code",),
                                           f"duplicate section code {section['code']!r}"))
        section_codes.add(section["code"])
    items: dict[str, dict] = {}
    for i, item in enumerate(data["items"]):
        if item["code"] in items:
            problems.append(loaded.problem(("items", i, "code"),
                                           f"duplicate item code {item['code']!r}"))
        items.setdefault(item["code"], item)
        if item["section"] not in section_codes:
            problems.append(loaded.problem(("items", i, "section"),
                                           f"unknown section {item['section']!r}"))
    from models.cadence import Cadence, months_in

    for i, item in enumerate(data["items"]):
        for j, code in enumerate(item["absorbs"]):
            lower = items.get(code)
            if lower is None:
                problems.append(loaded.problem(("items", i, "absorbs", j),
                                               f"absorbs unknown item {code!r}"))
                continue
            calendar_cadences = (Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.HALF_YEARLY,
                                 Cadence.YEARLY)
            if (item["cadence"] not in calendar_cadences
                    or lower["cadence"] not in calendar_cadences
                    or months_in(lower["cadence"]) >= months_in(item["cadence"])):
                problems.append(loaded.problem(
                    ("items", i, "absorbs", j),
                    f"{item['code']} ({item['cadence']}) cannot absorb {code} ({lower['cadence']}):"
                    " only a longer calendar cadence absorbs a shorter one"))
    return sorted(problems, key=lambda p: p.line)
