"""Hostile room archives (tests/support/hostile_corpus.py, ROOM_ZIPS) and what is not a file, given to the store's
import: each refused in one plain line, fast and in little memory, by the store, its command line (run as a program)
and the app's upload, and the room left as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from store import BadArchive, Store, StoreError, StoreLimit

from ..support import hostile_corpus as corpus
from ..support.store_fixtures import pg_cluster, pg_shared_url, scenario_text, store_url  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "support" / "store_import_probe.py"
LIMIT_S = 2.0  # processor seconds: what a refusal costs the server, whatever else the machine is doing
HANG_S = 30.0  # wall-clock seconds: "not a hang" (a pipe read to its end never returns)
MEMORY_MB = 100
CASES = corpus.ROOM_ZIPS


@pytest.fixture(scope="module")
def archives() -> dict[str, bytes]:
    """Each hostile archive, built once for the module."""
    return {name: make() for name, (make, _) in CASES.items()}


def _refusal(call) -> tuple[StoreError | None, float, float]:
    """Run ``call``: (its StoreError or None, processor seconds, peak traced MB), timed once without tracing (which
    slows Python several times over) and traced once for the peak."""
    t0, wall = time.process_time(), time.perf_counter()
    try:
        call()
        error = None
    except StoreError as exc:
        error = exc
    seconds = time.process_time() - t0
    assert time.perf_counter() - wall < HANG_S
    tracemalloc.start()
    try:
        call()
    except StoreError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return error, seconds, peak


@pytest.mark.parametrize("name", list(CASES))
def test_the_store_refuses_each_hostile_archive_in_one_plain_line(store_url, archives, name):  # noqa: F811
    """Every hostile archive, from 24,000 saves of one 250 KB scenario to a time in year 0001 with an offset, is refused
    by the store's import in one plain line naming the reason, fast and in little memory, and the room it was given
    keeps exactly what it had."""
    data = archives[name]
    with Store(store_url) as store:
        code = store.create_room()
        store.save_option(code, "Existing", scenario_text())
        before = [(o.name, o.version) for o in store.versions(code)], store.room_version(code)
        error, seconds, peak = _refusal(lambda: store.import_zip(data, code))
        assert isinstance(error, BadArchive | StoreLimit), f"{name} was accepted"
        message = str(error)
        assert CASES[name][1] in message and "\n" not in message and len(message) < 300, message
        assert seconds < LIMIT_S and peak < MEMORY_MB, (seconds, peak)
        assert ([(o.name, o.version) for o in store.versions(code)], store.room_version(code)) == before


def _probe(tmp_path: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(PROBE), str(report), "--database", f"sqlite:///{tmp_path / 'w.sqlite3'}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2 * HANG_S,  # a hang (a pipe read to its end) fails here
    )
    assert report.exists(), done.stderr
    return json.loads(report.read_text()), done


@pytest.mark.parametrize("name", list(CASES))
def test_python_m_store_import_refuses_each_hostile_archive_in_one_line(tmp_path, archives, name):
    """``python -m store import`` answers every hostile archive with exit status 2 and one plain line on stderr, no
    traceback and nothing on stdout, within the time and memory bounds (measured in the program itself)."""
    path = tmp_path / "room.zip"
    path.write_bytes(archives[name])
    report, done = _probe(tmp_path, "import", str(path))
    assert report["status"] == 2 and done.stdout == "", done.stdout
    assert done.stderr.count("\n") == 1 and CASES[name][1] in done.stderr and "Traceback" not in done.stderr
    assert report["cpu_seconds"] < LIMIT_S and report["seconds"] < HANG_S and report["grew_mb"] < MEMORY_MB, report


def _fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp_path / "room.zip"
    os.mkfifo(path)
    return path


def _dev_zero(tmp_path: Path) -> Path:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    return Path("/dev/zero")


@pytest.mark.parametrize(
    "make, words",
    [
        (_dev_zero, "is a device, not a ZIP file"),
        (_fifo, "is a named pipe, not a ZIP file"),
        (lambda tmp: tmp, "is a folder, not a ZIP file"),
        (lambda tmp: tmp / "nope.zip", "no such file"),
    ],
    ids=["/dev/zero", "named pipe", "folder", "missing"],
)
def test_python_m_store_import_takes_regular_files_only(tmp_path, make, words):
    """``python -m store import`` refuses at once what is not a regular file: /dev/zero (read to its end, it once
    reached 3 GB in 6 s), a named pipe (which once hung it), a folder, a missing file; one plain line each."""
    path = make(tmp_path)
    report, done = _probe(tmp_path, "import", str(path))
    assert report["status"] == 2 and done.stdout == ""
    assert done.stderr.strip() == f"error: {path}: {words}." and "Traceback" not in done.stderr
    assert report["cpu_seconds"] < LIMIT_S and report["seconds"] < HANG_S and report["grew_mb"] < MEMORY_MB, report


def test_an_archive_at_the_limits_is_still_imported_fast(tmp_path):
    """What the checks allow goes through: 1,990 saves of one 7 KB scenario (the most versions a room keeps), with
    remove and restore lines and times at both ends of the years allowed, imports whole, each save once, fast."""
    text = corpus.scenario_of_size(7_000)
    rows = ",,save,O,,a.yaml\n" * 1_988 + "1970-01-01T00:00:00Z,,remove,O,,\n9998-12-31T23:59:59+00:00,,restore,O,,\n"
    rows += "2026-01-01T00:00:00+01:00,,save,O,,a.yaml\n,,save,P,,a.yaml\n"
    data = corpus.room_zip({"a.yaml": text, "log.csv": corpus.LOG_HEAD + rows})
    with Store(f"sqlite:///{tmp_path / 'w.sqlite3'}") as store:
        t0 = time.process_time()
        code = store.import_zip(data)
        seconds = time.process_time() - t0
        assert [(o.name, o.version) for o in store.options(code)] == [("O", 1_989), ("P", 1)]
        actions = [e.action for e in store.history(code)]
        assert actions.count("save") == 1_990 and actions.count("remove") == actions.count("restore") == 1
        assert seconds < 4 * LIMIT_S, seconds  # one check of the room's limits, not one per save
