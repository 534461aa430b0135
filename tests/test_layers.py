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


# ---------------------------------------------------------------------------------------------
# results in, figures out: charts and the paper exports take the model's results, never call it

RESULTS_ONLY = ("charts", "paper")
"""The packages that draw and write results: from the model they may import only result types, names and labels,
formats, and what reads a scenario file; never a function that works a figure out."""

ORCHESTRATORS = {"paper/pack.py"}
"""The exports' orchestrator (as pvlib's modelchain): it produces the results the rest of ``paper`` is made from,
through ``partnership.results``. The page's counterpart is ``ui/compute.py`` (``ui`` is not checked here)."""

EVERY_NAME = "*"
ALLOWED_FROM_MODEL = {
    "partnership": {
        # result types and the scenario's type
        "Outcome", "SweepResult", "Scenario",
        # names and labels
        "OUTCOME_NAMES", "SUMMARY_NAMES", "FIELDS", "FieldSpec", "field_label", "spec", "fields", "formats",
        # reading a scenario file and saying what is wrong with it (the command line's input)
        "ScenarioError", "load_scenario", "scenario_warnings",
    },
    "partnership.outcomes": {"Outcome", "OUTCOME_NAMES"},
    "partnership.term": {"TermResult", "TERM_NAMES", "INDEX_GROUPS"},
    "partnership.negotiation": {"SweepResult"},
    "partnership.uncertainty": {"SUMMARY_NAMES", "TERM_SUMMARY_NAMES", "SUMMARY_LABELS"},
    "partnership.scenario": {"Scenario", "ScenarioError"},
    "partnership.fields": EVERY_NAME,  # the field registry: labels, units, symbols
    "partnership.formats": EVERY_NAME,  # numbers as people write them
}  # fmt: skip
"""What ``charts`` and ``paper`` may import from the model, module by module."""


def computing_imports(root: Path = ROOT) -> list[str]:
    """Every import of the model by ``charts`` or ``paper`` (but the orchestrator) beyond
    :data:`ALLOWED_FROM_MODEL`, at the top of a file or inside a function, as 'file:line: imports module.name'."""
    problems = []
    for package in RESULTS_ONLY:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel in ORCHESTRATORS:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    bad = [a.name for a in node.names if a.name.split(".")[0] == "partnership"]
                    problems += [f"{rel}:{node.lineno}: imports {name}" for name in bad]  # the whole model
                elif (
                    isinstance(node, ast.ImportFrom)
                    and not node.level
                    and (node.module or "").startswith("partnership")
                ):
                    allowed = ALLOWED_FROM_MODEL.get(node.module, set())
                    for alias in node.names:
                        if allowed != EVERY_NAME and alias.name not in allowed:
                            problems.append(f"{rel}:{node.lineno}: imports {node.module}.{alias.name}")
    return problems


def test_charts_and_paper_take_results_and_never_call_the_model():
    assert computing_imports() == []


def test_the_results_check_fails_on_a_computing_import(tmp_path):
    """The check itself can fail: plant a model call in a chart, in a table (inside a function) and a whole-model
    import; the orchestrator and allowed names pass."""
    for package in RESULTS_ONLY:
        (tmp_path / package).mkdir()
    (tmp_path / "charts" / "leak.py").write_text("from partnership import Scenario, evaluate\n")
    (tmp_path / "paper" / "tables.py").write_text(
        "from partnership.term import TermResult\n\ndef f():\n    from partnership.term import evaluate_term\n"
    )
    (tmp_path / "paper" / "report.py").write_text("import partnership.uncertainty\n")
    (tmp_path / "paper" / "pack.py").write_text("from partnership.results import result\n")
    (tmp_path / "paper" / "fine.py").write_text(
        "from partnership.formats import money\nfrom partnership import Outcome\n"
    )
    assert computing_imports(tmp_path) == [
        "charts/leak.py:1: imports partnership.evaluate",
        "paper/report.py:1: imports partnership.uncertainty",
        "paper/tables.py:4: imports partnership.term.evaluate_term",
    ]


@pytest.mark.parametrize("package", [p for p in FORBIDDEN if (ROOT / p).is_dir()])
def test_every_package_is_checked(package):
    assert list((ROOT / package).rglob("*.py")), f"{package} has no modules: the check would pass vacuously"
