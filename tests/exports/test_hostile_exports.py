"""Hostile text in the exports: a cell a spreadsheet would run as a formula is quoted in every CSV (the pack's tables,
the comparison's headline_figures.csv, the store's log: one rule), text is never a formula or a link in a workbook,
and links and markup planted in every text field are text in the exported SVGs, summary.html and summary.md."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest

from paper.images import FOOTNOTE_NAME_CHARS
from paper.pack import comparison_table
from paper.tables import tables_to_xlsx, to_csv_bytes
from partnership import scenario_from_dict, summarize
from partnership.examples import EXAMPLE
from partnership.formats import FILE_STEM_CHARS, file_stem, spreadsheet_text
from store import archive

from ..conftest import ROOT
from ..support import hostile_corpus as corpus
from ..support.browser import chromium_missing_reason

FORMULAS = [corpus.FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "=1"]
NUMBERS = ["-5", "-£1,234", "-12.5 %", "-1e300", "+44", "-0.5"]


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_gets_a_quote_mark(text):
    """Text starting with =, +, -, @, a tab or a carriage return gets a leading quote mark, so a spreadsheet shows it
    as text; the store's log quotes it by the same rule and reads it back as typed."""
    assert spreadsheet_text(text) == "'" + text
    assert archive._csv_safe(text) == "'" + text and archive._csv_unsafe(archive._csv_safe(text)) == text


@pytest.mark.parametrize("text", NUMBERS)
def test_numbers_written_as_text_are_left_alone(text):
    """A negative number, also as money or a percent, is a number to a spreadsheet, not a formula: left as it is
    (and so are numbers themselves)."""
    assert spreadsheet_text(text) == text and spreadsheet_text(-5.0) == -5.0
    assert archive._csv_unsafe(archive._csv_safe(text)) == text


def test_the_comparisons_headline_figures_csv_quotes_an_option_named_as_a_formula(example):
    """An option named ``=HYPERLINK(...)``, proposed by ``@SUM(...)``, is quoted in the comparison's CSV; the figures
    stay numbers, negative ones included."""
    summary = summarize(example)
    table = comparison_table([(corpus.FORMULA, example, summary), ("Plain", example, summary)], ["@SUM(A1)", ""])
    rows = _cells(to_csv_bytes(table))
    assert rows[1][:2] == ["'" + corpus.FORMULA, "'@SUM(A1)"] and rows[2][:2] == ["Plain", ""]
    assert float(rows[1][2]) == example.agreement.contribution


def test_any_table_quotes_formula_text_in_its_cells_and_headings():
    """Every CSV the app and the pack write goes through one writer: formula text in a cell or a heading is quoted,
    negative numbers and number-like text are not."""
    df = pd.DataFrame({"=name": ["=1+1", "-£5", "ok"], "value": [-1.5, 2.0, float("nan")]})
    rows = _cells(to_csv_bytes(df))
    assert rows == [["'=name", "value"], ["'=1+1", "-1.5"], ["-£5", "2.0"], ["ok", "n/a"]]


def test_a_workbook_writes_formula_text_as_text_and_addresses_as_text(example):
    """In the tables workbook a scenario named ``=HYPERLINK(...)`` and a cell holding an address are text cells:
    never a formula, never a link."""
    named = example.model_copy(update={"name": corpus.FORMULA})
    df = pd.DataFrame({"option": ["=1+1", "https://evil.example/x"], "value": [1.0, 2.0]})
    book = openpyxl.load_workbook(io.BytesIO(tables_to_xlsx({"Options": df}, named)))
    ws = book.worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == corpus.FORMULA and c.data_type == "s" for c in cells)
    assert any(c.value == "=1+1" and c.data_type == "s" for c in cells)
    assert not any(c.hyperlink for c in cells)


@pytest.mark.slow
@pytest.mark.browser
def test_markup_planted_everywhere_is_text_in_the_packs_svgs_and_summaries():
    """A comparison of a scenario with links and markup planted in every text field, an option named as a formula,
    from a room named with a bare address and proposers named in markup: no SVG, no summary.html and no summary.md
    holds a planted link, image or styled word, the planted words are there as typed, and the CSV is quoted."""
    if (reason := chromium_missing_reason()) is not None:
        pytest.skip(reason)
    from paper.pack import pack_files

    marked = scenario_from_dict(corpus.markup_doc())
    plain = scenario_from_dict(EXAMPLE)
    files = pack_files(
        [(corpus.markup("OPT"), marked), (corpus.FORMULA, plain)],
        formats=("svg",),
        room=corpus.ROOM_NAME,
        proposers=[corpus.OPTION_NAME, "=cmd"],
    )
    tags = ("NAME", "DESC", "UNIT", "PER", "SRC", "SRCB", "YR", "OPT")
    svgs = {p: d.decode() for p, d in files.items() if p.endswith(".svg")}
    assert svgs
    found = {p: corpus.markup_rendered(t, tags) for p, t in svgs.items()}
    assert {p: f for p, f in found.items() if f} == {}
    html = files["summary.html"].decode()
    assert corpus.markup_rendered(html, tags) == []
    assert "&lt;b&gt;UNITb&lt;/b&gt;" in html and "**£**" in html  # as typed, not as markup
    summary_md = files["summary.md"].decode()
    assert corpus.raw_markup(summary_md) == []
    rows = _cells(files["comparison/headline_figures.csv"])
    assert rows[2][0] == "'" + corpus.FORMULA and rows[2][1] == "'=cmd"
    assert all(len(part) <= FILE_STEM_CHARS + 20 for p in files for part in p.split("/"))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("length", [250, 10_000])
def test_a_scenario_with_a_very_long_name_exports_with_a_short_file_name(tmp_path, length):
    """``python -m paper export`` of a scenario named with 250 or 10,000 characters writes its pack under a name of
    at most 80 characters plus the suffix, its charts drawn (the footnote wraps a name of 250 characters whole and clips one of 10,000), with no traceback."""
    if (reason := chromium_missing_reason()) is not None:
        pytest.skip(reason)
    source = tmp_path / "long.yaml"
    source.write_text(corpus.long_name_yaml(length), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "paper", "export", str(source), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr[-2000:]
    (pack,) = (tmp_path / "out").glob("*.zip")
    assert len(pack.name) <= FILE_STEM_CHARS + len("_paper_pack.zip")
    with zipfile.ZipFile(pack) as z:
        names = z.namelist()
        assert all(len(n) < 200 for n in names)
        svg = next(z.read(n).decode() for n in names if n.endswith(".svg"))
    footnote = " ".join(re.sub(r"<[^>]+>", " ", svg).split())  # the SVG's words, its lines joined
    name = ("Long name " * (length // 10 + 1))[:length].strip()
    if length <= FOOTNOTE_NAME_CHARS:  # the whole name, wrapped onto the footnote's lines
        assert f"Scenario: {name}. Partnership Calculator" in footnote
    else:  # the name clipped where the footnote's room ends, "..." marking the cut
        assert f"Scenario: {name[: FOOTNOTE_NAME_CHARS - 3]}... Partnership Calculator" in footnote


def test_a_pack_that_cannot_be_written_fails_before_it_is_built(tmp_path, monkeypatch, example):
    """When the pack's file cannot be written (here a folder stands in its place), export fails at once, before any
    chart is drawn; a build that fails leaves no empty file behind."""
    import paper.pack as pack

    built = []
    monkeypatch.setattr(pack, "pack_zip", lambda options: built.append(options) or b"zip")
    (tmp_path / "blocked" / f"{file_stem(example.name)}_paper_pack.zip").mkdir(parents=True)
    with pytest.raises(OSError):
        pack.export_pack([example], tmp_path / "blocked")
    assert built == []

    def broken(options):
        raise RuntimeError("the charts failed")

    monkeypatch.setattr(pack, "pack_zip", broken)
    with pytest.raises(RuntimeError):
        pack.export_pack([example], tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
