"""The domain's layout: area packages only, and no import of the adapters built on it."""

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"
ADAPTERS = {"webapp", "flows", "cli"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_domain_module_lives_in_an_area_package():
    loose = [p.name for p in MODELS.glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    areas = [p for p in MODELS.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert len(areas) >= 5
    assert all((area / "__init__.py").exists() for area in areas)


def test_models_imports_no_adapter():
    offenders = {
        str(path.relative_to(MODELS.parent)): sorted(_imported_roots(path) & ADAPTERS)
        for path in MODELS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_an_adapter_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("from webapp.clock import now\nimport flows.deadlines\n")
    assert _imported_roots(planted) & ADAPTERS == {"webapp", "flows"}
