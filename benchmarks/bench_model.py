"""Median timings of the model's heavy calls, each beside the same work as a per-point Python loop.

Run: python benchmarks/bench_model.py   (targets: grid <= 5 ms, summarize <= 20 ms, sweep <= 1.5 s)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partnership import evaluate, summarize  # noqa: E402
from partnership.examples import example_scenario  # noqa: E402
from partnership.negotiation import sweep  # noqa: E402
from partnership.terms import terms_of  # noqa: E402
from partnership.uncertainty import SWEEP_RESOLUTION, quadrature  # noqa: E402


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


def main():
    s = example_scenario()
    t = terms_of(s)
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

    print(f"{'benchmark':40} {'median':>10} {'target':>8} {'met':>4} {'loop':>10} {'speed-up':>9}")
    for name, fast, target, slow in rows:
        print(
            f"{name:40} {fast * 1e3:8.2f}ms {target * 1e3:6.0f}ms {'yes' if fast <= target else 'NO':>4} "
            f"{slow * 1e3:8.0f}ms {slow / fast:8.0f}x"
        )


if __name__ == "__main__":
    main()
