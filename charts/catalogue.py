"""The one catalogue of charts and of the page's chart views: what each chart is called, which model results it is
drawn from, at which point, its figure function and whether the paper pack holds it. The page (``workshop.py``,
``ui.views``), its cache (``ui.compute``), the Export view (``ui.export``) and the paper pack (``paper.pack``) all
read it, so a new view is one entry here and one figure function in ``charts.figures``.

A chart names its results by ``partnership.results.RESULTS``'s names; whoever draws it works them out there (the
page's cache, or the pack) and passes them, in the order of ``needs``, after the scenario."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from partnership import Scenario

from . import figures

__all__ = [
    "Chart",
    "View",
    "CHARTS",
    "COMPARISON_CHARTS",
    "VIEWS",
    "chart",
    "charts_for",
    "views_for",
    "sliders_of",
    "SLIDERS",
]


def _always(_: Scenario) -> bool:
    return True


def _over_a_term(s: Scenario) -> bool:
    return s.term.years > 1


def _has_members(s: Scenario) -> bool:
    return bool(s.members)


@dataclass(frozen=True)
class Chart:
    """One chart.

    ``key``: its name on the page (the screen cache's and, as ``chart_<widget>``, the widget's); ``stem``: its file
    name in the Export view and the pack; ``figure(scenario, *results)``: its figure function; ``needs``: the
    results it takes, by ``partnership.results`` name, in the figure's order; ``point``: for each coordinate of the
    point it is drawn at (``occupancy``, ``local_use``), the page's slider that sets it (the pack draws it at the
    most likely point); ``title`` (the Export view's) and ``caption`` (the pack's): texts with ``{occupancy}``,
    ``{local_use}`` and ``{years}`` filled in by the reader; ``in_pack``: whether the paper pack holds it for a
    scenario (the term chart only when the term runs more than one year; the Export view offers every chart)."""

    key: str
    stem: str
    figure: Callable
    needs: tuple[str, ...]
    title: str
    caption: str
    point: dict[str, str] = field(default_factory=dict)
    widget: str = ""
    in_pack: Callable[[Scenario], bool] = _always
    applies: Callable[[Scenario], bool] = _always  # whether the scenario has such a chart at all (a region's councils)

    def texts(self, s: Scenario, point: dict, words: Callable[[float], str]) -> tuple[str, str]:
        """(title, caption) at a point (``{coordinate: fraction}``), each share written by ``words``."""
        fill = {k: words(v) for k, v in point.items()} | {"years": s.term.years}
        return self.title.format(**fill), self.caption.format(**fill)


CHARTS: tuple[Chart, ...] = (
    Chart(
        "heatmaps",
        "every_outcome",
        figures.outcome_heatmaps,
        ("grid",),
        title="Every outcome (maps)",
        caption="Each side's gain at every occupancy and local use",
        widget="heatmaps",
    ),
    Chart(
        "occupancy_lines",
        "across_occupancy",
        figures.occupancy_lines,
        ("across_occupancy", "break_even"),
        title="Across occupancy, local use {local_use}",
        caption="Profit and host cost across occupancy at local use {local_use}",
        point={"local_use": "lines_local_use"},
        widget="lines",
    ),
    Chart(
        "money_flows",
        "where_the_money_goes",
        figures.money_flows,
        ("point",),
        title="Where the money goes, {occupancy} occupancy, {local_use} local use",
        caption="The year's money at {occupancy} occupancy and {local_use} local use",
        point={"occupancy": "flows_occupancy", "local_use": "flows_local_use"},
        widget="flows",
    ),
    Chart(
        "risk",
        "risk",
        figures.risk_curves,
        ("summary", "distributions"),
        title="Risk",
        caption="Each side's gain over the whole uncertainty",
        widget="risk",
    ),
    Chart(
        "term_chart",
        "over_the_term",
        figures.term_chart,
        ("term",),
        title="Over the term, {occupancy} occupancy, {local_use} local use",
        caption="Each side's gain over the {years}-year term",
        point={"occupancy": "term_occupancy", "local_use": "term_local_use"},
        widget="term",
        in_pack=_over_a_term,
    ),
    Chart(
        "access_value",
        "access_value",
        figures.access_value,
        ("access_value", "most_likely_point"),
        title="What preferred access is worth, {occupancy} occupancy",
        caption="What preferred access is worth to the host at {occupancy} occupancy",
        point={"occupancy": "access_occupancy"},
        widget="access",
    ),
    Chart(
        "placement_money",
        "placement_money",
        figures.placement_money,
        ("placement",),
        title="Money riding on a placement, {occupancy} occupancy",
        caption="Money riding on one more local placement at {occupancy} occupancy",
        point={"occupancy": "access_occupancy"},
        widget="placement",
    ),
    Chart(
        "arrangements",
        "other_ways_to_buy",
        figures.arrangements_chart,
        ("arrangements",),
        title="Other ways to buy",
        caption="Each side's expected figure and its P10-P90 range, bought in other ways",
        widget="arrangements",
    ),
    Chart(
        "terms_map",
        "find_terms",
        figures.terms_map,
        ("sweep",),
        title="Find terms",
        caption="Which terms each side accepts, and the balanced terms",
        widget="terms",
    ),
    Chart(
        "councils",
        "councils_savings",
        figures.council_savings,
        ("region",),
        title="The region's councils: each council's saving",
        caption="Each council's expected saving, its P10-P90 spread and its chance of being better off",
        widget="councils",
        in_pack=_has_members,
        applies=_has_members,
    ),
    Chart(
        "council_shares",
        "councils_contribution_shares",
        figures.council_shares,
        ("region",),
        title="The region's councils: shares of the contribution",
        caption="Each council's range of shares of the contribution that leaves every council better off",
        widget="council_shares",
        in_pack=_has_members,
        applies=_has_members,
    ),
)
"""Every chart of one scenario, in the order the Export view lists them and the pack holds them."""

COMPARISON_CHARTS: tuple[Chart, ...] = (
    Chart(
        "compare_bars",
        "compare_gains",
        figures.compare_bars,
        ("summary",),
        title="Saved options: expected gains",
        caption="Each side's expected gain, option by option",
        widget="compare_bars",
    ),
    Chart(
        "compare_lines",
        "compare_across_occupancy",
        figures.compare_lines,
        ("across_occupancy",),
        title="Saved options: across occupancy",
        caption="Each side's gain across occupancy, option by option",
        widget="compare_lines",
    ),
)
"""The charts of several saved options: ``figure(options)`` with options ``[(name, scenario, result)]``, the one
result each option needs (``across_occupancy`` at each option's most likely local use)."""


@dataclass(frozen=True)
class View:
    """One of the page's chart views (a tab): its name, the sentence on what it answers (``purpose``, "Name: ..."),
    an optional caption on how to read it, its charts (by key, drawn in order under the sliders their points
    need), and, for a view of the term, what it says instead for a one-year scenario."""

    name: str
    purpose: str
    charts: tuple[str, ...]
    caption: str | None = None
    one_year: str | None = None
    shown: Callable[[Scenario], bool] = _always  # whether the page has the tab for the scenario


def views_for(s: Scenario) -> list[View]:
    """The chart views the page has for the scenario, in order (the Councils view only for a region of councils)."""
    return [v for v in VIEWS if v.shown(s)]


VIEWS: tuple[View, ...] = (
    View(
        "Every outcome",
        "Every outcome: each side's gain at every occupancy (across) and local use (up), not just the most likely one.",
        ("heatmaps",),
        caption=(
            "Green: better off with the agreement; purple: worse off. Solid lines: each side breaks even with "
            "the agreement. Inside the black dashed line both are better off. Dotted lines: sharing-band edges."
        ),
    ),
    View(
        "Across occupancy",
        "Across occupancy: how the provider's profit and the host's cost per unit change as the service fills, at "
        "one local use.",
        ("occupancy_lines",),
    ),
    View(
        "Where the money goes",
        "Where the money goes: the year's fees, contribution, compensation and surplus share at one point, for each "
        "side; it starts at the most likely point, as At a glance.",
        ("money_flows",),
    ),
    View(
        "Risk",
        "Risk: how likely each side is to gain less than any figure, over the whole uncertainty.",
        ("risk",),
        caption=(
            "Read across from 10 %: there is a 1 in 10 chance the gain is below that figure. "
            "Where a curve crosses the zero line is the chance that side is worse off."
        ),
    ),
    View(
        "Access and placements",
        "Access and placements: what preferred access is worth beyond the local use the host would get anyway, and "
        "the money riding on one more local placement.",
        ("access_value", "placement_money"),
        caption=(
            "Left to right: local use. The host's saving for several shares of use it would get locally anyway; "
            "below, what one more local placement is worth to the host, and what each step band's start moves to it "
            "in a year."
        ),
    ),
    View(
        "Over the term",
        "Over the term: each side's gain year by year as prices and costs grow, and when each gets its set-up cost "
        "back.",
        ("term_chart",),
        caption=(
            "Bars: each side's gain in each year, prices and costs grown by the term's indexation; a cross marks the "
            "year a side would be better off without the agreement. Lines: the running total, discounted, after each "
            "side's share of the set-up cost; a star marks the year it pays back."
        ),
        one_year="This scenario runs one year. Set the years of the term (in the sidebar, under 'The term') to see "
        "them.",
    ),
    View(
        "Councils",
        "Councils: what each of the region's councils saves, how sure it is, and which split of the contribution "
        "leaves every council better off.",
        ("councils", "council_shares"),
        caption=(
            "Bars: each council's expected saving; whiskers: 1 in 10 cases below, 9 in 10 below. Below: the shares of "
            "the contribution at which a council is better off while the others' shares are set so they are too; "
            "the diamond is its share now."
        ),
        shown=_has_members,
    ),
    View(
        "Other ways to buy",
        "Other ways to buy: the agreement beside buying spot, a block contract of every place, the host price "
        "alone and the scenario's own arrangements, each side's expected figure and the risk it carries.",
        ("arrangements",),
        caption=(
            "Diamonds: each side's expected figure a year; bars: from P10 to P90, so a longer bar is more risk "
            "carried. The dashed line is spot, buying place by place with no agreement; the figure in brackets is "
            "the gain against spot."
        ),
    ),
)
"""The page's chart views, in the order of its tabs (Find terms, Compare options and Export follow: they are
forms, not charts at a point)."""

SLIDER_LABELS = {"occupancy": "Occupancy (%)", "local_use": "Local use (%)"}
"""Each coordinate's slider label."""


def chart(key: str) -> Chart:
    """The chart of that key (of :data:`CHARTS` or :data:`COMPARISON_CHARTS`)."""
    return next(c for c in CHARTS + COMPARISON_CHARTS if c.key == key)


def charts_for(s: Scenario, in_pack: bool = False) -> list[Chart]:
    """The charts of one scenario, in order: every one (the Export view's list) or, with ``in_pack``, those the
    paper pack holds for it."""
    return [c for c in CHARTS if c.applies(s) and (not in_pack or c.in_pack(s))]


def sliders_of(view: View) -> list[tuple[str, str, str]]:
    """(slider key, coordinate, label) of each slider a view's charts need, in the order they first appear."""
    out: dict[str, tuple[str, str, str]] = {}
    for key in view.charts:
        for coordinate, slider in chart(key).point.items():
            out.setdefault(slider, (slider, coordinate, SLIDER_LABELS[coordinate]))
    return list(out.values())


SLIDERS: dict[str, str] = {slider: coordinate for c in CHARTS for coordinate, slider in c.point.items()}
"""Every point slider of the page and the coordinate it sets (``occupancy`` or ``local_use``)."""
