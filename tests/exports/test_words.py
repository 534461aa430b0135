"""The words a committee reads: no pack, workbook, preset or page text names the project's notes ("MODEL.md",
"DOMAIN.md", "seed 002", an issue); the headline table speaks in words; a comparison from a workshop room names the
room and each option's proposer.

The rule for code names: the model's documented names (``expected_provider_gain``, ``host_units``, a field's dotted
path) are for analysts and stay where an analyst works with them: the CSV tables' columns and quantity column, the
audit workbook's line-item, field and formula columns and the scenario file. Everything else, the summary's sentences
and tables, chart titles and captions, the workbook's titles and notes, says it in words. Neither may ever name a
file of project notes, a seed document by its number, or an issue."""

from __future__ import annotations

import ast
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from paper.images import chromium_path
from paper.pack import audit_workbook_of, pack_files
from partnership import load_scenario

from ..conftest import PRESETS, ROOT
from ..support.markdown import as_read

NOTES = re.compile(
    r"\b(?:MODEL|DOMAIN|STYLE|TOOLING|README|NOTES)\.md\b|\bseeds?\s*/?\s*0\d\d\b|\bissues?\b|\bseeds/", re.IGNORECASE
)
"""What no reader may meet: a file of project notes, a seed document by its number, an issue."""

MODEL_SECTION = re.compile(r"\bsections?[- ]\d", re.IGNORECASE)
"""A section number in the code's own texts can only be one of the model notes' (a preset's "section 4.8" cites a
seed document's, and stays)."""

TEXT_SUFFIXES = (".csv", ".md", ".html", ".yaml", ".svg")


def _found(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in NOTES.finditer(text)]


def _xlsx_text(data: bytes) -> str:
    """Every text of a workbook: its shared strings, its cells' inline and cached texts, formulas, properties."""
    with zipfile.ZipFile(BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


LIBRARY = re.compile(r"<script[^>]*>(?:(?!</script>).){500000,}?</script>", re.DOTALL)
"""A script of half a megabyte or more: plotly.js itself, embedded so the summary opens offline (its own comments
are not ours to word); the charts' figures, with their titles, are small scripts and are read."""


def _pack_problems(files: dict[str, bytes]) -> list[str]:
    out = []
    for path, data in files.items():
        if path.endswith(TEXT_SUFFIXES):
            text = data.decode("utf-8")
            if path.endswith(".html"):
                text = LIBRARY.sub("<script></script>", text)
            out += [f"{path}: ...{hit}..." for hit in _found(text)]
        elif path.endswith(".xlsx"):
            out += [f"{path}: ...{hit}..." for hit in _found(_xlsx_text(data))]
    return out


def test_the_pattern_catches_each_kind_of_note():
    """The check itself finds each thing it must (so a pass means something) and passes plain English."""
    for bad in ("(MODEL.md section 2)", "DOMAIN.md calls it", "seed 002", "Seed 003 §4", "see issue 20", "seeds/001_x"):
        assert _found(bad), bad
    for fine in ("Revolution Consulting, 2024", "the model's formulas", "tissue", "seeded", "Point 1"):
        assert not _found(fine), fine


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_presets_cite_no_notes_and_no_seed_numbers(path):
    """Every preset's description and sources name their documents by title, never a note or a seed's number."""
    assert not _found(path.read_text(encoding="utf-8")), _found(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_the_audit_workbook_names_no_notes(path):
    """No text of the audit workbook (titles, notes, headers, formulas in words, properties) names a note."""
    assert not _found(_xlsx_text(audit_workbook_of(load_scenario(path))))


USER_TEXT_ROOTS = ("paper", "charts", "ui", "partnership", "app.py", "workshop.py")


def _strings(path: Path):
    """Every string constant of a module that is not a docstring (docstrings are for developers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_text_the_app_or_an_export_shows_names_a_note():
    """No string the code can show (the app's texts, chart titles, table titles, messages, the command line's
    output: every string constant but docstrings and comments) names a note, a seed number, an issue or a section of
    the model notes ("every section-2 figure")."""
    bad = []
    for root in USER_TEXT_ROOTS:
        base = ROOT / root
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base]:
            bad += [
                f"{path.relative_to(ROOT)}:{line}: {text[:90]!r}"
                for line, text in _strings(path)
                if _found(text) or MODEL_SECTION.search(text)
            ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="no Chromium installed (CI installs it): chart images need it")
def test_no_file_of_a_presets_pack_names_a_note(path):
    """A preset's whole pack (scenario file, summary in Markdown and HTML, tables, both workbooks, every chart as
    SVG, which holds its titles and footnote as text) names no note, seed number or issue."""
    s = load_scenario(path)
    problems = _pack_problems(pack_files([(s.name, s)], formats=("svg",)))
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def room_pack():
    """A comparison of two presets from a workshop room, one option with a proposer and one without."""
    a, b = (load_scenario(ROOT / "presets" / f"{n}.yaml") for n in ("childrens_home", "childrens_home_soft_block"))
    return pack_files(
        [("Council proposal", a), ("Provider's counter", b)],
        formats=("svg",),
        room="North & West <commissioning>",
        proposers=["Leeds Council", ""],
    )


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="no Chromium installed (CI installs it): chart images need it")
def test_a_comparison_from_a_room_names_the_room_and_each_proposer(room_pack):
    """The comparison pack from a room says the room's name and who proposed each option, in the summary (Markdown
    and HTML, the name escaped) and in the headline figures' CSV; an option nobody put a name to says so."""
    md = room_pack["summary.md"].decode()
    shown = as_read(md)  # the room's name is typed text: escaped in the Markdown, read as typed
    assert "workshop room: North & West <commissioning>" in shown and "<commissioning>" not in md
    assert "Council proposal: proposed by Leeds Council" in shown and "Provider's counter: proposer not given" in shown
    assert "| Proposed by |" in md
    page = room_pack["summary.html"].decode()
    assert "North &amp; West &lt;commissioning&gt;" in page and "<commissioning>" not in page
    csv = room_pack["comparison/headline_figures.csv"].decode().splitlines()
    assert csv[0].startswith("option,proposed_by,")
    assert csv[1].startswith("Council proposal,Leeds Council,") and csv[2].startswith("Provider's counter,,")
    assert not _pack_problems(room_pack)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="no Chromium installed (CI installs it): chart images need it")
def test_the_headline_table_speaks_in_words():
    """The summary's headline table names each figure as a person would and gives units in words: no code name
    ("probability provider loss") and no "probability 0-1"."""
    s = load_scenario(ROOT / "presets" / "childrens_home_new_build.yaml")
    md = pack_files([(s.name, s)], formats=("svg",))["summary.md"].decode()
    table = md[md.index("| Quantity | Value | Unit |") :].split("\n\n")[0]
    assert "| Chance the provider makes a loss |" in table and "| chance |" in table
    assert "| Provider's expected gain | " in table and "£ a year |" in table
    assert "over the term, in today's money" in table
    for code in ("probability", "0-1", "expected provider", "_", "npv "):
        assert code not in table, code
