"""A Draft as a plan file (planwatch/plan@1) with a comment on every guess."""

from __future__ import annotations

import datetime as dt
import json

from drafting.draft import Draft, Section


def _q(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _q(value)


def _comment(lines: list[str], indent: str, text: str) -> None:
    for line in text.splitlines() or [""]:
        lines.append(f"{indent}# {line}".rstrip())


def _block(lines: list[str], indent: str, key: str, text: str) -> None:
    if not text:
        lines.append(f'{indent}{key}: ""')
        return
    lines.append(f"{indent}{key}: |")
    for line in text.rstrip("\n").split("\n"):
        lines.append(f"{indent}  {line}" if line else "")


def _section(lines: list[str], section: Section, indent: str) -> None:
    lines.append(f"{indent}- code: {_q(section.code)}")
    inner = indent + "  "
    lines.append(f"{inner}title_vi: {_q(section.title_vi)}")
    _block(lines, inner, "text_vi", section.text_vi)
    if section.sections:
        lines.append(f"{inner}sections:")
        for child in section.sections:
            _section(lines, child, inner + "  ")


def grouped(undecided: list[str]) -> list[str]:
    """'CODE: reason' entries with the same reason on one line: 'reason: CODE, CODE'."""
    out: list[str] = []
    by_reason: dict[str, list[str]] = {}
    for entry in undecided:
        code, sep, reason = entry.partition(": ")
        if sep and not code.startswith("plan.") and " " not in code:
            if reason not in by_reason:
                by_reason[reason] = []
                out.append(reason)
            by_reason[reason].append(code)
        else:
            out.append(entry)
    return [f"{e}: {', '.join(by_reason[e])}" if e in by_reason else e for e in out]


def render(draft: Draft) -> str:
    lines: list[str] = []
    _comment(lines, "", "DRAFT written by `planwatch plan draft` from the plan's own text.")
    _comment(lines, "", "Every item quotes its sentence verbatim in text_vi; every guess has a"
                        " comment: why, and how sure")
    _comment(lines, "", "(sure / likely / guess). CHOICE marks what the text does not say.")
    _comment(lines, "", "Check each item against its sentence, then `planwatch plan validate`.")
    lines.append("#")
    _comment(lines, "", "COULD NOT DECIDE:")
    for entry in grouped(draft.undecided) or ["nothing"]:
        _comment(lines, "", f"- {entry}")
    lines.append("format: planwatch/plan@1")
    lines.append("")
    lines.append("plan:")
    header = draft.header
    notes = {}
    for note in draft.header_notes:
        notes.setdefault(note.field, []).append(note)
    for key in ("code", "title_vi", "title_en", "issuer", "issued_on", "starts_on", "ends_on",
                "coordinator"):
        if key not in header:
            continue
        for note in notes.get(key, []):
            _comment(lines, "  ", f"{note.sure}: {note.why}")
        if key == "title_en":
            _comment(lines, "  ", "guess: not translated (the Vietnamese title)")
        lines.append(f"  {key}: {_q(header[key])}")
    for key in ("implements", "cites"):
        docs = header.get(key) or []
        for note in notes.get(key, []):
            _comment(lines, "  ", f"{note.sure}: {note.why}")
        if not docs:
            lines.append(f"  {key}: []")
            continue
        lines.append(f"  {key}:")
        for doc in docs:
            first = True
            for field in ("code", "kind", "issuer_vi", "issued_on", "title_vi"):
                if field in doc:
                    lines.append(f"    {'- ' if first else '  '}{field}: {_q(doc[field])}")
                    first = False
    lines.append("")
    lines.append("sections:")
    for section in draft.sections:
        _section(lines, section, "  ")
    lines.append("")
    lines.append("items:" if draft.items else "items: []")
    for item in draft.items:
        data = item.to_dict()
        by_field: dict[str, list] = {}
        for note in item.notes:
            by_field.setdefault(note.field.split(".")[0], []).append(note)
        lines.append("")
        lines.append(f"  - code: {_q(data['code'])}")
        for key in ("section", "kind", "title_vi", "title_en", "text_vi", "lead",
                    "coordinating", "reports_to", "cadence", "due", "absorbs"):
            if key not in data:
                continue
            for note in by_field.get(key, []):
                _comment(lines, "    ", f"{note.sure}: {note.why}")
            value = data[key]
            if isinstance(value, dict | list):
                lines.append(f"    {key}: {_flow(value)}")
            else:
                lines.append(f"    {key}: {_q(value)}")
    return "\n".join(lines) + "\n"
