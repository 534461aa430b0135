"""The server's time per redraw: a change of the contribution on each view, beside a trivial page, in one run.

Run: python benchmarks/bench_redraw.py [--changes N]   (target: every view at most 3 x the trivial page)

Streamlit's AppTest runs the page in this process, as the server would for one visitor: the time is one script run
after a new contribution is typed (the widget's value set, then ``run()``), from the start of the run to the page's
elements ready to send, the browser's drawing not counted; each page compiled once, as the server does. The floor is a trivial page measured the same way: a
number input and two 101 x 101 heatmaps redrawn when it changes. Views and the trivial page take turns in every
round (one change each), so a machine that other work loads slows them alike; medians are printed with the ratio
to the trivial page's median, and the load average beside them. Every change is a new contribution, so each redraw
is of a scenario no session has worked out before (the cold case); ``--warm`` repeats values another session has
already seen (a room whose laptops show the same scenario).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# as the app's servers run (app.py): one BLAS thread, set before numpy loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, local_script_runner  # noqa: E402

# A server compiles each page once (its Runtime holds one ScriptCache); AppTest gives every run a new one, so each
# redraw would compile the page again, a few milliseconds a server never spends. One cache here, as on the server.
_COMPILED = ScriptCache()
local_script_runner.ScriptCache = lambda: _COMPILED

VIEWS = ["Every outcome", "Across occupancy", "Where the money goes", "Risk", "Access and placements", "Find terms"]
CONTRIBUTION = "agreement.contribution"

TRIVIAL = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st

value = st.number_input("Contribution", value=200000.0, key="value")
x = np.linspace(0, 1, 101)
for i in range(2):
    z = np.outer(x, x) * value * (i + 1)
    st.plotly_chart(go.Figure(go.Heatmap(z=z, x=x, y=x)), key=f"map{i}")
'''


def start_page(view: str | None) -> AppTest:
    """The workshop page on ``view`` with the agreement's inputs open (the contribution's box drawn)."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.session_state["group_agreement"] = True
    at.run()
    if view:
        at.session_state["view"] = view
        at.run()
    assert not at.exception, at.exception
    return at


def timed_run(at: AppTest, key: str, value: float) -> tuple[float, float]:
    """Wall and processor seconds of one run after the number input ``key`` is set to ``value``."""
    box = at.number_input(key=key)
    box.set_value(value)
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert not at.exception, at.exception
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5, help="changes of the contribution on each view")
    parser.add_argument("--warm", action="store_true", help="values another session has already worked out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trivial_path = Path(tmp) / "trivial.py"
        trivial_path.write_text(TRIVIAL)
        trivial = AppTest.from_file(str(trivial_path), default_timeout=60)
        trivial.run()
        pages = {view: start_page(view) for view in VIEWS}
        if args.warm:  # another laptop in the room has shown each value already
            other = {view: start_page(view) for view in VIEWS}
        gc.freeze()  # what is loaded now lives on, out of the collector's way, as the app's servers do (ui.serving)
        load_before = os.getloadavg()
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in ["trivial page", *VIEWS]}
        for i in range(args.changes + 1):  # the first round warms up (imports, first figures) and is not counted
            for j, (view, at) in enumerate(pages.items()):
                value = 210_000.0 + 1_000 * i + 10 * j  # a value of its own: no other view worked it out first
                if args.warm:
                    timed_run(other[view], CONTRIBUTION, value)
                took = timed_run(at, CONTRIBUTION, value)
                if i:
                    times[view].append(took)
            took = timed_run(trivial, "value", 210_000.0 + 1_000 * i)
            if i:
                times["trivial page"].append(took)
        load_after = os.getloadavg()
    floor_wall = statistics.median(w for w, _ in times["trivial page"])
    floor_cpu = statistics.median(c for _, c in times["trivial page"])
    print(
        f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after {', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} processors)"
    )
    print(
        f"{'redraw (' + str(args.changes) + ' changes' + (', warm' if args.warm else '') + ')':28} "
        f"{'median':>9} {'x trivial':>10} {'cpu':>9} {'x trivial':>10} {'<= 3x':>6}"
    )
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"{name:28} {wall * 1e3:7.1f}ms {wall / floor_wall:9.1f}x {cpu * 1e3:7.1f}ms {cpu / floor_cpu:9.1f}x "
            f"{'yes' if wall <= 3 * floor_wall else 'NO':>6}"
        )


if __name__ == "__main__":
    main()
