"""Median timings of the region's summary (MODEL.md section 12: each member council's figures under the uncertainty
and the split) beside the one-host summary of the same scenario, all in one run.

Run: python benchmarks/bench_region.py   (goals: 4 members within 2x, 30 members within 5x the one-host summary)
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partnership import scenario_from_dict, summarize  # noqa: E402
from partnership.councils import region_summary  # noqa: E402
from partnership.examples import EXAMPLE  # noqa: E402

REPEAT = 21


def median_time(fn, repeat: int = REPEAT) -> float:
    """The median of ``repeat`` timings of ``fn()``, seconds (after one call to warm up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def region_of(n: int):
    """The worked example hosted by a region of ``n`` councils of unequal use, each with its own alternative price
    and local use anyway, contribution shares equal."""
    doc = copy.deepcopy(EXAMPLE)
    weights = [1.0 + (i % 3) for i in range(n)]
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1.0 - sum(shares[:-1])
    doc["region"] = {
        "members": [
            {
                "name": f"Council {i + 1}",
                "use_share": s,
                "contribution_share": 1.0 / n if i < n - 1 else 1.0 - (n - 1) / n,
                "host_alternative": 6000.0 + 50 * (i % 7),
                "local_use_anyway": 0.2 * s,
            }
            for i, s in enumerate(shares)
        ]
    }
    return scenario_from_dict(doc)


def main() -> None:
    one_host = scenario_from_dict(copy.deepcopy(EXAMPLE))
    base = median_time(lambda: summarize(one_host))
    print(f"one-host summary (40,000 points):      median {base * 1e3:7.1f} ms")
    for n, goal in ((4, 2.0), (30, 5.0)):
        s = region_of(n)
        t = median_time(lambda s=s: region_summary(s))
        print(
            f"region summary, {n:2d} members:           median {t * 1e3:7.1f} ms   "
            f"{t / base:4.2f} x the one-host summary (goal: within {goal:g} x)"
        )


if __name__ == "__main__":
    main()
