"""The model's quick ways to its figures give the figures of the plain ways: each year evaluated in full, every
value sorted, every cell's crossing worked out."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from partnership import scenario_from_dict, summarize
from partnership.inputs import inputs_of
from partnership.term import evaluate_term, npvs
from partnership.uncertainty import (
    HEADLINE_NAMES,
    _weighted_quantiles,
    headline_summary,
    quadrature,
    weighted_percentile,
)


def _hard_term(doc: dict) -> dict:
    """A term with every part of the share in play: a deficit shared up to a cap, reserved places that stand empty,
    linear bands, a price uplift that changes sign, a premium."""
    doc = copy.deepcopy(doc)
    doc["term"] = {
        "years": 6,
        "discount_rate": 0.035,
        "indexation": {
            "costs": 0.06,
            "host_price": [0.0, 0.15, -0.1, 0.3, -0.2],
            "market_prices": 0.04,
            "contribution": 0.02,
        },
        "set_up": {"cost": 150_000, "host_share": 0.4},
    }
    sharing = doc["agreement"]["sharing"]
    sharing.update(loss_share=0.4, loss_cap=30_000, interpolation="linear")
    doc["agreement"]["reservation"] = {"units": 2, "void_price": 3000}
    return doc


def test_npvs_are_the_year_by_year_npvs(example_dict):
    """The NPVs of many points, from the base year's line items, are those of every year's section 2 worked out in
    full (to a millionth of a penny a pound)."""
    s = scenario_from_dict(_hard_term(example_dict))
    rng = np.random.default_rng(7)
    o, u = rng.random(500), rng.random(500)
    gain, saving = npvs(s, o, u)
    full = evaluate_term(s, o, u)
    assert gain == pytest.approx(full.npv_provider_gain, rel=1e-9, abs=1e-6)
    assert saving == pytest.approx(full.npv_host_saving, rel=1e-9, abs=1e-6)


def test_npvs_of_many_variants_at_once(example_dict):
    """Inputs holding arrays (a sweep's many variants, a deficit share among them) give each variant's NPVs, as
    working each variant out alone does."""
    s = scenario_from_dict(_hard_term(example_dict))
    o, u = np.linspace(0.5, 1, 40), np.linspace(0.3, 0.9, 40)
    shares = np.array([0.0, 0.3, 0.8])[:, None]
    gain, saving = npvs(s, o, u, inputs=inputs_of(s, {"agreement.sharing.loss_share": shares}))
    assert gain.shape == (3, 40)
    for i, share in enumerate(shares.ravel()):
        alone = npvs(s, o, u, inputs=inputs_of(s, {"agreement.sharing.loss_share": float(share)}))
        assert gain[i] == pytest.approx(alone[0], rel=1e-12, abs=1e-6)
        assert saving[i] == pytest.approx(alone[1], rel=1e-12, abs=1e-6)


def test_quantiles_without_a_full_sort_are_the_sorted_ones(example):
    """Percentiles found from the values inside a bracket are those of sorting every value, ties and all."""
    rng = np.random.default_rng(3)
    weights = rng.random(40_000)
    weights /= weights.sum()
    for values in (rng.normal(size=40_000), np.round(rng.normal(size=40_000), 1), np.repeat(rng.random(400), 100)):
        qs = [0.1, 0.5, 0.9]
        assert _weighted_quantiles(values, weights, qs) == pytest.approx(
            list(weighted_percentile(values, weights, qs)), rel=1e-12, abs=1e-12
        )


def test_the_headline_is_the_summary_in_part(example_dict):
    """The headline's figures are the summary's, over a term and with the deficit shared too."""
    for doc in (example_dict, _hard_term(example_dict)):
        s = scenario_from_dict(doc)
        full = summarize(s)
        assert headline_summary(s) == {name: full[name] for name in HEADLINE_NAMES}


def test_a_quadrature_is_shared_and_read_only(example):
    """The same uncertainty gives the same quadrature, whose arrays no caller can change under another."""
    q = quadrature(example)
    assert quadrature(example) is q
    with pytest.raises(ValueError):
        q.flat[0][0] = 0.5
