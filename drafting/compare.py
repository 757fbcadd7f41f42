"""How far a draft agrees with a hand-written plan file: sections, and item fields.

Each hand-written ("bundled") item is paired with one draft item of the same section that
quotes the same words: the draft item's sentence contains the first quoted fragment of the
bundled item's text_vi (or the other way round). When several draft items quote it (one
sentence, several cadences) the pairing is one-to-one, taking the candidate that agrees on
most fields; a bundled item left without a partner counts as wrong on every field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drafting.text import fold

FIELDS = ("cadence", "lead", "kind", "reports_to", "coordinating", "due")
HEADLINE = ("cadence", "lead")


def _parties(value) -> tuple:
    value = value or {}
    return (tuple(sorted(value.get("groups") or [])), tuple(sorted(value.get("agencies") or [])),
            tuple(sorted(value.get("exclude") or [])))


def _value(item: dict, name: str):
    if name == "lead":
        return _parties(item.get("lead"))
    if name == "coordinating":
        return _parties(item.get("coordinating"))[:2]
    if name == "reports_to":
        return tuple(sorted(item.get("reports_to") or []))
    if name == "due":
        due = item.get("due") or None
        return tuple(sorted((k, str(v)) for k, v in due.items())) if due else None
    return item.get(name)


def _fragment(text: str) -> str:
    first = (text or "").split("[…]")[0]
    return fold(first).strip(" .;,")


@dataclass
class Comparison:
    sections_same: bool
    section_differences: list[str]
    total: int
    agree: dict[str, int]
    unmatched: list[str] = field(default_factory=list)
    wrong: dict[str, list[str]] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)

    def share(self, name: str) -> float:
        return self.agree[name] / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        out = [f"section tree: {'same codes and titles' if self.sections_same else 'DIFFERENT'}"]
        out += [f"  {d}" for d in self.section_differences]
        out.append(f"bundled obligations: {self.total}; paired with a draft item:"
                   f" {self.total - len(self.unmatched)}")
        for name in FIELDS:
            out.append(f"{name:13s} {self.agree[name]:3d}/{self.total} = {self.share(name):6.1%}")
        if self.unmatched:
            out.append("no draft item quotes: " + ", ".join(self.unmatched))
        for name in FIELDS:
            for entry in self.wrong.get(name, []):
                out.append(f"  {name}: {entry}")
        return out


def _walk(sections, out):
    for s in sections or []:
        out.append((s.get("code"), " ".join(str(s.get("title_vi", "")).split())))
        _walk(s.get("sections"), out)
    return out


def compare(draft: dict, bundled: dict) -> Comparison:
    """Compare two plan-file mappings (as loaded): the draft's and the hand-written one."""
    ours, theirs = _walk(draft.get("sections"), []), _walk(bundled.get("sections"), [])
    differences = [f"draft {a!r} / bundled {b!r}"
                   for a, b in zip(ours, theirs, strict=False) if a != b]
    if len(ours) != len(theirs):
        differences.append(f"draft has {len(ours)} sections, bundled {len(theirs)}")
    items = list(draft.get("items") or [])
    used: set[int] = set()
    agree = {name: 0 for name in FIELDS}
    wrong: dict[str, list[str]] = {name: [] for name in FIELDS}
    unmatched: list[str] = []
    pairs: dict[str, str] = {}
    bundled_items = list(bundled.get("items") or [])
    for b in bundled_items:
        fragment = _fragment(b.get("text_vi"))
        candidates = []
        for i, d in enumerate(items):
            if i in used or d.get("section") != b.get("section"):
                continue
            text = fold(d.get("text_vi") or "").strip(" .;,")
            if fragment and (fragment in text or text in fragment):
                candidates.append(i)
        if not candidates:
            unmatched.append(b["code"])
            for name in FIELDS:
                wrong[name].append(f"{b['code']}: no draft item")
            continue
        best = max(candidates, key=lambda i: sum(
            _value(items[i], n) == _value(b, n) for n in FIELDS))
        used.add(best)
        d = items[best]
        pairs[b["code"]] = d["code"]
        for name in FIELDS:
            if _value(d, name) == _value(b, name):
                agree[name] += 1
            else:
                wrong[name].append(f"{b['code']} (draft {d['code']}): draft {_value(d, name)}"
                                   f" / bundled {_value(b, name)}")
    return Comparison(not differences, differences, len(bundled_items), agree, unmatched,
                      wrong, pairs)
