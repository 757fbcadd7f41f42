"""A horizontal bar chart as server-rendered SVG geometry (no script, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 22
LABEL_WIDTH = 150
BAR_WIDTH = 300


@dataclass
class Bar:
    label: str
    y: int
    done_width: int
    on_time_width: int
    text: str
    href: str


def bars(rows: list[tuple[str, float | None, float | None, str]]) -> tuple[list[Bar], int]:
    """(label, completion, on-time share of all due, link) → bars and the chart height."""
    out = []
    for i, (label, completion, on_time, href) in enumerate(rows):
        done = round((completion or 0) * BAR_WIDTH)
        out.append(Bar(label=label, y=i * ROW, done_width=done,
                       on_time_width=round((on_time or 0) * BAR_WIDTH),
                       text="–" if completion is None else f"{round(completion * 100)}%",
                       href=href))
    return out, max(ROW, len(out) * ROW)
