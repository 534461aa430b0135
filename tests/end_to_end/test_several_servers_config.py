"""tools/several_servers.py without starting anything: nginx accepts the configuration it writes (``nginx -t``), which
keeps each browser on one server by a cookie and sends it to another only while its own is down; the app servers'
command keeps Streamlit off the network."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _script():
    spec = importlib.util.spec_from_file_location("several_servers", ROOT / "tools" / "several_servers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _upstreams(conf: str) -> dict[str, list[str]]:
    """Each upstream block's server lines, by the block's name."""
    return {
        name: [line.strip() for line in body.strip().splitlines()]
        for name, body in re.findall(r"upstream (\w+) \{(.*?)\}", conf, flags=re.S)
    }


def test_each_browser_keeps_to_its_server_and_moves_only_while_it_is_down(tmp_path):
    """Three servers: newcomers take turns over all three; a browser whose cookie names a server goes there, the
    other two being backups only; the cookie set on each answer names the server that answered last."""
    conf = _script().nginx_config(tmp_path, tmp_path, "127.0.0.1", 8080, [8601, 8602, 8603])
    blocks = _upstreams(conf)
    assert blocks["pc_all"] == [f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in (8601, 8602, 8603)]
    for i, port in enumerate((8601, 8602, 8603), start=1):
        own, *others = blocks[f"pc_s{i}"]
        assert own == f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
        assert sorted(others) == sorted(
            f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s backup;" for p in (8601, 8602, 8603) if p != port
        )
        assert re.search(rf"^\s+s{i} pc_s{i};$", conf, flags=re.M)
        assert re.search(rf"^\s+~127\\\.0\\\.0\\\.1:{port}\$ s{i};$", conf, flags=re.M)
    assert "proxy_set_header Upgrade $http_upgrade;" in conf and "proxy_read_timeout 1d;" in conf
    assert "listen 127.0.0.1:8080;" in conf and "daemon off;" in conf
    assert "ip_hash" not in conf  # every browser on one machine would land on one server


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian's 'nginx' package; .ci/run installs it)")
def test_nginx_accepts_the_configuration(tmp_path):
    """``nginx -t`` reads the written configuration without complaint, as the user running the tests (as root, its
    workers run as nobody)."""
    conf = _script().nginx_config(tmp_path, tmp_path, "127.0.0.1", 8080, [8601, 8602], root=os.geteuid() == 0)
    (tmp_path / "nginx.conf").write_text(conf)
    done = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", "nginx.conf", "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_app_servers_stay_off_the_network():
    """Each app server listens on 127.0.0.1 only, names 127.0.0.1 as its address (so it never asks a public service
    for the machine's), sends no usage statistics and watches no files."""
    command = _script().app_command(8601)
    assert command[-len(command) + 1 : 5] == ["-m", "streamlit", "run", "app.py"]
    for flag in (
        "--server.port=8601",
        "--server.address=127.0.0.1",
        "--browser.serverAddress=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--server.headless=true",
    ):
        assert flag in command
