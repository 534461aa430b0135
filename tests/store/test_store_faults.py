"""The store when its SQLite file is read-only, locked by another program, or damaged: one plain
StoreUnavailable each, never a traceback or an SQL message, so the app can switch saving off."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from store import Store, StoreUnavailable

from ..support.store_fixtures import scenario_text

ROOT = Path(__file__).resolve().parents[2]
A = scenario_text()

# Run as root, file permissions do not bind: the check runs in a child without the capabilities that
# override them (setpriv, util-linux), which is then as bound by a read-only file as any other user.
DROP_CAPS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def _filled(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "workshops.sqlite3"
    with Store(str(path)) as store:
        code = store.create_room()
        store.save_option(code, "Kept", A)
    assert not Path(f"{path}-wal").exists()  # closed cleanly: everything is in the main file
    return path, code


def _plain(message: str) -> None:
    assert message.startswith("The workshop store ") and "the calculator still works." in message
    for leak in ("sqlite", "SELECT", "INSERT", "Traceback", "OperationalError", "(Background on this error"):
        assert leak not in message
    assert "\n" not in message


CHILD = textwrap.dedent(
    """
    import sys
    from store import Store, StoreUnavailable
    from tests.support.store_fixtures import scenario_text
    path, code = sys.argv[1], sys.argv[2]
    try:
        store = Store(path)
    except StoreUnavailable as exc:
        print("OPEN:", exc)
        raise SystemExit(0)
    print("READ:", ",".join(o.name for o in store.options(code)))
    try:
        store.save_option(code, "New", scenario_text())
    except StoreUnavailable as exc:
        print("SAVE:", exc)
    else:
        print("SAVED")
    """
)


def _child(path: Path, code: str) -> dict[str, str]:
    if os.geteuid() == 0 and subprocess.run(["setpriv", "--version"], capture_output=True).returncode != 0:
        pytest.skip("running as root without setpriv (util-linux): a read-only file cannot bind root here")
    prefix = DROP_CAPS if os.geteuid() == 0 else []
    done = subprocess.run(
        [*prefix, sys.executable, "-c", CHILD, str(path), code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return dict(line.split(": ", 1) if ": " in line else (line, "") for line in done.stdout.splitlines())


def test_read_only_file_still_reads_and_refuses_saves_plainly(tmp_path):
    """With its SQLite file read-only, the store still shows a room's options but refuses a save with one plain message
    that the file is read-only."""
    path, code = _filled(tmp_path)
    path.chmod(0o444)
    out = _child(path, code)
    assert out.get("READ") == "Kept"  # the room's options still show
    assert "SAVE" in out, out
    _plain(out["SAVE"])
    assert "cannot be written (the database file is read-only)" in out["SAVE"]


def test_read_only_folder_gives_store_unavailable(tmp_path):
    """A database file in a read-only folder makes the store unavailable with one plain message, on opening or on
    saving."""
    path, code = _filled(tmp_path)
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        out = _child(path, code)
    finally:
        tmp_path.chmod(0o755)
    message = out.get("OPEN") or out.get("SAVE")
    assert message is not None, out
    _plain(message)
    assert "read-only" in message or "cannot open its database file" in message


def test_a_writer_holding_the_lock_past_the_busy_timeout_gives_store_unavailable(tmp_path):
    """While another program holds a write lock past the busy timeout, options can still be read, a save waits and then
    says plainly that the store is busy, and saving works again once the lock is let go."""
    path, code = _filled(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO rooms (code, title, created_at, revision) VALUES ('x', '', '2026-01-01', 0)")
    try:
        with Store(str(path), busy_timeout=0.2) as store:
            assert [o.name for o in store.options(code)] == ["Kept"]  # readers are not blocked in WAL mode
            started = time.perf_counter()
            with pytest.raises(StoreUnavailable) as caught:
                store.save_option(code, "Blocked", A)
            waited = time.perf_counter() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _plain(str(caught.value))
    assert "is busy (another program holds a lock on the database file" in str(caught.value)
    assert 0.2 <= waited < 10, waited  # it waited for the lock (and retried), then gave up
    with Store(str(path)) as store:  # once the lock is gone, saving works again
        store.save_option(code, "After", A)
        assert [o.name for o in store.options(code)] == ["Kept", "After"]


def test_an_exclusive_locking_mode_blocks_even_opening_plainly(tmp_path):
    """A database file another program holds in exclusive locking mode gives a plain message that the store is busy,
    even just to open it."""
    path, code = _filled(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable) as caught:
            with Store(str(path), busy_timeout=0.2) as store:
                store.options(code)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _plain(str(caught.value))
    assert "is busy" in str(caught.value)


@pytest.mark.parametrize("damage", ["random bytes", "random pages after a valid header", "truncated"])
def test_a_damaged_file_gives_store_unavailable(tmp_path, damage):
    """A SQLite file overwritten with random bytes, damaged after its header or cut short gives one plain message that
    the database is damaged or is not a database."""
    path, code = _filled(tmp_path)
    data = path.read_bytes()
    rng = __import__("random").Random(7)
    if damage == "random bytes":
        path.write_bytes(bytes(rng.getrandbits(8) for _ in range(len(data))))
    elif damage == "random pages after a valid header":
        path.write_bytes(data[:100] + bytes(rng.getrandbits(8) for _ in range(len(data) - 100)))
    else:
        path.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreUnavailable) as caught:
        with Store(str(path)) as store:
            store.options(code)
            store.save_option(code, "New", A)
    _plain(str(caught.value))
    assert "cannot be read (the database file is damaged or is not a database)" in str(caught.value)


def test_an_unreachable_postgresql_gives_store_unavailable(tmp_path):
    """A PostgreSQL server that cannot be reached gives one plain message that the store cannot reach its database
    server."""
    with pytest.raises(StoreUnavailable) as caught:
        Store(f"postgresql+psycopg://nobody@/none?host={tmp_path}&connect_timeout=2")
    _plain(str(caught.value))
    assert "cannot reach its database server" in str(caught.value)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_save_after_the_database_file_is_deleted_is_refused_and_nothing_is_acknowledged(tmp_path, how):
    """The SQLite file deleted (or replaced by another) while the store has it open: the next save is refused in one
    plain line, saving stays off for every later call, and after a restart nothing acknowledged is missing."""
    path = tmp_path / "workshops.sqlite3"
    store = Store(str(path))
    code = store.create_room()
    store.save_option(code, "Kept", A)
    acknowledged = ["Kept"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if how == "replaced":
        sqlite3.connect(path).close()  # an empty database where the room's was
    for name in ("After 1", "After 2"):
        try:
            store.save_option(code, name, A)
        except StoreUnavailable as exc:
            _plain(str(exc))
            assert "lost its database file: it was deleted or replaced" in str(exc)
        else:
            acknowledged.append(name)
    assert acknowledged == ["Kept"]  # neither save after the deletion was acknowledged
    assert "deleted or replaced" in store.problem
    with pytest.raises(StoreUnavailable, match="deleted or replaced"):
        store.options(code)  # nor read from a new, empty file made at the path
    store.close()
    with Store(str(path)) as restarted:  # a restart finds none of the refused saves (nor the room the user deleted)
        assert not restarted.room_exists(code)
