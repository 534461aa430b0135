"""Static chart images (PNG at print resolution, SVG, PDF) through plotly's own export, kaleido,
driven by the system Chromium and kept off the network. No browser is downloaded at run time."""

from __future__ import annotations

import atexit
import contextlib
import html
import logging
import os
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

__all__ = ["FORMATS", "ImageExportError", "chart_image", "chart_images", "with_footnote", "chromium_path"]

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
_lock = threading.Lock()
_started = False


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


def _ensure_started() -> None:
    """Start one kaleido browser for the process (the first export takes ~2 s, later ones ~0.2 s)."""
    global _started
    if _started:
        return
    chromium = chromium_path()
    if chromium is None:
        raise ImageExportError(
            "Chart images need Chromium, which is not installed here (Debian: apt-get install chromium)."
        )
    os.environ["BROWSER_PATH"] = _offline_wrapper(chromium)
    _quiet_browser_helper()
    import kaleido

    try:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    except RuntimeError as exc:  # already running in this process
        if "already" not in str(exc).lower():
            raise ImageExportError(f"Chart images could not start Chromium: {exc}") from None
    _started = True
    atexit.register(_stop)


def _quiet_browser_helper() -> None:
    """Keep kaleido's browser helper (choreographer) from writing tracebacks to stderr.

    It logs, with a traceback, a half-read message on the browser's pipe (as when the browser is stopped
    mid-message) and then ignores it; a user of the command line would read that as a crash. Failures that
    matter reach us as exceptions from kaleido, which become :class:`ImageExportError`."""
    for name in ("choreographer", "kaleido", "logistro"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _stop() -> None:
    """Close the chart browser cleanly at exit, so it is not killed in the middle of a message."""
    global _started
    if not _started:
        return
    import kaleido

    with contextlib.suppress(Exception):
        kaleido.stop_sync_server(silence_warnings=True)
    _started = False


FOOTNOTE_CHARS = 130  # one line of the 13 px footnote holds ~170 characters across a 1,400 px image
FOOTNOTE_LINE = 18  # pixels each further line of the footnote takes


def with_footnote(fig: go.Figure, scenario_name: str, label: str = "Scenario") -> go.Figure:
    """A copy of the figure with a footnote naming the scenario and the date.

    A long name (or a comparison of several options) wraps onto more lines, the figure growing to hold
    them, instead of running off the image's right edge. The name is shown as typed: Plotly would read
    ``<`` and ``&`` as markup."""
    note = f"{label}: {scenario_name}. Partnership Calculator, {date.today():%d %B %Y}."
    lines = textwrap.wrap(note, FOOTNOTE_CHARS) or [note]
    fig = go.Figure(fig)
    extra = FOOTNOTE_LINE * (len(lines) - 1)
    if extra:  # room above the strip add_footnote keeps for one line
        fig.update_layout(height=(fig.layout.height or 560) + extra, margin=dict(b=(fig.layout.margin.b or 80) + extra))
    fig = add_footnote(fig, "<br>".join(html.escape(line, quote=False) for line in lines))
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
    formats = [f.lower() for f in formats]
    for fmt in formats:
        if fmt not in FORMATS:
            raise ImageExportError(f"Charts can be saved as {', '.join(FORMATS)}, not {fmt}.")
    if scenario_name:
        fig = with_footnote(fig, scenario_name, label)
    spec = fig.to_plotly_json()
    height = int(fig.layout.height or 560)
    out = {}
    with _lock:
        _ensure_started()
        import kaleido

        for fmt in formats:
            opts = {"format": fmt, "width": WIDTH, "height": height, "scale": PNG_SCALE if fmt == "png" else 1}
            try:
                out[fmt] = kaleido.calc_fig_sync(spec, opts=opts)
            except Exception as exc:  # kaleido reports browser trouble in many shapes
                raise ImageExportError(f"The chart could not be drawn as {fmt.upper()}: {exc}") from None
    return out
