"""What would it take (MODEL.md section 16): the goal seek for one term, through the function and the command line."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import ScenarioError, evaluate, load_scenario, scenario_from_dict, summarize
from partnership.scenario import scenario_to_dict, set_path
from partnership.solve import _first_change, in_words, plausible_range, solve

from ..conftest import ROOT, scenarios
from .test_cli import run

CHILDRENS_HOME = ROOT / "presets" / "childrens_home.yaml"


@pytest.fixture
def scenario_file(tmp_path, example_dict):
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(example_dict, allow_unicode=True), encoding="utf-8")
    return path


def _with(scenario, path, value):
    return scenario_from_dict(set_path(scenario_to_dict(scenario), path, value))


# ---------------------------------------------------------------------------------------------
# MODEL.md section 16's worked example


def test_worked_example_contribution_at_which_the_provider_breaks_even_at_a_point(example):
    """At o = 0.6, u = 0.75 the contribution at which provider_profit is 0 is 260,240 (to the penny: the figure is a
    straight line there), searched over the contribution's plausible range, £0 to £10 billion, and reached from below."""
    r = solve(example, "agreement.contribution", "provider_profit", 0, at=(0.6, 0.75))
    assert r.value == pytest.approx(260_240, abs=0.005)
    assert (r.low, r.high) == (0.0, 1e10) and r.direction == "rises"
    assert float(evaluate(_with(example, "agreement.contribution", r.value), 0.6, 0.75).provider_profit) == (
        pytest.approx(0, abs=1e-6)
    )


def test_worked_example_host_price_at_which_the_host_is_no_worse_off(example):
    """At o = 0.85, u = 0.75 the host price at which host_saving is 0 is about 5,125.21; above it the host would be
    worse off (the saving falls through 0)."""
    r = solve(example, "prices.host", "host_saving", 0, at=(0.85, 0.75))
    assert r.value == pytest.approx(5125.21, abs=0.005)
    assert r.direction == "falls"


def test_worked_example_contribution_at_which_the_expected_provider_gain_is_0(example):
    """The contribution at which expected_provider_gain is 0 is about 159,900, and put back into the scenario the
    summary's expected gain is 0 (the goal seek integrates on the summary's own points)."""
    r = solve(example, "agreement.contribution", "expected_provider_gain", 0, at="expected")
    assert r.value == pytest.approx(159_900, abs=100)
    assert summarize(_with(example, "agreement.contribution", r.value))["expected_provider_gain"] == pytest.approx(
        0, abs=0.01
    )
    assert r.to_dict()["at"] == "expected"


def test_worked_example_through_the_command_line(scenario_file):
    """The command line gives the same three answers as JSON in section 16's shape, the point as
    ``{occupancy, local_use}`` or ``"expected"``."""
    common = ("solve", scenario_file, "--target", 0)
    r = run(*common, "--field", "agreement.contribution", "--figure", "provider_profit", "--occupancy", 0.6,
            "--local-use", 0.75)  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"field", "figure", "target", "low", "high", "at", "value"}
    assert out["at"] == {"occupancy": 0.6, "local_use": 0.75}
    assert out["value"] == pytest.approx(260_240, abs=0.005)
    r = run(*common, "--field", "prices.host", "--figure", "host_saving", "--occupancy", 0.85, "--local-use", 0.75)
    assert json.loads(r.stdout)["value"] == pytest.approx(5125.21, abs=0.005)
    r = run(*common, "--field", "agreement.contribution", "--figure", "expected_provider_gain", "--expected")
    out = json.loads(r.stdout)
    assert out["at"] == "expected" and out["value"] == pytest.approx(159_900, abs=100)


# ---------------------------------------------------------------------------------------------
# Cases checked by hand, and a target never reached


def test_the_childrens_home_contribution_that_keeps_the_provider_from_losing_money_checked_by_hand():
    """The children's home at 70 % occupancy and 60 % local use: 4 x 52 x 0.7 = 145.6 place-weeks, 87.36 the host's
    at £6,300 (£550,368) and 58.24 external at £6,880 (£400,691.20); cost £790,000 + 145.6 x £1,070 = £945,792;
    compensation 58.24 x (£280 + 25 % of £580) = £24,752. So the surplus is C - £19,484.80, and with no pain share
    the provider breaks even at a contribution of £19,484.80, which the room reads as £19,485."""
    scenario = load_scenario(CHILDRENS_HOME)
    r = solve(scenario, "agreement.contribution", "provider_profit", 0, at=(0.7, 0.6))
    assert r.value == pytest.approx(19_484.80, abs=0.005)
    assert in_words(scenario, r) == (
        "A contribution of £19,485 a year keeps the provider from losing money at 70 % occupancy and 60 % local use; "
        "any less does not."
    )


def test_a_share_a_target_and_a_given_range(example):
    """The top band's host share solved to a profit of £100,000 at o = 0.85, u = 0.9 (in the top band), inside a range
    given by hand: the answer lies in the range, put back it gives the target, the profit falls as the share rises,
    and a range that stops short of the answer gives null, the profit staying above the target throughout."""
    r = solve(example, "agreement.sharing.bands[2].host_share", "provider_profit", 100_000, 0.2, 0.9, at=(0.85, 0.9))
    assert 0.2 <= r.value <= 0.9 and (r.low, r.high) == (0.2, 0.9)
    back = evaluate(_with(example, "agreement.sharing.bands[2].host_share", r.value), 0.85, 0.9).provider_profit
    assert float(back) == pytest.approx(100_000, abs=1e-3)
    assert r.direction == "falls"  # more for the host leaves the provider less
    short = solve(example, "agreement.sharing.bands[2].host_share", "provider_profit", 100_000, 0.2, r.value - 0.01,
                  at=(0.85, 0.9))  # fmt: skip
    assert short.value is None and short.stays == "above"


def test_a_target_never_reached_is_null(example, scenario_file):
    """At full occupancy the provider makes money whatever the contribution: no contribution brings its profit to 0,
    so the answer is null (JSON null on the command line), and the sentence says no change is needed."""
    r = solve(example, "agreement.contribution", "provider_profit", 0, at=(1.0, 0.75))
    assert r.value is None and r.stays == "above"
    assert in_words(example, r).startswith("Any contribution from £0 to £10,000,000,000 a year keeps the provider")
    out = run("solve", scenario_file, "--field", "agreement.contribution", "--figure", "provider_profit",
              "--occupancy", 1, "--local-use", 0.75)  # fmt: skip
    assert out.returncode == 0 and json.loads(out.stdout)["value"] is None
    low = solve(example, "agreement.contribution", "provider_profit", 0, at=(0.3, 0.75), high=100_000)
    assert low.value is None and low.stays == "below"
    assert in_words(example, low).startswith("No contribution from £0 to £100,000 a year keeps the provider")


def test_whole_years_of_a_term_the_first_that_pays_back(example_dict):
    """The term's years take whole numbers: with a set-up cost the provider funds, the answer is the first whole
    number of years at which its expected NPV reaches 0; a year fewer falls short."""
    example_dict["term"] = {"years": 3, "discount_rate": 0.035, "set_up": {"cost": 100_000, "host_share": 0.0}}
    scenario = scenario_from_dict(example_dict)
    r = solve(scenario, "term.years", "expected_npv_provider_gain", 0, at="expected")
    assert r.value == int(r.value) and 1 < r.value <= 30
    npv = lambda years: summarize(_with(scenario, "term.years", years))["expected_npv_provider_gain"]  # noqa: E731
    assert npv(int(r.value)) >= 0 > npv(int(r.value) - 1)


def test_the_default_range_is_the_fields_plausible_range(example):
    """The range searched by default is the registry's: a share 0-100 %, money from 0 to its plausibility bound, the
    reserved units within the capacity, an uncertainty's mode between its low and high, a growth rate just above
    -100 %."""
    assert plausible_range(example, "agreement.sharing.loss_share") == (0.0, 1.0)
    assert plausible_range(example, "prices.host") == (0.0, 1e6)
    assert plausible_range(example, "agreement.reservation.units") == (0.0, 4.0)
    assert plausible_range(example, "uncertainty.occupancy.mode") == (0.6, 1.0)
    lo, hi = plausible_range(example, "term.indexation.costs")
    assert -1 < lo < -0.999 and hi == 1


# ---------------------------------------------------------------------------------------------
# What is refused, in plain words


def test_a_bad_field_figure_or_range_is_refused_naming_it(example):
    """A field that is not a numeric scenario field, a figure that is not one at that place, a band the scenario lacks
    and a range past the field's rules are each refused with a problem naming them, in the field's own words."""
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.contribtion", "provider_proft", 0, at=(0.6, 0.75))
    assert exc.value.problems == [
        "field: agreement.contribtion is not a numeric scenario field (e.g. agreement.contribution)",
        "figure: 'provider_proft' is not a figure at a point (one of the figures evaluate reports, e.g. provider_profit)",
    ]
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.contribution", "provider_profit", 0, at="expected")
    assert exc.value.problems[0].endswith("it is a figure at a point: give an occupancy and a local use")
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.sharing.bands[5].host_share", "provider_profit", 0, at=(0.6, 0.75))
    assert exc.value.problems == ["field: agreement.sharing.bands[5].host_share: no such field in this scenario"]
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.contribution", "provider_profit", 0, -5, 100, at=(0.6, 0.75))
    assert exc.value.problems == ["agreement.contribution: must be >= 0, got -5"]
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.contribution", "provider_profit", 0, 100, 50, at=(0.6, 0.75))
    assert exc.value.problems == ["high: must be > 100, got 50 (the top of the range must be above its bottom)"]
    with pytest.raises(ScenarioError) as exc:
        solve(example, "agreement.sharing.bands[0].from_local_use", "provider_profit", 0, at=(0.6, 0.75))
    assert "cannot vary" in exc.value.problems[0]


def test_the_command_line_refuses_a_bad_field_or_figure_with_exit_2(scenario_file):
    """A misspelt field and figure exit 2, one plain line each on stderr and nothing on stdout; so does asking for a
    point without its local use."""
    r = run("solve", scenario_file, "--field", "agreement.contribtion", "--figure", "provider_proft",
            "--occupancy", 0.6, "--local-use", 0.75)  # fmt: skip
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        "field: agreement.contribtion is not a numeric scenario field (e.g. agreement.contribution)",
        "figure: 'provider_proft' is not a figure at a point (one of the figures evaluate reports, e.g. provider_profit)",
    ]
    r = run("solve", scenario_file, "--field", "agreement.contribution", "--figure", "provider_profit",
            "--occupancy", 0.6)  # fmt: skip
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "--local-use: give a point (--occupancy O --local-use U) or --expected"
    ]


def test_the_table_says_the_question_and_the_answer_in_words(scenario_file):
    """``--format table`` names the term by its label, the figure, the target, the point and the range, gives the
    answer to the penny and says it in one sentence."""
    r = run("solve", scenario_file, "--field", "agreement.contribution", "--figure", "provider_profit",
            "--occupancy", 0.6, "--local-use", 0.75, "--format", "table")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "what would it take?" in r.stdout
    assert "Contribution" in r.stdout and "£260,240.00" in r.stdout and "£0 to £10,000,000,000 a year" in r.stdout
    assert r.stdout.strip().endswith(
        "A contribution of £260,240 a year keeps the provider from losing money at 60 % occupancy and 75 % local "
        "use; any less does not."
    )


def test_the_quick_scan_in_expectation_gives_the_answer_of_the_full_scan(example, monkeypatch):
    """In expectation the 101 values are scanned first on the sweep's coarser integration and confirmed on the
    summary's: the answer is the one a scan wholly on the summary's points gives, and when the coarse scan points the
    wrong way (a one-cell integration) the scan is redone on the summary's points, to the same answer."""
    import partnership.solve as goal_seek

    args = (example, "prices.host", "expected_host_saving", 20_000, 4800, 4960)  # £1.60 between scanned prices
    quick = solve(*args, at="expected").value
    monkeypatch.setattr(goal_seek, "SCAN_CELLS", goal_seek.SUMMARY_RESOLUTION)
    full = solve(*args, at="expected").value
    scans = []
    monkeypatch.setattr(goal_seek, "SCAN_CELLS", 1)
    monkeypatch.setattr(goal_seek, "_first_change", lambda g: scans.append(len(g)) or _first_change(g))
    crude = solve(*args, at="expected").value
    assert scans == [101, 101]  # the crude scan, then the scan redone on the summary's points
    assert quick == pytest.approx(full, abs=1e-6) and crude == pytest.approx(full, abs=1e-6)
    assert summarize(_with(example, "prices.host", quick))["expected_host_saving"] == pytest.approx(20_000, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(
    scenarios(),
    st.sampled_from(["agreement.contribution", "prices.host", "agreement.compensation.per_external_unit",
                     "agreement.sharing.loss_share", "agreement.sharing.bands[0].host_share"]),
    st.sampled_from(["provider_profit", "provider_gain", "host_saving"]),
    st.floats(0, 1),
    st.floats(0, 1),
)  # fmt: skip
def test_an_answer_put_back_reaches_the_target_on_random_scenarios(doc, field, figure, o, u):
    """On random valid scenarios, a term, a figure and a point: the answer, when there is one, lies in the range and,
    put back into the scenario, gives the figure at the target (section 2's figures are continuous in every term the
    room negotiates), to a millionth of how far the figure moves over the range; with no answer, the figure does not
    cross the target between the range's ends."""
    scenario = scenario_from_dict(doc)
    r = solve(scenario, field, figure, 0, at=(o, u))
    ends = [float(getattr(evaluate(_with(scenario, field, x), o, u), figure)) for x in (r.low, r.high)]
    if r.value is None:  # each of these figures moves one way with each of these terms: no answer, no crossing
        assert not min(ends) < 0 < max(ends)
        return
    assert r.low <= r.value <= r.high
    back = float(getattr(evaluate(_with(scenario, field, r.value), o, u), figure))
    assert abs(back) <= 1e-6 * (abs(ends[0]) + abs(ends[1])) + 1e-6
