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
    """No module imports a layer above its own or a library its layer must not use: the model draws nothing, charts
    write no exports, the exports never reach the page or the store."""
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
    "partnership.region": {"MEMBER_NAMES"},  # a region's member councils: names and labels
    "partnership.councils": {"RegionSummary", "MEMBER_LABELS", "MEMBER_SUMMARY_NAMES", "MEMBER_SUMMARY_LABELS"},
    "partnership.arrangements": {"ArrangementResult", "ARRANGEMENT_NAMES", "ARRANGEMENT_TERM_NAMES", "ARRANGEMENT_LABELS"},
    # a fixed cost item's amount as the file gives it (its amount, or its count times its cost each): read, not worked out
    "partnership.build_up": {"fixed_item_amount"},
    "partnership.fields": EVERY_NAME,  # the field registry: labels, units, symbols
    "partnership.formats": EVERY_NAME,  # numbers as people write them
    "partnership.memory": {"keep_freed_memory"},  # the command line's allocator setting: no figure
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
    """Charts and the exports take from the model only result types, names, labels, formats and scenario reading, so
    every figure they show was worked out by the model."""
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
    """Every layer the checks cover has modules, so the layering checks never pass for want of anything to read."""
    assert list((ROOT / package).rglob("*.py")), f"{package} has no modules: the check would pass vacuously"


# ----------------------------------------------------------------------------------------------
# No import circles among the project's own modules


ALLOWED_CIRCLES: set[frozenset[str]] = set()
"""Groups of modules allowed to import one another: none."""


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of a Python file under ``root`` (a package's ``__init__.py`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """module -> the project's modules it imports, read with ``ast`` from every file of ``packages``: every import
    counts, at the top of a module, inside a function, or under ``if TYPE_CHECKING`` (a circle of types is still
    two modules that each need the other). ``from package import name`` points at ``package.name`` when that is a
    module, else at the package; relative imports are resolved against the file's own package."""
    files = {module_name(p, root): p for package in packages for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}

    def known(name: str) -> str | None:  # the longest prefix of a dotted name that is one of the project's modules
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    for module, path in files.items():
        own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = own_package.split(".")[: len(own_package.split(".")) - (node.level - 1)] if node.level else []
                source = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    targets.add(submodule if submodule in files else known(source))
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def knots(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Every group of modules that import one another, round a circle or several (the graph's strongly connected
    components of more than one module, by Tarjan's algorithm), ordered by their sorted members."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups, key=sorted)


def circle_through(graph: dict[str, set[str]], group: frozenset[str]) -> list[str]:
    """One shortest circle inside ``group`` through its first module (by name), written ``[a, b, ..., a]``."""
    start = min(group)
    paths, seen = [[start]], {start}  # breadth first, back to the start
    while paths:
        path = paths.pop(0)
        if start in graph[path[-1]]:
            return path + [start]
        for w in sorted(graph[path[-1]] & group - seen):
            seen.add(w)
            paths.append(path + [w])
    raise AssertionError(f"{sorted(group)} is not strongly connected")


def import_circles(graph: dict[str, set[str]], allowed: set[frozenset[str]] = ALLOWED_CIRCLES) -> list[str]:
    """Each knot of mutually importing modules that is not exactly one of ``allowed``, as 'a -> b -> a' (one
    circle through it) and, when the knot is larger than that circle, the modules it holds."""
    out = []
    for group in knots(graph):
        if group in allowed:
            continue
        circle = circle_through(graph, group)
        out.append(
            " -> ".join(circle) + ("" if len(group) == len(circle) - 1 else f" (knot: {', '.join(sorted(group))})")
        )
    return out


def test_no_import_circles_among_the_project_modules():
    """No two of the project's modules import each other, directly or round a longer circle (counting imports
    inside functions and under TYPE_CHECKING): every module can be read from the bottom up."""
    circles = import_circles(import_graph())
    assert circles == [], "import circles: " + "; ".join(circles)


def test_the_circle_check_fails_on_a_planted_circle(tmp_path):
    """The circle check itself can fail: a circle of three modules (one edge inside a function, one under
    TYPE_CHECKING, one a relative ``from . import``) is found and listed; a package's ``__init__`` re-exporting its
    modules is not a circle."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .a import f\nfrom .b import g\n")
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    from pkg.b import g\n")
    (tmp_path / "pkg" / "b.py").write_text("from . import c\n\ndef g():\n    pass\n")
    (tmp_path / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n"
    )
    (tmp_path / "pkg" / "d.py").write_text("import pkg.a\nfrom pkg import b\n")
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg"] == {"pkg.a", "pkg.b"} and graph["pkg.d"] == {"pkg.a", "pkg.b"}
    assert import_circles(graph, set()) == ["pkg.a -> pkg.b -> pkg.c -> pkg.a"]
    assert import_circles(graph, {frozenset({"pkg.a", "pkg.b", "pkg.c"})}) == []


def test_an_allowed_circle_does_not_hide_a_larger_knot(tmp_path):
    """The allow-list excuses one exact group of modules: a third module joining its circle is reported, and so
    is the allowed pair's circle when the third module makes the knot larger."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from .b import g\n")
    (tmp_path / "pkg" / "b.py").write_text("def g():\n    from .a import f\n    from .c import h\n")
    (tmp_path / "pkg" / "c.py").write_text("import pkg.b\n")
    graph = import_graph(tmp_path, ("pkg",))
    allowed = {frozenset({"pkg.a", "pkg.b"})}
    assert import_circles(graph, allowed) == ["pkg.a -> pkg.b -> pkg.a (knot: pkg.a, pkg.b, pkg.c)"]
    (tmp_path / "pkg" / "c.py").write_text("")
    assert import_circles(import_graph(tmp_path, ("pkg",)), allowed) == []
