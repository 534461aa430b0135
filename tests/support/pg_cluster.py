"""A throwaway PostgreSQL cluster for the store's tests and benchmark: initdb in a temporary folder, run as an
unprivileged user when we are root, listening only on a unix socket in that folder."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path


class ClusterUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ClusterUnavailable(
        "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin; apt-get install postgresql)"
    )


class Cluster:
    """``with Cluster() as pg:`` starts a cluster; ``pg.new_database()`` gives the URL of a fresh, empty
    database; leaving the block stops the cluster and deletes its folder. ``fsync`` off makes it faster
    (and its timings less like a real server's)."""

    def __init__(self, fsync: bool = True):
        self.fsync = fsync
        self.dir: Path | None = None
        self.user: str | None = None
        self._started = False

    def _run(self, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        try:
            return subprocess.run(
                prefix + list(cmd), capture_output=True, text=True, timeout=timeout, check=True, cwd=self.dir
            )
        except subprocess.CalledProcessError as exc:
            raise ClusterUnavailable(
                f"{Path(cmd[0]).name} failed: {(exc.stderr or exc.stdout).strip()[-300:]}"
            ) from None
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterUnavailable(f"{Path(cmd[0]).name} could not run: {exc}") from None

    def start(self) -> Cluster:
        """initdb and start the server; ClusterUnavailable with the reason if it cannot."""
        bindir = _bin()
        self.dir = Path(tempfile.mkdtemp(prefix="pgstore", dir="/tmp"))  # short: a socket path has 107 bytes
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.user = "nobody"
            try:
                entry = pwd.getpwnam(self.user)
            except KeyError:
                raise ClusterUnavailable("no unprivileged user 'nobody' to run PostgreSQL as") from None
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        data = self.dir / "data"
        self._run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -c unix_socket_directories={self.dir} -c max_connections=200"
        if not self.fsync:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "30",
            "start",
        )
        self._started = True
        self._bindir = bindir
        self._watchdog = self._start_watchdog()
        return self

    def _start_watchdog(self) -> subprocess.Popen | None:
        """A small shell process that stops the cluster and deletes its folder if this process dies without
        stopping it (a test run killed by a timeout, say)."""
        stop = f"{self._bindir / 'pg_ctl'} -D {self.dir / 'data'} -m immediate -w stop"
        if self.user:
            stop = f"runuser -u {self.user} -- {stop}"
        script = f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {self.dir}"
        try:
            return subprocess.Popen(
                ["sh", "-c", script],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            return None

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database in the cluster (over the unix socket)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.dir}"

    def new_database(self) -> str:
        """Create a fresh, empty database and return its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(host=str(self.dir), user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        watchdog = getattr(self, "_watchdog", None)
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait()
            self._watchdog = None
        if self._started:
            try:
                self._run(str(self._bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
            except ClusterUnavailable:
                pass
            self._started = False
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
