"""Every domain error has a name (a code), an English message marked for Babel and a Vietnamese
translation in the app's one compiled catalogue; no raise passes a bare sentence any more."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from babel.support import Translations

import models
from models.core.errors import DomainError

ROOT = Path(__file__).parents[1]
SOURCES = ("models", "plan_items", "cli", "webapp", "flows")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _import_all(package) -> None:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith(".wsgi"):  # builds the app from the environment at import
            importlib.import_module(info.name)


def _all_subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


@pytest.fixture(scope="module")
def error_classes() -> list[type[DomainError]]:
    import plan_items
    import webapp

    for package in (models, plan_items, webapp):
        _import_all(package)
    # the kinds (NotFound, InvalidInput...) carry a status only; every refusal is a subclass
    return [c for c in _all_subclasses(DomainError)
            if c.__module__ != "models.core.errors" or c.__dict__.get("code")]


@pytest.fixture(scope="module")
def vietnamese() -> Translations:
    catalogue = ROOT / "webapp" / "translations"
    assert not (ROOT / "webapp" / "inspections" / "translations").exists(), "one catalogue only"
    translations = Translations.load(str(catalogue), ["vi"])
    assert isinstance(translations, Translations), "no compiled vi catalogue (pybabel compile)"
    return translations


def test_every_domain_error_has_a_code_and_a_message(error_classes):
    assert len(error_classes) > 60  # the refusals of every area, not an empty scan
    nameless = [c.__qualname__ for c in error_classes
                if c.__dict__.get("message") and not c.__dict__.get("code")]
    assert nameless == [], f"errors with a message but no code: {nameless}"
    silent = [c.__qualname__ for c in error_classes if c.__dict__.get("code") and not c.message]
    assert silent == [], f"errors with a code but no message: {silent}"
    for cls in error_classes:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", cls.code), cls.code
        assert DomainError.registry[cls.code] is cls


def test_every_error_code_has_a_vietnamese_translation(error_classes, vietnamese):
    for cls in error_classes:
        text = vietnamese.gettext(cls.message)
        assert text.strip() and text != cls.message, f"{cls.code}: no Vietnamese translation"
        # a translation may leave a detail out, never ask for one the error does not carry
        assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(cls.message)), cls.code


def test_messages_are_extracted_from_where_they_are_written():
    config = (ROOT / "babel.cfg").read_text()
    assert "[python: models/**.py]" in config and "N_" in config


def _domain_error_names() -> set[str]:
    import plan_items  # noqa: F401  (its errors, if any, register on import)

    _import_all(models)
    return {c.__name__ for c in [DomainError, *_all_subclasses(DomainError)]}


def _sentence_raises(path: Path, names: set[str]) -> list[str]:
    """`raise Kind("some sentence", ...)` or `raise Kind(message=...)` of a domain error."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
            continue
        call = node.exc
        callee = call.func.id if isinstance(call.func, ast.Name) else (
            call.func.attr if isinstance(call.func, ast.Attribute) else None)
        if callee not in names:
            continue
        literal = [a for a in call.args if isinstance(a, ast.Constant | ast.JoinedStr)]
        if literal or any(k.arg == "message" for k in call.keywords):
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(f"{where}:{node.lineno}: {ast.unparse(call)[:80]}")
    return found


def test_no_raise_passes_a_bare_english_sentence():
    names = _domain_error_names()
    found = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            found += _sentence_raises(path, names)
    assert found == [], "raise the named error instead:\n" + "\n".join(found)


def test_the_scan_notices_a_sentence(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    raise InvalidInput("a returned report needs a reason")\n'
                      '    raise NotFound(f"no plan {x}")\n'
                      '    raise ReturnNeedsReason(field="note")\n')
    assert len(_sentence_raises(sample, {"InvalidInput", "NotFound", "ReturnNeedsReason"})) == 2
