"""MODEL.md section 6, to the penny."""

import math

import numpy as np
import pytest

from partnership import OUTCOME_NAMES, break_even_occupancy, evaluate, summarize
from partnership.outcomes import DECISION_NAMES

WORKED = {
    "occupied_units": 176.8,
    "host_units": 132.6,
    "external_units": 44.2,
    "host_fees": 596_700,
    "external_fees": 243_100,
    "operating_cost": 853_040,
    "compensation": 22_100,
    "void_units": 0,  # section 7: no reservation, no voids
    "void_payments": 0,
    "surplus_before_sharing": 164_660,
    "sharing_threshold": 85_304,
    "host_share_rate": 0.25,
    "surplus_share_to_host": 19_839,
    "provider_profit": 144_821,
    "host_net_cost": 754_761,
    "host_unit_cost": 5_692.01,
    "provider_profit_without_agreement": 119_360,
    "host_cost_without_agreement": 822_120,
    "host_unit_cost_without_agreement": 6_200,  # section 8a: 822,120 / 132.6; with u0 = 0 it is p_a
    "provider_gain": 25_461,
    "host_saving": 67_359,
}


@pytest.mark.parametrize("name", list(WORKED))
def test_every_figure_to_the_penny(example, name):
    """Each figure of the worked example at occupancy 0.85 and local use 0.75 comes out to the penny."""
    value = float(getattr(evaluate(example, 0.85, 0.75), name))
    assert round(value, 2) == pytest.approx(WORKED[name], abs=0.005)


def test_result_carries_every_section_2_name(example):
    """A result carries every outcome the model names, and its output adds only the decision figures."""
    assert set(WORKED) == set(OUTCOME_NAMES)
    assert set(evaluate(example, 0.85, 0.75).to_dict()) == set(OUTCOME_NAMES) | set(DECISION_NAMES)


def test_break_even(example):
    """At local use 0.75 the worked example breaks even at occupancy 0.66696 with the agreement and 0.73964 without
    it."""
    be = break_even_occupancy(example, 0.75)
    assert float(be["with_agreement"]) == pytest.approx(0.66696, abs=5e-6)
    assert float(be["without_agreement"]) == pytest.approx(0.73964, abs=5e-6)


def test_summary_matches_the_worked_example(example):
    """The worked example's summary gives the stated expected gain and saving, chance of a provider loss and chance the
    host is better off, within the stated accuracy."""
    s = summarize(example)
    full_cost = 800_000 + 4 * 52 * 300
    assert s["expected_provider_gain"] == pytest.approx(31_460, abs=0.0002 * full_cost + 10)
    assert s["expected_host_saving"] == pytest.approx(57_720, abs=0.0002 * full_cost + 10)
    assert s["probability_provider_loss"] == pytest.approx(0.046, abs=0.005)
    assert s["probability_host_better_off"] == pytest.approx(0.891, abs=0.005)


def test_grid_call_matches_point_calls(example):
    """A whole grid of occupancy and local use gives, at each point, the same figures as evaluating that point alone."""
    o = np.linspace(0, 1, 7)
    u = np.linspace(0, 1, 5)
    grid = evaluate(example, o[None, :], u[:, None])
    assert grid.provider_profit.shape == (5, 7)
    for j, uu in enumerate(u):
        for i, oo in enumerate(o):
            point = evaluate(example, oo, uu)
            for name in OUTCOME_NAMES:
                a, b = float(getattr(grid, name)[j, i]), float(getattr(point, name))
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-9)


def test_host_unit_cost_undefined_without_host_use(example):
    """With no occupancy or no local use the host unit cost is undefined (null in the output); with host use it is
    finite."""
    r = evaluate(example, np.array([0.0, 0.5, 0.5]), np.array([0.5, 0.0, 0.5]))
    assert np.isnan(r.host_unit_cost[0]) and np.isnan(r.host_unit_cost[1])
    assert np.isfinite(r.host_unit_cost[2])
    assert evaluate(example, 0.5, 0.0).to_dict()["host_unit_cost"] is None


def test_host_unit_cost_is_never_infinite(example):
    """A vanishing host use (a subnormal number of units) gives n/a, not infinity."""
    r = evaluate(example, 1e-300, 1e-10)
    assert np.isnan(r.host_unit_cost) or np.isfinite(r.host_unit_cost)
    assert r.to_dict()["host_unit_cost"] is None or np.isfinite(r.to_dict()["host_unit_cost"])
