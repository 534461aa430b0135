"""The one catalogue of charts and views (charts/catalogue.py): every consumer reads it, every chart is drawn from
the results it names, and nothing else lists the charts."""

from __future__ import annotations

import ast

import plotly.graph_objects as go
import pytest

from charts import catalogue
from paper.pack import scenario_charts
from partnership import load_scenario, summarize
from partnership.negotiation import default_axes, sweep
from partnership.results import RESULTS, result

from ..conftest import ROOT

NEW_BUILD = ROOT / "presets" / "childrens_home_new_build.yaml"  # a five-year term: every chart of the catalogue
REGION = ROOT / "presets" / "regional_councils.yaml"  # a region of four councils: the Councils view's charts


def test_every_chart_names_results_the_model_has_and_its_points_have_sliders():
    """Every catalogued chart needs only results the model has, is placed only by occupancy and local use, and has its
    own key and file name; every view states its purpose and shows only catalogued charts."""
    for c in catalogue.CHARTS + catalogue.COMPARISON_CHARTS:
        assert set(c.needs) <= set(RESULTS), c.key
        assert set(c.point) <= {"occupancy", "local_use"}, c.key
    keys = [c.key for c in catalogue.CHARTS + catalogue.COMPARISON_CHARTS]
    stems = [c.stem for c in catalogue.CHARTS + catalogue.COMPARISON_CHARTS]
    assert len(set(keys)) == len(keys) and len(set(stems)) == len(stems)
    for view in catalogue.VIEWS:
        assert view.purpose.startswith(f"{view.name}: "), view.name
        for key in view.charts:
            catalogue.chart(key)  # raises StopIteration for a chart the catalogue lacks


def test_every_chart_is_drawn_from_the_results_it_names():
    """Every chart of the pack, for a preset with a five-year term, draws a non-empty figure from the results it names
    alone."""
    s = load_scenario(NEW_BUILD)
    point = {"occupancy": 0.8, "local_use": 0.6, "question": (*default_axes(s),), "steps": 11}
    for c in catalogue.charts_for(s, in_pack=True):
        fig = c.figure(s, *(result(name, s, **point) for name in c.needs))
        assert isinstance(fig, go.Figure) and fig.data, c.key


def test_the_pack_holds_the_catalogues_charts_in_its_order_and_a_one_year_pack_no_term_chart():
    """The export pack holds the catalogue's charts in its order (a region's councils' charts only for a region); a
    one-year scenario's pack leaves out the chart over the term, which the Export view still offers."""
    s = load_scenario(NEW_BUILD)
    stems = [stem for stem, _, _ in scenario_charts(s, summarize(s), sweep(s, *default_axes(s)))]
    assert stems == [c.stem for c in catalogue.CHARTS if "region" not in c.needs]
    region = load_scenario(REGION)
    stems = [stem for stem, _, _ in scenario_charts(region, summarize(region), sweep(region, *default_axes(region)))]
    assert stems[-2:] == ["councils_savings", "councils_contribution_shares"]
    assert "councils_savings" not in [c.stem for c in catalogue.charts_for(s)]  # one host: not even offered
    one_year = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert "over_the_term" not in [c.stem for c in catalogue.charts_for(one_year, in_pack=True)]
    assert "over_the_term" in [c.stem for c in catalogue.charts_for(one_year)]  # the Export view offers it


def test_the_page_lists_the_catalogues_views_and_no_one_else_lists_the_charts():
    """workshop.VIEWS starts with the catalogue's views; no module of the page, the Export view, the cache or the
    pack names a figure function of charts.figures (they reach them through the catalogue)."""
    from ui import views

    assert list(views.CHART_VIEWS) == [v.name for v in catalogue.VIEWS]
    page = ast.parse((ROOT / "workshop.py").read_text(encoding="utf-8"))
    starred = [
        n
        for n in ast.walk(page)
        if isinstance(n, ast.Dict) and any(k is None for k in n.keys)  # {**views.CHART_VIEWS, ...}
    ]
    assert starred, "workshop.VIEWS does not take the catalogue's views"
    figures = {c.figure.__name__ for c in catalogue.CHARTS + catalogue.COMPARISON_CHARTS}
    for rel in ("workshop.py", "ui/compute.py", "ui/export.py", "ui/views.py", "ui/options.py", "paper/pack.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        named = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
        }
        # Find terms draws its map beside its own form: the one figure a view names itself
        allowed = {"terms_map"} if rel == "ui/views.py" else set()
        assert not (named & figures) - allowed, (rel, (named & figures) - allowed)


@pytest.mark.parametrize("coordinate", ["occupancy", "local_use"])
def test_every_slider_starts_at_its_coordinate_of_the_most_likely_point(coordinate):
    """Each point slider on the page starts at the coordinate of the most likely point the catalogue gives it, and
    occupancy and local use each have one."""
    from ui import views

    for slider, axis in views.POINT_SLIDERS.items():
        assert axis == views.AXIS[catalogue.SLIDERS[slider]]
    assert coordinate in catalogue.SLIDERS.values()


def test_the_start_of_sharing_is_marked_in_neither_partys_colour():
    """The dot where surplus sharing starts sits on the provider's line but belongs to both sides: it is neutral grey,
    not the host's vermillion on the provider's blue chart."""
    from charts import style

    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    c = catalogue.chart("occupancy_lines")
    fig = c.figure(s, *(result(name, s, local_use=0.6) for name in c.needs))
    dot = next(t for t in fig.data if (t.name or "").startswith("Surplus sharing with the host starts"))
    assert dot.marker.color == style.NEUTRAL


def test_saved_options_avoid_the_parties_and_the_maps_colours():
    """Saved options take none of the provider's blue, the host's vermillion, the maps' better-off greens or worse-off
    purples, nor pink (Okabe-Ito's bluish green and reddish purple were the first two)."""
    from charts import figures, style

    maps = {colour.lower() for _, colour in style.DIVERGING}
    taken = {style.PROVIDER.lower(), style.HOST.lower(), "#009e73", "#cc79a7"} | maps
    assert not {colour.lower() for colour in style.OPTION_COLOURS} & taken
    assert figures.OPTION_COLOURS is style.OPTION_COLOURS


def test_only_a_chart_sized_to_the_window_puts_a_long_axis_title_on_two_lines():
    """Beside the sidebar the risk chart's y-axis title stays on one line (its plot is tall enough); laid out for
    presentation mode (a height given) it goes on two, so it stays beside the shorter plot."""
    from charts.style import PRESENTATION_HEIGHT, PRESENTATION_MIN_WIDTH, for_screen

    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    c = catalogue.chart("risk")
    beside = for_screen(c.figure(s, *(result(name, s) for name in c.needs)))
    assert beside.layout.yaxis.title.text == "Chance the gain is at most this"
    wide = for_screen(c.figure(s, *(result(name, s) for name in c.needs)), PRESENTATION_MIN_WIDTH, PRESENTATION_HEIGHT)
    assert wide.layout.yaxis.title.text == "Chance the gain is<br>at most this"
    assert wide.layout.height == PRESENTATION_HEIGHT


def test_the_councils_view_is_the_pages_only_for_a_region():
    """The Councils view is among the page's views for a region of councils, and not for one host."""
    names = [v.name for v in catalogue.views_for(load_scenario(REGION))]
    assert "Councils" in names
    assert "Councils" not in [v.name for v in catalogue.views_for(load_scenario(NEW_BUILD))]


def test_the_councils_charts_draw_each_councils_figures_in_one_colour_family():
    """The councils' savings chart draws each council's expected saving with its P10 and P90 as the whisker's ends,
    every council in one colour and the region's total beside them in the host's; the shares chart draws each
    council's range from its low to its high end and marks its share now."""
    from charts import style

    s = load_scenario(REGION)
    region = result("region", s)
    fig = catalogue.chart("councils").figure(s, region)
    councils, total = fig.data[0], fig.data[1]
    assert list(councils.x) == region.names
    assert list(councils.y) == pytest.approx(region.expected_saving)
    assert list(councils.y + councils.error_y.array) == pytest.approx(region.saving_p90)
    assert list(councils.y - councils.error_y.arrayminus) == pytest.approx(region.saving_p10)
    assert isinstance(councils.marker.color, str)  # one colour for every council
    assert total.marker.color == style.HOST and list(total.y) == pytest.approx([region.expected_region_saving])
    shares = catalogue.chart("council_shares").figure(s, region)
    bars = shares.data[0]
    for i, (lo, hi) in enumerate(region.contribution_share_range):
        assert bars.base[i] == pytest.approx(100 * lo) and bars.base[i] + bars.x[i] == pytest.approx(100 * hi)
    now = next(t for t in shares.data if t.name == "Its share now")
    assert list(now.x) == pytest.approx([100 * w for w in region.contribution_shares])
