"""How fast the workshop app answers, in real headless Chromium: a sidebar change to the open chart redrawn, and a
first page load to the first chart drawn.

Run: python benchmarks/bench_app_latency.py [--repeats N] [--loads N]
Targets: median change-to-chart under 0.35 s; first load under 2.5 s.

Change to chart. For each view: open its tab, then repeatedly type a new external price into the sidebar (every
view depends on it) and press Enter. Two MutationObservers start just before the key press: one on the open view
(its chart and captions) records its last change, one on the app records when the script state last turned to
'notRunning' (the status widget gone). The latency is from the Enter key's event in the page (its ``timeStamp``,
so the test harness's own messaging to the browser, 10-15 ms, is not counted) to the later of the two, once the
chart has new data and the page has been quiet for 300 ms. "New data" is the plot's data array being another object
than before (every redraw gives the chart a new one); comparing the data's JSON instead cost the page 5-45 ms a
poll while it was still drawing. Every change is a new scenario, so no result comes from the cache: the
cold-compute case. ``--harness-start`` counts from just before the harness sends the key, as the figures before
this change did.

First load. A fresh browser (a new session) opens the page; the time is from the start of navigation
(``performance.timeOrigin``) to the first chart's plot drawn. "cold" is the first load after the server starts (before
ui.serving warmed the server up as it started, the app's modules were imported then); "warm" a later one (a new session on a running server), both in a browser that
has never opened the page; "revisit" a new tab of a browser that has (its cache holds the page's scripts). "headline
shown" is the warm load's time to the headline's first figure.

Kept-alive request. A small script of Streamlit's fetched again and again on one connection, in a server just
started (before any visitor) and after the first visitor. Streamlit's server sends with Nagle's algorithm on, and
each such request waited ~40 ms (the stall each of a page load's ~100 script requests met) until ui.serving turned
it off: at the first visitor's page at first, now as the server starts.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import browser_page, open_group, open_view, streamlit_server, wait_for_idle  # noqa: E402

VIEWS = ["Every outcome", "Across occupancy", "Where the money goes", "Risk", "Access and placements", "Find terms"]
PRICE = "External price (£ per place-week)"

DIGEST = """() => { window.__digest = () => {
  const gd = document.querySelector('[role=tabpanel]:not([hidden]) .js-plotly-plot');
  return gd && gd.data ? gd.data : null;
}; }"""

OBSERVE = """(panel) => {
  window.__last = null; window.__idle = null;
  window.__before = window.__digest();
  const app = document.querySelector('[data-testid=stApp]');
  window.__obs = new MutationObserver(() => { window.__last = performance.now(); });
  window.__obs.observe(panel, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__state = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__idle = performance.now();
  });
  window.__state.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  window.__t0 = performance.now();
  window.__enter = null;
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && window.__enter === null) window.__enter = e.timeStamp; },
    {capture: true, once: true});
}"""

# done: the chart's data is not what it was, the run has ended, no status widget, and quiet for quietMs
DONE = """(quietMs) => window.__last !== null && window.__idle !== null && window.__digest() !== window.__before
  && !document.querySelector('[data-testid=stStatusWidget]')
  && performance.now() - Math.max(window.__last, window.__idle) > quietMs"""

FIRST_CHART = """() => { const gd = document.querySelector('[role=tabpanel]:not([hidden]) .js-plotly-plot');
  return !!(gd && gd._fullLayout && gd.querySelector('.main-svg .overplot g g')); }"""


def measure_changes(base: str, repeats: int, harness_start: bool = False) -> dict[str, list[float]]:
    """Seconds from Enter in the sidebar to the open chart redrawn, per view (from just before the harness sends
    the key, with ``harness_start``)."""
    results: dict[str, list[float]] = {}
    value = 6_100
    with browser_page(width=1600, height=1000) as page:
        page.goto(base)
        wait_for_idle(page)
        open_group(page, "Prices")  # closed at first
        box = page.get_by_label(PRICE, exact=True)
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(500)
            times = []
            for _ in range(repeats):
                value += 1
                panel = page.locator("[role=tabpanel]:visible").first
                panel.wait_for()
                box.fill(str(value))
                page.evaluate(DIGEST)
                panel.evaluate(OBSERVE)
                box.press("Enter")
                page.wait_for_function(DONE, arg=300, timeout=30_000)
                start = "window.__t0" if harness_start else "window.__enter"
                elapsed = page.evaluate(f"() => Math.max(window.__last, window.__idle) - {start}")
                page.evaluate("() => { window.__obs.disconnect(); window.__state.disconnect(); }")
                times.append(elapsed / 1000)
            results[view] = times
    return results


HEADLINE = """new MutationObserver((_, seen) => {
  if (document.querySelector('[data-testid=stMetricValue]')) { window.__headline = performance.now(); seen.disconnect(); }
}).observe(document, {subtree: true, childList: true});"""


def first_load(base: str) -> tuple[float, float]:
    """Seconds from navigation to the first chart drawn, in a new session, and to the headline's first figure."""
    with browser_page(width=1600, height=1000) as page:
        page.add_init_script(HEADLINE)
        page.goto(base)
        page.wait_for_function(FIRST_CHART, timeout=60_000, polling=20)
        chart = page.evaluate("() => performance.now()") / 1000
        page.wait_for_function("() => window.__headline !== undefined", timeout=60_000)
        return chart, page.evaluate("() => window.__headline") / 1000


def revisit(base: str) -> float:
    """Seconds from navigation to the first chart drawn when the same browser opens the page again in a new tab
    (a new session; the browser already holds Streamlit's and plotly's scripts, as a laptop that opened the
    page before does)."""
    with browser_page(width=1600, height=1000) as page:
        page.goto(base)
        page.wait_for_function(FIRST_CHART, timeout=60_000, polling=20)
        again = page.context.new_page()
        again.goto(base)
        again.wait_for_function(FIRST_CHART, timeout=60_000, polling=20)
        return again.evaluate("() => performance.now()") / 1000


def kept_alive(base: str, requests: int = 30) -> float:
    """Median seconds for a small script of Streamlit's on a kept-alive connection (each request after a
    connection's first: a page load makes about 100 of them over six connections); ~40 ms each with Nagle's
    algorithm on, as Streamlit's server leaves it (ui.serving turns it off)."""
    page = urllib.request.urlopen(base + "/").read().decode()
    script = re.search(r'href="\./(static/js/[^"]+\.js)"', page).group(1)  # the first module the page preloads
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    times = []
    for _ in range(requests + 1):
        start = time.perf_counter()
        connection.request("GET", "/" + script)
        connection.getresponse().read()
        times.append(time.perf_counter() - start)
    connection.close()
    return statistics.median(times[1:])


def measure_loads(loads: int) -> tuple[list[float], list[float], list[float], list[float], list[float], list[float]]:
    cold, warm, headline, again, before, after = [], [], [], [], [], []
    for _ in range(loads):
        with streamlit_server() as base:
            before.append(kept_alive(base))
            cold.append(first_load(base)[0])
            after.append(kept_alive(base))
            chart, figures = first_load(base)
            warm.append(chart)
            headline.append(figures)
            again.append(revisit(base))
    return cold, warm, headline, again, before, after


def _row(name: str, times: list[float]) -> str:
    return f"{name:24} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="changes per view")
    parser.add_argument("--loads", type=int, default=3, help="server starts for the first-load figures")
    parser.add_argument(
        "--harness-start", action="store_true", help="count from before the harness sends the key (the old start)"
    )
    args = parser.parse_args()
    cold, warm, headline, again, before, after = measure_loads(args.loads)
    with streamlit_server() as base:
        first_load(base)  # the modules imported: the changes below measure the running app
        results = measure_changes(base, args.repeats, args.harness_start)
    print(f"{'change to chart':24} {'median':>8} {'min':>8} {'max':>8}  (seconds, {args.repeats} changes each)")
    for view, times in results.items():
        print(_row(view, times))
    print(_row("all views", [t for ts in results.values() for t in ts]))
    print(f"{'first load':24} {'median':>8} {'min':>8} {'max':>8}  (seconds, {args.loads} server starts)")
    print(_row("cold (server just up)", cold))
    print(_row("warm (new session)", warm))
    print(_row("warm: headline shown", headline))
    print(_row("revisit (browser cached)", again))
    print(f"{'kept-alive request':24} {'median':>8} {'min':>8} {'max':>8}  (milliseconds, per server start)")
    print(_row("server just started", [1000 * t for t in before]))
    print(_row("after the first visitor", [1000 * t for t in after]))


if __name__ == "__main__":
    main()
