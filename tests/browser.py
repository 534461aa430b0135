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

from paper.images import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(app: str = "app.py"):
    """The real app on a free loopback port; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            app,
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
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
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def browser_page(width: int = 1600, height: int = 1000):
    """A Playwright page in headless Debian Chromium, kept off the network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    window.__partnershipRuns = 0;
    if (window.__partnershipObserver) window.__partnershipObserver.disconnect();
    window.__partnershipObserver = new MutationObserver(() => {
        const state = app.getAttribute('data-test-script-state');
        if (state === 'running' || state === 'rerunRequested') window.__partnershipRuns += 1;
    });
    window.__partnershipObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_RUN_DONE = """() => window.__partnershipRuns > 0 &&
    document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'"""


def wait_for_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the run under way, if any (the app's script state reads
    'notRunning'), and the headline has been drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=timeout)


def rerun(page, action, timeout: float = 30_000) -> None:
    """Do something that makes Streamlit run the script again, and wait until that run has started and
    finished. Watching the app's script state from before the action means a fast run cannot slip by
    unseen and a slow one cannot be mistaken for finished (a fixed pause allowed both)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function(_RUN_DONE, timeout=timeout)
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=timeout)


def open_view(page, name: str, timeout: float = 30_000) -> None:
    """Open one of the page's views (tabs); only the open view is drawn, so opening another reruns."""
    tab = page.get_by_role("tab", name=name)
    if tab.get_attribute("aria-selected") == "true":
        wait_for_idle(page, timeout)
        return
    rerun(page, tab.click, timeout)
