"""Time and peak memory of reading hostile scenario documents, each in a capped child process.

Run: python benchmarks/bench_hostile_input.py [--cap-gb 2] [--timeout 30] [CASE ...]

Every case runs in its own child with its address space capped (RLIMIT_AS) and a wall-clock timeout, so a document
that would take the machine's memory or hang only costs the child. Reported per case: the outcome (refused with the
first message line, accepted, crashed with an exception, killed at the cap, timed out), the seconds the reading call
took, and the child's peak resident memory (from wait4, so imports are included: see the "baseline" case).

Measured on the development machine (2 cores), 2 GB cap, 30 s timeout; "before" is commit 5441070 (yaml.safe_load,
then the schema), "after" is partnership/reading.py:

    case                        before                                     after
    billion laughs (9 levels)   MemoryError at the cap after 21-29 s,      refused in 0.005 s, 47 MB
                                1,494 MB resident
    10,000 bands, file          accepted, 1.2-1.4 s, 78 MB                 refused in 0.16-0.28 s, 47 MB
    10,000 bands, link          accepted, 0.05-0.08 s, 87 MB               refused in 0.15-0.17 s, 85 MB
    1 MB flat list              10.1 s, 362 MB                             refused in 0.24 s, 47 MB
    deep nesting (10,000 and    RecursionError (a traceback)               refused in under 0.01 s
      100,000 levels)
    5,000-digit integer         ValueError (a traceback)                   refused in 0.01 s
    named pipe, nobody writes   hangs (killed at 30 s)                     refused in 0.01 s
    /dev/zero                   MemoryError at the cap after 1.3 s,        refused in 0.004 s
                                1,849 MB resident
    zero-bomb link, 100 MB      unpacked in full: 0.25 s, 269 MB           refused in 0.01 s, 82 MB
    zero-bomb link, 1 GB        MemoryError at the cap after 3.3 s         refused by its length in 0.005 s
    2 MB file                   accepted, 0.6 s                            refused in 0.008 s
    20,000 unknown keys         20,000 lines, 0.9 s                        11 lines, 0.19 s

(The link cases' 80 MB is the import of streamlit by ui.state.)

The "room:" cases give a room ZIP (tests/support/hostile_corpus.py, ROOM_ZIPS) to ``python -m store import``. Before
the import's bounds (commit cc8a604), 24,000 saves of one 250 KB scenario took it past 3 GB (killed at 86 s), 20 flat
lists of 1 MB held it over 300 s, 24,000 saves of a 1 KB scenario took 41 s to be refused, a log field over 131,072
characters and a year 0001 or 9999 with an offset ended in a traceback, /dev/zero reached 3 GB in 6 s and a named pipe
hung; after it, each is one line (figures in the lead's note for this change).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import hostile_corpus as corpus  # noqa: E402

CHILD = r"""
import sys, time
kind, arg = sys.argv[1], sys.argv[2]
if kind == "file":
    from partnership.scenario import ScenarioError, load_scenario
    call = lambda: load_scenario(arg)
elif kind == "room":  # python -m store import, on a database of its own
    import contextlib, io, tempfile
    from store.__main__ import main as store_main

    class ScenarioError(Exception):
        problems = []

    database = "sqlite:///" + tempfile.mkdtemp() + "/w.sqlite3"

    def call():
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = store_main(["--database", database, "import", arg])
        if status:
            refused = ScenarioError()
            refused.problems = err.getvalue().strip().splitlines() or [f"exit status {status}"]
            raise refused
else:
    from partnership.scenario import ScenarioError
    from ui.state import decode_scenario
    text = open(arg).read()
    call = lambda: decode_scenario(text)
t0 = time.perf_counter()
try:
    call()
    outcome = "accepted"
except ScenarioError as exc:
    outcome = f"refused ({len(exc.problems)} lines): " + exc.problems[0][:100]
except MemoryError:
    outcome = "MemoryError (killed at the cap)"
except BaseException as exc:
    outcome = f"crashed: {type(exc).__name__}: {str(exc)[:100]}"
print(f"{time.perf_counter() - t0:.3f}\t{outcome}", flush=True)
"""


def cases(tmp: Path) -> dict[str, tuple[str, Path]]:
    """Every case: its name, whether it is a file or a link, and the file holding it."""
    out: dict[str, tuple[str, Path]] = {}

    def file(name: str, data: bytes) -> None:
        path = tmp / name
        path.write_bytes(data)
        out[name] = ("file", path)

    def link(name: str, text: str) -> None:
        path = tmp / f"{name}.link"
        path.write_text(text)
        out[name] = ("link", path)

    file("baseline (the example)", corpus.example_yaml().encode())
    for name in corpus.SMALL:
        out[name] = ("file", corpus.HOSTILE / name)
    file("deep 100,000 yaml", corpus.deep_yaml(100_000).encode())
    file("deep 100,000 json", corpus.deep_json(100_000).encode())
    file("2 MB file", corpus.big_file(2_000_000))
    file("10,000 bands file", corpus.many_bands_yaml(10_000).encode())
    file("20,000 unknown keys file", corpus.unknown_keys_yaml(20_000).encode())
    file("1 MB flat list", (corpus.example_yaml() + "description: [" + "1," * 490_000 + "1]\n").encode())
    (tmp / "folder.yaml").mkdir()
    out["folder"] = ("file", tmp / "folder.yaml")
    os.mkfifo(tmp / "pipe.yaml")
    out["named pipe (nobody writes)"] = ("file", tmp / "pipe.yaml")
    out["/dev/zero"] = ("file", Path("/dev/zero"))
    link("baseline link", corpus.link(corpus.EXAMPLE))
    link("10,000 bands link", corpus.link(corpus.many_bands_doc(10_000)))
    link("zero bomb link 70 MB", corpus.zero_bomb_link(70_000_000))
    link("zero bomb link 1 GB", corpus.zero_bomb_link(1_000_000_000))
    for name, (make, _) in corpus.ROOM_ZIPS.items():  # room ZIPs, given to python -m store import
        path = tmp / f"room {len(out)}.zip"
        path.write_bytes(make())
        out[f"room: {name}"] = ("room", path)
    out["room: /dev/zero"] = ("room", Path("/dev/zero"))
    os.mkfifo(tmp / "pipe.zip")
    out["room: named pipe"] = ("room", tmp / "pipe.zip")
    return out


def run(kind: str, path: Path, cap_bytes: int, timeout: float, root: Path = ROOT) -> tuple[str, str, float]:
    """Run one case in a capped child, importing the code of ``root``: (outcome, seconds in the call, peak RSS in
    MB)."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(path)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            os.kill(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            return f"timed out after {timeout:.0f} s (killed)", "-", usage.ru_maxrss / 1024
        time.sleep(0.02)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    wall = time.monotonic() - t0
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)} after {wall:.1f} s", "-", usage.ru_maxrss / 1024
    if not out.strip():
        return f"child exited {os.WEXITSTATUS(status)} with no report after {wall:.1f} s", "-", usage.ru_maxrss / 1024
    seconds, outcome = out.strip().split("\t", 1)
    return outcome, seconds, usage.ru_maxrss / 1024


def main() -> None:
    """Run the cases named on the command line (default: all) and print a table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="cases to run (substring match); default all")
    p.add_argument("--cap-gb", type=float, default=2.0, help="address-space cap of each child (default 2 GB)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before a child is killed (default 30)")
    p.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="checkout whose code the children import (default this one), e.g. "
        "an export of an older commit: git archive COMMIT | tar -x -C DIR",
    )
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (kind, path) in cases(Path(tmp)).items():
            if args.names and not any(n in name for n in args.names):
                continue
            outcome, seconds, rss = run(kind, path, int(args.cap_gb * 2**30), args.timeout, args.root.resolve())
            print(f"{name:28} {seconds:>8} s {rss:8.0f} MB  {outcome}", flush=True)


if __name__ == "__main__":
    main()
