"""Time from a widget change to the updated chart, in real headless Chromium, for each of the first five views.

Run: python benchmarks/bench_app_latency.py [--repeats N]   (target: median under 0.5 s per view)

For each view: open its tab, then repeatedly type a new external price into the sidebar (every view depends on it) and press Enter. A
MutationObserver on the visible view (its chart and captions) records when it last changed; the latency is from the key
press to that last change (after the app has gone quiet for 300 ms and the chart's data differs from before). Every change is a new scenario, so no
result comes from the cache: this is the cold-compute case.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, open_view, streamlit_server, wait_for_idle  # noqa: E402

VIEWS = ["Every outcome", "Across occupancy", "Where the money goes", "Risk", "Access and placements", "Find terms"]

OBSERVE = """(chart) => {
  window.__last = null;
  window.__before = window.__digest();
  const obs = new MutationObserver(() => { window.__last = performance.now(); });
  obs.observe(chart, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__obs = obs;
  window.__t0 = performance.now();
}"""

DIGEST = """() => { window.__digest = () => {
  const gd = document.querySelector('[role=tabpanel]:not([hidden]) .js-plotly-plot');
  return gd && gd.data ? JSON.stringify(gd.data) : '';
}; }"""

# done: the chart's data is not what it was, and nothing has changed for quietMs since
QUIET = """(quietMs) => window.__last !== null && window.__digest() !== window.__before
  && performance.now() - window.__last > quietMs"""


def measure(repeats: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    value = 6_100
    with streamlit_server() as base, browser_page() as page:
        page.goto(base)
        wait_for_idle(page)
        box = page.get_by_label("External price (£ per place-week)", exact=True)
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(500)
            times = []
            for _ in range(repeats):
                value += 1
                chart = page.locator("[role=tabpanel]:visible").first
                chart.wait_for()
                box.fill(str(value))
                page.evaluate(DIGEST)
                chart.evaluate(OBSERVE)
                box.press("Enter")
                page.wait_for_function(QUIET, arg=300, timeout=30_000)
                elapsed = page.evaluate("() => window.__last - window.__t0")
                page.evaluate("() => window.__obs.disconnect()")
                times.append(elapsed / 1000)
            results[view] = times
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    results = measure(args.repeats)
    print(f"{'view':24} {'median':>8} {'min':>8} {'max':>8}  (seconds, {args.repeats} changes each)")
    for view, times in results.items():
        print(f"{view:24} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")
    overall = statistics.median([t for ts in results.values() for t in ts])
    print(f"{'all views':24} {overall:8.3f}")


if __name__ == "__main__":
    main()
