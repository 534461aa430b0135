"""Several app servers behind one address: N Streamlit servers, one PostgreSQL store they share, and nginx in front.

Run from the folder of the code, in its environment:

    python tools/several_servers.py --servers 3 --listen 0.0.0.0 --port 8080 --data ~/calculator-store

It starts, in this order:

1. **PostgreSQL**, its data in ``DATA/postgresql`` (made by ``initdb`` the first time, kept between runs: the rooms
   and their saved options live there), listening on a unix socket only (``DATA/run``), no network port. As root it
   runs as ``nobody`` (PostgreSQL refuses root). ``--database URL`` uses a store you already have instead.
2. **N app servers** (``streamlit run app.py``), each on its own port of 127.0.0.1, all with the store's address in
   ``PARTNERSHIP_DATABASE_URL`` and one cookie secret (so a browser moved from one server to another is still
   trusted). Each is waited for on its own health check (``/_stcore/health``).
3. **nginx** (Debian's package), with a configuration written into a temporary folder (``nginx -p DIR``: its pid,
   temporary files and configuration there; its logs in ``DATA/logs``), listening on ``--listen``:``--port``. A
   browser's first request goes to the next server in turn; the answer sets a cookie (``pc_server``) naming that
   server, and every later request with the cookie, the websocket included, goes to the same server (Streamlit
   keeps a session in its server's memory). A server that does not answer is marked down for a few seconds and its
   browsers are sent to another one, whose answer moves their cookie there; the page reconnects by itself and finds
   its scenario again in its address. Every answer names the server that gave it in an ``X-Upstream`` header.

It prints the address to open, then watches: a server that stops is started again (at most ``--restarts`` times
each; meanwhile nginx sends its browsers to the others). Ctrl-C or SIGTERM stops everything (nginx first, then the
app servers, then PostgreSQL), as does ``--for SECONDS``. Every wait is bounded in time.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "pc_server"
"""The cookie that keeps a browser on one server: its value names the server (``s1``, ``s2``...)."""
READY_SECONDS = 90
"""How long a server (app, PostgreSQL, nginx) may take to start before the start is given up."""
DATABASE = "calculator"


def log(line: str) -> None:
    print(line, flush=True)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on just now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In a child, before it runs: the kernel sends it SIGTERM if this script dies (even killed outright), so no
    server outlives the script. Linux only; elsewhere nothing."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def app_command(port: int) -> list[str]:
    """The command of one app server on ``port`` of 127.0.0.1, with the flags that keep Streamlit off the network
    (no usage statistics, no look-up of the machine's public address, no file watcher)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.serverAddress=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]


def nginx_config(prefix: Path, logs: Path, listen: str, port: int, app_ports: list[int], root: bool = False) -> str:
    """nginx's configuration for the app servers on ``app_ports`` of 127.0.0.1, listening on ``listen:port``, its
    pid and temporary files under ``prefix`` and its logs under ``logs``. Sticky by a cookie naming the server
    (all browsers may come from one address, as in a test, so ``ip_hash`` would send them all to one server);
    websockets upgraded and kept open; passive health checks (a server that refuses is marked down for a few
    seconds and the request is tried on another)."""
    names = [f"s{i + 1}" for i in range(len(app_ports))]
    member = "server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{backup};"
    every = "\n".join(f"        {member.format(port=p, backup='')}" for p in app_ports)
    one_each = []
    for name, port_of in zip(names, app_ports):
        others = [member.format(port=p, backup=" backup") for p in app_ports if p != port_of]
        lines = [member.format(port=port_of, backup="")] + others
        one_each.append(f"    upstream pc_{name} {{\n" + "\n".join(f"        {line}" for line in lines) + "\n    }")
    by_cookie = "\n".join(f"        {name} pc_{name};" for name in names)
    # $upstream_addr lists every server tried ("127.0.0.1:8601, 127.0.0.1:8602"): the last one answered
    answered = "\n".join(rf"        ~127\.0\.0\.1:{p}$ {name};" for name, p in zip(names, app_ports))
    user = "user nobody nogroup;\n" if root else ""
    return f"""# Written by tools/several_servers.py for this run; nginx -p {prefix} -c nginx.conf
{user}daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {logs}/nginx-error.log warn;
events {{
    worker_connections 2048;
}}
http {{
    log_format pc '$time_iso8601 $status "$request" upstream=$upstream_addr cookie=$cookie_{COOKIE} '
                  'time=$request_time';
    access_log {logs}/nginx-access.log pc;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 25m;            # a room's archive to import is at most 20 MB

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}
    # a browser new to the room: the next server in turn
    upstream pc_all {{
{every}
    }}
    # a browser with a cookie: its own server, the others only while it is down
{chr(10).join(one_each)}
    map $cookie_{COOKIE} $pc_upstream {{
        default pc_all;
{by_cookie}
    }}
    map $upstream_addr $pc_answered {{
        default '';
{answered}
    }}
    server {{
        listen {listen}:{port};
        location / {{
            proxy_pass http://$pc_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;          # Streamlit's websocket, /_stcore/stream
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 3s;
            proxy_read_timeout 1d;                            # a session's websocket stays open all day
            proxy_send_timeout 1d;
            proxy_buffering off;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries {len(app_ports)};
            add_header Set-Cookie "{COOKIE}=$pc_answered; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def wait_healthy(url: str, proc: subprocess.Popen | None, seconds: float = READY_SECONDS) -> None:
    """Wait until ``url`` answers ``ok`` (Streamlit's health check), at most ``seconds``; RuntimeError if the
    process ends or the time runs out first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process ended (status {proc.returncode}) before it answered")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.25)


def stop_process(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    """Ask a process to stop, wait at most ``seconds``, then kill it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("postgres") or shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql), or give --database URL")


@dataclass
class PostgreSQL:
    """PostgreSQL with its data in ``data/postgresql``, on a unix socket only; as root, run as ``nobody``."""

    data: Path
    proc: subprocess.Popen | None = None
    socket_dir: Path | None = None
    _own_socket_dir: bool = False

    def _as(self) -> dict:
        if os.geteuid() != 0:
            return {}
        entry = pwd.getpwnam("nobody")
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def start(self, logs: Path) -> str:
        """Start it (initdb the first time), make the database; the store's URL."""
        bindir = _postgres_bin()
        pgdata = self.data / "postgresql"
        self.socket_dir = self.data / "run"
        if len(str(self.socket_dir)) > 80:  # a unix socket's path has at most 107 bytes
            self.socket_dir, self._own_socket_dir = Path(tempfile.mkdtemp(prefix="pcpg", dir="/tmp")), True
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        owner = self._as()
        if owner:
            for path in (self.data, self.socket_dir):
                os.chown(path, owner["user"], owner["group"])
        if not (pgdata / "PG_VERSION").exists():
            log(f"PostgreSQL: a new cluster in {pgdata}")
            done = subprocess.run(
                [str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                capture_output=True,
                text=True,
                timeout=120,
                cwd="/",
                **owner,
            )
            if done.returncode != 0:
                hint = " (as root it runs as 'nobody', who must be able to reach that folder)" if owner else ""
                raise RuntimeError(f"initdb failed{hint}: {(done.stderr or done.stdout).strip()[-400:]}")
        log_file = open(logs / "postgresql.log", "ab")  # noqa: SIM115 (kept open while the server runs)
        self.proc = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(pgdata),
                "-c",
                "listen_addresses=",
                "-c",
                f"unix_socket_directories={self.socket_dir}",
                "-c",
                "unix_socket_permissions=0700",
                "-c",
                "max_connections=200",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            cwd="/",
            preexec_fn=_die_with_parent,
            start_new_session=True,
            **owner,
        )
        log_file.close()
        self._wait_and_create()
        return f"postgresql+psycopg://postgres@/{DATABASE}?host={self.socket_dir}"

    def _wait_and_create(self) -> None:
        import psycopg

        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                with psycopg.connect(
                    host=str(self.socket_dir), user="postgres", dbname="postgres", autocommit=True, connect_timeout=3
                ) as conn:
                    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
                        conn.execute(f'CREATE DATABASE "{DATABASE}"')
                    return
            except psycopg.OperationalError as exc:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"PostgreSQL ended (status {self.proc.returncode}); see its log in {self.data / 'logs'}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not accept connections within {READY_SECONDS} s: {exc}"
                    ) from None
                time.sleep(0.3)

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGINT, 30)  # SIGINT: PostgreSQL's fast shutdown
        if self._own_socket_dir and self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)


@dataclass
class AppServer:
    """One ``streamlit run app.py`` on ``port``."""

    number: int
    port: int
    env: dict
    logs: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0

    def start(self) -> None:
        log_file = open(self.logs / f"server-{self.number}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            app_command(self.port),
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            preexec_fn=_die_with_parent,
            start_new_session=True,  # Ctrl-C reaches the script, which stops the servers in order
        )
        log_file.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Several:
    """Everything this script starts, in the order it stops it."""

    servers: int = 2
    listen: str = "127.0.0.1"
    port: int = 8080
    data: Path = Path("several-servers")
    database: str | None = None
    first_app_port: int | None = None
    public_url: str | None = None
    restarts: int = 3
    postgres: PostgreSQL | None = None
    apps: list[AppServer] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    prefix: Path | None = None

    def start(self) -> str:
        """Start the store, the app servers and nginx; the address to open."""
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if nginx is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        logs = self.data / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        url = self.database
        if url is None:
            self.postgres = PostgreSQL(self.data)
            url = self.postgres.start(logs)
            log(f"PostgreSQL: {url}")
        env = {**os.environ, "PARTNERSHIP_DATABASE_URL": url, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
        if self.public_url:
            env["PARTNERSHIP_PUBLIC_URL"] = self.public_url
        ports = (
            [self.first_app_port + i for i in range(self.servers)]
            if self.first_app_port
            else [free_port() for _ in range(self.servers)]
        )
        self.apps = [AppServer(i + 1, p, env, logs) for i, p in enumerate(ports)]
        for app in self.apps:  # all start together; each is waited for after
            app.start()
        for app in self.apps:
            wait_healthy(f"{app.url}/_stcore/health", app.proc)
            log(f"app server s{app.number}: {app.url} (process {app.proc.pid})")
        self.prefix = Path(tempfile.mkdtemp(prefix="pc-nginx-"))
        root = os.geteuid() == 0
        (self.prefix / "nginx.conf").write_text(
            nginx_config(self.prefix, logs.resolve(), self.listen, self.port, ports, root=root)
        )
        if root:
            os.chmod(self.prefix, 0o755)
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", "nginx.conf", "-e", str(logs.resolve() / "nginx-error.log")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        front = f"http://127.0.0.1:{self.port}"
        try:
            wait_healthy(f"{front}/_stcore/health", self.nginx, 30)
        except RuntimeError as exc:
            raise RuntimeError(
                f"nginx: {exc}: {self.nginx.stderr.read().decode()[-600:] if self.nginx.poll() is not None else ''}"
            ) from None
        log(f"nginx: {self.listen}:{self.port} (process {self.nginx.pid}), configuration {self.prefix / 'nginx.conf'}")
        return self.public_url or (
            front if self.listen in ("127.0.0.1", "localhost") else f"http://{self.listen}:{self.port}"
        )

    def watch_once(self) -> None:
        """Start again a server that has stopped, while it has restarts left; say so either way."""
        for app in self.apps:
            if app.proc is None or app.proc.poll() is None:
                continue
            status = app.proc.returncode
            if app.restarts >= self.restarts:
                log(f"app server s{app.number} stopped (status {status}); nginx sends its browsers to the others")
                app.proc = None
                continue
            app.restarts += 1
            log(
                f"app server s{app.number} stopped (status {status}); starting it again ({app.restarts}/{self.restarts})"
            )
            app.start()
        if self.nginx is not None and self.nginx.poll() is not None:
            raise RuntimeError(f"nginx stopped (status {self.nginx.returncode})")

    def stop(self) -> None:
        """Stop nginx, then the app servers, then PostgreSQL; remove nginx's temporary folder."""
        stop_process(self.nginx, signal.SIGTERM, 10)  # a fast stop: a graceful one would wait for every websocket
        for app in self.apps:
            if app.proc is not None and app.proc.poll() is None:
                app.proc.send_signal(signal.SIGTERM)
        for app in self.apps:
            stop_process(app.proc)
        if self.postgres is not None:
            self.postgres.stop()
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)


class _Stop(Exception):
    pass


def _on_signal(signum, _frame) -> None:
    raise _Stop(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2, help="how many app servers (2 or more; about one per core)")
    parser.add_argument("--listen", default="127.0.0.1", help="nginx's address: 0.0.0.0 for the venue's network")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port: the one address everyone opens")
    parser.add_argument("--data", type=Path, default=Path("several-servers"), help="folder for PostgreSQL and logs")
    parser.add_argument("--database", help="use this store (a PostgreSQL URL) instead of starting PostgreSQL")
    parser.add_argument("--first-app-port", type=int, help="app servers on this port and the next ones (else free)")
    parser.add_argument("--public-url", help="the address people open, for the room's link and QR code")
    parser.add_argument("--restarts", type=int, default=3, help="times each stopped app server is started again")
    parser.add_argument("--for", dest="seconds", type=float, default=None, help="stop by itself after this long")
    args = parser.parse_args(argv)
    if not 1 <= args.servers <= 32:
        parser.error("--servers: from 1 to 32")
    public = args.public_url
    if public is None and args.listen not in ("127.0.0.1", "localhost"):
        sys.path.insert(0, str(ROOT))
        from ui.room_link import network_addresses

        host = args.listen if args.listen not in ("0.0.0.0", "::") else next(iter(network_addresses()), None)
        public = f"http://{host}:{args.port}" if host else None
    several = Several(
        servers=args.servers,
        listen=args.listen,
        port=args.port,
        data=args.data.expanduser().resolve(),
        database=args.database,
        first_app_port=args.first_app_port,
        public_url=public,
        restarts=args.restarts,
    )
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    status = 0
    try:
        address = several.start()
        log(f"Open {address} (Ctrl-C stops everything)")
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.5)
            several.watch_once()
    except _Stop as why:
        log(f"stopping ({why})")
    except RuntimeError as exc:
        print(f"several_servers: {exc}", file=sys.stderr, flush=True)
        status = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        several.stop()
        log("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
