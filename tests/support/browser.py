"""Helpers for end-to-end tests: start the real Streamlit server, drive Debian's Chromium offline."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from paper.images import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium calls home even headless: the same flags as the chart export keep it off the network.
CHROMIUM_ARGS = CHROMIUM_FLAGS


def chromium_missing_reason() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package (.ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright for Python is not installed (pip install -r requirements-dev.txt)"
    return None


def end_to_end_marks() -> list:
    """The marks of a module of real-Chromium tests: slow, browser, and skipped with the reason where Chromium is
    missing (CI installs it, so there they run)."""
    reason = chromium_missing_reason()
    return [pytest.mark.slow, pytest.mark.browser, pytest.mark.skipif(reason is not None, reason=reason or "")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_process(
    app: str = "app.py", port: int | None = None, address: str = "127.0.0.1", env: dict | None = None
):
    """The real app on a free port (or ``port``), listening on ``address`` (loopback unless given; ``"0.0.0.0"`` for
    every interface), with ``env`` added to the environment; yields ``(process, base URL)`` once its health check
    answers (the process for those who watch its memory or processor time, as the load benchmark does). The base URL,
    and every request a test makes through it, is on 127.0.0.1 whatever the server listens on."""
    port = port or _free_port()
    # Listening beyond loopback with no browser.serverAddress set, a headless Streamlit asks a public web service for
    # the machine's external address (for its start-up banner): naming the browser's address stops that.
    beyond = [] if address == "127.0.0.1" else ["--browser.serverAddress=127.0.0.1"]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            app,
            "--server.headless=true",
            f"--server.port={port}",
            f"--server.address={address}",
            *beyond,
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Streamlit server did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def streamlit_server(app: str = "app.py", port: int | None = None, address: str = "127.0.0.1", env: dict | None = None):
    """The real app on a free port (or ``port``), listening on ``address``, with ``env`` added to the environment;
    yields its base URL, on 127.0.0.1."""
    with streamlit_process(app, port, address, env) as (_, url):
        yield url


@contextmanager
def browser_page(width: int = 1600, height: int = 1000, pages: int = 1):
    """A Playwright page in headless Debian Chromium, kept off the network (or, with ``pages``, a list of
    that many pages, each in a browser context of its own: separate laptops in one room)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            made = [
                _counted(browser.new_context(viewport={"width": width, "height": height}).new_page())
                for _ in range(pages)
            ]
            yield made[0] if pages == 1 else made
        finally:
            browser.close()


def _counted(page):
    """A page whose websocket messages from the server are counted (for :func:`rerun`)."""
    frames = _frames(page)

    def count(_payload, frames=frames) -> None:
        frames[0] += 1

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    return page


_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    window.__partnershipRuns = 0;
    if (window.__partnershipObserver) window.__partnershipObserver.disconnect();
    // every change of the script state counts (a fast run may go running -> notRunning before we look)
    window.__partnershipObserver = new MutationObserver((records) => { window.__partnershipRuns += records.length; });
    window.__partnershipObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_STATE = "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state')"


def wait_for_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the run under way, if any (the app's script state reads
    'notRunning'), and the headline has been drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=timeout)


def rerun(page, action, timeout: float = 30_000, quiet: float = 0.25) -> None:
    """Do something that makes Streamlit run the script again, and wait until that run has started and
    finished. A run has started once the app's script state has changed or the server has sent a message
    since the action (both watched from before it, so a fast run cannot slip by unseen); it has finished
    when the state reads 'notRunning' and the server has been quiet for ``quiet`` seconds. A fixed pause
    allowed both a missed run and a slow one mistaken for finished."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.evaluate(_WATCH_RUNS)
    frames = _frames(page)
    before = frames[0]
    action()
    deadline = time.monotonic() + timeout / 1000
    last_count, last_change = frames[0], time.monotonic()
    while True:
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events counted in frames
        now = time.monotonic()
        if frames[0] != last_count:
            last_count, last_change = frames[0], now
        started = frames[0] > before or page.evaluate("() => window.__partnershipRuns") > 0
        if started and page.evaluate(_STATE) == "notRunning" and now - last_change >= quiet:
            break
        if now > deadline:
            raise TimeoutError(
                f"no finished rerun within {timeout / 1000:.0f} s (script state {page.evaluate(_STATE)})"
            )
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=timeout)


def _frames(page) -> list[int]:
    """The count of websocket messages the page has received from the server (kept up to date by Playwright)."""
    return page.context.__dict__.setdefault("_partnership_frames", [0])


def open_group(page, name: str, timeout: float = 30_000) -> None:
    """Open one of the sidebar's groups of inputs (an expander drawn only while open), unless it is open."""
    details = page.locator("[data-testid=stSidebar] details", has=page.locator("summary", has_text=name)).first
    if details.get_attribute("open") is not None:
        wait_for_idle(page, timeout)
        return
    rerun(page, details.locator("summary").first.click, timeout)


def open_view(page, name: str, timeout: float = 30_000) -> None:
    """Open one of the page's views (tabs); only the open view is drawn, so opening another reruns."""
    tab = page.get_by_role("tab", name=name)
    if tab.get_attribute("aria-selected") == "true":
        wait_for_idle(page, timeout)
        return
    rerun(page, tab.click, timeout)
