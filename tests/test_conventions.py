"""How the tests themselves are kept: each says what it proves, none leans on a tracker a newcomer cannot see, and
they live in the folder of the code they test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import ROOT

TESTS = ROOT / "tests"
FOLDERS = {"model", "charts", "exports", "app", "store", "end_to_end"}
"""The folders of tests, mirroring the code: the model, the charts, the exports, the app, the store, end to end."""
PROJECT_WIDE = {"test_layers.py", "test_dependencies.py", "test_conventions.py"}
_TRACKER = re.compile(r"\b(issue|ticket|task)\s*#?\d+", re.IGNORECASE)


def defined_tests(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every ``test_...`` function defined in a test module, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")
    ]


def unexplained(root: Path) -> list[str]:
    """``file:line name`` of each test under ``root`` without a docstring, or whose docstring cites an issue number."""
    out = []
    for path in sorted(root.rglob("test_*.py")):
        for fn in defined_tests(path):
            doc = ast.get_docstring(fn)
            if not doc or _TRACKER.search(doc):
                out.append(f"{path.relative_to(root)}:{fn.lineno} {fn.name}")
    return out


def test_every_test_says_what_it_proves_without_citing_an_issue():
    """Each test function has a docstring, and none sends the reader to an issue number."""
    assert unexplained(TESTS) == []


def test_the_check_finds_a_test_without_words_or_with_an_issue_number(tmp_path):
    """The convention check can fail: a bare test and one whose docstring cites an issue are both listed."""
    (tmp_path / "test_x.py").write_text(
        'def test_bare():\n    assert 1\n\n\ndef test_cited():\n    """Issue 12: a crash."""\n\n\n'
        'def test_fine():\n    """The host saves."""\n'
    )
    assert unexplained(tmp_path) == ["test_x.py:1 test_bare", "test_x.py:5 test_cited"]


def test_tests_live_in_the_folder_of_the_code_they_test():
    """Test modules sit in one of the folders that mirror the code, save the project-wide checks at the top."""
    misplaced = [
        str(p.relative_to(TESTS))
        for p in TESTS.rglob("test_*.py")
        if not (p.parent == TESTS and p.name in PROJECT_WIDE) and p.relative_to(TESTS).parts[0] not in FOLDERS
    ]
    assert misplaced == []
    assert {p.name for p in TESTS.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == FOLDERS | {"support"}
