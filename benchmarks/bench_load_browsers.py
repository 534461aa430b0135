"""Load on one app server: 20 browser sessions open the app at once, then change an input together, round
after round; optionally one more session builds a paper pack meanwhile.

Run: python benchmarks/bench_load_browsers.py [--sessions 20] [--rounds 5] [--pack]

(benchmarks/bench_load.py measures the servers alone, with light clients instead of browsers, through nginx.)

Every session is a browser context of its own (a laptop in the room) in one headless Chromium, kept off the
network. Reported: first load (navigation to the first chart drawn), redraw latency from pressing Enter to
the open chart's last change (median, p95, max), errors (a page message or exception, or no redraw within
60 s) and the server's memory (resident, the server and any chart browser under it: at rest after loading,
and the peak). All sessions press Enter within a fraction of a second of each other: the worst case of a
room moving a slider together, not an average. The browsers share the machine's processors with the
server here, so the latencies are worse than in a room where each laptop draws its own charts; the
server's processor time per redraw (also reported) is what bounds one server's capacity.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import browser_page, open_group, streamlit_process  # noqa: E402

CHART = "[role=tabpanel]:not([hidden]) .js-plotly-plot"
PRICE = "External price (£ per place-week)"

ARM = """() => {
  const panel = document.querySelector('[role=tabpanel]:not([hidden])');
  const gd = panel && panel.querySelector('.js-plotly-plot');
  window.__before = gd && gd.data ? JSON.stringify(gd.data) : '';
  window.__last = null;
  if (window.__obs) window.__obs.disconnect();
  window.__obs = new MutationObserver(() => { window.__last = performance.now(); });
  window.__obs.observe(panel, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__t0 = performance.now();
}"""

DONE = """(quietMs) => {
  const gd = document.querySelector('[role=tabpanel]:not([hidden]) .js-plotly-plot');
  const now = gd && gd.data ? JSON.stringify(gd.data) : '';
  return window.__last !== null && now !== window.__before && performance.now() - window.__last > quietMs;
}"""

PROBLEMS = """() => document.querySelectorAll('[data-testid=stException], [data-testid=stAlertContentError]').length"""


def cpu_seconds(pid: int) -> float:
    """Processor time the server has used so far (user + system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of a process and every process under it, in kB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
    return total


class MemoryWatch:
    """Samples the server's memory five times a second on a thread of its own."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(sessions: int, rounds: int, pack: bool) -> dict:
    load_before = os.getloadavg()[0]
    out: dict = {"load_before": load_before, "errors": 0, "latencies": [], "first_loads": [], "pack_seconds": None}
    with streamlit_process() as (proc, url):
        watch = MemoryWatch(proc.pid)
        try:
            with browser_page(width=1280, height=720, pages=sessions + (1 if pack else 0)) as pages:
                pages = pages if isinstance(pages, list) else [pages]
                workers, packer = (pages[:-1], pages[-1]) if pack else (pages, None)
                t0 = time.perf_counter()
                for page in pages:  # everyone opens the link at once
                    page.goto(url, wait_until="commit")
                for page in pages:
                    page.locator(CHART).first.wait_for(timeout=180_000)
                    out["first_loads"].append(time.perf_counter() - t0)
                time.sleep(1.0)
                out["rest_kb"] = rss_kb(proc.pid)
                pack_started = None
                if packer is not None:
                    packer.get_by_role("tab", name="Export").click()
                    packer.get_by_role("button", name="Build the paper pack").click(timeout=60_000)
                    pack_started = time.perf_counter()
                for page in workers:  # the price box is in the Prices group, closed at first
                    open_group(page, "Prices")
                value = 6_100
                cpu_before = cpu_seconds(proc.pid)
                for _ in range(rounds):
                    value += 100
                    boxes = [page.get_by_label(PRICE, exact=True) for page in workers]
                    for i, box in enumerate(boxes):  # each session its own value: no session reuses another's result
                        box.fill(str(value + i))
                    for page, box in zip(workers, boxes):  # all press Enter within a fraction of a second
                        page.evaluate(ARM)
                        box.press("Enter")
                    for page in workers:
                        try:
                            page.wait_for_function(DONE, arg=300, timeout=60_000)
                            out["latencies"].append(page.evaluate("() => (window.__last - window.__t0) / 1000"))
                        except Exception:  # noqa: BLE001 (a timeout is an error of the run, counted)
                            out["errors"] += 1
                        out["errors"] += page.evaluate(PROBLEMS)
                out["server_cpu_per_redraw"] = (cpu_seconds(proc.pid) - cpu_before) / max(1, len(out["latencies"]))
                if packer is not None:
                    packer.get_by_role("button", name="Download the paper pack").first.wait_for(timeout=300_000)
                    out["pack_seconds"] = time.perf_counter() - pack_started
                    out["errors"] += packer.evaluate(PROBLEMS)
        finally:
            out["peak_kb"] = watch.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pack", action="store_true", help="one more session builds a paper pack meanwhile")
    args = parser.parse_args()
    r = run(args.sessions, args.rounds, args.pack)
    lat, first = r["latencies"], r["first_loads"]
    print(
        f"{args.sessions} sessions{' + 1 building a paper pack' if args.pack else ''}, {args.rounds} rounds, "
        f"{os.cpu_count()} cores, load average before {r['load_before']:.1f}"
    )
    print(
        f"first load: median {statistics.median(first):.1f} s, p95 {percentile(first, 0.95):.1f} s, "
        f"last {max(first):.1f} s"
    )
    if lat:
        print(
            f"redraw: median {statistics.median(lat):.2f} s, p95 {percentile(lat, 0.95):.2f} s, max {max(lat):.2f} s "
            f"({len(lat)} redraws)"
        )
    print(f"errors: {r['errors']}")
    # the browsers here share the server's processors; in a room each laptop draws its own charts, so the
    # server's own time per change is what bounds how many people one server keeps up with
    print(f"server processor time per redraw: {r['server_cpu_per_redraw'] * 1000:.0f} ms")
    if r["pack_seconds"] is not None:
        print(f"paper pack built in {r['pack_seconds']:.1f} s")
    print(f"server memory: {r['rest_kb'] / 1024:.0f} MB after loading, peak {r['peak_kb'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
