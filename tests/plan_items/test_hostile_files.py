"""Plan files that try to exhaust the machine: refused quickly, with FILE:LINE, no traceback."""

from __future__ import annotations

import resource
import time

import pytest

from plan_items.loader import PlanFileError, read_plan
from tests.factories import DATA

BOMB = "format: planwatch/plan@1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}]\n" for i in range(9))


def _refused(tmp_path, text: str) -> list[str]:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    messages = [str(p) for p in caught.value.problems]
    assert all(m.startswith(f"{path}:") for m in messages)
    return messages


def test_an_alias_bomb_is_refused_at_once_in_bounded_memory(tmp_path):
    assert len(BOMB) < 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    messages = _refused(tmp_path, BOMB)
    assert time.perf_counter() - started < 1.0
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50_000
    assert "aliases (*a) are not allowed" in messages[0] and ":3:" in messages[0]


def test_twenty_thousand_nested_brackets_are_refused_with_their_line(tmp_path):
    started = time.perf_counter()
    messages = _refused(tmp_path, "format: planwatch/plan@1\nplan:\n  x: " + "[" * 20000
                        + "]" * 20000 + "\n")
    assert time.perf_counter() - started < 1.0
    assert messages == [f"{tmp_path / 'hostile.yaml'}:3: nested more than 64 levels deep"]


def test_four_hundred_nested_sections_are_refused_not_a_recursion_error(tmp_path):
    text = "format: planwatch/plan@1\nsections:\n"
    for depth in range(400):
        pad = "  " * (2 * depth + 1)
        text += f"{pad}- code: S{depth}\n{pad}  title: t\n{pad}  sections:\n"
    messages = _refused(tmp_path, text)
    assert "nested more than 64 levels deep" in messages[-1]


def test_an_impossible_date_is_reported_with_the_other_errors(tmp_path):
    text = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")
    assert "date: 2025-09-30}" in text
    line = text[:text.index("date: 2025-09-30}")].count("\n") + 1
    text = text.replace("date: 2025-09-30}", "date: 2025-02-30}")
    text = text.replace("cadence: once", "cadence: sometimes", 1)
    messages = _refused(tmp_path, text)
    assert any(f":{line}:" in m and "date" in m for m in messages), messages
    assert any("cadence" in m for m in messages), messages
