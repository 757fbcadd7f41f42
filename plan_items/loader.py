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
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

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

    def __init__(self, problems: list[Problem], loaded: Loaded | None = None):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.loaded = loaded  # what could be read, so later checks can add their problems


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


MAX_BYTES = 4 * 1024 * 1024  # the seed plan is 60 KB
MAX_DEPTH = 64  # mappings and lists inside each other; the seed plan needs 12
MAX_NODES = 500_000


class _Constructor(RoundTripConstructor):
    """Impossible dates (2025-02-30) stay text, so the schema reports them with the others."""

    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _flow_depth_problem(name: str, text: str) -> Problem | None:
    """Brackets nested beyond the limit, found in one pass (YAML's scanner is slow on them)."""
    depth, line, quote = 0, 1, ""
    previous = "\n"
    for char in text:
        if char == "\n":
            line += 1
            quote = "" if quote == "#" else quote
        elif quote:
            if char == quote and quote != "#":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t\n":
            quote = "#"
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(name, line, f"nested more than {MAX_DEPTH} levels deep")
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return None


def _shape_problems(name: str, text: str) -> list[Problem]:
    """What no plan file needs and a hostile one uses: aliases, deep nesting, huge size."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return [Problem(name, 1, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    if problem := _flow_depth_problem(name, text):
        return [problem]
    problems, depth, nodes = [], 0, 0
    for event in YAML(typ="rt").parse(text):
        line = event.start_mark.line + 1 if event.start_mark else 1
        nodes += 1
        if isinstance(event, AliasEvent):
            problems.append(Problem(name, line, f"YAML aliases (*{event.anchor}) are not allowed "
                                                "in plan files: write the value out"))
            if len(problems) >= 20:
                break
        elif isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return problems + [Problem(name, line, f"nested more than {MAX_DEPTH} levels deep")]
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        if nodes > MAX_NODES:
            return problems + [Problem(name, line, f"more than {MAX_NODES} values")]
    return problems


def read(path: str | Path, schema: Schema, checks=None) -> Loaded:
    """Parse YAML, validate it against `schema` and run `checks` (which see the raw data too);
    raise PlanFileError with every problem found."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError([Problem(name, 1, f"cannot read the file: {exc}")]) from None
    try:
        if problems := _shape_problems(name, text):
            raise PlanFileError(list(dict.fromkeys(problems)))
        yaml = YAML(typ="rt")
        yaml.Constructor = _Constructor
        raw = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PlanFileError([Problem(name, line, f"YAML syntax: {exc.problem or exc}")]) from None
    except YAMLError as exc:
        raise PlanFileError([Problem(name, 1, f"YAML syntax: {exc}")]) from None
    loaded = Loaded(name, raw)
    if not isinstance(raw, CommentedMap):
        raise PlanFileError([Problem(name, 1, "the file must be a YAML mapping")])
    plain = _plain(raw)
    problems: list[Problem] = []
    try:
        loaded.data = schema.load(plain)
    except ValidationError as exc:
        problems = [
            loaded.problem(keys, f"{'.'.join(map(str, keys)) or 'file'}: {message}")
            for keys, message in _flatten(exc.messages)
        ]
        loaded.data = plain  # reference checks still run on what could be read
    if checks:
        problems += checks(loaded)
    if problems:
        unique = {(p.line, p.message): p for p in problems}
        raise PlanFileError(sorted(unique.values(), key=lambda p: (p.line, p.message)), loaded)
    return loaded


def read_plan(path: str | Path) -> Loaded:
    """A plan file, schema-checked, with its internal references checked too."""
    return read(path, PlanFileSchema(), check_plan_references)


def read_agencies(path: str | Path) -> Loaded:
    """An agencies file, schema-checked, with unique codes and known parents and groups."""
    return read(path, AgenciesFileSchema(), check_agency_references)


def _dicts(value) -> list[dict]:
    """The mappings in a list that may be malformed (the schema reports the rest)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def check_agency_references(loaded: Loaded, known_groups: set[str] | None = None,
                            known_agencies: set[str] | None = None) -> list[Problem]:
    """Unique codes; parents and groups known in the file or, when given, in the database
    (so a communes file may name the groups and parents of an agencies file loaded before)."""
    data, problems = loaded.data, []
    group_codes: set[str] = set()
    for i, group in enumerate(_dicts(data.get("groups"))):
        if group.get("code") in group_codes:
            problems.append(loaded.problem(("groups", i, "code"),
                                           f"duplicate group code {group['code']!r}"))
        group_codes.add(group.get("code"))
    codes: set[str] = set()
    for i, agency in enumerate(_dicts(data.get("agencies"))):
        if agency.get("code") in codes:
            problems.append(loaded.problem(("agencies", i, "code"),
                                           f"duplicate agency code {agency['code']!r}"))
        codes.add(agency.get("code"))
    if known_groups is None and known_agencies is None:
        return problems  # without a database, references are checked when importing
    group_codes |= known_groups or set()
    codes |= known_agencies or set()
    for i, agency in enumerate(_dicts(data.get("agencies"))):
        if agency.get("parent") and agency["parent"] not in codes:
            problems.append(loaded.problem(("agencies", i, "parent"),
                                           f"unknown parent agency {agency['parent']!r}"))
        for j, group in enumerate(agency.get("groups") or []):
            if group not in group_codes:
                problems.append(loaded.problem(("agencies", i, "groups", j),
                                               f"unknown agency group {group!r}"))
    return problems


def walk_sections(sections, parent: str | None = None, keys: tuple = ("sections",)):
    """(section, parent code, key path) in document order."""
    for i, section in enumerate(sections if isinstance(sections, list) else []):
        if not isinstance(section, dict):
            continue
        yield section, parent, keys + (i,)
        yield from walk_sections(section.get("sections") or [], section.get("code"),
                                 keys + (i, "sections"))


def check_plan_references(loaded: Loaded) -> list[Problem]:
    """Duplicate codes, items citing unknown sections, absorbs that make no sense."""
    data, problems = loaded.data, []
    section_codes: set[str] = set()
    for section, _, keys in walk_sections(data.get("sections")):
        if section.get("code") in section_codes:
            problems.append(loaded.problem(keys + ("code",),
                                           f"duplicate section code {section['code']!r}"))
        section_codes.add(section.get("code"))
    items: dict[str, dict] = {}
    all_items = list(enumerate(data.get("items") or [])) if isinstance(data.get("items"), list) \
        else []
    all_items = [(i, item) for i, item in all_items if isinstance(item, dict)]
    for i, item in all_items:
        if item.get("code") in items:
            problems.append(loaded.problem(("items", i, "code"),
                                           f"duplicate item code {item['code']!r}"))
        items.setdefault(item.get("code"), item)
        if "section" in item and item["section"] not in section_codes:
            problems.append(loaded.problem(("items", i, "section"),
                                           f"unknown section {item['section']!r}"))
    from models.plans.cadence import Cadence, months_in

    for i, item in all_items:
        for j, code in enumerate(item.get("absorbs") or []):
            lower = items.get(code)
            if lower is None:
                problems.append(loaded.problem(("items", i, "absorbs", j),
                                               f"absorbs unknown item {code!r}"))
                continue
            calendar_cadences = (Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.HALF_YEARLY,
                                 Cadence.YEARLY)
            known = {c.value for c in Cadence}
            if item.get("cadence") not in known or lower.get("cadence") not in known:
                continue  # the schema already reports the unknown cadence
            if (item.get("cadence") not in calendar_cadences
                    or lower.get("cadence") not in calendar_cadences
                    or months_in(lower["cadence"]) >= months_in(item["cadence"])):
                problems.append(loaded.problem(
                    ("items", i, "absorbs", j),
                    f"{item.get('code')} ({item.get('cadence')}) cannot absorb {code}"
                    f" ({lower.get('cadence')}):"
                    " only a longer calendar cadence absorbs a shorter one"))
    problems += _check_due_references(loaded, all_items, items)
    return problems


def _check_due_references(loaded: Loaded, all_items: list, items: dict[str, dict]) -> list:
    """`working_days_after: after: [...]` names other items of the same cadence, none of which
    itself follows others (no chains, so no cycles)."""
    problems = []
    for i, item in all_items:
        due = item.get("due")
        if not isinstance(due, dict) or due.get("rule") != "working_days_after":
            continue
        after = due.get("after")
        after = [after] if isinstance(after, str) else after
        for j, code in enumerate(after if isinstance(after, list) else []):
            keys = ("items", i, "due", "after", j)
            other = items.get(code)
            if code == item.get("code"):
                problems.append(loaded.problem(keys, f"{code} cannot follow itself"))
            elif other is None:
                problems.append(loaded.problem(keys, f"follows unknown item {code!r}"))
            elif other.get("cadence") != item.get("cadence"):
                problems.append(loaded.problem(
                    keys, f"{item.get('code')} ({item.get('cadence')}) cannot follow {code} "
                          f"({other.get('cadence')}): the periods must match"))
            elif isinstance(other.get("due"), dict) and \
                    other["due"].get("rule") == "working_days_after":
                problems.append(loaded.problem(
                    keys, f"{code} itself follows other items: follow the items it follows"))
    return problems
