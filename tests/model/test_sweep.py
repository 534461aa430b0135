"""The search for terms both sides accept (MODEL.md section 4)."""

import numpy as np
import pytest

from partnership import ScenarioError, load_scenario, scenario_from_dict
from partnership.negotiation import balanced_index, default_range, sweep
from partnership.scenario import set_path
from partnership.uncertainty import expected_gains

from ..conftest import PRESETS

X = ("agreement.contribution", 0, 400_000, 9)
Y = ("agreement.sharing.bands[2].host_share", 0, 1, 5)


def test_vectorised_sweep_matches_scenario_by_scenario(example, example_dict):
    """Each cell of the sweep holds the same expected gains as that contribution and top-band share worked out as a
    scenario of their own."""
    result = sweep(example, X, Y)
    for iy, yv in enumerate(result.y.values):
        for ix, xv in enumerate(result.x.values):
            doc = set_path(set_path(example_dict, X[0], float(xv)), Y[0], float(yv))
            g, h = expected_gains(scenario_from_dict(doc))
            assert result.expected_provider_gain[iy, ix] == pytest.approx(float(g), rel=1e-9, abs=1e-6)
            assert result.expected_host_saving[iy, ix] == pytest.approx(float(h), rel=1e-9, abs=1e-6)


def test_spot_default_follows_a_swept_external_price(example_dict):
    """With the spot price unset, sweeping the external price moves the spot price with it, as in a scenario set to
    that price."""
    del example_dict["prices"]["spot"], example_dict["prices"]["host_alternative"]
    s = scenario_from_dict(example_dict)
    result = sweep(s, ("prices.external", 5000, 6000, 3), ("agreement.contribution", 0, 100_000, 2))
    doc = set_path(set_path(example_dict, "prices.external", 6000.0), "agreement.contribution", 100_000.0)
    g, h = expected_gains(scenario_from_dict(doc))
    assert result.expected_provider_gain[1, 2] == pytest.approx(float(g))
    assert result.expected_host_saving[1, 2] == pytest.approx(float(h))


def test_uncertainty_paths_are_swept_too(example, example_dict):
    """The most likely occupancy can be swept like a term, each cell giving the expected gain of a scenario set to
    it."""
    result = sweep(example, ("uncertainty.occupancy.mode", 0.6, 1.0, 3), ("agreement.contribution", 0, 200_000, 2))
    doc = set_path(set_path(example_dict, "uncertainty.occupancy.mode", 1.0), "agreement.contribution", 200_000.0)
    g, _ = expected_gains(scenario_from_dict(doc))
    assert result.expected_provider_gain[1, 2] == pytest.approx(float(g))


def test_acceptable_and_balanced(example):
    """The acceptable pairs are exactly those meeting both sides' minimum gains, and the balanced point is the
    acceptable pair with the largest product of gains."""
    result = sweep(example, X, Y, min_provider_gain=10_000, min_host_saving=20_000)
    g, h = result.expected_provider_gain, result.expected_host_saving
    assert np.array_equal(result.acceptable, (g >= 10_000) & (h >= 20_000))
    assert result.acceptable.any() and not result.acceptable.all()
    b = result.balanced
    product = np.where(result.acceptable, g * h, -np.inf)
    iy, ix = np.unravel_index(np.argmax(product), g.shape)
    assert (b["x"], b["y"]) == (result.x.values[ix], result.y.values[iy])
    assert b["expected_provider_gain"] >= 10_000 and b["expected_host_saving"] >= 20_000


def test_joint_gain_is_the_same_everywhere_for_pure_transfers(example):
    """Contribution and band shares only move money: the sum of expected gains is constant."""
    result = sweep(example, X, Y)
    total = result.expected_provider_gain + result.expected_host_saving
    assert np.ptp(total) < 1e-6 * np.abs(total).max()


def test_beta_leans_towards_the_weighted_side(example):
    """Weighting the balance towards one side moves the balanced point to terms that give that side at least as much."""
    even = sweep(example, X, Y, beta=0.5).balanced
    provider_strong = sweep(example, X, Y, beta=0.8).balanced
    host_strong = sweep(example, X, Y, beta=0.2).balanced
    assert provider_strong["expected_provider_gain"] >= even["expected_provider_gain"]
    assert host_strong["expected_host_saving"] >= even["expected_host_saving"]


def test_no_acceptable_pair(example):
    """When no pair of terms meets the minimum gains there is no balanced point, and the JSON says null."""
    result = sweep(example, X, Y, min_provider_gain=1e9)
    assert not result.acceptable.any() and result.balanced is None
    assert result.to_dict()["balanced"] is None


def test_balanced_index_ties_go_to_the_larger_joint_gain():
    """When pairs tie on the product of gains, the balanced point is the one with the larger joint gain."""
    g = np.array([[0.0, 0.0], [5.0, 1.0]])
    h = np.array([[10.0, 30.0], [0.0, 0.0]])
    assert balanced_index(g, h, np.ones_like(g, dtype=bool)) == (0, 1)


def test_range_that_breaks_a_rule(example):
    """A range that breaks a rule (a negative host price, a share over 100 %), a field that is not a number, or a
    beta of 0 is refused in plain words."""
    with pytest.raises(ScenarioError) as info:
        sweep(example, ("prices.host", -5, 100, 3), Y)
    assert info.value.problems == ["prices.host: must be >= 0, got -5"]
    with pytest.raises(ScenarioError, match="premium_share: must be <= 1, got 2"):
        sweep(example, ("agreement.compensation.premium_share", 0, 2, 3), Y)
    with pytest.raises(ScenarioError, match="not a numeric scenario field"):
        sweep(example, ("name", 0, 1, 2), Y)
    with pytest.raises(ScenarioError, match="beta"):
        sweep(example, X, Y, beta=0)


def _every_numeric_path(scenario):
    """Every numeric field a sweep may vary (a member council's figures may not: refused, tested with the region)."""
    from partnership.fields import is_sweepable, numeric_paths

    for path in numeric_paths():
        if not is_sweepable(path):
            continue
        if "[i]" in path:
            yield from (path.replace("[i]", f"[{i}]") for i in range(len(scenario.agreement.sharing.bands)))
        else:
            yield path


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_every_numeric_field_of_every_preset_sweeps_over_its_default_range(preset):
    """Every numeric field can be swept (sweeping the spot price once crashed), or is refused in plain words."""
    s = load_scenario(preset)
    for path in _every_numeric_path(s):
        other = "prices.host" if path == "agreement.contribution" else "agreement.contribution"
        x = (path, *default_range(s, path), 3)
        y = (other, *default_range(s, other), 2)
        if path == "term.years" and any(
            isinstance(getattr(s.term.indexation, g), list)
            for g in ("costs", "host_price", "market_prices", "contribution")
        ):
            with pytest.raises(ScenarioError, match="give one rate for every year to search the term's length"):
                sweep(s, x, y)
            continue
        result = sweep(s, x, y)
        assert np.all(np.isfinite(result.expected_provider_gain)), path
        assert np.all(np.isfinite(result.expected_host_saving)), path


def test_a_sweep_has_a_cell_budget(example):
    """A sweep of more than 40,401 cells is refused rather than run."""
    with pytest.raises(ScenarioError, match="at most 40,401"):
        sweep(example, ("agreement.contribution", 0, 1, 202), ("prices.host", 0, 1, 201))


def test_whole_number_fields_sweep_in_whole_numbers(example):
    """A whole-number field, such as the term's years, is swept in whole numbers only."""
    result = sweep(example, ("term.years", 1, 5, 9), ("agreement.contribution", 0, 100_000, 2))
    assert list(result.x.values) == [1, 2, 3, 4, 5]


def _product(result, beta=0.5):
    g = np.maximum(result.expected_provider_gain, 0.0)
    h = np.maximum(result.expected_host_saving, 0.0)
    return g**beta * h ** (1 - beta)


def test_the_near_best_region_is_every_acceptable_pair_within_one_percent_of_the_best_product(example):
    """The near-best region is every acceptable pair within 1 % of the best product; it holds the balanced point, its
    range spans it, and the JSON reports it as found."""
    result = sweep(example, X, ("agreement.sharing.bands[2].host_share", 0, 1, 11))
    product = np.where(result.acceptable, _product(result), -np.inf)
    best = product.max()
    assert result.near_best.shape == result.acceptable.shape
    assert (result.near_best == (result.acceptable & (product >= 0.99 * best - 1e-9))).all()
    iy = list(result.y.values).index(result.balanced["y"])
    ix = list(result.x.values).index(result.balanced["x"])
    assert result.near_best[iy, ix]
    xs, ys = result.x.values[np.nonzero(result.near_best)[1]], result.y.values[np.nonzero(result.near_best)[0]]
    assert result.near_best_range == {"x": [xs.min(), xs.max()], "y": [ys.min(), ys.max()]}
    out = result.to_dict()
    assert out["near_best"] == result.near_best.tolist()
    assert out["near_best_range"] == result.near_best_range
    assert out["flat_optimum"] is result.flat_optimum
    assert out["balanced_on_edge"] == list(result.balanced_on_edge)


def test_one_term_alone_has_a_sharp_balanced_point_inside_the_range(example):
    """A single transfer (the contribution) over a wide range: the product falls fast either side."""
    result = sweep(
        example, ("agreement.contribution", 0, 400_000, 81), ("agreement.sharing.bands[2].host_share", 0.5, 0.5, 1)
    )
    assert result.balanced_on_edge == ()
    assert not result.flat_optimum
    lo, hi = result.near_best_range["x"]
    assert hi - lo <= 0.25 * 400_000


def test_a_balanced_point_on_the_end_of_the_range_is_flagged(example):
    """Cut the contribution's range short of the balanced point: the best pair is the range's end, flagged."""
    full = sweep(
        example, ("agreement.contribution", 0, 400_000, 81), ("agreement.sharing.bands[2].host_share", 0.5, 0.5, 1)
    )
    y = ("agreement.sharing.bands[2].host_share", 0.5, 0.5, 1)
    low = full.balanced["x"] * 1.2
    cut = sweep(example, ("agreement.contribution", low, 400_000, 21), y)
    assert cut.balanced["x"] == pytest.approx(low)
    assert cut.balanced_on_edge == ("x",)
    assert full.balanced_on_edge == ()


def test_two_transfers_trade_off_along_a_ridge_so_the_balanced_point_is_not_sharp():
    """The rural homecare preset: the contribution and the top band's share both move money between the sides, so
    along a ridge the product hardly changes; the top band's share runs over more than a quarter of its range while
    staying within 1 % of the best product, and the sweep says so."""
    from partnership.negotiation import default_axes

    s = load_scenario(PRESETS[0].parent / "homecare_rural.yaml")
    x, y = default_axes(s)
    result = sweep(s, x, y)
    assert result.flat_optimum
    lo, hi = result.near_best_range["y"]
    assert hi - lo > 0.25
    product = np.where(result.near_best, _product(result), np.inf)
    assert product.min() >= 0.99 * _product(result).max() - 1e-6


def test_no_acceptable_pair_has_no_near_best_region(example):
    """With no acceptable pair there is no near-best region, no range, no end-of-range flag and no flat optimum."""
    result = sweep(example, X, Y, min_provider_gain=1e9)
    assert result.balanced is None and not result.near_best.any()
    assert result.near_best_range is None and result.balanced_on_edge == () and not result.flat_optimum
