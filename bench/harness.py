"""What a figure is, how it prints, and running figures so one failure never hides the others."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.data import Shape


@dataclass
class Context:
    """Everything a figure needs: the loaded database and the run's settings."""

    url: str
    engine: sa.Engine
    shape: Shape
    meta: dict
    quick: bool
    workdir: Path
    echo: Callable[[str], None] = print
    notes: dict = field(default_factory=dict)  # figures leave facts for later ones


@dataclass
class Figure:
    """One measured figure: value and floor in the same unit, their ratio and the goal."""

    name: str
    value: float | None = None
    unit: str = ""
    floor: float | None = None
    goal: str = ""  # e.g. "<= 2x", ">= 0.5x"
    detail: str = ""  # absolute numbers beside the ratio
    skipped: str | None = None
    failed: str | None = None
    extra_goal: tuple[str, bool] | None = None  # an absolute goal, e.g. ("p99 <= 50 ms", True)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    @property
    def met(self) -> bool | None:
        """Whether the ratio goal (and the absolute one, if any) holds."""
        checks = []
        ratio = self.ratio
        if self.goal and ratio is not None:
            op, target = self.goal.split()
            target = float(target.rstrip("x"))
            checks.append(ratio <= target if op == "<=" else ratio >= target)
        if self.extra_goal:
            checks.append(self.extra_goal[1])
        return all(checks) if checks else None

    def line(self) -> str:
        if self.skipped:
            return f"{self.name}: SKIPPED ({self.skipped})"
        if self.failed:
            return f"{self.name}: FAILED ({self.failed})"
        ratio = self.ratio
        ratio_text = f"{ratio:.2f}x floor" if ratio is not None and math.isfinite(ratio) else "n/a"
        text = f"{self.name}: {_num(self.value)} {self.unit} ({ratio_text})"
        text += f"  [floor {_num(self.floor)} {self.unit}"
        text += f"; {self.detail}]" if self.detail else "]"
        goals = [g for g in (self.goal and f"ratio {self.goal}",
                             self.extra_goal and self.extra_goal[0]) if g]
        if goals:
            text += f"  goal {', '.join(goals)}: {'met' if self.met else 'NOT met'}"
        return text


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


class Skip(Exception):
    """A figure's target is not there (yet): print SKIPPED with the reason."""


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by fn() and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def best_of(n: int, fn: Callable[[], object]) -> tuple[float, object]:
    """The fastest of n timed runs (noise on a shared machine only ever adds time)."""
    runs = [timed(fn) for _ in range(n)]
    return min(runs, key=lambda r: r[0])


def run_figure(ctx: Context, name: str, fn: Callable[[Context], list[Figure]]) -> list[Figure]:
    """Run one figure function; its import errors become SKIPPED, other errors FAILED."""
    ctx.echo(f"-- {name}")
    started = time.perf_counter()
    try:
        figures = fn(ctx)
    except Skip as why:
        figures = [Figure(name, skipped=str(why))]
    except ImportError as why:
        figures = [Figure(name, skipped=f"not importable: {why}")]
    except Exception as why:  # noqa: BLE001 - a broken figure must not stop the others
        ctx.echo(traceback.format_exc())
        figures = [Figure(name, failed=f"{type(why).__name__}: {why}")]
    for figure in figures:
        ctx.echo(figure.line())
    ctx.echo(f"   ({time.perf_counter() - started:.1f} s)")
    return figures
