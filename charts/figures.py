"""Plotly figures from model results: every outcome, across occupancy, money flows, risk, terms, options.

Results in, figures out: each function takes what the model worked out (an ``Outcome``, a summary dict, a
``TermResult``, a ``SweepResult``, break-even occupancies; see ``partnership.results``) and the scenario only for
its names, unit, currency, labels and typed inputs; none calls the model."""

from __future__ import annotations

import contourpy
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from partnership import Scenario, SweepResult
from partnership.fields import field_label, spec
from partnership.formats import markup_text, money, per_unit_period, percent, point_percent
from partnership.formats import unit_period as unit_period_word
from partnership.outcomes import Outcome
from partnership.term import TermResult

from .style import (
    BOTH,
    DIVERGING,
    HOST,
    NEUTRAL,
    OPTION_COLOURS,
    PROVIDER,
    apply_style,
    legend_below,
    legend_below_layout,
    merged,
    money_axis,
    percent_axis,
    scenario_as_text,
    styled_figure,
    subplots_layout,
    wrap_words,
)

__all__ = [
    "term_chart",
    "access_value",
    "placement_money",
    "outcome_heatmaps",
    "occupancy_lines",
    "money_flows",
    "risk_curves",
    "terms_map",
    "compare_bars",
    "compare_lines",
    "arrangements_chart",
]


def _rule(fig: go.Figure, line: dict, x: float | None = None, y: float | None = None, col: int = 1) -> None:
    """A line across the whole plot of subplot ``col`` (of one row) at ``x`` or at ``y``: plotly's add_vline and
    add_hline draw the same, but cost ~30 ms a line in its object model, on every redraw of the page."""
    axis = "" if col == 1 else str(col)
    if x is not None:
        shape = dict(xref=f"x{axis}", x0=x, x1=x, yref=f"y{axis} domain", y0=0, y1=1)
    else:
        shape = dict(xref=f"x{axis} domain", x0=0, x1=1, yref=f"y{axis}", y0=y, y1=y)
    fig.layout.shapes = (*fig.layout.shapes, go.layout.Shape(type="line", line=line, **shape))


def _symmetric_range(z: np.ndarray) -> float:
    m = float(np.nanmax(np.abs(z))) if z.size else 1.0
    return m if m > 0 else 1.0


def zero_lines(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines where ``z`` (on the grid ``x`` across, ``y`` up) crosses zero, interpolated linearly between grid
    points (marching squares, by contourpy): their x and y, separate lines parted by NaN (a gap in a plotted line).
    Empty when ``z`` never crosses zero."""
    lines = contourpy.contour_generator(x, y, np.asarray(z, dtype=np.float64), line_type="ChunkCombinedNan").lines(0.0)
    points = [chunk for chunk in lines[0] if chunk is not None]
    if not points:
        return np.empty(0), np.empty(0)
    xy = np.round(np.concatenate(points), 3)
    return xy[:, 0], xy[:, 1]


def _zero_line(x, y, z, line: dict, name: str, group: str, showlegend: bool = True, **axes) -> dict:
    """The line where z crosses zero, drawn over a map (a scatter trace as a dict; ``axes``: its ``xaxis`` and
    ``yaxis``): worked out here rather than by the browser (a contour trace sends the whole map again and has the
    browser trace it on every redraw)."""
    lx, ly = zero_lines(x, y, z)
    return dict(
        type="scatter",
        x=lx,
        y=ly,
        mode="lines",
        line=line,
        connectgaps=False,
        hoverinfo="skip",
        name=name,
        showlegend=showlegend,
        legendgroup=group,
        **axes,
    )


def outcome_heatmaps(scenario: Scenario, grid: Outcome) -> go.Figure:
    """Provider gain and host saving at every occupancy and local use, side by side, from ``grid``: section 2
    over local use (rows) x occupancy (columns), as ``partnership.evaluate_grid`` gives it.

    Diverging colours centred on zero (green: better off with the agreement, purple:
    worse off), the zero line of each drawn, the region where both are better off
    outlined in black on both maps, and the sharing-band edges as dotted lines. Built in one go from plain
    dicts (:func:`charts.style.styled_figure`).
    """
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    g = grid
    x = np.round(100 * g.occupancy[0, :], 6)
    y = np.round(100 * g.local_use[:, 0], 6)
    # whole currency units: the figures are read to the pound, and the page gets a quarter of the data
    # as 4-byte floats: exact to the pound below £16m, and half the data for the browser to decode
    gain, saving = np.round(g.provider_gain).astype(np.float32), np.round(g.host_saving).astype(np.float32)
    cur = scenario.currency
    layout = subplots_layout(
        rows=1, cols=2, horizontal_spacing=0.2, subplot_titles=("Provider's gain", "Host's saving")
    )
    merged(layout, dict(xaxis=dict(domain=[0.0, 0.36]), xaxis2=dict(domain=[0.56, 0.92])))
    both = np.minimum(gain, saving)
    share = float(np.mean(both >= 0))
    where = "Occupancy %{x:.0f} %<br>Local use %{y:.0f} %<br>"
    # each map's hover gives both sides' figures: its own from z, the other side's from customdata (one number a
    # cell, not both: half the data to send and decode)
    hovers = (
        f"{where}Provider gain {cur}%{{z:,.0f}} a year<br>Host saving {cur}%{{customdata:,.0f}} a year<extra></extra>",
        f"{where}Provider gain {cur}%{{customdata:,.0f}} a year<br>Host saving {cur}%{{z:,.0f}} a year<extra></extra>",
    )
    data: list[dict] = []
    band_edges: list[dict] = []
    for col, (z, other, name, colour, hover) in enumerate(
        ((gain, saving, "Provider", PROVIDER, hovers[0]), (saving, gain, "Host", HOST, hovers[1])), start=1
    ):
        zmax = _symmetric_range(z)
        axis = "" if col == 1 else str(col)
        axes = dict(xaxis=f"x{axis}", yaxis=f"y{axis}")
        data.append(
            dict(
                type="heatmap",
                x=x,
                y=y,
                z=z,
                zmin=-zmax,
                zmax=zmax,
                zmid=0,
                colorscale=DIVERGING,
                customdata=other,
                hovertemplate=hover,
                colorbar=dict(
                    x=0.375 if col == 1 else 0.935,
                    xanchor="left",
                    len=0.85,
                    tickprefix=cur,
                    tickformat="~s",  # £100k: short enough to stay in the gap between the maps
                    nticks=6,
                    thickness=16,
                ),
                name=f"{name} gain",
                **axes,
            )
        )
        data.append(
            _zero_line(
                x, y, z, dict(color=colour, width=3), f"{name} breaks even with the agreement (gain = 0)", name, **axes
            )
        )
        data.append(
            _zero_line(
                x,
                y,
                both,
                dict(color=BOTH, width=4, dash="dash"),
                f"Both better off: inside the dashed line ({percent(share)} of the map)",
                "both",
                showlegend=col == 1,
                **axes,
            )
        )
        # drawn as plain shapes (add_hline costs ~30 ms a line in plotly's object model)
        band_edges += [
            dict(
                type="line",
                xref=f"x{axis} domain",
                x0=0,
                x1=1,
                yref=f"y{axis}",
                y0=100 * b.from_local_use,
                y1=100 * b.from_local_use,
                line=dict(color=NEUTRAL, width=1.5, dash="dot"),
            )
            for b in scenario.agreement.sharing.bands[1:]
        ]
    merged(
        layout,
        dict(
            shapes=band_edges,
            xaxis=dict(title=dict(text="Occupancy"), **percent_axis()),
            xaxis2=dict(title=dict(text="Occupancy"), **percent_axis()),
            yaxis=dict(title=dict(text="Local use (host's share of used capacity)"), **percent_axis()),
            yaxis2=dict(**percent_axis(), showticklabels=False),  # same local-use scale as the left
        ),
    )
    title = "Who gains from the agreement, at every occupancy and local use (a year)"
    # room for the right-hand colour bar
    return styled_figure(data, layout, title, height=660, right=64, after=legend_below_layout(70))


def occupancy_lines(scenario: Scenario, lines: Outcome, break_even: dict) -> go.Figure:
    """Provider profit and host cost per unit-period against occupancy, with and without the
    agreement, at one local use; break-even occupancies and the start of surplus sharing marked.

    ``lines`` is section 2 across occupancy at one local use (``partnership.outcomes.evaluate_across_occupancy``);
    ``break_even`` its break-even occupancies ``{with_agreement, without_agreement}`` (NaN: never).

    Built in one go from plain dicts (the traces, then one layout): plotly validates it once."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    r = lines
    o = np.asarray(r.occupancy, dtype=float)
    local_use = float(np.ravel(r.local_use)[0])
    cur, per = scenario.currency, per_unit_period(scenario)
    layout = subplots_layout(
        1,
        2,
        horizontal_spacing=0.12,
        subplot_titles=(f"Provider's profit ({cur} a year)", f"Host's cost {per} used"),
    )
    left, right = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")  # the subplot a trace is drawn in
    x = 100 * o
    cost_without = r.host_unit_cost_without_agreement  # like for like (MODEL.md section 8a)
    data = [
        dict(
            type="scatter",
            x=x,
            y=r.provider_profit,
            name="Provider, with the agreement",
            line=dict(color=PROVIDER, width=4),
            **left,
        ),
        dict(
            type="scatter",
            x=x,
            y=r.provider_profit_without_agreement,
            name="Provider, without",
            line=dict(color=PROVIDER, width=3, dash="dash"),
            **left,
        ),
        dict(
            type="scatter",
            x=x,
            y=r.host_unit_cost,
            name="Host, with the agreement",
            line=dict(color=HOST, width=4),
            **right,
        ),
        dict(
            type="scatter",
            x=x,
            y=cost_without,
            name="Host, without",
            line=dict(color=HOST, width=3, dash="dash"),
            **right,
        ),
    ]
    # break-even points and the start of sharing: marked on the lines, their figures in the legend
    be = break_even
    marks = []
    for key, symbol, label in (
        ("with_agreement", "diamond", "Provider breaks even with the agreement"),
        ("without_agreement", "diamond-open", "Provider breaks even without"),
    ):
        value = float(be[key])
        if np.isfinite(value):
            marks.append((value, 0.0, symbol, PROVIDER, f"{label}: {percent(value)} occupancy"))
        else:
            marks.append((None, None, symbol, PROVIDER, f"{label}: never, even when full"))
    sharing = r.surplus_before_sharing > r.sharing_threshold
    if sharing.any() and not sharing.all() and float(r.host_share_rate[0]) > 0:
        i = int(np.argmax(sharing))
        marks.append(
            (
                o[i],
                float(r.provider_profit[i]),
                "circle",
                NEUTRAL,  # a point on the provider's line that both sides share: neither party's colour
                f"Surplus sharing with the host starts: {percent(o[i])} occupancy",
            )
        )
    for x0, y0, symbol, colour, label in marks:
        data.append(
            dict(
                type="scatter",
                x=[None if x0 is None else 100 * x0],
                y=[y0],
                mode="markers",
                marker=dict(symbol=symbol, size=16, color=colour, line=dict(color=colour, width=2.5)),
                name=label,
                hovertemplate=f"{label}<extra></extra>",
                **left,
            )
        )
    unit_cost = np.concatenate([r.host_unit_cost[o >= 0.2], cost_without[o >= 0.2]])
    unit_cost = unit_cost[np.isfinite(unit_cost)]
    top = float(np.max(unit_cost)) * 1.1 if unit_cost.size else 1.0
    bottom = min(0.0, float(np.min(unit_cost)) * 1.1) if unit_cost.size else 0.0
    merged(
        layout,
        dict(
            xaxis=dict(title=dict(text="Occupancy"), **percent_axis()),
            xaxis2=dict(title=dict(text="Occupancy"), **percent_axis()),
            yaxis=money_axis(cur),
            yaxis2=dict(money_axis(cur), range=[bottom, top]),
        ),
    )
    rate = float(r.host_share_rate[0])
    title = f"Across occupancy, at local use {point_percent(local_use)} (host's share of surplus above target: {percent(rate)})"
    # room for the ticks and the axis title (no automargin redraw)
    return styled_figure(data, layout, title, after=legend_below_layout(150), height=740, left=134)


def money_flows(scenario: Scenario, point: Outcome) -> go.Figure:
    """The year's money at one point, as two waterfalls: how the provider's profit and the
    host's net cost are built from fees, contribution, compensation, surplus share and costs.

    The bars run across, one item to a row, so each item's name is written out in full beside it
    and its figure at the bar's end: nothing shares a line to collide on a narrow screen. Colours
    follow each side's own sign: for the provider, money in is green and money out purple; for the
    host, what it pays (fees, contribution) is a cost and purple, what comes back (compensation,
    surplus share) green. ``point`` is section 2 at one occupancy and local use."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    r = point
    occupancy, local_use = float(r.occupancy), float(r.local_use)
    cur = scenario.currency
    f = lambda name: float(getattr(r, name))  # noqa: E731
    gain, cost = "#1b7837", "#762a83"
    voids = [("Void payments", f("void_payments"))] if scenario.agreement.reservation.units > 0 else []
    provider = [
        ("Host fees", f("host_fees")),
        ("External fees", f("external_fees")),
        ("Contribution", scenario.agreement.contribution),
        *voids,
        ("Operating cost", -f("operating_cost")),
        ("Compensation", -f("compensation")),
        ("Surplus share", -f("surplus_share_to_host")),
    ]
    host = [
        ("Contribution", scenario.agreement.contribution),
        ("Host fees", f("host_fees")),
        *voids,
        ("Compensation", -f("compensation")),
        ("Surplus share", -f("surplus_share_to_host")),
    ]
    layout = subplots_layout(
        1,
        2,
        horizontal_spacing=0.2,
        subplot_titles=("Provider's year", "Host's year (its net cost)"),
    )
    data = []
    for col, steps, total_name, total, colour, up, down in (
        (1, provider, "Profit", f("provider_profit"), PROVIDER, gain, cost),
        (2, host, "Net cost", f("host_net_cost"), HOST, cost, gain),  # the host's payments raise its cost
    ):
        axis = "" if col == 1 else str(col)
        axes = dict(xaxis=f"x{axis}", yaxis=f"y{axis}")  # the subplot the traces are drawn in
        labels = [s[0] for s in steps] + [total_name]
        values = [s[1] for s in steps] + [total]
        data.append(
            dict(
                type="waterfall",
                orientation="h",
                y=labels,
                x=values,
                measure=["relative"] * len(steps) + ["total"],
                text=[money(v, cur) for v in values],  # carried for readers of the data; drawn by the trace below
                textposition="none",
                increasing=dict(marker=dict(color=up)),
                decreasing=dict(marker=dict(color=down)),
                totals=dict(marker=dict(color=colour)),
                connector=dict(line=dict(color="#888", width=1)),
                hovertemplate="%{y}: " + cur + "%{x:,.0f}<extra></extra>",
                showlegend=False,
                **axes,
            )
        )
        # each figure just right of its bar's right-hand end: never over the item names on the left
        before = np.concatenate([[0.0], np.cumsum([v for _, v in steps])])
        ends = [max(b, b + v) for b, (_, v) in zip(before[:-1], steps)] + [max(0.0, total)]
        data.append(
            dict(
                type="scatter",
                x=ends,
                y=labels,
                mode="text",
                text=[money(v, cur) for v in values],
                textposition="middle right",
                textfont=dict(size=14),
                cliponaxis=False,
                hoverinfo="skip",
                showlegend=False,
                **axes,
            )
        )
        running = np.cumsum([v for _, v in steps])
        low, high = min(0.0, float(running.min()), total), max(0.0, float(running.max()), total)
        pad = 0.42 * (high - low or 1.0)  # room for the figures written at the bars' ends
        layout[f"xaxis{axis}"].update(
            money_axis(cur),
            range=[low - (pad if low < 0 else 0), high + pad],
            nticks=4,
            tickformat="~s",  # £1.5M: the bars carry the exact figures
        )
        # the items' names in full
        layout[f"yaxis{axis}"].update(autorange="reversed", tickfont=dict(size=15), ticksuffix=" ", automargin=True)
    title = (
        f"Where the money goes in a year at {point_percent(occupancy)} occupancy and {point_percent(local_use)} local use "
        f"({cur} a year)"
    )
    return styled_figure(data, layout, title, height=600, left=140)


def _rule_line(line: dict, x: float | None = None, y: float | None = None, col: int = 1) -> dict:
    """:func:`_rule`'s line as a layout shape dict, for a figure built in one go."""
    axis = "" if col == 1 else str(col)
    if x is not None:
        return dict(type="line", line=line, xref=f"x{axis}", x0=x, x1=x, yref=f"y{axis} domain", y0=0, y1=1)
    return dict(type="line", line=line, xref=f"x{axis} domain", x0=0, x1=1, yref=f"y{axis}", y0=y, y1=y)


def risk_curves(scenario: Scenario, summary: dict, distributions: dict) -> go.Figure:
    """Each side's gain under the uncertainty as a cumulative curve (chance the gain is at
    most x), with P10, P50 and P90 marked and zero drawn. ``summary`` is section 3's; ``distributions`` each
    side's distribution function (``partnership.uncertainty.gain_distributions``)."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    cur = scenario.currency
    data = []
    for name, colour, key in (
        ("Provider's gain", PROVIDER, "provider_gain"),
        ("Host's saving", HOST, "host_saving"),
    ):
        xs, qs = distributions[key]
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=100 * qs,
                name=name,
                line=dict(color=colour, width=4),
                hovertemplate=f"{name}: {cur}%{{x:,.0f}} a year or less, chance %{{y:.0f}} %<extra></extra>",
            )
        )
        px = [summary[f"{key}_p{p}"] for p in (10, 50, 90)]
        data.append(
            dict(
                type="scatter",
                x=px,
                y=[10, 50, 90],
                mode="markers",
                marker=dict(color=colour, size=13, symbol="diamond", line=dict(color="white", width=1)),
                # the percentiles in the legend, beside their own curve's colour: nothing to collide on the plot
                name=f"{name}: P10 {money(px[0], cur)}, P50 {money(px[1], cur)}, P90 {money(px[2], cur)}",
                hovertemplate=f"{name}: P%{{y:.0f}} {cur}%{{x:,.0f}}<extra></extra>",
            )
        )
    layout = dict(
        shapes=[_rule_line(dict(color="#333", width=2), x=0)],
        annotations=[
            dict(
                x=0,
                y=0,
                yref="y",
                text="no gain",
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                textangle=-90,
                font=dict(size=14),
            )
        ],
        xaxis=dict(title=dict(text=f"Gain from the agreement ({cur} a year)"), **money_axis(cur)),
        yaxis=dict(title=dict(text="Chance the gain is at most this"), range=[0, 100], ticksuffix=" %", dtick=20),
    )
    p_provider = summary["probability_provider_better_off"]
    p_host = summary["probability_host_better_off"]
    title = (
        f"Risk: each side's gain over the whole uncertainty "
        f"(better off: provider {percent(p_provider)}, host {percent(p_host)})"
    )
    below = dict(  # legend_below's strip, 70 px
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left"),
        margin=dict(b=70 + 80),
    )
    return styled_figure(data, layout, title, after=below, height=640, right=48)


def _axis_title(path: str, scenario: Scenario) -> tuple[str, float, dict]:
    """Axis title, scale factor and tick format for a swept field."""
    kind = spec(path).kind
    if kind == "fraction":
        return field_label(path), 100.0, dict(ticksuffix=" %", tickformat=".0f")
    money_ticks = dict(tickprefix=scenario.currency, tickformat=",.0f")
    if kind == "money_unit":
        return f"{field_label(path)} ({per_unit_period(scenario)})", 1.0, money_ticks
    if kind in ("count", "integer"):
        return field_label(path), 1.0, dict(tickformat=",.0f")
    return f"{field_label(path)} (a year)", 1.0, money_ticks


def terms_map(scenario: Scenario, result: SweepResult) -> go.Figure:
    """Which pairs of terms each side accepts, with the balanced (Nash) point starred."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    gx, sx, tx = _axis_title(result.x.path, scenario)
    gy, sy, ty = _axis_title(result.y.path, scenario)
    g, h = result.expected_provider_gain, result.expected_host_saving
    ok_p, ok_h = result.provider_accepts, result.host_accepts  # the sweep's own verdicts, tolerance included
    category = np.where(result.acceptable, 3, np.where(ok_p, 1, np.where(ok_h, 2, 0)))
    colours = ["#d9d9d9", PROVIDER, HOST, "#009E73"]
    names = ["Neither accepts", "Only the provider accepts", "Only the host accepts", "Both accept"]
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / 4, c], [(i + 1) / 4, c]]
    cur = scenario.currency
    custom = np.stack([g, h], axis=-1)
    data = [
        dict(
            type="heatmap",
            x=result.x.values * sx,
            y=result.y.values * sy,
            z=category,
            zmin=-0.5,
            zmax=3.5,
            colorscale=scale,
            showscale=False,
            customdata=custom,
            hovertemplate=(
                f"{field_label(result.x.path)}: %{{x:,.2f}}<br>{field_label(result.y.path)}: %{{y:,.2f}}<br>"
                f"Expected provider gain {cur}%{{customdata[0]:,.0f}}<br>"
                f"Expected host saving {cur}%{{customdata[1]:,.0f}}<extra></extra>"
            ),
        )
    ]
    for i, (c, n) in enumerate(zip(colours, names)):
        if (category == i).any():
            data.append(
                dict(
                    type="scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker=dict(size=16, color=c, symbol="square"),
                    name=n,
                )
            )
    near = getattr(result, "near_best", None)
    if near is not None and near.any():  # the terms about as good as the star: how sharp it is
        iy, ix = np.nonzero(near)
        data.append(
            dict(
                type="scatter",
                x=result.x.values[ix] * sx,
                y=result.y.values[iy] * sy,
                mode="markers",
                marker=dict(symbol="circle-open", size=9, color="black", line=dict(width=1.5)),
                name="About as good (within 1 %)",
                hoverinfo="skip",
            )
        )
    b = result.balanced
    if b is not None:
        data.append(
            dict(
                type="scatter",
                x=[b["x"] * sx],
                y=[b["y"] * sy],
                mode="markers",
                marker=dict(symbol="star", size=26, color="#F0E442", line=dict(color="black", width=2)),
                name=(
                    f"Balanced terms: provider {money(b['expected_provider_gain'], cur)}, "
                    f"host {money(b['expected_host_saving'], cur)} a year"
                ),
                hoverinfo="skip",
            )
        )
    layout = dict(xaxis=dict(title=dict(text=gx), **tx), yaxis=dict(title=dict(text=gy), **ty))
    title = "Find terms: which terms each side accepts, on expected gains over the uncertainty"
    space = 40 if near is None or not near.any() else 70  # the circled region's entry may wrap a row
    below = dict(  # legend_below's strip
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left"),
        margin=dict(b=space + 80),
    )
    return styled_figure(data, layout, title, after=below, height=640, right=48)


def compare_bars(options: list[tuple[str, Scenario, dict]]) -> go.Figure:
    """Saved options side by side: expected provider gain and host saving of each."""
    cur = markup_text(options[0][1].currency) if options else "£"
    names = [markup_text(name) for name, _, _ in options]  # typed by users: never markup
    fig = go.Figure()
    for key, label, colour in (
        ("expected_provider_gain", "Expected provider gain", PROVIDER),
        ("expected_host_saving", "Expected host saving", HOST),
    ):
        values = [s[key] for _, _, s in options]
        fig.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=label,
                marker_color=colour,
                text=[money(v, cur) for v in values],
                textposition="outside",
            )
        )
    fig.update_traces(cliponaxis=False, textfont=dict(size=15))
    fig.update_yaxes(title_text=f"{cur} a year", **money_axis(cur))
    fig.update_layout(barmode="group")
    return apply_style(fig, "Options compared: each side's expected gain from the agreement")


def compare_lines(options: list[tuple[str, Scenario, Outcome]], local_use: float | None = None) -> go.Figure:
    """Saved options overlaid: each side's gain against occupancy. ``options`` are (name, scenario, section 2
    across occupancy) with the lines worked out at each option's most likely local use (``local_use`` None), or
    all at the one ``local_use`` given (which the title then names)."""
    cur = markup_text(options[0][1].currency) if options else "£"
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.17, subplot_titles=("Provider's gain", "Host's saving"))
    for i, (name, _, r) in enumerate(options):
        name = markup_text(name)  # typed by users: never markup
        o = np.asarray(r.occupancy, dtype=float)
        colour = OPTION_COLOURS[i % len(OPTION_COLOURS)]
        dash = ["solid", "dash", "dot", "dashdot"][i // len(OPTION_COLOURS) % 4]
        for col, values in ((1, r.provider_gain), (2, r.host_saving)):
            fig.add_trace(
                go.Scatter(
                    x=100 * o,
                    y=values,
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    line=dict(color=colour, width=3.5, dash=dash),
                    hovertemplate=f"{name}: " + cur + "%{y:,.0f} a year at %{x:.0f} % occupancy<extra></extra>",
                ),
                row=1,
                col=col,
            )
    _rule(fig, dict(color="#333", width=1.5), y=0)
    fig.update_xaxes(title_text="Occupancy", **percent_axis())
    fig.update_yaxes(**money_axis(cur))
    where = (
        "at each option's most likely local use" if local_use is None else f"at local use {point_percent(local_use)}"
    )
    apply_style(fig, f"Options compared across occupancy, {where} ({cur} a year)", height=620)
    legend_below(fig, 30 * ((len(options) + 2) // 3))
    return fig


def access_value(scenario: Scenario, curves: list[tuple[float, Outcome]], most_likely: tuple) -> go.Figure:
    """What preferred access is worth to the host: its saving across local use at one occupancy, one line
    for each share of the used capacity it would get locally anyway (u0, MODEL.md section 8). ``curves`` are
    ``[(u0, section 2 across local use)]`` (``partnership.outcomes.access_value``); ``most_likely`` the most
    likely (occupancy, local use), whose local use is marked."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    own = float(scenario.without_agreement.local_use)
    occupancy = float(np.ravel(curves[0][1].occupancy)[0])
    cur = scenario.currency
    data = []
    dashes = ["dot", "dash", "dashdot", "longdash"]
    for i, (u0, r) in enumerate(curves):
        u = np.asarray(r.local_use, dtype=float)
        mine = abs(u0 - own) < 1e-12
        name = f"{percent(u0)}" + (" (this scenario)" if mine else "")
        data.append(
            dict(
                type="scatter",
                x=100 * u,
                y=r.host_saving,
                name=name,
                line=dict(color=HOST, width=4.5 if mine else 2.5, dash="solid" if mine else dashes[i % len(dashes)]),
                hovertemplate=f"{name}: saving {cur}%{{y:,.0f}} a year at %{{x:.0f}} % local use<extra></extra>",
            )
        )
    mode = float(most_likely[1])
    layout = dict(
        shapes=[
            _rule_line(dict(color="#333", width=1.5), y=0),
            _rule_line(dict(color=NEUTRAL, width=1.5, dash="dot"), x=100 * mode),
        ],
        annotations=[
            dict(
                x=100 * mode,
                y=1,
                yref="paper",
                text=f"most likely {percent(mode)}",
                showarrow=False,
                xanchor="left",
                yanchor="top",
                font=dict(size=14, color=NEUTRAL),
            )
        ],
        xaxis=dict(title=dict(text="Local use (host's share of used capacity)"), **percent_axis()),
        yaxis=dict(title=dict(text=f"Host's saving ({cur} a year)"), **money_axis(cur)),
    )
    title = f"What preferred access is worth to the host, at {point_percent(occupancy)} occupancy"
    below = dict(  # legend_below's strip, 70 px, and the legend's title
        legend=dict(
            orientation="h",
            yref="container",
            y=0.0,
            yanchor="bottom",
            x=0.0,
            xanchor="left",
            title=dict(text="Share the host would get locally anyway: "),
        ),
        margin=dict(b=70 + 80),
    )
    return styled_figure(data, layout, title, after=below, height=620, left=140)


def placement_money(scenario: Scenario, across: Outcome) -> go.Figure:
    """The money riding on one more local placement (MODEL.md section 9), at one occupancy: on the left
    what one more unit-period used by the host is worth to it across local use; on the right what each
    step band's edge moves to the host in a year, against one unit-period's host price. ``across`` is section 2
    across local use at that occupancy (``partnership.outcomes.evaluate_across_local_use``)."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    r = across
    u = np.asarray(r.local_use, dtype=float)
    occupancy = float(np.ravel(r.occupancy)[0])
    cur, per = scenario.currency, per_unit_period(scenario)
    jumps = [(start, float(np.ravel(to_host)[0])) for start, to_host in r.sharing_jumps]
    layout = subplots_layout(
        1,
        2,
        horizontal_spacing=0.14,
        column_widths=[0.6, 0.4],
        subplot_titles=(
            f"One more local {unit_period_word(scenario)}:<br>worth to the host ({cur} {per})",
            f"Moved to the host at each<br>band start ({cur} a year)",
        ),
    )
    data = [
        dict(
            type="scatter",
            x=100 * u,
            y=r.marginal_host_saving,
            name=f"Worth of one more local {unit_period_word(scenario)}",
            line=dict(color=HOST, width=4),
            hovertemplate=f"At %{{x:.0f}} % local use: {cur}%{{y:,.2f}} {per}<extra></extra>",
            xaxis="x",
            yaxis="y",
        )
    ]
    shapes = [_rule_line(dict(color=NEUTRAL, width=1.5, dash="dot"), x=100 * start, col=1) for start, _ in jumps]
    p_h = float(scenario.prices.host)
    if jumps:
        over = [abs(j) > p_h for _, j in jumps]
        data.append(
            dict(
                type="bar",
                x=[f"at {percent(start)}" for start, _ in jumps],
                y=[j for _, j in jumps],
                marker=dict(color=[HOST if o else "#bbbbbb" for o in over]),
                text=[money(j, cur) for _, j in jumps],
                textposition="outside",
                cliponaxis=False,
                name="Moved to the host at a band start (a year)",
                hovertemplate="Crossing %{x} local use moves " + cur + "%{y:,.0f} a year<extra></extra>",
                xaxis="x2",
                yaxis="y2",
            )
        )
        shapes.append(_rule_line(dict(color="#333", width=2, dash="dash"), y=p_h, col=2))
        data.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color="#333", width=2, dash="dash"),
                name=f"One {unit_period_word(scenario)}'s host price ({money(p_h, cur, 2 if p_h < 100 else 0)})",
            )
        )
    else:
        left, right = layout["xaxis2"]["domain"]
        layout["annotations"].append(
            dict(
                x=(left + right) / 2,
                y=0.5,
                xref="paper",
                yref="paper",
                showarrow=False,
                font=dict(size=16),
                text="No jumps: the host's share<br>rises in a straight line",
            )
        )
        layout["xaxis2"]["visible"] = layout["yaxis2"]["visible"] = False
    if shapes:
        layout["shapes"] = shapes
    marginal = r.marginal_host_saving[np.isfinite(r.marginal_host_saving)]
    merged(
        layout,
        dict(
            xaxis=dict(title=dict(text="Local use"), **percent_axis()),
            yaxis=money_axis(cur, marginal),
            yaxis2=money_axis(cur),
        ),
    )
    title = f"Money riding on one more local placement, at {point_percent(occupancy)} occupancy"
    return styled_figure(data, layout, title, after=legend_below_layout(110), height=640)


def term_chart(scenario: Scenario, term: TermResult) -> go.Figure:
    """Over the term (MODEL.md section 10), at one occupancy and local use: each side's gain year by year as
    bars, the year a side walks away marked; and each side's cumulative discounted gain after its share of
    the set-up cost as a line from year 0, the payback year marked. ``term`` is the model's term result at
    that point (``partnership.term.evaluate_term``)."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    r = term
    occupancy, local_use = float(np.ravel(r.years.occupancy)[0]), float(np.ravel(r.years.local_use)[0])
    out = r.to_dict()
    cur, term = scenario.currency, scenario.term
    years = np.arange(1, term.years + 1)
    layout = subplots_layout(
        1,
        2,
        horizontal_spacing=0.2,
        subplot_titles=(
            f"Gain from the agreement<br>each year ({cur})",
            f"Cumulative discounted gain<br>after set-up ({cur})",
        ),
    )
    left, right = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")  # the subplots of columns 1 and 2
    data = []
    for side, who, colour, cumulative in (
        ("provider_gain", "provider", PROVIDER, r.cumulative_provider_gain),
        ("host_saving", "host", HOST, r.cumulative_host_saving),
    ):
        name = "Provider" if who == "provider" else "Host"
        gains = np.asarray(getattr(r.years, side), dtype=float)
        data.append(
            dict(
                type="bar",
                x=years,
                y=gains,
                name=f"{name}'s gain",
                marker=dict(color=colour),
                offsetgroup=who,
                hovertemplate=f"{name}, year %{{x}}: {cur}%{{y:,.0f}}<extra></extra>",
                **left,
            )
        )
        walk = out[f"{who}_walk_away_year"]
        if walk is not None:
            data.append(
                dict(
                    type="scatter",
                    x=[walk],
                    y=[float(gains[walk - 1])],
                    mode="markers",
                    marker=dict(symbol="x", size=18, color=colour, line=dict(color="black", width=1.5)),
                    name=f"{name} better off without it from year {walk}",
                    **left,
                )
            )
        cumulative = np.asarray(cumulative, dtype=float).reshape(-1)  # years 0 (the set-up) to T, from the model
        data.append(
            dict(
                type="scatter",
                x=np.arange(0, term.years + 1),
                y=cumulative,
                mode="lines+markers",
                name=f"{name}, cumulative",
                line=dict(color=colour, width=4),
                showlegend=False,
                hovertemplate=f"{name} by year %{{x}}: {cur}%{{y:,.0f}}<extra></extra>",
                **right,
            )
        )
        payback = out[f"{who}_payback_year"]
        label = f"{name} pays back: year {payback}" if payback is not None else f"{name} never pays back"
        data.append(
            dict(
                type="scatter",
                x=[payback],
                y=[float(cumulative[payback])] if payback is not None else [None],
                mode="markers",
                marker=dict(symbol="star", size=20, color=colour, line=dict(color="black", width=1.5)),
                name=label,
                **right,
            )
        )
    merged(
        layout,
        dict(
            shapes=[
                _rule_line(dict(color="#333", width=1.5), y=0, col=1),
                _rule_line(dict(color="#333", width=1.5), y=0, col=2),
            ],
            xaxis=dict(title=dict(text="Year"), dtick=1),
            xaxis2=dict(title=dict(text="Year (0: set-up)"), dtick=1),
            yaxis=money_axis(cur),
            yaxis2=money_axis(cur),
            barmode="group",
        ),
    )
    title = f"Over the term: {term.years} years at {point_percent(occupancy)} occupancy and {point_percent(local_use)} local use"
    below = dict(  # legend_below's strip, 110 px
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left"),
        margin=dict(b=110 + 80),
    )
    return styled_figure(data, layout, title, after=below, height=660)


# ---------------------------------------------------------------------------------------------
# A region of councils as the host (MODEL.md section 12): each council's saving, and its share of the contribution

COUNCIL_COLOUR = "#F0A070"
"""The member councils' bars: a light tint of the host's vermillion (the councils together are the host), one colour
family for every council; the region's total in the host's own colour beside them."""
COUNCIL_LINE = "#8C3A00"
"""The P10-P90 whiskers and the marks on the councils' bars: a dark shade of the same family."""


def _council_names(region) -> list[str]:
    return [markup_text(n) for n in region.names]  # typed by users: never markup


def _basis_words(region, currency: str) -> str:
    return f"{currency} over the term, in today's money" if region.basis == "term" else f"{currency} a year"


def _no_region(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text="This scenario has one host council: make it a region to see its councils.", showarrow=False
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, title, height=300)


def council_savings(scenario: Scenario, region) -> go.Figure:
    """Each member council's expected saving (a :class:`~partnership.councils.RegionSummary`), its P10-P90 spread as
    a whisker and its chance of being better off written over it, and the region's expected saving beside them
    (money a year, or NPVs over a term)."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    title = "Each council's expected saving, its 1-in-10 to 9-in-10 spread and its chance of being better off"
    if region is None:
        return _no_region(title)
    cur = scenario.currency
    names = _council_names(region)
    e = np.asarray(region.expected_saving, float)
    p10, p90 = np.asarray(region.saving_p10, float), np.asarray(region.saving_p90, float)
    data = [
        dict(
            type="bar",
            x=names,
            y=e,
            name="Each council (whisker: P10 to P90)",
            marker=dict(color=COUNCIL_COLOUR, line=dict(color=COUNCIL_LINE, width=1)),
            error_y=dict(
                type="data",
                symmetric=False,
                array=np.maximum(p90 - e, 0),
                arrayminus=np.maximum(e - p10, 0),
                color=COUNCIL_LINE,
                thickness=2.5,
                width=14,
            ),
            customdata=np.stack([p10, p90, np.asarray(region.probability_better_off, float)], axis=-1),
            hovertemplate="%{x}: expected %{y:,.0f}<br>P10 %{customdata[0]:,.0f}, P90 %{customdata[1]:,.0f}"
            "<br>better off in %{customdata[2]:.0%} of cases<extra></extra>",
            cliponaxis=False,
        ),
        dict(
            type="bar",
            x=["The region"],
            y=[region.expected_region_saving],
            name="The region, all councils",
            marker=dict(color=HOST),
            text=[money(region.expected_region_saving, cur)],
            textposition="outside",
            hovertemplate="The region: expected %{y:,.0f}<extra></extra>",
            cliponaxis=False,
        ),
    ]
    top = float(np.nanmax(np.concatenate([p90, e, [region.expected_region_saving, 0.0]])))
    low = float(np.nanmin(np.concatenate([p10, e, [region.expected_region_saving, 0.0]])))
    span = max(top - low, 1.0)
    notes = [
        dict(
            x=name,
            y=max(hi, value, 0.0),
            yshift=6,
            text=f"<b>{money(value, cur)}</b><br>{percent(chance)} chance<br>better off",
            showarrow=False,
            yanchor="bottom",
            font=dict(size=16),
        )
        for name, value, hi, chance in zip(names, e, p90, region.probability_better_off)
    ]
    layout = dict(
        annotations=notes,
        yaxis=dict(
            title=dict(text=_basis_words(region, cur)),
            range=[min(low, 0.0) - 0.08 * span, top + 0.42 * span],
            **money_axis(cur),
        ),
        barmode="group",
        bargap=0.35,
        showlegend=True,
        xaxis=dict(tickfont=dict(size=17)),
    )
    return styled_figure(data, layout, title, after=legend_below_layout(34), height=560)


def council_shares(scenario: Scenario, region) -> go.Figure:
    """Each member council's range of shares of the contribution (:class:`~partnership.councils.RegionSummary`'s
    ``contribution_share_range``: any share in it leaves every council better off, the others' set to suit) as a bar,
    its current share marked, and the two rules' shares (every council saves the same; savings follow use)."""
    title = "Each council's share of the contribution: the range that leaves every council better off"
    if region is None:
        return _no_region(title)
    names = _council_names(region)
    data: list[dict] = []
    notes: list[dict] = []
    ranges = region.contribution_share_range
    if any(r is not None for r in ranges):
        lo = [100 * r[0] if r else None for r in ranges]
        width = [100 * (r[1] - r[0]) if r else None for r in ranges]
        data.append(
            dict(
                type="bar",
                y=names,
                x=width,
                base=lo,
                orientation="h",
                name="Every council better off",
                marker=dict(color=COUNCIL_COLOUR, line=dict(color=COUNCIL_LINE, width=1)),
                hovertemplate="%{y}: %{base:.1f} % to %{x:.1f} points more<extra></extra>",
            )
        )
    else:
        notes.append(
            dict(
                text="No split of the contribution leaves every council better off in expectation.",
                xref="paper",
                yref="paper",
                x=0.5,
                y=1.0,
                showarrow=False,
                yanchor="bottom",
            )
        )
    marks = [("Now", region.contribution_shares, "diamond", BOTH, 15)]
    for label, rule, symbol in (
        ("Equal saving", region.equal_saving, "circle-open"),
        ("Saving by use", region.saving_by_use, "triangle-up-open"),
    ):
        if rule is not None:
            marks.append((label, rule["contribution_shares"], symbol, NEUTRAL, 14))
    for label, shares, symbol, colour, size in marks:
        data.append(
            dict(
                type="scatter",
                y=names,
                x=[100 * float(w) for w in shares],
                mode="markers",
                name=label if label != "Now" else "Its share now",
                marker=dict(symbol=symbol, color=colour, size=size, line=dict(width=2.5, color=colour)),
                hovertemplate=f"%{{y}}: {label.lower()} %{{x:.1f}} %<extra></extra>",
                cliponaxis=False,
            )
        )
    layout = dict(
        xaxis=dict(title=dict(text="Share of the contribution"), range=[0, 100], ticksuffix=" %", dtick=10),
        yaxis=dict(autorange="reversed", tickfont=dict(size=17), automargin=True),
        bargap=0.45,
    )
    if notes:
        layout["annotations"] = notes
    return styled_figure(
        data, layout, title, after=legend_below_layout(34), height=100 + 60 * len(names) + 150, left=160
    )


# Other ways to buy (MODEL.md section 13)


def _signed_money(value: float, cur: str) -> str:
    return ("+" if value >= 0.5 else "") + money(value, cur)


def arrangements_chart(scenario: Scenario, arrangements: list) -> go.Figure:
    """Other ways to buy the same service, one row each (spot at the top, the reference): on the left the provider's
    expected profit a year with its P10-P90 range, on the right the host's expected net cost a year with its range
    (the width of each bar is the risk that side carries), each labelled with the gain against spot. A dashed line
    marks spot's expected figure. ``arrangements`` are :class:`partnership.arrangements.ArrangementResult`."""
    scenario = scenario_as_text(scenario)  # its words are text in the chart, never markup
    cur = scenario.currency
    # typed by users: never markup; long names on several short lines, so the plots keep their width
    names = ["<br>".join(wrap_words(markup_text(a.name), 24)) for a in arrangements]
    layout = subplots_layout(
        1,
        2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=("Provider's profit a year", "Host's net cost a year"),
    )
    data: list[dict] = []
    shapes: list[dict] = []
    sides = (
        (1, PROVIDER, "provider_profit", "expected_provider_profit", "expected_provider_gain", "gain"),
        (2, HOST, "host_net_cost", "expected_host_net_cost", "expected_host_saving", "saving"),
    )
    # two panels side by side: ticks in thousands (£600k, £1.2M) so four of them fit each panel at 1280 px
    x_axis = dict(nticks=5, tickangle=0, **(money_axis(cur) | {"tickformat": "~s"}))
    y_axis = dict(autorange="reversed", automargin=True, type="category", tickfont=dict(size=15))
    for col, colour, key, expected, gain, word in sides:
        axis = "" if col == 1 else str(col)
        axes = dict(xaxis=f"x{axis}", yaxis=f"y{axis}")
        lows = [a.figures[f"{key}_p10"] for a in arrangements]
        highs = [a.figures[f"{key}_p90"] for a in arrangements]
        means = [a.figures[expected] for a in arrangements]
        xs, ys = [], []
        for name, lo, hi in zip(names, lows, highs):
            xs += [lo, hi, None]
            ys += [name, name, None]
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                line=dict(color=colour, width=14),
                opacity=0.35,
                name="P10 to P90 (the risk carried)",
                legendgroup="range",
                showlegend=col == 1,
                hoverinfo="skip",
                **axes,
            )
        )
        labels = [
            money(m, cur) if a.kind == "spot" else f"{money(m, cur)}  ({_signed_money(a.figures[gain], cur)} {word})"
            for a, m in zip(arrangements, means)
        ]
        data.append(
            dict(
                type="scatter",
                x=means,
                y=names,
                mode="markers+text",
                marker=dict(color=colour, size=15, symbol="diamond", line=dict(color="white", width=1)),
                text=labels,
                textposition="top center",
                textfont=dict(size=14),
                name="Expected",
                legendgroup="expected",
                showlegend=col == 1,
                customdata=[[lo, hi] for lo, hi in zip(lows, highs)],
                hovertemplate="%{y}: expected " + cur + "%{x:,.0f} a year, P10 " + cur + "%{customdata[0]:,.0f}, "
                "P90 " + cur + "%{customdata[1]:,.0f}<extra></extra>",
                cliponaxis=False,
                **axes,
            )
        )
        spot = next((a for a in arrangements if a.kind == "spot"), None)
        if spot is not None:  # under the labels
            shapes.append(_rule_line(dict(color="#9a9a9a", width=2, dash="dash"), x=spot.figures[expected], col=col))
        finite = [v for v in lows + highs + means if v is not None]
        if finite:  # room either side for the labels over the first and last diamonds
            lo, hi = min(finite), max(finite)
            pad = 0.12 * (hi - lo or abs(hi) or 1.0)
            merged(layout, {f"xaxis{axis}": dict(range=[lo - pad, hi + pad])})
        merged(layout, {f"xaxis{axis}": dict(x_axis), f"yaxis{axis}": dict(y_axis)})
    layout["shapes"] = [dict(shape, layer="below") for shape in shapes]  # the labels over the spot line
    height = 220 + 78 * len(arrangements)
    title = f"Other ways to buy: each side's expected figure and its P10-P90 range ({cur} a year)"
    return styled_figure(data, layout, title, height=height, after=legend_below_layout(30), note_size=17)
