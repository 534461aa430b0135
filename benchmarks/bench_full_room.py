"""What a full workshop room costs the app: Compare options in a room of 500 options (the most a room holds), driven
by Streamlit's AppTest against a throwaway SQLite store.

Run: python benchmarks/bench_full_room.py [--repeats N] [--options N]
Targets: first draw within a few seconds; a redraw with nothing changed, and the 3-second refresh, a small fraction
of a second.

Figures (medians of --repeats):
  first draw, cold      a session's first draw of Compare options in a server that has not drawn the room yet (the
                        model's results for the compared options worked out then)
  first draw, warm      another visitor's first draw of the same room, once one has drawn it
  redraw, unchanged     the page run again with nothing in the room changed (what any widget change costs the view)
  refresh, unchanged    the 3-second refresh's own work when nothing changed (the room's revision, one query)
  room file             the room's ZIP, built only when its download is clicked
Before this change the first draw took 37.5 s, and every 3-second refresh rebuilt the ZIP (2.6 s) and the charts.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fill_room(url: str, count: int) -> str:
    """A room of ``count`` options, each the worked example with its own contribution; returns its code."""
    from partnership import scenario_from_dict, scenario_to_json
    from partnership.examples import EXAMPLE
    from store import Store

    with Store(url) as store:
        code = store.create_room("Full room")
        for i in range(count):
            doc = copy.deepcopy(EXAMPLE)
            doc["agreement"]["contribution"] = 50_000 + 500 * i
            store.save_option(code, f"Option {i + 1}", scenario_to_json(scenario_from_dict(doc)), proposer="Bench")
    return code


def session(code: str):
    """A new browser session on the room's link, its first page drawn (the default view)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=600)
    at.query_params["room"] = code
    return at.run()


CPU: dict[str, list[float]] = {}


def compare(at, what: str) -> float:
    """Open Compare options in ``at``: seconds to draw it (its processor seconds kept under ``what``)."""
    at.session_state["view"] = "Compare options"
    t0, c0 = time.perf_counter(), time.process_time()
    at.run()
    seconds = time.perf_counter() - t0
    CPU.setdefault(what, []).append(time.process_time() - c0)
    assert not at.exception, at.exception
    assert any("Option" in d.value.columns for d in at.dataframe), "no options table drawn"
    return seconds


def main() -> None:
    """Fill a room, then time Compare options' draws, redraws and refresh; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--options", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench_full_room_")
    url = f"sqlite:///{Path(folder) / 'workshops.sqlite3'}"
    os.environ["PARTNERSHIP_DATABASE_URL"] = url
    t0 = time.perf_counter()
    code = fill_room(url, args.options)
    print(f"room of {args.options} options saved in {time.perf_counter() - t0:.1f} s")

    from ui import compute, options

    cold, warm, redraw, refresh, zips = [], [], [], [], []
    for _ in range(args.repeats):
        compute._result.clear()  # a server that has not worked anything out yet
        options._comparison.clear()
        options._reading.clear()
        cold.append(compare(session(code), "first draw, cold"))
        at = session(code)
        warm.append(compare(at, "first draw, warm"))
        t0, c0 = time.perf_counter(), time.process_time()
        at.run()
        redraw.append(time.perf_counter() - t0)
        CPU.setdefault("redraw, unchanged", []).append(time.process_time() - c0)
        db = options._store()
        t0 = time.perf_counter()
        db.room_version(code)  # what _watch asks every 3 seconds
        refresh.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        options.room_file(db, options._reading(db, db.url, code, db.room_version(code)))()
        zips.append(time.perf_counter() - t0)
    for name, values in (
        ("first draw, cold", cold),
        ("first draw, warm", warm),
        ("redraw, unchanged", redraw),
        ("refresh, unchanged", refresh),
        ("room file", zips),
    ):
        cpu = f"   processor {statistics.median(CPU[name]):.3f} s" if name in CPU else ""
        print(f"{name:20s} median {statistics.median(values):7.3f} s{cpu}   ({', '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
