"""The benchmark harness at a tiny scale on SQLite, so it cannot rot (not a timed test)."""

from __future__ import annotations

import importlib
import math

import pytest

from bench.cli import run

# a whole (tiny) benchmark run, made once by the module's fixture: its tests share one xdist
# worker (`make test` runs --dist loadgroup), or each worker would run the bench again
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench_smoke")]

# each figure's target: a figure may be SKIPPED only while its target is not merged
TARGETS = {
    "task generation": "models.tasks.generation",
    "deadline sweep": "models.notify.ladder",
    "deadline sweep, second run": "models.notify.ladder",
    "memory deadline sweep": "models.notify.ladder",
    "notification dispatch": "models.notify.dispatch",
    "pages": "route:/dashboard/",
    "API": "webapp.api",
}


def _importable(module: str) -> bool:
    if module.startswith("route:"):
        from webapp import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        return module[6:] in {rule.rule for rule in app.url_map.iter_rules()}
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    return run(["--db", "sqlite", "--scale", "300", "--quick", "--workdir", str(workdir),
                "--out", str(workdir / "benchmarks.md")], echo=lambda s: None), workdir


def test_every_figure_prints_a_finite_ratio_or_a_skip_for_a_missing_target(result):
    run_, _ = result
    assert run_.figures
    for figure in run_.figures:
        assert not figure.failed, figure.line()
        if figure.skipped and "wrk not installed" in figure.skipped:
            continue  # a machine without Debian's wrk cannot run the web figures
        if figure.skipped:
            target = TARGETS.get(figure.name, "")
            assert target and not _importable(target), figure.line()
            assert figure.line() == f"{figure.name}: SKIPPED ({figure.skipped})"
        else:
            assert figure.ratio is not None and math.isfinite(figure.ratio), figure.line()
            assert f"({figure.ratio:.2f}x floor)" in figure.line()


def test_generation_is_always_measured(result):
    run_, _ = result
    generation = next(f for f in run_.figures if f.name == "task generation")
    assert generation.value > 0 and generation.floor > 0
    assert "new tasks" in generation.detail


def test_report_names_the_machine_the_scale_and_the_command(result):
    run_, workdir = result
    text = (workdir / "benchmarks.md").read_text()
    assert "| task generation |" in text
    assert f"{run_.meta['tasks']:,} tasks" in text
    assert "python -m bench" in text and "CPUs" in text


def test_every_status_change_of_the_bench_is_a_real_change(result):
    """The status runs walk their tasks through start, submit and return with the versions
    they leave: none is refused (a 409 or 412 would be a cheap answer counted as speed), one
    at a time or eight at once, where each connection owns its tasks: a request stalled on
    SQLite's write lock is never overtaken by its task's next step, even in this tiny run."""
    run_, _ = result
    runs = {f.name: f for f in run_.figures if f.name.startswith("API status change")}
    if any(f.skipped and "wrk not installed" in f.skipped for f in runs.values()):
        pytest.skip("wrk not installed")
    # the one-client figure's second floor (bench/bare_write.py) answered every POST with a write
    floors = [runs.pop(name) for name in [n for n in runs if "bare committed write" in n]]
    assert floors and all(" 0 non-2xx" in f.detail and f.floor for f in floors), floors
    assert len(runs) >= 2 and all(f.value for f in runs.values()), [f.line() for f in runs]
    for figure in runs.values():
        refused = int(figure.detail.split(" non-2xx")[0].rsplit(" ", 1)[1])
        requests = int(figure.detail.split(" requests")[0].rsplit(" ", 1)[1].replace(",", ""))
        assert refused == 0 and requests > 0, figure.line()
        assert "the disk meanwhile" in figure.detail, figure.line()
