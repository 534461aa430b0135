"""Break-even occupancy is exact: profit is below zero just before it and at least zero at it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import break_even_occupancy, evaluate, scenario_from_dict

from ..conftest import scenarios

EPS = 1e-7


def _check(s, u, key, profit_name):
    be = float(break_even_occupancy(s, u)[key])
    grid = np.linspace(0, 1, 2001)
    profit = getattr(evaluate(s, grid, u), profit_name)
    scale = 1.0 + float(np.max(np.abs(evaluate(s, grid, u).operating_cost)))
    if np.isnan(be):
        assert np.all(profit < 0), "no break-even reported, yet profit reaches zero"
        assert float(getattr(evaluate(s, 1.0, u), profit_name)) < 0
        return
    assert 0 <= be <= 1
    at = float(getattr(evaluate(s, be, u), profit_name))
    assert at >= -1e-9 * scale
    if be > EPS:
        before = getattr(evaluate(s, np.linspace(0, be - EPS, 500), u), profit_name)
        assert np.all(before < 1e-9 * scale), "profit already >= 0 below the reported break-even"


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.floats(0, 1))
def test_break_even_with_agreement(doc, u):
    """Break-even occupancy with the agreement is exact at any local use: profit is below zero just below it and at
    least zero at it, and none is reported only when profit stays below zero at full occupancy."""
    _check(scenario_from_dict(doc), u, "with_agreement", "provider_profit")


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.floats(0, 1))
def test_break_even_without_agreement(doc, u):
    """Break-even occupancy without the agreement is exact at any local use: profit is below zero just below it and at
    least zero at it, and none is reported only when profit stays below zero at full occupancy."""
    _check(scenario_from_dict(doc), u, "without_agreement", "provider_profit_without_agreement")


def test_none_when_profit_never_reaches_zero(example_dict):
    """When the provider's profit stays below zero even at full occupancy there is no break-even, with the agreement or
    without it."""
    example_dict["service"]["fixed_cost"] = 10_000_000
    be = break_even_occupancy(scenario_from_dict(example_dict), 0.75)
    assert np.isnan(be["with_agreement"]) and np.isnan(be["without_agreement"])


def test_zero_when_contribution_covers_fixed_cost(example_dict):
    """A contribution larger than the fixed cost lets the provider break even at zero occupancy under the agreement."""
    example_dict["agreement"]["contribution"] = 900_000
    be = break_even_occupancy(scenario_from_dict(example_dict), 0.75)
    assert float(be["with_agreement"]) == 0.0


def test_loss_share_and_cap_kinks(example_dict):
    """With a pain share the profit line bends where the deficit share hits its cap."""
    example_dict["agreement"]["sharing"].update(loss_share=0.5, loss_cap=50_000)
    s = scenario_from_dict(example_dict)
    _check(s, 0.75, "with_agreement", "provider_profit")
    example_dict["agreement"]["sharing"]["loss_cap"] = None
    _check(scenario_from_dict(example_dict), 0.75, "with_agreement", "provider_profit")


def test_vectorised_over_local_use(example):
    """Break-even occupancy for many local uses at once gives, at each, what asking for that local use alone gives."""
    u = np.linspace(0, 1, 11)
    be = break_even_occupancy(example, u)
    assert be["with_agreement"].shape == (11,)
    for i, uu in enumerate(u):
        assert be["with_agreement"][i] == pytest.approx(float(break_even_occupancy(example, uu)["with_agreement"]))
