"""The model's quick ways to its figures give the figures of the plain ways: each year evaluated in full, every
value sorted, every cell's crossing worked out."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from partnership import scenario_from_dict, summarize
from partnership.arrays import into
from partnership.inputs import inputs_of
from partnership.outcomes import line_items
from partnership.term import evaluate_term, npvs
from partnership.uncertainty import (
    _GAINS_AT_NODES,
    HEADLINE_NAMES,
    SUMMARY_RESOLUTION,
    _rows_of_items,
    _stable_order,
    _weighted_quantiles,
    gain_distributions,
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


def test_a_grid_worked_out_a_few_rows_at_a_time_is_the_whole_grid(example_dict):
    """The summary's blocks of rows give every line item it reads exactly as one evaluation of the whole grid does,
    whatever the block (one row, a block that does not divide the rows, more rows than there are)."""
    names = ("provider_profit", "provider_gain", "host_net_cost", "host_saving")
    for doc in (example_dict, _hard_term(example_dict)):
        s = scenario_from_dict(doc)
        t, q = inputs_of(s), quadrature(s)
        whole = line_items(t, q.occupancy[None, :], q.local_use[:, None])
        for block in (1, 7, 128, 10_000):
            rows = _rows_of_items(t, q.occupancy, q.local_use, names, block)
            for name in names:
                assert np.array_equal(rows[name], np.broadcast_to(whole[name], rows[name].shape)), (block, name)


def test_the_distributions_read_from_the_summary_are_those_worked_out_alone(example_dict):
    """The risk curves take each side's gains at the nodes from the summary of the same scenario object, and they are
    the curves worked out from nothing, to the last digit."""
    for doc in (example_dict, _hard_term(example_dict)):
        alone = gain_distributions(scenario_from_dict(doc))  # a scenario object no summary has seen
        s = scenario_from_dict(doc)
        summarize(s)
        assert _GAINS_AT_NODES.get(s, SUMMARY_RESOLUTION) is not None
        kept = gain_distributions(s)
        for side in alone:
            assert all(np.array_equal(a, b) for a, b in zip(alone[side], kept[side])), side
    assert _GAINS_AT_NODES.get(scenario_from_dict(example_dict), SUMMARY_RESOLUTION) is None  # another object: none


def test_the_quicker_sort_gives_the_stable_order():
    """Without ties the quicker sort's order is the stable sort's (there is one order); with a tie, an infinity or a
    NaN the stable sort is used: the order, and so every percentile, is the stable sort's in each case."""
    rng = np.random.default_rng(11)
    for trial in range(200):
        n = int(rng.integers(1, 3_000))
        values = rng.normal(size=n)
        if trial % 4 == 1:
            values = np.round(values, 1)  # many ties
        elif trial % 4 == 2:
            values[: n // 2] = 0.0  # a mass at one value
        elif trial % 4 == 3 and n > 2:
            values[[0, n // 2]] = [np.inf, np.nan]
        order, sorted_values = _stable_order(values)
        stable = np.argsort(values, kind="stable")
        assert np.array_equal(order, stable), trial
        assert np.array_equal(sorted_values, values[stable], equal_nan=True), trial


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 4, 3)])
def test_writing_over_a_temporary_gives_the_plain_result(shape):
    """``into`` gives what the ufunc gives, in value, shape and type, for every kind of second operand; it writes
    over its first only when that keeps its shape and type."""
    rng = np.random.default_rng(5)
    others = [
        2.5,
        3,
        True,
        np.float64(1.5),
        np.float32(2.0),
        np.int64(4),
        rng.random(shape),
        rng.random(shape[-1:]),
        rng.random((1,) * len(shape)),
        rng.random((5, *shape)),
        rng.random(shape).astype(np.float32),
        rng.integers(0, 9, shape),
        rng.random(shape) > 0.5,
        rng.random((*shape[:-1], 1)),
        [1.0] * shape[-1],
    ]
    for ufunc in (np.add, np.subtract, np.multiply, np.maximum, np.minimum):
        for y in others:
            x = rng.random(shape)
            expected = ufunc(x.copy(), y)
            got = into(ufunc, x, y)
            assert got.shape == expected.shape and got.dtype == expected.dtype and np.array_equal(got, expected)
            assert (got is x) == (expected.shape == x.shape and expected.dtype == np.float64)


def test_keeping_freed_memory_changes_no_figure():
    """The command line's allocator setting (partnership.memory) takes on this machine's glibc and leaves every
    figure as it was: the summary and a grid, worked out in one fresh process before and after it is set, are the
    same to the bit."""
    import subprocess
    import sys

    from ..conftest import ROOT

    script = (
        "import json, numpy as np\n"
        "from partnership import evaluate, summarize\n"
        "from partnership.examples import example_scenario\n"
        "from partnership.memory import keep_freed_memory\n"
        "s = example_scenario(); o = np.linspace(0, 1, 201)[None, :]; u = np.linspace(0, 1, 201)[:, None]\n"
        "def figures(): return [summarize(s), evaluate(s, o, u).provider_gain.tolist()]\n"
        "before = figures(); took = keep_freed_memory(); after = figures()\n"
        "print(json.dumps([took, keep_freed_memory(), before == after]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[true, true, true]"
