"""Median timings of the model's heavy calls, each beside the same work as a per-point Python loop.

Run: python benchmarks/bench_model.py   (targets: grid <= 5 ms, summarize <= 20 ms, sweep <= 1.5 s; over a
10-year term: summary <= 60 ms, 41 x 41 sweep on expected NPVs <= 3 s, each beside a per-year Python loop)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclasses import replace  # noqa: E402

from partnership import evaluate, scenario_from_dict, scenario_to_dict, summarize  # noqa: E402
from partnership.examples import example_scenario  # noqa: E402
from partnership.inputs import inputs_of  # noqa: E402
from partnership.negotiation import sweep  # noqa: E402
from partnership.outcomes import evaluate_inputs  # noqa: E402
from partnership.term import index  # noqa: E402
from partnership.uncertainty import SWEEP_RESOLUTION, quadrature, weighted_percentile  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def point_loop(t, o, u):
    """Section 2 for one point in plain Python: the baseline the vectorised model is measured against."""
    occ = t.capacity * t.periods_per_year * o
    hu, eu = occ * u, occ * (1 - u)
    hf, ef = hu * t.host_price, eu * t.external_price
    op = t.fixed_cost + occ * t.variable_cost
    comp = eu * (t.per_external_unit + t.premium_share * max(t.external_price - t.host_price, 0))
    s = hf + ef + t.contribution - op - comp
    rate = 0.0
    for start, share in zip(t.band_starts, t.band_shares):
        if start <= u:
            rate = share
    share = rate * max(s - t.target_margin * op, 0) - min(t.loss_share * max(-s, 0), t.loss_cap)
    profit = s - share
    cost = t.contribution + hf - comp - share
    return profit - (occ * t.spot_price - op), hu * t.host_alternative_price - cost


def year_by_year_npvs(s, o, u):
    """The baseline for the term: a Python loop over the years, each year's terms built and evaluated."""
    t, term = inputs_of(s), s.term
    npv_p, npv_h = 0.0, 0.0
    for year in range(term.years):
        f = {
            g: float(index(getattr(term.indexation, g), term.years)[year])
            for g in ("costs", "host_price", "market_prices", "contribution")
        }
        ty = replace(
            t,
            fixed_cost=t.fixed_cost * f["costs"],
            variable_cost=t.variable_cost * f["costs"],
            host_price=t.host_price * f["host_price"],
            per_external_unit=t.per_external_unit * f["host_price"],
            void_price=t.void_price * f["host_price"],
            external_price=t.external_price * f["market_prices"],
            spot_price=t.spot_price * f["market_prices"],
            host_alternative_price=t.host_alternative_price * f["market_prices"],
            contribution=t.contribution * f["contribution"],
            loss_cap=t.loss_cap * f["contribution"],
        )
        r = evaluate_inputs(ty, o, u)
        d = (1 + term.discount_rate) ** -(year + 1)
        npv_p, npv_h = npv_p + d * r.provider_gain, npv_h + d * r.host_saving
    return npv_p, npv_h


def loop_term_summary(s):
    """The same summary as summarize() over a term, its NPVs from the year-by-year loop: the one-year figures,
    then each NPV's expectation, chance of being >= 0 and P10/P50/P90."""
    one_year = summarize(s.model_copy(update={"term": s.term.model_copy(update={"years": 1})}))
    o, u, w = quadrature(s).flat
    for npv in year_by_year_npvs(s, o, u):
        w @ npv, w @ (npv >= 0), weighted_percentile(npv, w, [0.1, 0.5, 0.9])
    return one_year


def main():
    s = example_scenario()
    t = inputs_of(s)
    rows = []

    o = np.linspace(0, 1, 201)[None, :]
    u = np.linspace(0, 1, 201)[:, None]
    fast = median_time(lambda: evaluate(s, o, u), 50)
    slow = median_time(lambda: [point_loop(t, a, b) for a in o.ravel() for b in u.ravel()], 5)
    rows.append(("201 x 201 grid evaluation", fast, 0.005, slow))

    fast = median_time(lambda: summarize(s), 30)
    q = quadrature(s)
    qo, qu, _ = q.flat
    slow = median_time(lambda: [point_loop(t, a, b) for a, b in zip(qo, qu)], 3)
    rows.append(("summarize (200 x 200 points)", fast, 0.020, slow))

    x = ("agreement.contribution", 0, 400_000, 41)
    y = ("agreement.sharing.bands[2].host_share", 0, 1, 41)
    fast = median_time(lambda: sweep(s, x, y), 5)
    qs = quadrature(s, SWEEP_RESOLUTION)
    so, su, _ = qs.flat
    one_pair = median_time(lambda: [point_loop(t, a, b) for a, b in zip(so, su)], 3)
    slow = one_pair * 41 * 41  # the loop for one pair, times the pairs (running all takes minutes)
    rows.append(("41 x 41 sweep (48 x 48 points each)", fast, 1.5, slow))

    # MODEL.md section 10: a 10-year term; the baseline loops over the years in Python, each year vectorised
    doc = scenario_to_dict(s)
    doc["term"] = {
        "years": 10,
        "discount_rate": 0.035,
        "indexation": {"costs": 0.05, "host_price": 0.03, "market_prices": 0.04, "contribution": 0.02},
        "set_up": {"cost": 250_000, "host_share": 0.3},
    }
    s10 = scenario_from_dict(doc)
    fast = median_time(lambda: summarize(s10), 20)
    slow = median_time(lambda: loop_term_summary(s10), 5)
    rows.append(("term summary, 10 years (200 x 200)", fast, 0.060, slow))
    fast = median_time(lambda: sweep(s10, x, y), 3)
    one_pair = median_time(lambda: year_by_year_npvs(s10, so, su), 5)
    rows.append(("41 x 41 sweep on NPVs, 10 years", fast, 3.0, one_pair * 41 * 41))

    print(f"{'benchmark':40} {'median':>10} {'target':>8} {'met':>4} {'loop':>10} {'speed-up':>9}")
    for name, fast, target, slow in rows:
        print(
            f"{name:40} {fast * 1e3:8.2f}ms {target * 1e3:6.0f}ms {'yes' if fast <= target else 'NO':>4} "
            f"{slow * 1e3:8.0f}ms {slow / fast:8.0f}x"
        )


if __name__ == "__main__":
    main()
