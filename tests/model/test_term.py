"""MODEL.md section 10, over the term: section 11's term row to the penny, one year giving exactly the one-year
figures, the identity over the term, the summary's NPVs to section 3's accuracy, and bad term input."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import ScenarioError, evaluate, load_scenario, scenario_from_dict, scenario_to_dict, summarize, sweep
from partnership.outcomes import OUTCOME_NAMES
from partnership.term import discount, evaluate_term, host_price_uplift_to_stay, index
from partnership.uncertainty import SUMMARY_NAMES, TERM_SUMMARY_NAMES

from ..conftest import scenarios
from .test_cli import run

SECTION_11_TERM = {
    "years": 3,
    "discount_rate": 0.035,
    "indexation": {"costs": 0.05, "host_price": 0.02, "market_prices": 0.04, "contribution": 0},
    "set_up": {"cost": 100000, "host_share": 0.5},
}


@pytest.fixture
def term_example(example_dict):
    example_dict["term"] = copy.deepcopy(SECTION_11_TERM)
    return example_dict


def test_section_11_term_row_to_the_penny(term_example):
    """The worked three-year term (indexation, discounting, a shared set-up cost) gives each year's gain and saving,
    both NPVs and the payback and walk-away years to the penny."""
    r = evaluate_term(scenario_from_dict(term_example), 0.85, 0.75).to_dict()
    assert [round(y["provider_gain"], 2) for y in r["years"]] == [25_461.00, 13_294.68, 568.38]
    assert [round(y["host_saving"], 2) for y in r["years"]] == [67_359.00, 83_238.12, 99_825.73]
    assert round(r["npv_provider_gain"], 2) == -12_476.63
    assert round(r["npv_host_saving"], 2) == 182_821.93
    assert r["provider_payback_year"] is None and r["host_payback_year"] == 1
    assert r["provider_walk_away_year"] is None and r["host_walk_away_year"] is None


def test_the_term_result_carries_the_set_up_split_the_cumulative_series_and_the_tolerance(term_example):
    """Section 11's term row by hand: K = 100,000 split half and half; year 0 of each cumulative series is minus
    that side's half; year 1 adds 25,461 / 1.035 = 24,600 exactly (the host: 67,359 / 1.035 = 65,081.16); the
    last year is the NPV. The tolerance of 'gain >= 0' is 1e-9 of the dearest year's full-occupancy cost,
    (800,000 + 4 x 52 x 300) x 1.05 ** 2 = 950,796 in year 3."""
    r = evaluate_term(scenario_from_dict(term_example), 0.85, 0.75)
    assert (r.provider_set_up, r.host_set_up) == (50_000.0, 50_000.0)
    assert np.round(r.discounted_provider_gain[0], 6) == 24_600.0
    gain, saving = np.ravel(r.cumulative_provider_gain), np.ravel(r.cumulative_host_saving)
    assert len(gain) == len(saving) == 4  # years 0..3
    assert gain[0] == -50_000.0 and round(float(gain[1]), 6) == -25_400.0
    assert saving[0] == -50_000.0 and round(float(saving[1]), 2) == 15_081.16
    assert round(float(gain[-1]), 2) == -12_476.63 and round(float(saving[-1]), 2) == 182_821.93
    assert float(gain[-1]) == pytest.approx(float(r.npv_provider_gain), abs=1e-6)
    assert r.tolerance == pytest.approx(1e-9 * 950_796, rel=1e-12)


def test_cli_term_reproduces_section_11(tmp_path, term_example):
    """The command line's term gives the same worked three-year term, as JSON with every outcome each year and as a
    table with one row a year."""
    path = tmp_path / "term.yaml"
    path.write_text(yaml.safe_dump(term_example), encoding="utf-8")
    r = run("term", path, "--occupancy", 0.85, "--local-use", 0.75)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [y["year"] for y in out["years"]] == [1, 2, 3]
    assert set(out["years"][0]) == {"year", *OUTCOME_NAMES}
    assert [round(y["provider_gain"], 2) for y in out["years"]] == [25_461.00, 13_294.68, 568.38]
    assert round(out["npv_provider_gain"], 2) == -12_476.63 and round(out["npv_host_saving"], 2) == 182_821.93
    assert out["provider_payback_year"] is None and out["host_payback_year"] == 1
    table = run("term", path, "--occupancy", 0.85, "--local-use", 0.75, "--format", "table").stdout
    assert (
        "13,294.68" in table
        and "-£12,476.63" in table
        and len([line for line in table.splitlines() if line[:4].strip().isdigit()]) == 3
    )


def test_one_year_gives_exactly_the_one_year_figures(example):
    """A one-year term gives exactly the one-year figures, its NPV that year discounted once; the summary has no NPV
    names and the sweep judges by the year."""
    o, u = np.linspace(0, 1, 11)[None, :], np.linspace(0, 1, 11)[:, None]
    year = evaluate(example, o, u)
    term = evaluate_term(example, o, u)
    for name in OUTCOME_NAMES:
        assert np.array_equal(np.asarray(getattr(term.years, name))[0], getattr(year, name), equal_nan=True), name
    assert np.array_equal(term.npv_provider_gain, year.provider_gain * discount(0.035, 1)[0])
    s = summarize(example)
    assert list(s) == SUMMARY_NAMES  # no NPV names for a single year
    result = sweep(example, ("agreement.contribution", 0, 300_000, 3), ("prices.host", 4000, 5000, 3))
    assert result.to_dict()["basis"] == "year"


def test_index_and_discount():
    """Indexation compounds year on year from 1 in the first year, and a zero discount rate leaves every year
    undiscounted."""
    assert index([0.1, 0.2], 3) == pytest.approx([1.0, 1.1, 1.32])
    assert index(0.0, 1) == pytest.approx([1.0])
    assert discount(0.0, 3) == pytest.approx([1, 1, 1])


@settings(max_examples=150, deadline=None)
@given(
    scenarios(),
    st.integers(1, 12),
    st.floats(0, 0.2),
    st.lists(st.floats(-0.2, 0.3), min_size=4, max_size=4),
    st.floats(0, 2e6),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_identity_over_the_term(doc, years, rate, growth, cost, share, o, u):
    """Over any term, the NPVs of provider gain and host saving add up to the discounted joint gain less the set-up
    cost: the terms, indexation and set-up split only move money between the parties."""
    doc["term"] = {
        "years": years,
        "discount_rate": rate,
        "indexation": dict(zip(("costs", "host_price", "market_prices", "contribution"), growth)),
        "set_up": {"cost": cost, "host_share": share},
    }
    s = scenario_from_dict(doc)
    r = evaluate_term(s, o, u)
    d = discount(rate, years)
    lhs = float(r.npv_provider_gain + r.npv_host_saving)
    rhs = float(np.sum(d * r.joint_gain)) - cost
    scale = (
        1.0
        + cost
        + float(np.sum(np.abs(r.years.operating_cost) + np.abs(r.years.host_fees) + np.abs(r.years.external_fees)))
    )
    scale += float(np.sum(np.abs(r.years.host_cost_without_agreement) + np.abs(r.years.void_payments)))
    scale += float(np.sum(np.abs(r.years.compensation) + np.abs(r.years.provider_profit_without_agreement)))
    # the contribution cancels between the sides: its size bounds the rounding too (found by hypothesis: a
    # contribution of 2.8 million with every price and cost 0 left 1.6e-9 of float noise against a scale of 1)
    scale += float(np.sum(np.abs(r.years.provider_profit) + np.abs(r.years.host_net_cost)))
    assert abs(lhs - rhs) <= 1e-9 * scale


def test_walk_away_and_the_uplift_that_keeps_the_provider(term_example):
    """The provider's walk-away year is the first year its gain falls below zero, and the uplift to stay is the smallest
    yearly host price growth that keeps every year's gain at or above zero."""
    term_example["term"].update({"years": 6, "set_up": {"cost": 0, "host_share": 0}})
    s = scenario_from_dict(term_example)
    r = evaluate_term(s, 0.85, 0.75)
    gains = r.years.provider_gain
    walk = r.to_dict()["provider_walk_away_year"]
    assert walk is not None and gains[walk - 1] < 0 and np.all(gains[: walk - 1] >= 0)
    g = host_price_uplift_to_stay(s, 0.85, 0.75)
    assert g is not None and g > 0.02  # more than the agreed 2 % a year
    for rate, keeps in ((g, True), (g - 0.001, False)):
        doc = copy.deepcopy(term_example)
        doc["term"]["indexation"]["host_price"] = rate
        worst = float(np.min(evaluate_term(scenario_from_dict(doc), 0.85, 0.75).years.provider_gain))
        assert (worst >= -1e-6) == keeps, (rate, worst)


def _reference_npv_summary(s, n: int = 600) -> dict:
    """An independent inverse-CDF midpoint grid over the two triangular distributions."""
    nodes = []
    for dist in (s.uncertainty.occupancy, s.uncertainty.local_use):
        p = (np.arange(n) + 0.5) / n
        a, c, b = dist.low, dist.mode, dist.high
        fc = (c - a) / (b - a) if b > a else 0.5
        x = np.where(p < fc, a + np.sqrt(p * (b - a) * (c - a)), b - np.sqrt((1 - p) * (b - a) * (b - c)))
        nodes.append(x)
    o, u = np.meshgrid(*nodes)
    r = evaluate_term(s, o.ravel(), u.ravel())
    out = {}
    for side, npv in (("provider_gain", r.npv_provider_gain), ("host_saving", r.npv_host_saving)):
        out[f"expected_npv_{side}"] = float(np.mean(npv))
        for q in (10, 50, 90):
            out[f"npv_{side}_p{q}"] = float(np.percentile(npv, q))
    out["probability_provider_npv_positive"] = float(np.mean(r.npv_provider_gain >= 0))
    out["probability_host_npv_positive"] = float(np.mean(r.npv_host_saving >= 0))
    return out, r


def test_summary_npvs_to_section_3s_accuracy(term_example):
    """Over a term the summary adds each side's expected NPV, its percentiles and the chance it comes out ahead,
    matching an independent integration to the one-year accuracy."""
    s = scenario_from_dict(term_example)
    got = summarize(s)
    assert list(got) == SUMMARY_NAMES + TERM_SUMMARY_NAMES
    want, r = _reference_npv_summary(s)
    cost_year_t = float(evaluate_term(s, 1.0, 0.5).years.operating_cost[-1])
    for side, npv in (("provider_gain", r.npv_provider_gain), ("host_saving", r.npv_host_saving)):
        assert got[f"expected_npv_{side}"] == pytest.approx(want[f"expected_npv_{side}"], abs=2e-4 * cost_year_t)
        spread = float(np.max(npv) - np.min(npv))
        for q in (10, 50, 90):
            assert got[f"npv_{side}_p{q}"] == pytest.approx(want[f"npv_{side}_p{q}"], abs=0.005 * spread)
    for who in ("provider", "host"):
        key = f"probability_{who}_npv_positive"
        assert got[key] == pytest.approx(want[key], abs=0.005)


def test_sweep_judges_by_expected_npvs_over_the_term(term_example):
    """Over a term the search for terms judges each pair by its expected NPVs, matching the summary of the scenario with
    that pair's terms."""
    s = scenario_from_dict(term_example)
    result = sweep(s, ("agreement.contribution", 0, 300_000, 4), ("prices.host", 4000, 5000, 3))
    assert result.basis == "term" and result.to_dict()["basis"] == "term"
    doc = copy.deepcopy(term_example)
    doc["agreement"]["contribution"], doc["prices"]["host"] = 100_000, 4500
    exact = summarize(scenario_from_dict(doc))
    cell = result.expected_provider_gain[1, 1]  # contribution 100,000, host price 4,500
    years, cost_year_t = 3, 940_476.6  # section 3's accuracy, per year of the term
    assert cell == pytest.approx(exact["expected_npv_provider_gain"], abs=2e-4 * cost_year_t * years)


@pytest.mark.parametrize(
    "term, line",
    [
        ({"years": 0}, "term.years: must be >= 1, got 0"),
        ({"years": 31}, "term.years: must be <= 30, got 31"),
        (
            {"years": 3, "indexation": {"costs": [0.05]}},
            "term.indexation.costs: needs one growth rate for each year after the first: 2 for 3 years, got 1",
        ),
        ({"discount_rate": -0.01}, "term.discount_rate: must be >= 0, got -0.01"),
        ({"set_up": {"cost": 1000, "host_share": 1.5}}, "term.set_up.host_share: must be <= 1, got 1.5"),
        ({"set_up": {"cost": 1000, "host_share": -0.5}}, "term.set_up.host_share: must be >= 0, got -0.5"),
    ],
)
def test_bad_term_input_exits_2_naming_the_field(tmp_path, example_dict, term, line):
    """A bad term (too few or too many years, too few growth rates, a negative discount rate, a set-up share outside 0
    to 1) exits 2 with one line naming the field and nothing on stdout."""
    example_dict["term"] = term
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(example_dict), encoding="utf-8")
    for args in (("summary", path), ("term", path, "--occupancy", 0.8, "--local-use", 0.5)):
        r = run(*args)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.strip().splitlines() == [line]


def test_a_band_share_sweeps_over_a_term_as_each_scenario_would_give():
    """Found by CI: a swept band share (an array inside the bands) met the years' axis and crashed."""
    from ..conftest import PRESETS

    s = load_scenario(next(p for p in PRESETS if p.stem == "homecare_rural"))
    path = "agreement.sharing.bands[1].host_share"
    result = sweep(s, (path, 0.0, 0.5, 3), ("agreement.contribution", 0, 40_000, 2))
    doc = scenario_to_dict(s)
    scale = float(evaluate_term(s, 1.0, 0.5).years.operating_cost[-1]) * s.term.years
    for ix, share in enumerate(result.x.values):
        for iy, contribution in enumerate(result.y.values):
            variant = copy.deepcopy(doc)
            variant["agreement"]["sharing"]["bands"][1]["host_share"] = float(share)
            variant["agreement"]["contribution"] = float(contribution)
            exact = summarize(scenario_from_dict(variant))
            got = result.expected_host_saving[iy, ix]
            assert got == pytest.approx(exact["expected_npv_host_saving"], abs=2e-4 * scale), (share, contribution)


def test_term_length_is_not_searched_while_an_indexation_is_year_by_year():
    """The length of the term cannot be searched while a growth rate is given year by year; the refusal names both
    fields."""
    from ..conftest import PRESETS

    s = load_scenario(next(p for p in PRESETS if p.stem == "homecare_rural"))
    with pytest.raises(ScenarioError, match="term.years cannot be searched while term.indexation.costs"):
        sweep(s, ("term.years", 1, 10, 10), ("agreement.contribution", 0, 40_000, 2))
