"""Layers point down only: the model -> charts -> paper -> ui -> app. Every import in every module (at
the top or inside a function) is read from the source and checked against what its layer may use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGES = ("partnership", "charts", "paper", "store", "ui")
"""The project's own packages, lowest first; ``workshop.py`` (the page) and ``app.py`` (which serves it) stand on
top of them all."""

FORBIDDEN = {
    # the pure model: numpy, pydantic and YAML reading; nothing that draws, writes files for people or serves
    "partnership": {
        "charts",
        "paper",
        "ui",
        "store",
        "app",
        "workshop",
        "streamlit",
        "plotly",
        "kaleido",
        "xlsxwriter",
        "openpyxl",
        "pandas",
        "sqlalchemy",
        "alembic",
    },  # fmt: skip
    # charts: plotly figures from model results; no exports, no page, no files
    "charts": {"paper", "ui", "store", "app", "workshop", "streamlit", "kaleido", "xlsxwriter", "sqlalchemy"},
    # the paper exports: may draw charts; never the page or the workshop store
    "paper": {"ui", "store", "app", "workshop", "streamlit", "sqlalchemy"},
    # the workshop store keeps scenarios: it knows the model, nothing that draws
    "store": {"charts", "paper", "ui", "app", "workshop", "streamlit", "plotly", "kaleido", "xlsxwriter"},
    # the page's parts: everything but the app that lays them out
    "ui": {"app", "workshop"},
}


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, top-level module name) of every import in a Python file, relative imports resolved to
    the file's own package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.lineno, package if node.level else (node.module or "").split(".")[0]))
    return out


def upward_imports(root: Path = ROOT) -> list[str]:
    """Every import that points up a layer (or at a library its layer must not use), as 'file:line: name'."""
    problems = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, name in imported_modules(path, package):
                if name in banned:
                    problems.append(f"{path.relative_to(root)}:{line}: imports {name}")
    return problems


def test_layers_point_down_only():
    assert upward_imports() == []


def test_the_check_fails_on_an_upward_import(tmp_path):
    """The layering check itself can fail: plant an upward import in a copy of the model package."""
    for package in FORBIDDEN:
        (tmp_path / package).mkdir()
    (tmp_path / "partnership" / "leak.py").write_text("def f():\n    from paper.pack import pack_zip\n")
    (tmp_path / "charts" / "leak.py").write_text("import streamlit as st\n")
    (tmp_path / "paper" / "fine.py").write_text("import charts\nfrom partnership import evaluate\n")
    problems = upward_imports(tmp_path)
    assert problems == ["partnership/leak.py:2: imports paper", "charts/leak.py:1: imports streamlit"]


@pytest.mark.parametrize("package", [p for p in FORBIDDEN if (ROOT / p).is_dir()])
def test_every_package_is_checked(package):
    assert list((ROOT / package).rglob("*.py")), f"{package} has no modules: the check would pass vacuously"


def module_imports(root: Path, package: str) -> dict[str, set[str]]:
    """For each module of a package, the package's own modules it imports (at the top or inside a function), by
    their names within the package: ``from .reading import clip`` and ``from partnership.reading import clip`` are
    both ``reading``; ``from . import fields`` is ``fields``."""
    modules = {p.stem for p in (root / package).glob("*.py")}
    out: dict[str, set[str]] = {}
    for path in sorted((root / package).glob("*.py")):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").split(".")[0] == package):
                inside = (node.module or "") if node.level else (node.module or "").partition(".")[2]
                names = [inside.split(".")[0]] if inside else [alias.name for alias in node.names]
                found |= {n for n in names if n in modules}
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(package + ".")}
        out[path.stem] = found - {path.stem}
    return out


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of imports (each found once, from its alphabetically first module): ``[a, b, a]``."""
    cycles = []

    def walk(start: str, node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                cycles.append(trail + [start])
            elif nxt > start and nxt not in trail:
                walk(start, nxt, trail + [nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return cycles


def test_the_model_has_no_import_circles():
    """No two modules of the model import each other, directly or round a longer circle, not even lazily inside a
    function (a lazy import hides a circle; it does not remove it): the modules can be read from the bottom up."""
    graph = module_imports(ROOT, "partnership")
    assert graph["__init__"], "the graph was read (the package's __init__ imports its modules)"
    assert import_cycles(graph) == []


def test_the_circle_check_finds_a_lazy_circle(tmp_path):
    """The circle check itself can fail: two modules that import each other, one of them inside a function."""
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "a.py").write_text("from .b import g\n")
    (tmp_path / "model" / "b.py").write_text("def g():\n    from model.a import f\n")
    (tmp_path / "model" / "c.py").write_text("from . import a\n")
    assert import_cycles(module_imports(tmp_path, "model")) == [["a", "b", "a"]]
