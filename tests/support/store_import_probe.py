"""Runs the store's command line as ``python -m store`` would, and reports what one import cost: for the hostile
archive tests, which bound the time and the memory of a refusal.

Usage: python tests/support/store_import_probe.py REPORT.json ARGS...   (ARGS as given to ``python -m store``)

Writes ``{"status": exit status, "seconds": time in main, "cpu_seconds": processor time in main, "grew_mb": peak
resident memory above what it was before main}`` to REPORT.json; the command line's own output passes through.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _status_kb(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak), in KB; None without it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return None


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from now (Linux 4.0 and later); ru_maxrss cannot be used: it keeps the peak of
    the forked copy of the parent (a pytest process of hundreds of MB) across exec."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main(report: str, argv: list[str]) -> None:
    """Run the store's command line on ``argv`` and write the report."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import alembic.command  # noqa: F401 - what opening a store loads anyway, loaded before the count starts
    import alembic.runtime.migration  # noqa: F401

    from store.__main__ import main as store_main

    _reset_peak()
    before = _status_kb("VmRSS")
    t0, cpu0 = time.perf_counter(), time.process_time()
    status = store_main(argv)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak = _status_kb("VmHWM")
    if before is None or peak is None:  # no /proc: the peak since the start (imports included)
        before, peak = 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    Path(report).write_text(
        json.dumps({"status": status, "seconds": seconds, "cpu_seconds": cpu, "grew_mb": (peak - before) / 1024})
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
