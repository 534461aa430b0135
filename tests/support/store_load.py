"""Many sessions saving into one room at once, each with its own Store (its own engine and connections, as
separate app servers would have): used by the concurrency test and by benchmarks/bench_store.py."""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
import traceback

SHARED = "Shared option"  # every session also saves a version of this one name: the versions must not collide


def _session(url: str, code: str, index: int, saves: int, text: str, barrier, results) -> None:
    from store import Store

    latencies, saved, errors = [], [], []
    try:
        store = Store(url)
    except Exception:  # noqa: BLE001 - reported to the caller
        errors.append(traceback.format_exc(limit=3))
        barrier.wait()
        results.put((index, latencies, saved, errors))
        return
    store.room_version(code)  # a session shows the room before anyone in it can save
    store.options(code)
    barrier.wait()
    for j in range(saves):
        name = SHARED if j == 0 else f"Session {index:02d} option {j}"
        started = time.perf_counter()
        try:
            version = store.save_option(code, name, text, proposer=f"Session {index}")
        except Exception:  # noqa: BLE001
            errors.append(traceback.format_exc(limit=3))
            continue
        latencies.append(time.perf_counter() - started)
        saved.append((name, version.version))
    store.close()
    results.put((index, latencies, saved, errors))


class _ListQueue:
    def __init__(self):
        self.items, self.lock = [], threading.Lock()

    def put(self, item):
        with self.lock:
            self.items.append(item)


def concurrent_saves(url: str, sessions: int = 20, saves_each: int = 10, mode: str = "threads") -> dict:
    """Create a room, start ``sessions`` sessions (threads or processes) that wait for one another and then
    each save ``saves_each`` options (the first under the shared name); return the room's code, every save
    latency in seconds, what each save returned (name, version), and any errors."""
    from store import Store
    from tests.support.store_fixtures import scenario_text

    with Store(url) as store:
        code = store.create_room("Concurrency")
    text = scenario_text(123_456)
    if mode == "threads":
        barrier, results = threading.Barrier(sessions), _ListQueue()
        workers = [
            threading.Thread(target=_session, args=(url, code, i, saves_each, text, barrier, results))
            for i in range(sessions)
        ]
    else:
        ctx = multiprocessing.get_context("spawn")
        barrier, results = ctx.Barrier(sessions), ctx.Queue()
        workers = [
            ctx.Process(target=_session, args=(url, code, i, saves_each, text, barrier, results))
            for i in range(sessions)
        ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    collected = []
    if mode == "threads":
        for w in workers:
            w.join(timeout=300)
        collected = results.items
    else:
        for _ in workers:
            collected.append(results.get(timeout=300))
        for w in workers:
            w.join(timeout=60)
    elapsed = time.perf_counter() - started
    latencies = [x for _, lat, _, _ in collected for x in lat]
    return {
        "room": code,
        "latencies": latencies,
        "saved": [s for _, _, saved, _ in collected for s in saved],
        "errors": [e for _, _, _, errs in collected for e in errs],
        "sessions_reported": len(collected),
        "elapsed": elapsed,
    }


def percentiles(latencies: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000
