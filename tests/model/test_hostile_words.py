"""Careless numbers in plain words, negative numbers in any notation on the command line, and names of any length as
file names: each refused or handled in one plain line, from a file, a link and the command line alike."""

from __future__ import annotations

import copy

import pytest

from partnership import ScenarioError, load_scenario, scenario_from_dict
from partnership.examples import EXAMPLE
from partnership.formats import FILE_STEM_CHARS, file_stem, money
from partnership.problems import page_words

from ..conftest import ROOT
from ..support import hostile_corpus as corpus
from .test_cli import run

HOSTILE = corpus.HOSTILE
SCHEMA_WORDS = ("float", "list[", "int]", "unable to parse", "exceeded maximum size", "Input should")


def _refused(load) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load()
    return info.value


def _doc(**term) -> dict:
    doc = copy.deepcopy(EXAMPLE)
    doc["term"] = term
    return doc


@pytest.mark.parametrize(
    "load",
    [
        lambda: load_scenario(HOSTILE / "nan_growth.yaml"),
        lambda: scenario_from_dict(_doc(years=5, indexation={"costs": float("nan")})),
    ],
    ids=["file", "mapping"],
)
def test_a_nan_growth_rate_is_one_line_naming_cost_growth(load):
    """``term.indexation.costs: .nan`` is one line naming the field: "Cost growth" on the page, its path on the
    command line; never the schema's type branches (``costs.float``, ``costs.list[float]``)."""
    error = _refused(load)
    assert error.problems == ["term.indexation.costs: must be a finite number, got nan"]
    assert [page_words(p) for p in error.details] == ["Cost growth: must be a finite number, got nan"]


def test_a_growth_list_with_bad_years_names_each_year_only():
    """A year-by-year growth list with a NaN and a word in it names those years, not the single-number branch."""
    error = _refused(lambda: scenario_from_dict(_doc(years=5, indexation={"costs": [0.1, float("nan"), "x", 0.2]})))
    words = [page_words(p) for p in error.details]
    assert sorted(words) == [
        "Cost growth, year 3: must be a finite number, got nan",
        "Cost growth, year 4: must be a number, got 'x' (text)",
    ]
    assert not any(w in " ".join(error.problems) for w in SCHEMA_WORDS)


@pytest.mark.parametrize(
    "load",
    [
        lambda: load_scenario(HOSTILE / "huge_years.yaml"),
        lambda: scenario_from_dict(_doc(years=1e300)),
        lambda: scenario_from_dict(_doc(years=1e20)),
    ],
    ids=["file 1e300", "mapping 1e300", "mapping 1e20"],
)
def test_a_term_of_1e300_years_gives_its_limit(load):
    """A term of 1e300 (or 1e20) years gives the limit it breaks in plain words, never the schema's "unable to
    parse input string as an integer, exceeded maximum size"."""
    error = _refused(load)
    assert len(error.problems) == 1
    assert error.problems[0].startswith("term.years: must be <= 30, got 1e+")
    assert page_words(error.details[0]).startswith("Years of the term: must be at most 30, got 1e+")
    assert not any(w in error.problems[0] for w in SCHEMA_WORDS)


def test_the_command_line_says_the_same_for_nan_and_1e300():
    """The command line prints the same single plain line for both files, and exits 2 without a traceback."""
    for name, line in (
        ("nan_growth.yaml", "term.indexation.costs: must be a finite number, got nan"),
        ("huge_years.yaml", "term.years: must be <= 30, got 1e+300"),
    ):
        r = run("summary", HOSTILE / name)
        assert r.returncode == 2 and r.stderr.strip() == line, r.stderr


SWEEP = ["--x", "agreement.contribution:0:200000:3", "--y", "agreement.sharing.bands[2].host_share:0:1:3"]
SOLVE = ["--field", "agreement.contribution", "--figure", "provider_profit", "--occupancy", "0.8", "--local-use", "0.6"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["sweep", *SWEEP, "--min-host-saving", "-1e300"], None),
        (["sweep", *SWEEP, "--min-provider-gain", "-1.5E+3"], None),
        (["sweep", *SWEEP, "--beta", "-1e3"], "beta: must be between 0 and 1"),
        (["solve", *SOLVE, "--target", "-1e300"], None),
        (["solve", *SOLVE, "--low", "-1e5", "--high", "1e5"], "agreement.contribution: must be >= 0, got -100,000"),
        (["solve", *SOLVE, "--target", "-inf"], "argument --target: must be a finite number, got -inf"),
        (["evaluate", "--occupancy", "-1e-3", "--local-use", "0.5"], "argument --occupancy: must be between 0 and 1"),
    ],
)
def test_negative_numbers_in_any_notation_are_values_not_options(args, words):
    """``--min-host-saving -1e300`` (and every numeric option given a negative number in scientific notation) is
    read as the option's value: it is answered, or refused by the option's own rule, never taken for an option."""
    r = run(args[0], ROOT / "presets" / "childrens_home.yaml", *args[1:], "--format", "table")
    out = r.stdout + r.stderr
    assert "expected one argument" not in out and "unrecognized arguments" not in out, out
    if words is None:
        assert r.returncode == 0, out
    else:
        assert r.returncode == 2 and words in out, out


def test_a_huge_target_is_written_in_powers_of_ten():
    """A target of -1e300 is written -£1e+300 in the answer, not three hundred digits."""
    assert money(-1e300) == "-£1e+300" and money(1e15) == "£1e+15" and money(999_999) == "£999,999"


@pytest.mark.parametrize("length", [250, 10_000])
def test_file_names_from_long_names_are_capped_stable_and_distinct(length):
    """A name of 250 or 10,000 characters gives a file name stem of at most 80 characters, the same each time, and
    a different one for a name that differs only at its end."""
    name = ("Long name " * (length // 10 + 1))[:length]
    stem = file_stem(name)
    assert len(stem) <= FILE_STEM_CHARS and stem == file_stem(name)
    assert file_stem(name[:-1] + "X") != stem
    assert stem.startswith("long_name_long_name")


def test_file_names_are_valid_on_windows():
    """Only lower-case letters, digits and underscores, and never a device name Windows keeps (con, nul, com1...)."""
    for name in ("CON", "nul", "Com1", "aux", "a:b*c?d", "<x>|y", " . "):
        stem = file_stem(name)
        assert set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789_"), stem
        assert stem not in ("con", "nul", "com1", "aux", "prn", "lpt1")
