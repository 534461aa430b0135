"""Load on the app servers behind nginx: 20 sessions open the app at once, then change an input together, round after
round, with one app server and with two (tools/several_servers.py: the servers, one PostgreSQL, nginx in front).

Run: python benchmarks/bench_load.py [--sessions 20] [--rounds 5] [--servers 1,2]

What it measures is the servers, not browsers: each session is a light client in this one process speaking
Streamlit's own protocol over its websocket (the protobuf messages a browser sends and receives), through nginx,
on 127.0.0.1. A session does what a browser's page does with the server: it fetches the page and the scripts and
style sheets the page names (through nginx, which gives it its server's cookie), opens the websocket with that
cookie, asks for the first run and waits for it to finish; it opens the Prices group; then each round every session
sets the external price (each its own value, so no session reuses another's result) within a few milliseconds of the
others, and the time until the server says that run has finished is its redraw. No chart is drawn: in a room each
laptop draws its own.

Reported, for each number of servers: first load (all sessions at once: the page, its assets, the websocket and the
first run finished), redraw median and p95 (and max), errors (an error message or exception in what the server
sent, a run that did not finish within 60 s, a dropped connection, a page that did not load), how the sessions were
spread over the servers, the app servers' memory (resident, the servers and any process under them: after loading
and the peak), the app servers' processor time per redraw, and the load generator's own share of the processor
(its processor time, as a share of one core and of all the processor time the machine spent meanwhile). The load
average before each run is printed beside the figures: other work on the machine slows them.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PRICE = "External price (£ per place-week)"
PRICES_GROUP = "Prices"
RUN_SECONDS = 60
"""A run not finished within this long is an error of the benchmark (and the session stops there)."""


def _several_servers():
    spec = importlib.util.spec_from_file_location("several_servers", ROOT / "tools" / "several_servers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def tree_rss(pids: list[int]) -> int:
    """Resident memory of the processes and every process under them, in bytes."""
    total = 0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
    return total


def tree_cpu(pids: list[int]) -> float:
    """Processor time (user + system, seconds) the processes and those under them have used so far."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
    return total


class MemoryWatch:
    """Samples the servers' memory five times a second on a thread of its own (bounded by ``stop``)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak, self._stop = pids, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pids))
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


class RunError(Exception):
    """Something a browser's user would see as an error (a message, a run that never finished, a dropped page)."""


@dataclass
class Session:
    """One laptop's page, as the server sees it: a cookie, a websocket, the widget states it has set."""

    base: str
    number: int
    cookie: str = ""
    server: str = ""
    ws: object = None
    query: str = ""
    widgets: dict = field(default_factory=dict)  # widget id -> WidgetState
    labels: dict = field(default_factory=dict)  # label -> (kind, id, element) of the widgets last drawn
    problems: list = field(default_factory=list)

    def fetch_page(self) -> int:
        """GET the page and the scripts and style sheets it names, as a browser's first visit does (gzip accepted,
        as a browser's is); keeps the cookie nginx sets. Returns the bytes received."""
        headers = {"Accept-Encoding": "gzip", "User-Agent": "bench_load"}
        with urllib.request.urlopen(urllib.request.Request(self.base + "/", headers=headers), timeout=60) as r:
            html = r.read()
            cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
            self.server = (r.headers.get("X-Upstream") or "").split(", ")[-1]
        self.cookie = "; ".join(cookies)
        got = len(html)
        if html[:2] == b"\x1f\x8b":
            import gzip

            html = gzip.decompress(html)
        assets = re.findall(rb'(?:src|href)="\./(static/[^"]+\.(?:js|css))"', html)
        for asset in assets:
            request = urllib.request.Request(
                f"{self.base}/{asset.decode()}", headers={**headers, "Cookie": self.cookie}
            )
            with urllib.request.urlopen(request, timeout=60) as r:
                got += len(r.read())
        return got

    async def connect(self) -> None:
        import websockets

        host = self.base.split("//", 1)[1]
        self.ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": self.cookie},
            max_size=None,
            open_timeout=RUN_SECONDS,
            ping_interval=None,
        )

    async def run(self, changes: dict | None = None) -> float:
        """Ask for a run with the widget states set so far plus ``changes`` (id -> WidgetState); wait until the server
        says it has finished (a run the app itself starts again, with st.rerun, is waited for too). Returns the
        seconds from sending to finished; RunError on an error message, an exception or no finish in time."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.widgets.update(changes or {})
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        state.context_info.timezone = "Europe/London"
        state.context_info.locale = "en-GB"
        state.context_info.url = f"{self.base}/?{self.query}" if self.query else f"{self.base}/"
        state.widget_states.widgets.extend(self.widgets.values())
        labels: dict = {}
        started = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        deadline = started + RUN_SECONDS
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RunError(f"no finished run within {RUN_SECONDS} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                raise RunError(f"no finished run within {RUN_SECONDS} s") from None
            except Exception as exc:  # noqa: BLE001 (a dropped connection is an error of the run)
                raise RunError(f"the connection dropped: {exc}") from None
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._read_delta(msg.delta, labels)
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    self.labels = labels
                    return time.perf_counter() - started
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RunError("the page's script did not compile")
                labels = {}  # finished early for a rerun: the next run follows

    def _read_delta(self, delta, labels: dict) -> None:
        """Note the widgets drawn (by label) and any error message or exception."""
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            body = getattr(element, kind) if kind else None
            if kind == "exception":
                self.problems.append(f"exception: {body.message[:200]}")
            elif kind == "alert" and body.format == body.ERROR:
                self.problems.append(f"error message: {body.body[:200]}")
            elif body is not None and getattr(body, "id", "") and getattr(body, "label", ""):
                labels[body.label] = (kind, body.id, body)
        elif which == "add_block" and delta.add_block.WhichOneof("type") == "expandable":
            block = delta.add_block.expandable
            if block.id:
                labels[block.label] = ("expandable", block.id, block)

    def state_of(self, label: str, value) -> dict:
        """The widget state that sets the widget drawn with ``label`` to ``value``."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        if label not in self.labels:
            raise RunError(f"no input '{label}' on the page")
        kind, wid, element = self.labels[label]
        state = WidgetState(id=wid)
        if kind == "expandable":
            state.bool_value = bool(value)
        elif kind == "number_input" and element.data_type == element.INT:
            state.int_value = int(value)
        elif kind == "number_input":
            state.double_value = float(value)
        else:
            raise RunError(f"the input '{label}' is a {kind}, not set by this benchmark")
        return {wid: state}

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001 (closing at the end: nothing left to measure)
                pass


async def _drive(base: str, sessions: int, rounds: int, on_loaded) -> dict:
    out: dict = {"errors": 0, "problems": [], "latencies": [], "first_loads": [], "servers": {}, "bytes": 0}
    people = [Session(base, i) for i in range(sessions)]
    alive: list[Session] = []

    async def arrive(s: Session, t0: float) -> None:
        try:
            fetched = await asyncio.to_thread(s.fetch_page)
            out["bytes"] += fetched  # after the await: += across an await would lose the others' counts
            await s.connect()
            await s.run()
            out["first_loads"].append(time.perf_counter() - t0)
            await s.run(s.state_of(PRICES_GROUP, True))  # the price box is in the Prices group, closed at first
            s.state_of(PRICE, 0)  # it is there
            out["servers"][s.server] = out["servers"].get(s.server, 0) + 1
            alive.append(s)
        except (RunError, OSError) as exc:
            out["errors"] += 1
            out["problems"].append(f"session {s.number} did not load: {exc}")

    t0 = time.perf_counter()
    await asyncio.gather(*(arrive(s, t0) for s in people))  # everyone opens the link at once
    on_loaded()
    value = 6_100
    for _ in range(rounds):
        value += 100

        async def change(s: Session, v: float) -> None:
            try:
                out["latencies"].append(await s.run(s.state_of(PRICE, v)))
            except RunError as exc:
                out["errors"] += 1
                out["problems"].append(f"session {s.number}: {exc}")
                alive.remove(s)

        # all send within a few milliseconds of each other, each its own value
        await asyncio.gather(*(change(s, value + s.number) for s in list(alive)))
    for s in people:
        out["errors"] += len(s.problems)
        out["problems"] += [f"session {s.number}: {p}" for p in s.problems]
        await s.close()
    return out


def run(servers: int, sessions: int, rounds: int, data: Path) -> dict:
    several = _several_servers()
    front_port = several.free_port()
    stack = several.Several(servers=servers, port=front_port, data=data, restarts=0)
    out: dict = {"servers_started": servers, "load_before": os.getloadavg()[0]}
    try:
        stack.start()
        pids = [a.proc.pid for a in stack.apps]
        time.sleep(2.0)  # let the servers settle after their start
        out["load_before"] = os.getloadavg()[0]
        watch = MemoryWatch(pids)
        me = psutil.Process()
        marks: dict = {}

        def on_loaded() -> None:
            time.sleep(0.5)
            out["rest_bytes"] = tree_rss(pids)
            marks["server_cpu"] = tree_cpu(pids)
            marks["me"] = sum(me.cpu_times()[:2])
            marks["machine"] = psutil.cpu_times()
            marks["wall"] = time.perf_counter()

        first_cpu = sum(me.cpu_times()[:2])
        first_wall = time.perf_counter()
        try:
            out.update(asyncio.run(_drive(f"http://127.0.0.1:{front_port}", sessions, rounds, on_loaded)))
        finally:
            out["peak_bytes"] = watch.stop()
        wall = time.perf_counter() - marks["wall"]
        machine_now = psutil.cpu_times()
        busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0)  # noqa: E731
        machine_busy = busy(machine_now) - busy(marks["machine"])
        me_cpu = sum(me.cpu_times()[:2]) - marks["me"]
        out["server_cpu_per_redraw"] = (tree_cpu(pids) - marks["server_cpu"]) / max(1, len(out["latencies"]))
        out["me_share_of_core"] = me_cpu / wall
        out["me_share_of_busy"] = me_cpu / machine_busy if machine_busy > 0 else 0.0
        out["machine_busy_share"] = machine_busy / (wall * (psutil.cpu_count() or 1))
        out["me_load_share_of_core"] = (sum(me.cpu_times()[:2]) - first_cpu) / max(1e-9, marks["wall"] - first_wall)
    finally:
        stack.stop()
    return out


def report(sessions: int, rounds: int, r: dict) -> list[str]:
    lat, first = r.get("latencies", []), r.get("first_loads", [])
    mb = 1024 * 1024
    spread = " / ".join(str(n) for _, n in sorted(r.get("servers", {}).items()))
    lines = [
        f"{r['servers_started']} app server(s), {sessions} sessions, {rounds} rounds; {os.cpu_count()} cores, "
        f"load average before {r['load_before']:.1f}; sessions per server {spread or '-'}"
    ]
    if first:
        lines.append(
            f"  first load: median {statistics.median(first):.2f} s, p95 {percentile(first, 0.95):.2f} s, "
            f"last {max(first):.2f} s ({r['bytes'] / sessions / mb:.1f} MB fetched per session)"
        )
    if lat:
        lines.append(
            f"  redraw: median {statistics.median(lat):.2f} s, p95 {percentile(lat, 0.95):.2f} s, max {max(lat):.2f} s "
            f"({len(lat)} redraws)"
        )
    lines.append(f"  errors: {r.get('errors', '?')}" + "".join(f"\n    {p}" for p in r.get("problems", [])[:5]))
    if "rest_bytes" in r:
        lines.append(
            f"  app servers' memory (together): {r['rest_bytes'] / mb:.0f} MB after loading, peak {r['peak_bytes'] / mb:.0f} MB"
        )
    if "server_cpu_per_redraw" in r:
        lines.append(f"  app servers' processor time per redraw: {r['server_cpu_per_redraw'] * 1000:.0f} ms")
        lines.append(
            f"  load generator: {r['me_share_of_core'] * 100:.0f} % of one core during the rounds "
            f"({r['me_share_of_busy'] * 100:.0f} % of the processor time the machine spent meanwhile; the machine "
            f"was {r['machine_busy_share'] * 100:.0f} % busy); {r['me_load_share_of_core'] * 100:.0f} % of one core "
            "while the sessions loaded"
        )
    return lines


def table_row(sessions: int, r: dict) -> str:
    lat, first = r.get("latencies", []), r.get("first_loads", [])
    mb = 1024 * 1024
    med = lambda v: f"{statistics.median(v):.2f} s" if v else "-"  # noqa: E731
    p95 = lambda v: f"{percentile(v, 0.95):.2f} s" if v else "-"  # noqa: E731
    return (
        f"| {r['servers_started']} | {sessions} | {med(first)} / {p95(first)} | {med(lat)} / {p95(lat)} | "
        f"{r.get('errors', '?')} | {r.get('rest_bytes', 0) / mb:.0f} MB / {r.get('peak_bytes', 0) / mb:.0f} MB | "
        f"{r.get('server_cpu_per_redraw', 0) * 1000:.0f} ms | {r.get('me_share_of_core', 0) * 100:.0f} % of a core "
        f"({r.get('me_share_of_busy', 0) * 100:.0f} % of all) | {r['load_before']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--servers", default="1,2", help="numbers of app servers to measure, e.g. 1,2")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 200 or not 1 <= args.rounds <= 100:
        parser.error("--sessions from 1 to 200, --rounds from 1 to 100")
    counts = [int(n) for n in args.servers.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="pcload", dir="/tmp"))
    os.chmod(folder, 0o755)  # as root PostgreSQL runs as 'nobody', who must reach its data folder
    rows = []
    try:
        for n in counts:
            r = run(n, args.sessions, args.rounds, folder / "store")
            print("\n".join(report(args.sessions, args.rounds, r)), flush=True)
            rows.append(table_row(args.sessions, r))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(
        "| app servers | sessions | first load, median / p95 | redraw, median / p95 | errors | app servers' memory, "
        "after loading / peak | servers' processor time per redraw | load generator | load average before |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
