"""Run by tests/exports/test_chart_browser.py in a process of its own: kill, then freeze, the chart browser and
report, as JSON lines, what each following export gives and how long it takes."""

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import charts  # noqa: E402
from paper import images  # noqa: E402
from partnership import summarize  # noqa: E402
from partnership.examples import example_scenario  # noqa: E402
from partnership.uncertainty import gain_distributions  # noqa: E402


def figure():
    s = example_scenario()
    return charts.risk_curves(s, summarize(s), gain_distributions(s))


def children(pid: int) -> list[int]:
    """Every process below ``pid`` (the chart browser's Chromium and its helpers)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(entry), *children(int(entry))]
    return out


def signal_all(sig: int) -> int:
    kids = children(os.getpid())
    for k in kids:
        try:
            os.kill(k, sig)
        except ProcessLookupError:
            pass
    return len(kids)


def export(step: str, fig) -> None:
    t = time.perf_counter()
    try:
        data = images.chart_image(fig, "png")
        result = {"step": step, "ok": data[:4] == b"\x89PNG"}
    except images.ImageExportError as exc:
        result = {"step": step, "error": str(exc)}
    result["seconds"] = round(time.perf_counter() - t, 2)
    result["browsers"] = len(children(os.getpid()))
    print(json.dumps(result), flush=True)


def main() -> None:
    fig = figure()
    export("first", fig)
    print(json.dumps({"step": "killed", "processes": signal_all(signal.SIGKILL)}), flush=True)
    time.sleep(0.5)
    export("after kill", fig)
    export("after kill, again", fig)
    frozen = children(os.getpid())
    print(json.dumps({"step": "frozen", "processes": signal_all(signal.SIGSTOP)}), flush=True)
    export("while frozen", fig)
    for k in frozen:  # the frozen browser is let go; a new one draws the next export
        try:
            os.kill(k, signal.SIGKILL)
        except ProcessLookupError:
            pass
    export("after freeze", fig)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":  # never on import: pytest imports every module under tests/ for doctests
    main()
