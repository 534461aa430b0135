"""The command line as a user runs it: exit codes, JSON keys, null for undefined, one plain line per
problem. Run in-process (the same ``main`` as ``python -m partnership``), but for two smoke tests that
start the real program."""

import contextlib
import io
import json
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml

from partnership import OUTCOME_NAMES, SUMMARY_NAMES
from partnership.cli import main
from partnership.outcomes import DECISION_NAMES

from ..conftest import ROOT


def run(*args):
    """``python -m partnership ARGS`` in this process: its exit status, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            status = exc.code
    return SimpleNamespace(returncode=status, stdout=out.getvalue(), stderr=err.getvalue())


def run_program(*args):
    """The real program in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "partnership", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_smoke_the_real_program_prints_json(scenario_file):
    """Run as a real program, evaluate prints the outcomes as JSON, with the provider's profit the model gives at
    that occupancy and local use."""
    r = run_program("evaluate", scenario_file, "--occupancy", 0.85, "--local-use", 0.75)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["provider_profit"] == pytest.approx(144_821)


def test_smoke_the_real_program_exits_2_without_a_traceback(tmp_path, example_dict):
    """Run as a real program on a scenario with a negative host price, it exits 2 with that one plain line and
    nothing on stdout."""
    example_dict["prices"]["host"] = -5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(example_dict), encoding="utf-8")
    r = run_program("summary", path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == ["prices.host: must be >= 0, got -5"]


def test_export_points_to_the_paper_command(scenario_file):
    """Asking the model's command line to export is refused with a pointer to the paper command, where exports are
    made."""
    r = run("export", scenario_file, "--out", "x")
    assert r.returncode == 2 and "python -m paper export" in r.stderr


@pytest.fixture
def scenario_file(tmp_path, example_dict):
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(example_dict, allow_unicode=True), encoding="utf-8")
    return path


def test_evaluate(scenario_file):
    """Evaluate gives every outcome and decision figure at one occupancy and local use, and the break-even occupancy
    with and without the agreement, to the model's values."""
    r = run("evaluate", scenario_file, "--occupancy", 0.85, "--local-use", 0.75)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == set(OUTCOME_NAMES) | set(DECISION_NAMES) | {"break_even_occupancy", "derived"}
    assert out["derived"] == {"variable_cost": None, "fixed_cost": None, "host_alternative": None}  # all typed
    assert out["provider_profit"] == pytest.approx(144_821)
    assert out["host_unit_cost"] == pytest.approx(5_692.01, abs=0.005)
    assert out["break_even_occupancy"]["with_agreement"] == pytest.approx(0.66696, abs=5e-6)
    assert out["break_even_occupancy"]["without_agreement"] == pytest.approx(0.73964, abs=5e-6)


def test_evaluate_undefined_values_are_null(scenario_file, tmp_path, example_dict):
    """Figures with no value (the host's cost per place at zero local use, a break-even occupancy never reached) are
    null in the JSON, never NaN."""
    r = run("evaluate", scenario_file, "--occupancy", 0.85, "--local-use", 0)
    assert r.returncode == 0
    assert "NaN" not in r.stdout
    assert json.loads(r.stdout)["host_unit_cost"] is None
    example_dict["service"]["fixed_cost"] = 50_000_000
    path = tmp_path / "hopeless.yaml"
    path.write_text(yaml.safe_dump(example_dict), encoding="utf-8")
    out = json.loads(run("evaluate", path, "--occupancy", 1, "--local-use", 0.5).stdout)
    assert out["break_even_occupancy"] == {"with_agreement": None, "without_agreement": None}


def test_summary(scenario_file):
    """The summary gives the figures under the uncertainty in the contract's order, the provider's expected gain
    among them."""
    r = run("summary", scenario_file)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == SUMMARY_NAMES
    assert out["expected_provider_gain"] == pytest.approx(31_460, abs=200)


def test_sweep(scenario_file):
    """A sweep gives both sides' expected gains over a grid of two terms, the acceptable pairs, the balanced point
    and how sharp it is, judged by the year's gains (not NPVs) for a one-year scenario."""
    r = run(
        "sweep",
        scenario_file,
        "--x",
        "agreement.contribution:0:400000:5",
        "--y",
        "agreement.sharing.bands[2].host_share:0:1:3",
        "--beta",
        0.5,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    model = {"x", "y", "expected_provider_gain", "expected_host_saving", "acceptable", "balanced", "basis"}
    # MODEL.md's names, then how sharp the balanced point is
    assert set(out) == model | {"near_best", "near_best_range", "balanced_on_edge", "flat_optimum"}
    assert out["basis"] == "year"  # one year: judged by expected gains, not NPVs
    assert out["x"] == {"path": "agreement.contribution", "values": [0, 100000, 200000, 300000, 400000]}
    assert len(out["expected_provider_gain"]) == 3 and len(out["expected_provider_gain"][0]) == 5
    assert set(out["balanced"]) == {"x", "y", "expected_provider_gain", "expected_host_saving"}


def test_sweep_with_no_acceptable_pair_gives_null(scenario_file):
    """When no pair of terms meets the provider's minimum gain the sweep still succeeds, its balanced point null."""
    r = run(
        "sweep",
        scenario_file,
        "--x",
        "agreement.contribution:0:1000:2",
        "--y",
        "prices.host:0:100:2",
        "--min-provider-gain",
        1e9,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["balanced"] is None


def test_table_format(scenario_file, example):
    """The evaluate table: the scenario's name and the point as a heading, MODEL.md's names, money to the penny
    with its unit, shares as percents, n/a where undefined (the host uses no places at local use 0)."""
    r = run("evaluate", scenario_file, "--occupancy", 0.85, "--local-use", 0, "--format", "table")
    assert r.returncode == 0
    assert r.stdout.startswith(f"{example.name}: one year at 85 % occupancy, 0 % local use\n")
    assert re.search(r"host_unit_cost\s+n/a", r.stdout) and "nan" not in r.stdout.lower()
    table = run("evaluate", scenario_file, "--occupancy", 0.85, "--local-use", 0.75, "--format", "table").stdout
    assert re.search(r"provider_profit\s+£144,821.00  a year", table)
    assert re.search(r"host_unit_cost\s+£[\d,]+\.\d\d  per place-week", table)
    assert re.search(r"host_units\s+[\d,]+\.\d\d  place-weeks a year", table)
    assert re.search(r"host_share_rate\s+\d+\.\d %", table)
    assert not re.search(r"\d\.\d{3}", table)  # no raw fractions or floats


def test_term_table_of_one_year_says_year(scenario_file):
    """A one-year term's table heading says “1 year”, not “1 years”."""
    r = run("term", scenario_file, "--occupancy", 0.85, "--local-use", 0.5, "--format", "table")
    assert r.returncode == 0, r.stderr
    assert "the term of 1 year at 85 % occupancy" in r.stdout.splitlines()[0]


def test_term_table_reads_year_by_year(tmp_path, example_dict):
    """A term of several years is tabled with a heading, one row a year of each side's gain in money, the NPVs and
    the payback year (or never), with no nan or None."""
    example_dict["term"] = {"years": 3, "discount_rate": 0.035, "indexation": {"costs": 0.04}}
    path = tmp_path / "term.yaml"
    path.write_text(yaml.safe_dump(example_dict))
    r = run("term", path, "--occupancy", 0.85, "--local-use", 0.5, "--format", "table")
    assert r.returncode == 0, r.stderr
    assert "the term of 3 years at 85 % occupancy, 50 % local use" in r.stdout.splitlines()[0]
    assert re.search(r"^year\s+provider_gain\s+host_saving", r.stdout, re.M)
    assert len(re.findall(r"^\s+[123]\s+-?£[\d,]+\.\d\d", r.stdout, re.M)) == 3  # one row a year
    assert re.search(r"npv_provider_gain\s+-?£[\d,]+\.\d\d", r.stdout)
    assert re.search(r"provider_payback_year\s+(year \d+|never)", r.stdout)
    assert "nan" not in r.stdout.lower() and "None" not in r.stdout


@pytest.mark.parametrize(
    "change, line",
    [
        ({"prices": {"host": -5, "external": 5500}}, "prices.host: must be >= 0, got -5"),
        ({"service": {"capacity": 0, "fixed_cost": 1, "variable_cost": 1}}, "service.capacity: must be > 0, got 0"),
    ],
)
def test_bad_scenario_exits_2_with_one_line_per_problem(tmp_path, example_dict, change, line):
    """A scenario that breaks a rule makes summary and evaluate exit 2 with one plain line naming the field, nothing
    on stdout and no traceback."""
    example_dict.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(example_dict), encoding="utf-8")
    for args in (("summary", path), ("evaluate", path, "--occupancy", 0.5, "--local-use", 0.5)):
        r = run(*args)
        assert r.returncode == 2
        assert r.stdout == ""
        assert r.stderr.strip().splitlines() == [line]
        assert "Traceback" not in r.stderr


def test_missing_file_and_bad_yaml_are_one_line(tmp_path):
    """A missing file or broken YAML exits 2 with one plain line and no traceback."""
    r = run("summary", tmp_path / "nope.yaml")
    assert r.returncode == 2 and r.stderr.strip().endswith("nope.yaml: no such file")
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: [1, 2\n")
    r = run("summary", bad)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "not valid YAML" in r.stderr and "Traceback" not in r.stderr


def test_bad_sweep_arguments(scenario_file):
    """Bad sweep arguments (a misspelt field, a range without its count, a negative contribution, a beta of 1) exit 2
    with a message saying what is wrong."""
    r = run("sweep", scenario_file, "--x", "agreement.contribtion:0:1:2", "--y", "prices.host:0:1:2")
    assert r.returncode == 2 and "agreement.contribtion is not a numeric scenario field" in r.stderr
    r = run("sweep", scenario_file, "--x", "agreement.contribution:0:1", "--y", "prices.host:0:1:2")
    assert r.returncode == 2 and "--x:" in r.stderr and "PATH:START:STOP:COUNT" in r.stderr
    r = run("sweep", scenario_file, "--x", "agreement.contribution:-10:1:2", "--y", "prices.host:0:1:2")
    assert r.returncode == 2 and r.stderr.strip() == "agreement.contribution: must be >= 0, got -10"
    r = run("sweep", scenario_file, "--x", "agreement.contribution:0:1:2", "--y", "prices.host:0:1:2", "--beta", 1)
    assert r.returncode == 2 and "beta" in r.stderr


def test_out_of_range_point_is_a_plain_error(scenario_file):
    """An occupancy above 100 % exits 2 with a plain message giving the allowed range, no traceback."""
    r = run("evaluate", scenario_file, "--occupancy", 1.5, "--local-use", 0.5)
    assert r.returncode == 2 and "must be between 0 and 1, got 1.5" in r.stderr and "Traceback" not in r.stderr


def test_falling_bands_warn_on_stderr(tmp_path, example_dict):
    """Sharing bands whose host share falls as local use rises still give a summary, with a warning on stderr naming
    the band."""
    example_dict["agreement"]["sharing"]["bands"][2]["host_share"] = 0.1
    path = tmp_path / "falling.yaml"
    path.write_text(yaml.safe_dump(example_dict), encoding="utf-8")
    r = run("summary", path)
    assert r.returncode == 0 and r.stderr.startswith("warning: agreement.sharing.bands[2].host_share")


def test_summary_table_reads_as_a_person_writes_it(scenario_file, example):
    """The scenario's name as a heading; labels, not snake_case; money with separators and no pence; chances as
    percents; each figure's unit. The JSON stays MODEL.md's names."""
    from partnership import summarize
    from partnership.formats import money, percent

    r = run("summary", scenario_file, "--format", "table")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{example.name}: summary under the uncertainty"
    assert "_" not in r.stdout  # no snake_case name
    s = summarize(example)
    gain = next(line for line in lines if "Provider's expected gain" in line)
    assert money(s["expected_provider_gain"]) in gain and gain.endswith("a year")
    chance = next(line for line in lines if "Chance the host is better off" in line)
    assert chance.endswith(percent(s["probability_host_better_off"], 1))
    assert not re.search(r"\d\.\d{3}", r.stdout)  # no fractions, no raw floats
    assert set(json.loads(run("summary", scenario_file).stdout)) >= set(SUMMARY_NAMES)


def test_sweep_table_says_how_sharp_the_balanced_point_is():
    """For rural homecare the sweep table says the balanced point is not sharp: the top band's share can run from 0 %
    to 100 % within 1 % of the best, on the end of its range."""
    r = run(
        "sweep",
        ROOT / "presets" / "homecare_rural.yaml",
        "--x",
        "agreement.contribution:0:300000:41",
        "--y",
        "agreement.sharing.bands[2].host_share:0:1:41",
        "--format",
        "table",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Rural homecare zone: terms both sides accept")
    assert re.search(r"within 1 % of the best: Sharing band 3: host's share\s+0.0 % to 100.0 %", r.stdout)
    assert re.search(r"balanced point on the end of a range\s+Sharing band 3: host's share", r.stdout)
    assert re.search(r"not sharp \(near-best region wide\)\s+yes", r.stdout)
    assert re.search(r"expected_provider_gain\s+£[\d,]+  a year", r.stdout)
