"""Median timings of the model's heavy calls, each beside the same work as a per-point Python loop.

Run: python benchmarks/bench_model.py [--rounds N]   (targets: grid <= 5 ms and at least 50 x its per-point loop,
summarize <= 20 ms and at least 10 x its loop, sweep <= 1.5 s; over a 10-year term: summary <= 60 ms and at least
10 x its loops, its NPVs alone <= 20 ms, 41 x 41 sweep on expected NPVs <= 3 s)

The references do the same work as the call: the summary's loop works each point's gains out in plain Python, then
the same expectations, chances and percentiles; over a term, the one-year figures come from that loop and the NPVs
from a loop over the years (each year's section 2 worked out over every point, then discounted), and the NPVs alone
are timed beside that per-year loop by itself, both from the scenario (the call works the base year's line items out
too). That loop is numpy over every point already, ten passes of section 2 where the call makes one and a few passes
a year for the share: its speed-up is printed without a target.

Each call and its reference take turns in the same rounds (the subject a few times, then the reference once), so
a machine that other work loads slows both alike and the speed-up stays fair; the load average is printed beside
the figures. BLAS runs on one thread (set before numpy loads), for both: on a small shared machine its threads
wait for each other longer than a dot product of 40,000 numbers takes. The allocator is set as the command line and
the pack set it (partnership.memory.keep_freed_memory: large arrays from a heap that keeps freed memory, where glibc's
defaults hand every array of a large grid back to the kernel and fault its pages in again); ``--allocator-defaults``
measures with glibc's own settings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclasses import replace  # noqa: E402

from partnership import evaluate, scenario_from_dict, scenario_to_dict, summarize  # noqa: E402
from partnership.examples import example_scenario  # noqa: E402
from partnership.inputs import inputs_of  # noqa: E402
from partnership.memory import keep_freed_memory  # noqa: E402
from partnership.negotiation import sweep  # noqa: E402
from partnership.outcomes import evaluate_inputs, line_items  # noqa: E402
from partnership.term import index  # noqa: E402
from partnership.uncertainty import SWEEP_RESOLUTION, _term_summary, quadrature, weighted_percentile  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def side_by_side(fast, slow, rounds: int, fast_each: int = 5) -> tuple[float, float]:
    """Median seconds of ``fast`` and of ``slow``, timed in turns: each round ``fast`` ``fast_each`` times, then
    ``slow`` once (one warm-up call of each first)."""
    fast(), slow()
    fast_times, slow_times = [], []
    for _ in range(rounds):
        for _ in range(fast_each):
            t0 = time.perf_counter()
            fast()
            fast_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        slow()
        slow_times.append(time.perf_counter() - t0)
    return statistics.median(fast_times), statistics.median(slow_times)


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


def loop_summary(s):
    """The one-year summary's figures from the per-point loop: each point's gains in plain Python, then each side's
    expectation, chance of being better off and P10/P50/P90 over the quadrature's weights."""
    t = inputs_of(s)
    o, u, w = quadrature(s).flat
    gains = np.array([point_loop(t, a, b) for a, b in zip(o, u)])
    for side in gains.T:
        w @ side, w @ (side >= 0), weighted_percentile(side, w, [0.1, 0.5, 0.9])


def loop_term_npvs(s):
    """The term's figures under the uncertainty from the year-by-year loop: each NPV's expectation, chance of being
    >= 0 and P10/P50/P90."""
    o, u, w = quadrature(s).flat
    for npv in year_by_year_npvs(s, o, u):
        w @ npv, w @ (npv >= 0), weighted_percentile(npv, w, [0.1, 0.5, 0.9])


def term_npvs(s):
    """The product's way to the same figures (what summarize() adds over a term): the base year's line items at the
    quadrature's nodes, then every year's NPV from them (partnership.term.discounted_sums) and the same statistics."""
    t, q = inputs_of(s), quadrature(s)
    items = line_items(t, q.occupancy[None, :], q.local_use[:, None])
    return _term_summary(s, t, q, items)


def loop_term_summary(s):
    """The same summary as summarize() over a term, from the loops: the one-year figures from the per-point loop
    (as the summarize row's reference), the NPVs' from the year-by-year loop."""
    loop_summary(s)
    loop_term_npvs(s)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="turns of each call and its reference")
    parser.add_argument(
        "--allocator-defaults", action="store_true", help="glibc's own allocator settings, not the command line's"
    )
    args = parser.parse_args()
    kept = False if args.allocator_defaults else keep_freed_memory()
    print(f"allocator: {'freed memory kept for the next arrays, as the command line runs' if kept else 'defaults'}")
    rounds = args.rounds
    s = example_scenario()
    t = inputs_of(s)
    rows = []
    load_before = os.getloadavg()

    o = np.linspace(0, 1, 201)[None, :]
    u = np.linspace(0, 1, 201)[:, None]
    fast, slow = side_by_side(
        lambda: evaluate(s, o, u), lambda: [point_loop(t, a, b) for a in o.ravel() for b in u.ravel()], rounds, 10
    )
    rows.append(("201 x 201 grid evaluation", fast, 0.005, slow, 50))

    q = quadrature(s)
    qo, qu, _ = q.flat
    fast, slow = side_by_side(lambda: summarize(s), lambda: loop_summary(s), rounds)
    rows.append(("summarize (200 x 200 points)", fast, 0.020, slow, 10))

    x = ("agreement.contribution", 0, 400_000, 41)
    y = ("agreement.sharing.bands[2].host_share", 0, 1, 41)
    qs = quadrature(s, SWEEP_RESOLUTION)
    so, su, _ = qs.flat
    # the loop for one pair, times the pairs (running all takes minutes)
    fast, one_pair = side_by_side(
        lambda: sweep(s, x, y), lambda: [point_loop(t, a, b) for a, b in zip(so, su)], max(3, rounds // 2), 1
    )
    rows.append(("41 x 41 sweep (48 x 48 points each)", fast, 1.5, one_pair * 41 * 41, None))

    # MODEL.md section 10: a 10-year term; the baseline loops over the years in Python, each year vectorised
    doc = scenario_to_dict(s)
    doc["term"] = {
        "years": 10,
        "discount_rate": 0.035,
        "indexation": {"costs": 0.05, "host_price": 0.03, "market_prices": 0.04, "contribution": 0.02},
        "set_up": {"cost": 250_000, "host_share": 0.3},
    }
    s10 = scenario_from_dict(doc)
    fast, slow = side_by_side(lambda: summarize(s10), lambda: loop_term_summary(s10), rounds)
    rows.append(("term summary, 10 years (200 x 200)", fast, 0.060, slow, 10))
    fast, slow = side_by_side(lambda: term_npvs(s10), lambda: loop_term_npvs(s10), rounds)
    rows.append(("  its NPVs alone, vs the per-year loop", fast, 0.020, slow, None))
    fast, one_pair = side_by_side(
        lambda: sweep(s10, x, y), lambda: year_by_year_npvs(s10, so, su), max(3, rounds // 2), 1
    )
    rows.append(("41 x 41 sweep on NPVs, 10 years", fast, 3.0, one_pair * 41 * 41, None))

    load_after = os.getloadavg()
    print(
        f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after {', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} processors)"
    )
    print(
        f"{'benchmark':40} {'median':>10} {'target':>8} {'met':>4} {'loop':>10} {'speed-up':>9} {'needed':>7} {'met':>4}"
    )
    for name, fast, target, slow, needed in rows:
        ratio = slow / fast
        print(
            f"{name:40} {fast * 1e3:8.2f}ms {target * 1e3:6.0f}ms {'yes' if fast <= target else 'NO':>4} "
            f"{slow * 1e3:8.0f}ms {ratio:8.1f}x "
            + (f"{needed:6d}x {'yes' if ratio >= needed else 'NO':>4}" if needed else f"{'':>7} {'':>4}")
        )


if __name__ == "__main__":
    main()
