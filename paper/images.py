"""Static chart images (PNG at print resolution, SVG, PDF) through plotly's own export, kaleido,
driven by the system Chromium and kept off the network. No browser is downloaded at run time."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import queue
import shutil
import stat
import tempfile
import textwrap
import threading
from datetime import date
from pathlib import Path

import plotly.graph_objects as go

from charts import add_footnote
from charts.style import FOOTNOTE_SPACE
from partnership.formats import markup_text

__all__ = [
    "FORMATS",
    "ImageExportError",
    "chart_image",
    "chart_images",
    "charts_images",
    "warm_up",
    "with_footnote",
    "chromium_path",
]

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
WIDTH = 1400
PNG_SCALE = 2  # 2,800 pixels across: 300 dpi over a 23 cm wide figure
CHROMIUM_FLAGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TABS = max(1, int(os.environ.get("PARTNERSHIP_CHART_TABS", "2")))
"""Browser tabs drawing at once (``PARTNERSHIP_CHART_TABS``). On the 2-core test machine a warm browser drew a pack's
21 images (7 charts in 3 formats) in 6.6 s over one tab, 5.0 over two to three and 4.4 over four, with other work on
the cores; but each tab loads plotly.js, and with the cores busy (load 9) a command-line pack took 13 s with
three tabs against 11 s with one or two. Two is the measured compromise."""
DRAW_TIMEOUT_S = float(os.environ.get("PARTNERSHIP_CHART_TIMEOUT", "60"))
"""The longest one chart image may take before the chart browser is taken as hung (a 2,800-pixel PNG takes
about 0.3 s; starting the browser about 2 s)."""

log = logging.getLogger("partnership.images")
_lock = threading.Lock()
_browser: _ChartBrowser | None = None


class ImageExportError(RuntimeError):
    """A chart could not be drawn to a file; the message says why in plain words."""


def chromium_path() -> str | None:
    """The system Chromium kaleido drives, or None."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (found := shutil.which(name) or (name if Path(name).is_file() else None)):
            return found
    return None


def _offline_wrapper(chromium: str) -> str:
    """A launcher that adds the flags keeping Chromium off the network (kaleido reads BROWSER_PATH)."""
    path = Path(tempfile.gettempdir()) / f"partnership-chromium-{os.getuid()}.sh"
    text = "#!/bin/sh\nexec " + " ".join([f'"{chromium}"'] + [f'"{f}"' for f in CHROMIUM_FLAGS]) + ' "$@"\n'
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        tmp.replace(path)
    return str(path)


class _BrowserGone(Exception):
    """The chart browser is not there to draw (it died, was killed, or never started)."""


class _ChartBrowser:
    """One kaleido browser on a thread of its own, answering one drawing at a time.

    Kaleido's own sync server waits without limit, so a browser killed (or out of memory) mid-run leaves
    every later export hanging; this one waits at most :data:`DRAW_TIMEOUT_S` for each answer, and one
    that fails is thrown away whole (a new one is started for the next export)."""

    def __init__(self) -> None:
        import kaleido

        self._kaleido = kaleido
        self._tasks: queue.Queue = queue.Queue()
        self._answers: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True, name="chart-browser")
        self._thread.start()

    async def _serve(self) -> None:
        # a browser that dies mid-batch leaves kaleido's own tasks failing as the loop shuts down; the caller has
        # been told already (and the browser is thrown away), so they go to the log, not to stderr as tracebacks
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: log.info("%s", context.get("message")))
        try:
            async with self._kaleido.Kaleido(n=TABS, mathjax=False, timeout=DRAW_TIMEOUT_S) as k:
                while True:
                    batch = self._tasks.get()  # the thread only draws charts: waiting here blocks nothing else
                    if batch is None:
                        return

                    async def one(i: int, spec: dict, opts: dict) -> None:
                        try:
                            self._answers.put((i, await k.calc_fig(spec, opts=opts)))
                        except Exception as exc:  # noqa: BLE001 (the caller words it)
                            self._answers.put((i, exc))

                    # kaleido hands each drawing to the next free tab: up to TABS are drawn at once
                    await asyncio.gather(*(one(i, spec, opts) for i, (spec, opts) in enumerate(batch)))
        except BaseException as exc:  # noqa: BLE001 (the browser could not start, or died under us)
            self._answers.put((None, _BrowserGone(str(exc) or type(exc).__name__)))

    def draw(self, jobs: list[tuple[dict, dict]]) -> list[bytes]:
        """Every (spec, opts) drawn, in order; each answer is waited for at most :data:`DRAW_TIMEOUT_S`."""
        if not self._thread.is_alive():
            raise _BrowserGone("the chart browser has stopped")
        while not self._answers.empty():  # nothing left over from a batch given up on
            self._answers.get_nowait()
        self._tasks.put(list(jobs))
        out: list[bytes | None] = [None] * len(jobs)
        for _ in jobs:
            try:
                i, answer = self._answers.get(timeout=DRAW_TIMEOUT_S)
            except queue.Empty:
                raise TimeoutError(f"no answer in {DRAW_TIMEOUT_S:g} s") from None
            if isinstance(answer, BaseException):
                raise answer
            out[i] = answer
        return out

    def close(self, wait: float = 5.0) -> None:
        """Ask the browser to close; give up after ``wait`` seconds (a hung one is left to the process's end)."""
        self._tasks.put(None)
        self._thread.join(wait)


def _browser_now() -> _ChartBrowser:
    """The running chart browser, started if there is none (the first export takes ~2 s, later ones ~0.2 s)."""
    global _browser
    if _browser is None:
        chromium = chromium_path()
        if chromium is None:
            raise ImageExportError(
                "Chart images need Chromium, which is not installed here (Debian: apt-get install chromium)."
            )
        os.environ["BROWSER_PATH"] = _offline_wrapper(chromium)
        _quiet_browser_helper()
        _browser = _ChartBrowser()
    return _browser


def warm_up() -> bool:
    """Start the chart browser now, in the background, so it is ready when the first chart is drawn (a
    command-line export starts it before the model works; the Export view as it opens). False, and nothing
    started, when there is no Chromium; the first drawing then says so."""
    with _lock:
        try:
            _browser_now()
        except ImageExportError:
            return False
    return True


def _discard_browser() -> None:
    """Throw the chart browser away (closing it in the background): the next export starts a new one."""
    global _browser
    old, _browser = _browser, None
    if old is not None:
        threading.Thread(target=old.close, daemon=True, name="chart-browser-close").start()


def _quiet_browser_helper() -> None:
    """Keep kaleido's browser helper (choreographer) from writing tracebacks to stderr.

    It logs, with a traceback, a half-read message on the browser's pipe (as when the browser is stopped
    mid-message) and then ignores it; a user of the command line would read that as a crash. Failures that
    matter reach us as exceptions, which become :class:`ImageExportError`."""
    for name in ("choreographer", "kaleido", "logistro"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _stop() -> None:
    """Close the chart browser cleanly at exit, so it is not killed in the middle of a message."""
    global _browser
    if _browser is not None:
        with contextlib.suppress(Exception):
            _browser.close(wait=5.0)
        _browser = None


atexit.register(_stop)


def _draw(jobs: list[tuple[dict, dict]]) -> list[bytes]:
    """Images, one for each (spec, opts), drawn together. A browser that has died is replaced and the drawing tried once more; a browser that
    does not answer in time is thrown away and the user told in one line (the next export starts afresh)."""
    fmt = "/".join(sorted({opts["format"].upper() for _, opts in jobs}))
    for attempt in (1, 2):
        browser = _browser_now()
        try:
            return browser.draw(jobs)
        except TimeoutError:
            _discard_browser()
            log.info("chart browser gave no answer in %s s; discarded", DRAW_TIMEOUT_S)
            raise ImageExportError(
                f"The chart browser stopped answering while drawing a {fmt}; it is restarted for the next "
                "export, so please try again."
            ) from None
        except _BrowserGone as exc:
            _discard_browser()
            log.info("chart browser gone (%s); %s", exc, "starting a new one" if attempt == 1 else "giving up")
            if attempt == 2:
                raise ImageExportError(
                    "The chart browser could not be started twice in a row; the next export will try again."
                ) from None
        except Exception as exc:  # kaleido reports browser trouble in many shapes
            _discard_browser()
            log.info("chart browser failed on a %s (%s); %s", fmt, exc, "retrying" if attempt == 1 else "giving up")
            if attempt == 2:
                raise ImageExportError(
                    f"The chart could not be drawn as {fmt} ({str(exc)[:80]}); the chart browser is restarted "
                    "for the next export."
                ) from None
    raise AssertionError("unreachable")


FOOTNOTE_CHARS = 130  # one line of the 13 px footnote holds ~170 characters across a 1,400 px image
FOOTNOTE_LINE = 18  # pixels each further line of the footnote takes
FOOTNOTE_NAME_CHARS = 300
"""The most characters of a name (or of a comparison's names) the footnote shows, "..." marking the cut: at most
three lines, so a name of 10,000 characters leaves the plot its room (the whole name is in the scenario file)."""


def with_footnote(fig: go.Figure, scenario_name: str, label: str = "Scenario") -> go.Figure:
    """A copy of the figure with a footnote naming the scenario and the date.

    A long name (or a comparison of several options) wraps onto more lines, the figure growing to hold
    them, instead of running off the image's right edge, up to :data:`FOOTNOTE_NAME_CHARS` of it. The name is shown
    as typed: Plotly would read ``<`` and ``&`` as markup."""
    name = " ".join(scenario_name.split())  # no space left before the full stop
    name = name if len(name) <= FOOTNOTE_NAME_CHARS else name[: FOOTNOTE_NAME_CHARS - 3] + "..."

    note = f"{label}: {name}{'' if name.endswith('.') else '.'} Partnership Calculator, {date.today():%d %B %Y}."
    lines = textwrap.wrap(note, FOOTNOTE_CHARS) or [note]
    fig = go.Figure(fig)
    extra = FOOTNOTE_LINE * (len(lines) - 1)
    if extra:  # room above the strip add_footnote keeps for one line
        fig.update_layout(height=(fig.layout.height or 560) + extra, margin=dict(b=(fig.layout.margin.b or 80) + extra))
    fig = add_footnote(fig, "<br>".join(markup_text(line) for line in lines))
    if extra and fig.layout.legend.yref == "container":  # a legend along the bottom sits above every line
        fig.update_layout(legend=dict(y=(FOOTNOTE_SPACE + extra) / fig.layout.height))
    return fig


def chart_image(fig: go.Figure, fmt: str, scenario_name: str | None = None, label: str = "Scenario") -> bytes:
    """The chart as PNG (print resolution), SVG or PDF bytes, with the scenario footnote when named."""
    return chart_images(fig, (fmt,), scenario_name, label)[fmt.lower()]


def chart_images(
    fig: go.Figure, formats=tuple(FORMATS), scenario_name: str | None = None, label: str = "Scenario"
) -> dict[str, bytes]:
    """The chart in several formats at once (the footnote is added once), as {format: bytes}."""
    return charts_images([(fig, formats, scenario_name, label)])[0]


def charts_images(charts: list[tuple[go.Figure, tuple, str | None, str]]) -> list[dict[str, bytes]]:
    """Several charts, each as (figure, formats, footnote name or None, footnote label), drawn in one batch
    (:data:`TABS` at a time in the one chart browser); for each chart its {format: bytes}."""
    jobs, where = [], []
    for n, (fig, formats, scenario_name, label) in enumerate(charts):
        formats = [f.lower() for f in formats]
        for fmt in formats:
            if fmt not in FORMATS:
                raise ImageExportError(f"Charts can be saved as {', '.join(FORMATS)}, not {fmt}.")
        if scenario_name:
            fig = with_footnote(fig, scenario_name, label)
        spec = fig.to_plotly_json()
        height = int(fig.layout.height or 560)
        for fmt in formats:
            jobs.append(
                (spec, {"format": fmt, "width": WIDTH, "height": height, "scale": PNG_SCALE if fmt == "png" else 1})
            )
            where.append((n, fmt))
    out: list[dict[str, bytes]] = [{} for _ in charts]
    if jobs:
        with _lock:
            drawn = _draw(jobs)
        for (n, fmt), data in zip(where, drawn):
            out[n][fmt] = data
    return out
