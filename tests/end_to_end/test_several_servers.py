"""Several app servers behind nginx, as tools/several_servers.py starts them (two Streamlit servers, one PostgreSQL,
nginx in front), driven by two real Chromium browsers: they land on different servers and still share one room;
when one server is killed, nothing saved is lost, the other keeps serving, and the browser that was on the dead one
reconnects through nginx to the other and keeps its scenario. Every request goes to 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ..support.browser import (
    _free_port,
    browser_page,
    end_to_end_marks,
    open_view,
    rerun,
    wait_for_idle,
)
from ..support.pg_cluster import ClusterUnavailable, _bin

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "several_servers.py"


def _missing() -> str | None:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (Debian's 'nginx' package; .ci/run installs it)"
    try:
        _bin()
    except ClusterUnavailable as exc:
        return str(exc)
    return None


pytestmark = [
    *end_to_end_marks(),
    pytest.mark.postgres,
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
]

CONTRIBUTION = "Contribution (£ per year)"
# every change of the page's connection state, recorded as it happens (a reconnect through nginx may take less time
# than a look at the page every so often would)
_WATCH_CONNECTION = """() => {
    window.__pcStates = [];
    const app = document.querySelector('[data-testid=stApp]');
    new MutationObserver(() => window.__pcStates.push(app.getAttribute('data-test-connection-state')))
        .observe(app, {attributes: true, attributeFilter: ['data-test-connection-state']});
}"""


class Servers:
    """tools/several_servers.py running in a process of its own: its printed lines are read on a thread."""

    def __init__(self, data: Path, port: int):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(SCRIPT),
                "--servers",
                "2",
                "--port",
                str(port),
                "--data",
                str(data),
                "--restarts",
                "0",
                "--for",
                "900",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float = 180) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"the script never printed {pattern!r}; it printed: {self.lines[-20:]}")

    def app_servers(self) -> dict[str, int]:
        """Each app server's address (127.0.0.1:port) and process id, as the script printed them."""
        found = {}
        for line in self.lines:
            if m := re.search(r"app server s\d+: http://(127\.0\.0\.1:\d+) \(process (\d+)\)", line):
                found[m.group(1)] = int(m.group(2))
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._reader.join(timeout=10)  # the last lines may still be on their way


def _served_by(page) -> str:
    """The app server (127.0.0.1:port) that answers this browser now: nginx names it in every answer's X-Upstream
    header, and the request carries the browser's cookie, as its websocket does."""
    return page.evaluate(
        "async () => (await fetch('/_stcore/health', {cache: 'no-store'})).headers.get('x-upstream')"
    ).split(", ")[-1]


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_idle(page, 60_000)
    open_view(page, "Compare options", 60_000)


def _sees(page, name: str, timeout: float = 30_000) -> None:
    """The option is a row of the room's options table, within the timeout."""
    page.locator("[role=tabpanel]:visible [role=gridcell]", has_text=name).first.wait_for(
        state="attached", timeout=timeout
    )


def _save(page, name: str, who: str) -> None:
    page.get_by_role("textbox", name="Name this option").fill(name)
    page.get_by_role("textbox", name="Proposed by").fill(who)
    rerun(page, page.get_by_role("button", name="Save this option").click, 60_000)


@pytest.fixture
def servers():
    """The script's two app servers, PostgreSQL and nginx, on a free port; stopped (by SIGTERM, as Ctrl-C would)
    afterwards, which must leave none of them running."""
    folder = Path(tempfile.mkdtemp(prefix="pcsev", dir="/tmp"))
    os.chmod(folder, 0o755)  # as root PostgreSQL runs as 'nobody', who must reach its data folder
    port = _free_port()
    running = Servers(folder / "store", port)
    try:
        running.wait_for(r"^Open http://127\.0\.0\.1:\d+")
        yield running, f"http://127.0.0.1:{port}"
    finally:
        running.stop()
        print("\n".join(running.lines))  # shown when the test fails
        for log in sorted((folder / "store" / "logs").glob("*.log")):
            print(f"--- {log.name}:", log.read_text(errors="replace")[-1500:])
        shutil.rmtree(folder, ignore_errors=True)
    assert running.proc.returncode == 0, running.lines[-20:]
    assert "stopped" in running.lines
    for pid in running.app_servers().values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_two_browsers_on_two_servers_share_a_room_and_survive_one_server_killed(servers):
    """Two browsers through nginx land on different app servers and see each other's saved options within seconds;
    one server is killed: both options are still there, the other server keeps serving (a third option saved and
    seen), and the browser that was on the dead server reconnects through nginx to the other one with its changed
    scenario (the contribution it typed, the headline it showed) intact."""
    from playwright.sync_api import expect

    running, base = servers
    apps = running.app_servers()
    assert len(apps) == 2
    with browser_page(1366, 900, pages=2) as (council, provider):
        _open(council, base)
        _open(provider, base)
        # a newcomer goes to the next server in turn; should anything else have come between, a fresh start (no
        # cookie) is tried a few times
        for _ in range(6):
            if _served_by(provider) != _served_by(council):
                break
            provider.context.clear_cookies()
            _open(provider, base)
        on_council, on_provider = _served_by(council), _served_by(provider)
        assert {on_council, on_provider} == set(apps), (on_council, on_provider, apps)

        rerun(council, council.get_by_role("button", name="Start a workshop room").click, 60_000)
        code = parse_qs(urlparse(council.url).query)["room"][0]
        _open(provider, f"{base}/?room={code}")
        assert _served_by(provider) == on_provider  # the cookie keeps it on its server
        provider.get_by_text("No options saved yet").first.wait_for(timeout=30_000)

        started = time.monotonic()
        _save(council, "Council proposal", "Council")
        _sees(provider, "Council proposal")  # saved on one server, seen on the other without a reload
        seen_after = time.monotonic() - started
        assert seen_after < 30, seen_after

        # the provider changes its scenario (kept in the page's address) and saves it as an option
        box = provider.get_by_label(CONTRIBUTION, exact=True)
        box.fill("150000")
        rerun(provider, lambda: box.press("Enter"), 60_000)
        assert "scenario=" in provider.url
        headline = provider.locator("[data-testid=stMetric]", has_text="Host's saving a year").first
        saving = headline.locator("[data-testid=stMetricValue]").inner_text()
        _save(provider, "Provider counter-offer", "Provider")
        _sees(council, "Provider counter-offer")

        # the provider's server dies outright
        provider.evaluate(_WATCH_CONNECTION)
        os.kill(apps[on_provider], signal.SIGKILL)
        provider.wait_for_function("() => window.__pcStates.some((s) => s !== 'CONNECTED')", timeout=60_000)
        provider.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=90_000)
        wait_for_idle(provider, 60_000)
        assert _served_by(provider) == on_council  # nginx moved it to the server still running
        expect(provider.get_by_label(CONTRIBUTION, exact=True)).to_have_value("150000", timeout=30_000)
        expect(headline.locator("[data-testid=stMetricValue]")).to_have_text(saving, timeout=30_000)
        assert parse_qs(urlparse(provider.url).query)["room"] == [code]
        open_view(provider, "Compare options", 60_000)
        _sees(provider, "Council proposal", 30_000)
        _sees(provider, "Provider counter-offer", 30_000)  # saved on the dead server, not lost

        # the other server never stopped serving: the council saves again, and the provider sees it
        assert council.locator("[data-testid=stApp][data-test-connection-state=CONNECTED]").count() == 1
        _save(council, "Council second offer", "Council")
        _sees(council, "Council second offer")
        _sees(provider, "Council second offer", 30_000)
        assert _served_by(council) == on_council
