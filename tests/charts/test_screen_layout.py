"""A chart laid out for the page as it is built (charts.style.built_for_screen, the page's way) is the same figure as
one built for export and then laid out by a second pass (charts.style.for_screen), at both of the page's widths."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest

import charts
from charts import catalogue
from partnership import load_scenario
from partnership.negotiation import default_axes, sweep
from partnership.results import RESULTS, result

from ..conftest import ROOT

PRESETS = ["childrens_home_new_build", "regional_councils", "homecare_zone_framework"]
"""A term, a region and built-up costs with other ways to buy: between them every chart of the catalogue."""
LAYOUTS = {
    "beside the sidebar": {},
    "presentation": {"min_width": charts.style.PRESENTATION_MIN_WIDTH, "height": charts.style.PRESENTATION_HEIGHT},
}


def _as_json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_chart_built_for_the_screen_is_the_chart_laid_out_after(preset, layout):
    """Every chart the preset has (and Find terms' map of its default question): built inside built_for_screen it
    equals, to every key and value of its JSON, the same chart built plainly and then passed through for_screen; and
    for_screen leaves a chart already built for that layout as it is."""
    s = load_scenario(ROOT / "presets" / f"{preset}.yaml")
    kw = LAYOUTS[layout]
    drawn = []
    for c in catalogue.CHARTS:
        if not c.applies(s) or any("question" in RESULTS[name][0] for name in c.needs):
            continue  # (Find terms' map, drawn below from its question's sweep)
        found = [result(name, s, occupancy=0.85, local_use=0.75, steps=51) for name in c.needs]
        drawn.append((c.key, lambda c=c, found=found: c.figure(s, *found)))
    x, y = default_axes(s, count=9)  # a coarse search: the map's layout is what is compared
    swept = sweep(s, x, y)
    drawn.append(("terms_map", lambda: catalogue.chart("terms_map").figure(s, swept)))
    for key, draw in drawn:
        after = charts.for_screen(draw(), **kw)
        with charts.built_for_screen(**kw):
            built = draw()
        assert getattr(built, "_screen", None) is not None, f"{key}: not built for the screen"
        assert _as_json(charts.for_screen(built, **kw)) == _as_json(after), key
    assert len(drawn) >= 8


def test_a_chart_for_the_page_is_only_sent():
    """The page's chart hands out copies of what it sends (a change to one never reaches the next redraw's), with its
    arrays as plotly.js's typed arrays, and refuses to be read or changed as a plotly figure."""
    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    c = catalogue.chart("heatmaps")
    with charts.built_for_screen():
        fig = c.figure(s, result("grid", s, steps=51))
    sent = fig.to_dict()
    assert set(sent["data"][0]["z"]) == {"dtype", "bdata", "shape"} and sent["data"][0]["z"]["shape"] == "51, 51"
    sent["layout"]["title"]["text"] = "changed"
    sent["data"].clear()
    again = fig.to_dict()
    assert again["layout"]["title"]["text"] != "changed" and again["data"]
    with pytest.raises(AttributeError, match="only sent to it"):
        fig.update_layout(height=100)
    with pytest.raises(AttributeError, match="only sent to it"):
        fig.data  # noqa: B018
