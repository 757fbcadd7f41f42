"""The draft under review: the plan file carried in the form, the coordinator's edits applied.

Pure helpers over the YAML text (no database): the page keeps the whole draft in a hidden
field, so nothing is stored until the plan is imported.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from models.plans.cadence import Cadence
from models.plans.entities import ItemKind

KINDS = [k.value for k in ItemKind]
CADENCES = [c.value for c in Cadence]
HEADER_FIELDS = ("code", "title_vi", "title_en", "issuer", "coordinator", "starts_on",
                 "ends_on")
LIST_FIELDS = {  # form field: (key path inside the item)
    "lead_groups": ("lead", "groups"), "lead_agencies": ("lead", "agencies"),
    "lead_exclude": ("lead", "exclude"),
    "coordinating_groups": ("coordinating", "groups"),
    "coordinating_agencies": ("coordinating", "agencies"),
    "reports_to": ("reports_to",),
}
TEXT_FIELDS = ("title_vi", "title_en", "kind", "cadence")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    return yaml


def load(text: str):
    return _yaml().load(text)


def dump(tree) -> str:
    out = io.StringIO()
    _yaml().dump(tree, out)
    return out.getvalue()


def codes(value: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,\s]+", value or "") if c.strip()]


def due_text(due) -> str:
    if not due:
        return ""
    return ", ".join(f"{k}: {v}" for k, v in due.items())


@dataclass
class Edited:
    text: str  # the plan file with the edits applied
    kept: list[int]  # the draft's item indices that are still in the file, in order
    problems: dict[int, list[str]] = field(default_factory=dict)  # by draft item index


def apply_edits(base: str, form) -> Edited:
    """The draft `base` with the form's header and item fields applied; dropped items removed."""
    tree = load(base)
    if not isinstance(tree, CommentedMap) or not isinstance(tree.get("items"), CommentedSeq):
        raise ValueError("not a plan draft")
    header = tree["plan"]
    for key in HEADER_FIELDS:
        name = f"plan-{key}"
        if name in form:
            value = form.get(name, "").strip()
            if value:
                header[key] = value
            elif key in header:
                del header[key]
    items = tree["items"]
    kept: list[int] = []
    problems: dict[int, list[str]] = {}
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        prefix = f"items-{index}-"
        if form.get(prefix + "drop"):
            del items[index]
            continue
        kept.append(index)
        for key in TEXT_FIELDS:
            if prefix + key in form:
                item[key] = form.get(prefix + key, "").strip()
        for name, path in LIST_FIELDS.items():
            if prefix + name not in form:
                continue
            values = codes(form.get(prefix + name))
            if len(path) == 1:
                if values:
                    item[path[0]] = values
                elif path[0] in item:
                    del item[path[0]]
            else:
                parties = item.get(path[0])
                if parties is None:
                    if not values:
                        continue
                    parties = item[path[0]] = CommentedMap()
                parties[path[1]] = values
        if prefix + "due" in form:
            raw = form.get(prefix + "due", "").strip()
            if not raw:
                item.pop("due", None)
            else:
                try:
                    due = YAML(typ="safe").load("{" + raw.strip("{} ") + "}")
                except YAMLError:
                    due = None
                if isinstance(due, dict):
                    item["due"] = due
                else:
                    problems.setdefault(index, []).append(
                        f"due: write it as 'rule: month_day, month: 12, day: 15', not {raw!r}")
    kept.reverse()
    return Edited(dump(tree), kept, problems)


def item_lines(text: str) -> list[int]:
    """The 1-based line where each item of the plan file starts."""
    tree = load(text)
    return [tree["items"].lc.item(i)[0] + 1 for i in range(len(tree["items"]))]


def problems_by_item(text: str, kept: list[int], problems) -> tuple[dict[int, list[str]],
                                                                      list[str]]:
    """File problems (Problem objects) placed at the draft item they fall in; others apart."""
    starts = item_lines(text)
    by_item: dict[int, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        position = None
        for i, start in enumerate(starts):
            if problem.line >= start:
                position = i
        if position is None:
            general.append(f"{problem.line}: {problem.message}")
        else:
            by_item.setdefault(kept[position], []).append(problem.message)
    return by_item, general
