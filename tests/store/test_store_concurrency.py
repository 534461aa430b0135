"""The store under load and failure: 20 sessions saving at once lose nothing (SQLite file and PostgreSQL),
and an app server killed mid-save loses no option whose save had returned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from store import Store

from ..support.store_fixtures import empty_store_url, pg_cluster, pg_shared_url, store_url  # noqa: F401 (fixtures)
from ..support.store_load import SHARED, concurrent_saves, percentiles

ROOT = Path(__file__).resolve().parents[2]
SESSIONS, SAVES_EACH = 20, 10


@pytest.mark.slow
def test_twenty_sessions_saving_at_once_lose_nothing(store_url, capsys):  # noqa: F811
    """Twenty sessions saving ten options each into one room at once lose and repeat no save: the option they share gets
    versions 1 to 20, one per session, and the history and room version count every save."""
    result = concurrent_saves(store_url, SESSIONS, SAVES_EACH, mode="threads")
    assert result["errors"] == []
    assert result["sessions_reported"] == SESSIONS
    assert len(result["saved"]) == SESSIONS * SAVES_EACH
    code = result["room"]
    with Store(store_url) as store:
        current = {o.name: o for o in store.options(code)}
        every = store.versions(code)
        history = store.history(code)
        revision = store.room_version(code)
    # every distinct option is there, once
    expected = {f"Session {i:02d} option {j}" for i in range(SESSIONS) for j in range(1, SAVES_EACH)} | {SHARED}
    assert set(current) == expected
    # the shared name got one version per session, numbered 1..20 without gaps or repeats
    assert sorted(v.version for v in every if v.name == SHARED) == list(range(1, SESSIONS + 1))
    assert sorted(v for n, v in result["saved"] if n == SHARED) == list(range(1, SESSIONS + 1))
    assert Counter(v.proposer for v in every if v.name == SHARED) == Counter(f"Session {i}" for i in range(SESSIONS))
    assert len(every) == SESSIONS * SAVES_EACH
    assert len([e for e in history if e.action == "save"]) == SESSIONS * SAVES_EACH
    assert revision == SESSIONS * SAVES_EACH
    median, p95 = percentiles(result["latencies"])
    dialect = store_url.split(":", 1)[0].split("+")[0]
    with capsys.disabled():
        print(
            f"\n  {dialect}: {SESSIONS} concurrent sessions x {SAVES_EACH} saves: "
            f"save latency median {median:.1f} ms, p95 {p95:.1f} ms, all in {result['elapsed']:.2f} s"
        )


@pytest.mark.slow
def test_twenty_server_processes_saving_into_one_sqlite_file_lose_nothing(tmp_path, capsys):
    """Twenty server processes saving into one SQLite file at once lose no save, and the option they share gets versions
    1 to 20 without gaps or repeats."""
    url = f"sqlite:///{tmp_path / 'workshops.sqlite3'}"
    result = concurrent_saves(url, SESSIONS, 5, mode="processes")
    assert result["errors"] == [] and result["sessions_reported"] == SESSIONS
    with Store(url) as store:
        every = store.versions(result["room"])
    assert len(every) == SESSIONS * 5 == len(result["saved"])
    assert sorted(v.version for v in every if v.name == SHARED) == list(range(1, SESSIONS + 1))
    median, p95 = percentiles(result["latencies"])
    with capsys.disabled():
        print(f"\n  sqlite, {SESSIONS} processes x 5 saves: save latency median {median:.1f} ms, p95 {p95:.1f} ms")


def _wait_for_lines(proc: subprocess.Popen, count: int, timeout: float = 60) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    while len(lines) < count and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    return lines


@pytest.mark.slow
def test_a_server_killed_mid_save_loses_no_returned_save(tmp_path):
    """An app server killed while saving loses no option whose save had returned, adds at most the one save in flight,
    and leaves the SQLite file whole for the next server to open."""
    path = tmp_path / "workshops.sqlite3"
    with Store(str(path)) as store:
        code = store.create_room("Kill test")
    returned: list[str] = []
    for round_ in range(3):  # three app servers, each killed with SIGKILL while saving
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "support" / "store_saver.py"), str(path), code, f"Round {round_}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        try:
            assert _wait_for_lines(proc, 1) == ["ready"], proc.stderr.read() if proc.poll() is not None else ""
            lines = _wait_for_lines(proc, 25 + 7 * round_)
            os.kill(proc.pid, signal.SIGKILL)  # mid-run: it is saving the next option
            proc.wait(timeout=30)
            lines += [ln.rstrip("\n") for ln in proc.stdout]  # saves that returned before the kill landed
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        assert len(lines) >= 25, lines
        returned += lines
        # a new process (this one, with a new Store) opens the same file and finds every returned save
        with Store(str(path)) as store:
            found = {o.name for o in store.options(code)}
            assert set(returned) <= found, sorted(set(returned) - found)
            # and nothing beyond at most the one save in flight at the kill, per server
            assert len(found - set(returned)) <= round_ + 1
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3; print(sqlite3.connect({str(path)!r}).execute('PRAGMA integrity_check').fetchone()[0])",
        ],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "ok"
