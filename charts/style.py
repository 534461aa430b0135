"""One look for every chart: projector-sized fonts, colour-blind-safe colours, the same colour per party."""

from __future__ import annotations

import base64
import contextlib
import contextvars
import copy
import functools

import numpy as np
import plotly.basedatatypes
import plotly.graph_objects as go
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec  # plotly's own steps of Figure.to_dict

from partnership import Scenario
from partnership.formats import markup_text


def _remember_property_paths() -> None:
    """Plotly parses every property path it is given ("xaxis2.title.text", "legend_title_text") again on every
    update, a third or more of the time a chart of ours takes to build; the parse is a pure function of the string,
    so it is kept here after the first time (the same figures, built faster). Left as plotly has it if a version
    moves the function."""
    parse = getattr(plotly.basedatatypes, "_str_to_dict_path_full", None)
    if parse is None or getattr(parse, "remembered", False):
        return
    once = functools.lru_cache(maxsize=8192)(lambda path: (lambda keys, starts: (keys, tuple(starts)))(*parse(path)))

    def remembered(path):
        if not isinstance(path, str):
            return parse(path)
        keys, starts = once(path)
        return keys, list(starts)  # a fresh list each time, as plotly's own gives

    remembered.remembered = True
    plotly.basedatatypes._str_to_dict_path_full = remembered


_remember_property_paths()

# Okabe-Ito palette (safe for the common colour-vision deficiencies)
PROVIDER = "#0072B2"  # blue: the provider, in every chart
HOST = "#D55E00"  # vermillion: the host authority, in every chart
NEUTRAL = "#555555"
BOTH = "#000000"
# ColorBrewer PRGn: purple (worse off) - white (no change) - green (better off); colour-blind safe
DIVERGING = [
    [0.0, "#40004b"],
    [0.15, "#762a83"],
    [0.3, "#9970ab"],
    [0.42, "#c2a5cf"],
    [0.5, "#f7f7f7"],
    [0.58, "#a6dba0"],
    [0.7, "#5aae61"],
    [0.85, "#1b7837"],
    [1.0, "#00441b"],
]
# saved options: none of the provider's blue, the host's vermillion, the maps' better-off green and worse-off purple,
# nor pink (read as purple): Okabe-Ito's orange, sky blue and black, a brown and two greys
OPTION_COLOURS = ["#E69F00", "#000000", "#56B4E9", "#8C510A", "#999999", "#4D4D4D"]

FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=17, color="#222222")

_AXIS = dict(gridcolor="#e6e6e6", linecolor="#555555", zerolinecolor="#999999", ticks="outside", tickcolor="#888888")
TEMPLATE = go.layout.Template(
    layout=dict(
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis=dict(_AXIS, showline=True),
        yaxis=dict(_AXIS, showline=True),
        colorway=["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"],
    )
)
"""A small white template of our own: plotly's built-in ones take ~20 ms to validate on every figure."""


def money_axis(currency: str, values=None) -> dict:
    """Axis settings for money: currency prefix, thousands separators; pence when the values plotted are
    small (an hourly price), so ticks never repeat the same rounded figure."""
    small = values is not None and np.size(values) and float(np.nanmax(np.abs(values))) < 100
    return dict(
        tickprefix=currency,
        tickformat=",.2f" if small else ",.0f",
        separatethousands=True,
        zeroline=True,
        zerolinecolor="#999",
        automargin=True,
    )


def percent_axis() -> dict:
    """Axis settings for a 0-100 % share."""
    return dict(range=[0, 100], ticksuffix=" %", dtick=20)


def style_layout(title: str, height: int = 560, left: int = 110, right: int = 40) -> dict:
    """The layout :func:`apply_style` gives a chart, as a dict: title, fonts, margins and background."""
    return dict(
        title=dict(text=title, font=dict(size=22), x=0.01, xanchor="left", y=0.97, yanchor="top"),
        font=copy.deepcopy(FONT),
        height=height,
        template=TEMPLATE,
        margin=dict(l=left, r=right, t=110, b=80),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0.0, xanchor="left", font=dict(size=16)),
        hoverlabel=dict(font=dict(size=16)),
        separators=".,",
    )


def apply_style(fig: go.Figure, title: str, height: int = 560, left: int = 110, right: int = 40) -> go.Figure:
    """Title, fonts, margins and background shared by every chart. ``left`` and ``right`` margins wide enough for
    the chart's tick labels, axis title and colour bars: plotly's automargin then has nothing to add and draws the
    chart once, not twice (it still widens a margin that turns out too narrow)."""
    fig.update_layout(style_layout(title, height, left, right))
    fig.update_annotations(font_size=18)
    return fig


def merged(base: dict, *updates: dict) -> dict:
    """``base`` updated by each of ``updates`` in turn, as plotly's ``update_layout`` does: a dict merges into the
    dict it meets, anything else (a list, a number, a string) replaces what was there. ``base`` is changed and
    returned."""
    for update in updates:
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                merged(base[key], value)
            else:
                base[key] = value
    return base


def styled_figure(
    data: list,
    layout: dict,
    title: str,
    height: int = 560,
    left: int = 110,
    right: int = 40,
    after: dict | None = None,
    note_size: int = 18,
) -> go.Figure:
    """A figure built in one go from plain ``data`` (trace dicts) and ``layout``, with :func:`apply_style`'s look
    (annotations at ``note_size`` px, 18 as it sets them), then ``after`` merged over it as an update after ``apply_style`` would
    be (e.g. :func:`legend_below_layout`'s strip: merged before the style, the style's own legend and margin would
    win): the same figure as building it step by step, in a fraction of the time (each of plotly's update calls
    validates again what it touches, milliseconds a time)."""
    layout = merged(layout, style_layout(title, height, left, right), after or {})
    for note in layout.get("annotations", ()):
        merged(note, {"font": {"size": note_size}})
    screen = _SCREEN.get()
    if screen is None:
        return go.Figure(data=data, layout=layout)
    # laid out for the page now, not by a second pass; and not validated again: the same dicts, validated whenever
    # they are built for an export or a test (tests/charts/test_screen_layout.py), give the page the same JSON
    merged(layout, screen_change(layout, data, *screen))
    return ScreenFigure(data, layout, screen)


class ScreenFigure(go.Figure):
    """A chart for the page, kept as the plain dicts the page is sent: what ``st.plotly_chart`` asks of a figure
    (:meth:`to_dict`, with its arrays as plotly.js's typed arrays) and no more. Plotly's object model, which the page
    never reads, is not built (a millisecond or more a chart on every redraw); the dicts are those a validated figure
    of the same chart holds (tests/charts/test_screen_layout.py), and are never changed after. Anything else asked
    of it (an update, a property) is refused with an AttributeError: exports build their own figures."""

    def __init__(self, data: list, layout: dict, screen: tuple):  # not plotly's: see the class's words
        self._spec = {"data": [dict(trace) for trace in data], "layout": layout}
        _typed_arrays(self._spec)  # once, here: every session's redraw sends the same
        self._screen = screen

    def to_dict(self) -> dict:
        """The figure as ``go.Figure.to_dict`` gives it: a copy the caller may change."""
        return _fresh(self._spec)

    def __getattr__(self, name):  # what plotly's own methods look for, never set here
        raise AttributeError(f"a chart laid out for the page is only sent to it, not changed or read ({name})")


def _fresh(obj):
    """A copy of plain JSON-like data: every dict, list and tuple anew, the strings and numbers in them shared (they
    cannot change), any array copied; ``copy.deepcopy``'s result, in a tenth of the time."""
    if isinstance(obj, dict):
        return {key: _fresh(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_fresh(value) for value in obj]
    if isinstance(obj, tuple):
        return tuple(_fresh(value) for value in obj)
    if isinstance(obj, np.ndarray):  # one left as an array (under a key plotly does not convert, "range")
        return obj.copy()
    return obj


_SHORT_TYPES = {
    np.dtype(t): short
    for t, short in (
        ("float64", "f8"),
        ("float32", "f4"),
        ("int32", "i4"),
        ("uint32", "u4"),
        ("int16", "i2"),
        ("uint16", "u2"),
        ("int8", "i1"),
        ("uint8", "u1"),
    )
}
"""plotly.js's typed arrays, by the numpy type each is written from (as plotly's ``to_typed_array_spec``)."""


def _typed_arrays(obj) -> None:
    """plotly's ``convert_to_base64`` (the last step of ``Figure.to_dict``): every numpy array under a key it does
    not skip written as a plotly.js typed array, in place; an array of a plain numeric type directly (plotly's own
    step first copies it through narwhals, most of a millisecond a chart), any other through plotly's."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if is_skipped_key(key):
                continue
            if isinstance(value, np.ndarray):
                short = _SHORT_TYPES.get(value.dtype) if type(value) is np.ndarray and value.size else None
                if short is None:
                    obj[key] = to_typed_array_spec(value)
                    continue
                spec = {"dtype": short, "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
                if value.ndim > 1:
                    spec["shape"] = str(value.shape)[1:-1]
                obj[key] = spec
            elif isinstance(value, dict | list | tuple):
                _typed_arrays(value)
            elif not isinstance(value, str | int | float | None) and is_homogeneous_array(value):
                obj[key] = to_typed_array_spec(value)  # a pandas series, say: plotly's own way
    elif isinstance(obj, list | tuple):
        for value in obj:
            _typed_arrays(value)


@functools.lru_cache(maxsize=32)
def _subplots(rows: int, cols: int, options: tuple) -> dict:
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=cols, **dict(options)).to_dict()["layout"]
    layout.pop("template", None)  # every chart sets its own
    return layout


def subplots_layout(rows: int, cols: int, **options) -> dict:
    """The axes and subplot titles plotly's ``make_subplots`` lays out, as a fresh layout dict (worked out once for
    each grid: make_subplots takes ~15 ms). A trace goes in the subplot of row r, column c by its ``xaxis`` and
    ``yaxis`` ("x", "y" for the first; "x2", "y2" for the second...)."""
    frozen = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(options.items()))
    return copy.deepcopy(_subplots(rows, cols, frozen))


def legend_below_layout(space: int) -> dict:
    """What :func:`legend_below` sets, as a layout dict to merge (:func:`merged`) into a figure built in one go."""
    return dict(
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left"),
        margin=dict(b=space + 80),
    )


def legend_below(fig: go.Figure, space: int) -> go.Figure:
    """The legend across the bottom of the figure, in a strip of ``space`` pixels under the x-axis title.

    Anchored to the figure (not the plot area), so it never drifts into the axis title or the footnote."""
    fig.update_layout(legend_below_layout(space))
    return fig


FOOTNOTE_SPACE = 36


def add_footnote(fig: go.Figure, text: str) -> go.Figure:
    """A footnote under the plot (the scenario's name, for exports)."""
    # a strip of its own under everything else (legends included), the figure growing to make room
    margin_b = (fig.layout.margin.b or 80) + FOOTNOTE_SPACE
    height = (fig.layout.height or 560) + FOOTNOTE_SPACE
    fig.update_layout(margin=dict(b=margin_b), height=height)
    if fig.layout.legend.yref == "container":
        fig.update_layout(legend=dict(y=FOOTNOTE_SPACE / height))
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-margin_b + 10,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=13, color="#555555"),
        align="left",
    )
    return fig


SCREEN_MIN_WIDTH = 850
"""The narrowest chart the page lays out for, in px (the main column of a 1280 px window with the sidebar open)."""
SCREEN_TITLE_CHARS = 58
"""Characters per line of a chart title on screen: at 20 px type, a line fits the narrowest chart beside its toolbar."""
PRESENTATION_MIN_WIDTH = 1230
"""The narrowest chart in presentation mode, in px (the whole width of a 1280 px window, the sidebar hidden): titles
take one line and legends fewer rows, so a chart as tall as the window's remainder keeps room for its plot."""
PRESENTATION_HEIGHT = 480
"""About how tall presentation mode draws a chart at 1280x720, in px (the page sizes it to the window, so this only
places the title)."""
_TOOLBAR = 34  # px kept clear above the title for the chart's toolbar
_LINE = 26  # px per line of a 20 px title
_Y_TITLE_CHARS = 22  # the longest y-axis title kept on one line when the page sizes a chart to the window


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` characters (a longer word has a line of its own)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def legend_rows(fig: go.Figure, width: float) -> int:
    """How many rows a horizontal legend takes in ``width`` px, estimated from the entries' lengths at 16 px type.

    Entries that fit on one row keep their own widths; otherwise plotly sets them in columns as wide as the widest
    entry. The legend's title takes the left of the rows."""
    return _legend_rows(fig.layout.to_plotly_json(), [_trace_keys(t) for t in fig.data], width)


def _trace_keys(trace) -> dict:
    """What :func:`legend_rows` reads of a trace (a plotly trace or a trace dict)."""
    get = trace.get if isinstance(trace, dict) else lambda k: getattr(trace, k)
    shown = get("showlegend")
    return {"name": get("name"), "showlegend": None if shown is None else bool(shown), "type": get("type")}


def _legend_rows(layout: dict, data: list[dict], width: float) -> int:
    legend = layout.get("legend") or {}
    size = ((legend.get("font") or {}).get("size") or 16) * 0.6
    names = [
        t["name"]
        for t in data
        if t["name"] and t["showlegend"] is not False and (t["showlegend"] or t["type"] not in ("heatmap", "contour"))
    ]
    if not names:
        return 0
    widths = [len(n) * size + 50 for n in names]
    room = width - len(((legend.get("title") or {}).get("text")) or "") * size
    if sum(widths) <= room:  # all on one row, each entry its own width
        return 1
    per_row = max(1, int(room // max(widths)))
    return -(-len(names) // per_row)


def for_screen(fig: go.Figure, min_width: int = SCREEN_MIN_WIDTH, height: int | None = None) -> go.Figure:
    """The figure laid out for the page at any width from ``min_width`` px up: the title wrapped and set below the
    chart's toolbar, the legend strip under the plot deep enough for the rows it takes at the narrowest width, the
    legend measured from the figure's left edge, axis titles kept clear of their tick labels. Exports keep their
    own fixed-size layout. One update of the layout (each of plotly's update calls costs milliseconds); a figure
    already built so (:func:`built_for_screen`, the same layout) is returned as it is.

    ``height``: the height the page will give the chart, in px, when it sizes the chart itself (presentation mode
    sizes each chart to the window): the legend strip then takes only the rows it needs, and the title is placed for
    that height. Without it the figure grows to keep its plot's own height."""
    if getattr(fig, "_screen", None) == (min_width, height):
        return fig
    change = screen_change(fig.layout.to_plotly_json(), [_trace_keys(t) for t in fig.data], min_width, height)
    fig.update_layout(change)
    return fig


def screen_change(layout: dict, data: list, min_width: int = SCREEN_MIN_WIDTH, height: int | None = None) -> dict:
    """What :func:`for_screen` changes in a figure's ``layout`` (a dict, as plotly's ``to_plotly_json`` gives it)
    with traces ``data`` (dicts: their names, whether shown in the legend, their types), to merge into it."""
    sized = height is not None  # the page sizes the chart to the window (presentation mode)
    margin = layout.get("margin") or {}
    title = (layout.get("title") or {}).get("text") or ""
    chars = SCREEN_TITLE_CHARS * min_width // SCREEN_MIN_WIDTH  # a line of title as wide as the narrowest chart
    lines = wrap_words(title.replace("<br>", " "), chars) if title else []
    old_top = margin.get("t") or 110
    title_bottom = _TOOLBAR + _LINE * len(lines) + 6
    extra = title_bottom - 48  # the old title ended about 48 px down
    grown = (layout.get("height") or 560) + extra
    bottom = margin.get("b") or 80
    change: dict = {}
    legend = layout.get("legend") or {}
    if legend.get("yref") == "container" and legend.get("y") == 0.0:  # the legend strip of legend_below
        space = _legend_rows(layout, [_trace_keys(t) for t in data], min_width - 40) * 27 + 6
        have = bottom - 80
        change["legend"] = dict(xref="container", x=0.01)
        bottom = 80 + (space if sized else max(space, have))
        grown += max(0, space - have)
    height = height or grown
    change.update(
        # the title's top edge _TOOLBAR px down (plotly's title pad is not kept in the container's frame; a title of
        # several lines sits higher than its anchor by about 19 px a line: measured in Chromium)
        title=dict(
            text="<br>".join(lines),
            font=dict(size=20),
            yref="container",
            y=1 - (_TOOLBAR + 19 * (len(lines) - 1)) / height,
            yanchor="top",
        ),
        margin=dict(t=old_top + extra, b=bottom),
        height=height,
    )
    axes = {"xaxis", "yaxis"} | {k for k in layout if k.startswith(("xaxis", "yaxis"))}
    for name in sorted(axes):
        change[name] = dict(automargin=True, title=dict(standoff=8))
        words = ((layout.get(name) or {}).get("title") or {}).get("text") or ""
        if sized and name.startswith("yaxis") and len(words) > _Y_TITLE_CHARS and "<br>" not in words:
            # a chart sized to the window has a short plot: a long axis title on two lines stays beside it
            change[name]["title"]["text"] = "<br>".join(wrap_words(words, -(-len(words) // 2) + 4))
    return change


_SCREEN: contextvars.ContextVar = contextvars.ContextVar("screen", default=None)


@contextlib.contextmanager
def built_for_screen(min_width: int = SCREEN_MIN_WIDTH, height: int | None = None):
    """Inside it, a figure built in one go (:func:`styled_figure`) is laid out for the page as it is built, as
    :func:`for_screen` would lay it out after (the same figure, without plotly's second pass over it)."""
    token = _SCREEN.set((min_width, height))
    try:
        yield
    finally:
        _SCREEN.reset(token)


SCENARIO_WORDS = ("name", "unit", "period", "currency")
"""The scenario's own words a chart may show (in titles, axis titles and ticks, hover, legends, annotations)."""


def scenario_as_text(scenario: Scenario) -> Scenario:
    """The scenario with its own words (:data:`SCENARIO_WORDS`) made plotly text (:func:`partnership.formats.
    markup_text`): plotly reads a subset of HTML (``<a href>``, ``<b>``, ``<br>``), so a unit typed as a link shows as
    typed and links nowhere, in the page's charts and in the exported SVG, PNG and PDF alike. The figures only."""
    return scenario.model_copy(update={k: markup_text(getattr(scenario, k)) for k in SCENARIO_WORDS})
