"""Time to build the paper pack for each preset (target: under 10 s), and for a comparison of two.

Run: python benchmarks/bench_pack.py [--repeats N]
The first build in a process also starts kaleido's Chromium (about 2 s); it is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paper.pack import pack_zip  # noqa: E402
from partnership import load_scenario  # noqa: E402


def timed(options) -> float:
    t0 = time.perf_counter()
    pack_zip(options)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    presets = sorted((ROOT / "presets").glob("*.yaml"))
    scenarios = {p.stem: load_scenario(p) for p in presets}
    first = next(iter(scenarios))
    print(f"first build in the process ({first}, browser start included): {timed([(first, scenarios[first])]):.2f} s")
    print(f"{'pack':34} {'median':>8} {'min':>8} {'max':>8}  (seconds, {args.repeats} builds)")
    cases = {stem: [(s.name, s)] for stem, s in scenarios.items()}
    two = list(scenarios.items())[:2]
    cases["comparison of " + " + ".join(k for k, _ in two)] = [(s.name, s) for _, s in two]
    for name, options in cases.items():
        times = [timed(options) for _ in range(args.repeats)]
        print(f"{name:34} {statistics.median(times):8.2f} {min(times):8.2f} {max(times):8.2f}")


if __name__ == "__main__":
    main()
