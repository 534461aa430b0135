"""The accounting identity of MODEL.md sections 2 and 8, at many random points of random scenarios (reserved
places and what the host would get anyway drawn at random too)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import evaluate, scenario_from_dict
from partnership.inputs import inputs_of

from ..conftest import scenarios


def _joint_gain(t, r):
    """Section 8: occupied_units * max(u - u0, 0) * (p_a - p_s) + external_units * (p_e - p_s)."""
    beyond = r.occupied_units * np.maximum(r.local_use - t.counterfactual_local_use, 0.0)
    return beyond * (t.host_alternative_price - t.spot_price) + r.external_units * (t.external_price - t.spot_price)


def _scale(t, r):
    return (
        1.0
        + np.abs(r.host_fees)
        + np.abs(r.external_fees)
        + np.abs(r.operating_cost)
        + t.contribution
        + np.abs(r.void_payments)
        + np.abs(r.host_cost_without_agreement)
        + np.abs(r.compensation)
        + np.abs(r.provider_profit_without_agreement)
    )


@settings(max_examples=300, deadline=None)
@given(
    scenarios(),
    st.lists(st.floats(0, 1), min_size=20, max_size=20),
    st.lists(st.floats(0, 1), min_size=20, max_size=20),
)
def test_terms_only_move_money_between_the_parties(doc, os, us):
    """At random points of random scenarios, provider gain plus host saving is the joint gain of the accounting
    identity: the agreement's terms only move money between host and provider."""
    s = scenario_from_dict(doc)
    t = inputs_of(s)
    r = evaluate(s, np.array(os), np.array(us))
    lhs = r.provider_gain + r.host_saving
    rhs = _joint_gain(t, r)
    scale = _scale(t, r)
    assert np.all(np.abs(lhs - rhs) <= 1e-9 * scale)
    assert np.all(np.isfinite(lhs))


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_identity_holds_over_a_whole_grid(doc):
    """The accounting identity holds over a whole grid of occupancy and local use, and every pound the host pays on net
    reaches the provider (void payments included); none is lost or made up."""
    s = scenario_from_dict(doc)
    t = inputs_of(s)
    o = np.linspace(0, 1, 41)[None, :]
    u = np.linspace(0, 1, 41)[:, None]
    r = evaluate(s, o, u)
    scale = _scale(t, r)
    assert np.all(np.abs(r.provider_gain + r.host_saving - _joint_gain(t, r)) <= 1e-9 * scale)
    # every pound the host pays on net reaches the provider: nothing is lost or made up
    assert np.allclose(
        r.provider_profit - r.host_net_cost,
        r.external_fees - r.operating_cost,  # void payments are a transfer: on both sides
        rtol=1e-12,
        atol=1e-9 * scale.max(),
    )


def test_identity_breaks_when_a_formula_is_wrong(example):
    """The check has teeth: a wrong host cost (surplus share left out) fails it."""
    t = inputs_of(example)
    r = evaluate(example, 0.85, 0.75)
    wrong_saving = r.host_cost_without_agreement - (t.contribution + r.host_fees - r.compensation)
    assert abs(r.provider_gain + wrong_saving - _joint_gain(t, r)) > 1000
