"""Projector-grade, measured in real headless Chromium at workshop screen sizes: every tab in view without
scrolling the tab bar, no headline figure or title cut short, no two pieces of chart text on top of each other (nor
a colour bar's labels on the next map, nor a title under the chart's toolbar), and no sideways scroll in the
sidebar's sharing-band table. The checks themselves are in :mod:`tests.layout_checks`; ``test_the_checks_catch``
shows each of them failing on a page built to fail it, so a green run means something."""

from __future__ import annotations

import pytest

from ..support import layout_checks as checks
from ..support.browser import (
    ARTIFACTS,
    browser_page,
    end_to_end_marks,
    open_view,
    rerun,
    streamlit_server,
    wait_for_idle,
)

pytestmark = end_to_end_marks()

SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
VIEWS = [
    "Every outcome",
    "Across occupancy",
    "Where the money goes",
    "Risk",
    "Access and placements",
    "Over the term",
    "Find terms",
    "Compare options",
    "Export",
]
# one preset with a single year (the children's home, the default) and one with a five-year term, so that
# "Over the term" draws its chart and the headline carries the term's figures
PRESETS = ["", "homecare_rural"]


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as base:
        yield base


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p or "childrens_home")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_view_fits_the_screen(server, size, preset):
    """At each workshop screen size and for each preset every view fits: tabs in view, no headline or title cut short,
    no chart text overlapping, no sideways scroll in the sidebar's tables."""
    width, height = size
    problems: list[str] = []
    with browser_page(width=width, height=height) as page:
        page.goto(server + (f"/?preset={preset}" if preset else ""))
        wait_for_idle(page)
        problems += checks.tab_problems(page)
        # the sidebar's tables: the sharing bands and the year-by-year rates (under the term)
        for name in ("Surplus sharing", "The term"):  # groups are drawn when opened
            rerun(page, page.locator("[data-testid=stSidebar] summary", has_text=name).click)
        page.wait_for_selector("[data-testid=stSidebar] [data-testid=stDataFrame] .dvn-scroller")
        page.wait_for_timeout(500)  # the grid sets its columns' widths just after it appears
        problems += checks.table_scroll(page)
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(300)  # plotly lays a chart out just after the run ends
            problems += [f"[{view}] {p}" for p in checks.cut_text(page) + checks.chart_text_problems(page)]
    assert not problems, f"at {width}x{height}:\n" + "\n".join(problems)


# Pages built to fail each check: what the old layout did (a tab list that scrolls, a figure cut short, a title
# under the toolbar, a colour bar on the next map, two labels on one spot, a table wider than its box).
BAD_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<div role="tablist" style="display:flex; overflow-x:auto; width:300px; white-space:nowrap">
  <style>[role=tab] { flex-shrink: 0 }</style>
  <button role="tab">Every outcome</button><button role="tab">Across occupancy</button>
  <button role="tab">Where the money goes</button><button role="tab">Export</button></div>
<div data-testid="stMetricValue" style="width:60px; overflow:hidden; white-space:nowrap; text-overflow:ellipsis">
  <span>£203,456</span></div>
<div role="tabpanel"><div class="js-plotly-plot" id="gd" style="width:500px"></div></div>
<section data-testid="stSidebar"><div data-testid="stDataFrame" style="width:120px; overflow-x:auto">
  <div style="width:300px">From local use (%) | Host's share (%)</div></div></section>
<script src="/plotly.js"></script>
<script>
  Plotly.newPlot('gd', [
    {z: [[1, 2], [3, 4]], type: 'heatmap', colorbar: {x: 0.45, tickprefix: '£', tickformat: ',.0f'},
     zmin: -100000, zmax: 100000},
    {z: [[1, 2], [3, 4]], type: 'heatmap', xaxis: 'x2', showscale: false},
    {x: [1, 1], y: [1, 1], mode: 'text', text: ['Operating', 'Compensation'], xaxis: 'x2'},
    ...Array.from({length: 30}, (_, i) => ({x: [0], y: [0], name: `entry ${i}`, showlegend: true}))],
    {width: 500, height: 400, xaxis: {domain: [0, 0.45]}, xaxis2: {domain: [0.5, 1]},
     title: {text: 'Who gains from the agreement, at every occupancy and local use (a year)', y: 0.99, yanchor: 'top'}},
    {displayModeBar: true});
</script></body></html>"""


def test_the_checks_catch_what_the_old_layout_did(tmp_path):
    """Each check fails on a page that has its fault (so a pass above is not a check that cannot fail)."""
    import plotly

    js = (plotly.__path__[0] + "/package_data/plotly.min.js").replace("\\", "/")
    with browser_page(width=400, height=600) as page:
        page.route("**/plotly.js", lambda route: route.fulfill(path=js, content_type="text/javascript"))
        page.route("http://layout.test/", lambda route: route.fulfill(body=BAD_PAGE, content_type="text/html"))
        page.goto("http://layout.test/")
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(300)
        tabs = checks.tab_problems(page)
        assert any("scrolls sideways" in p for p in tabs), tabs
        assert any('tab "Export" is outside the window' in p for p in tabs), tabs
        cut = checks.cut_text(page)
        assert any("£203,456" in p for p in cut), cut
        text = " | ".join(checks.chart_text_problems(page))
        assert "runs past the chart's edge" in text, text  # the long title on a narrow chart
        assert "lies under the chart's toolbar" in text, text
        assert "colour bar" in text and "lies on a plot area" in text, text
        assert '"Operating" overlaps' in text, text
        assert "the legend scrolls, hiding entries" in text, text
        assert checks.table_scroll(page), "a sidebar table scrolling sideways went unseen"


def test_presentation_mode_gives_the_open_chart_the_screen(server):
    """At 1280x720 with the presentation switch on (a link can carry it): no sidebar, the tabs and the top of the
    open chart on the first screen, the chart wider than beside the sidebar, and nothing cut or overlapping."""
    with browser_page(width=1280, height=720) as page:
        page.goto(server)
        wait_for_idle(page)
        page.wait_for_timeout(300)
        beside = page.locator("[role=tabpanel]:visible .js-plotly-plot").first.bounding_box()
        page.goto(server + "/?presentation=true")
        wait_for_idle(page)
        page.wait_for_timeout(300)
        assert not page.locator("[data-testid=stSidebar]").is_visible()
        problems = checks.tab_problems(page)
        for view in ("Every outcome", "Where the money goes", "Risk"):
            open_view(page, view)
            page.wait_for_timeout(300)
            problems += [f"[{view}] {p}" for p in checks.cut_text(page) + checks.chart_text_problems(page)]
            box = page.locator("[role=tabpanel]:visible .js-plotly-plot").first.bounding_box()
            if box["y"] > 720 - 150:  # at least its title and the top of its plot on the first screen
                problems.append(f"[{view}] the chart starts {box['y']:.0f} px down: below the first screen")
            if box["width"] <= beside["width"]:
                problems.append(f"[{view}] the chart is no wider ({box['width']:.0f} px) than beside the sidebar")
    assert not problems, "\n".join(problems)


FIRST_SCREEN = [(1280, 720), (1366, 768)]
"""The workshop screens of the first-screen tests: a projector at 1280x720 and a laptop at 1366x768."""

# Where the tab bar and each chart on show lie, with the page scrolled back to its top (opening a tab scrolls it into
# view): the first screen a room sees.
ON_SHOW = """() => {
  document.querySelectorAll('*').forEach((el) => { if (el.scrollTop) el.scrollTop = 0; });
  window.scrollTo(0, 0);
  const box = (el) => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
                                                                       right: r.right}; };
  const panel = document.querySelector('[role=tabpanel]:not([hidden])');
  return {
    tabs: box(document.querySelector('[role=tablist]')),
    charts: [...panel.querySelectorAll('.js-plotly-plot')].map((gd) => ({
      box: box(gd), title: gd.querySelector('.g-gtitle') ? box(gd.querySelector('.g-gtitle')) : null,
      holder: box(gd.closest('[data-testid=stElementContainer]')),
      name: ((gd.querySelector('.g-gtitle') || {}).textContent || '').slice(0, 50)})),
    window: {width: window.innerWidth, height: window.innerHeight},
  };
}"""
SCREENSHOTS = ARTIFACTS / "screenshots" / "first_screen"


def first_screen_problems(page, view: str) -> list[str]:
    """What of the tab bar and the open chart's title a room cannot see without scrolling, in ``view``."""
    on = page.evaluate(ON_SHOW)
    height = on["window"]["height"]
    out = []
    if on["tabs"]["bottom"] > height + 0.5:
        out.append(f"[{view}] the tab bar ends {on['tabs']['bottom']:.0f} px down, below the first screen ({height})")
    if on["charts"]:
        first = on["charts"][0]
        end = (first["title"] or first["box"])["bottom"]
        if end > height + 0.5:
            out.append(f"[{view}] the chart's title ends {end:.0f} px down, below the first screen ({height})")
    return out


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p or "childrens_home")
@pytest.mark.parametrize("size", FIRST_SCREEN, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_first_screen_shows_the_tabs_and_the_open_charts_title(server, size, preset):
    """With the sidebar open, on every view, at 1280x720 and 1366x768: the tab bar and the open view's chart title are
    on the first screen, without scrolling (the headline a compact strip, a placement note only where the money is
    material)."""
    width, height = size
    problems: list[str] = []
    with browser_page(width=width, height=height) as page:
        page.goto(server + (f"/?preset={preset}" if preset else ""))
        wait_for_idle(page)
        assert page.locator("[data-testid=stSidebar]").is_visible()
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(300)  # plotly lays a chart out just after the run ends
            problems += first_screen_problems(page, view)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{preset or 'childrens_home'}_{width}x{height}_{view}.png")
    assert not problems, f"at {width}x{height}:\n" + "\n".join(problems)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p or "childrens_home")
@pytest.mark.parametrize("size", FIRST_SCREEN, ids=lambda s: f"{s[0]}x{s[1]}")
def test_in_presentation_mode_every_chart_fits_the_window(server, size, preset):
    """In presentation mode, at 1280x720 and 1366x768, every chart's whole box (axes, legend and all) lies inside the
    window: the open view's first chart on the first screen without scrolling, and each later one once scrolled to;
    and no chart is taller than the place the page gives it (else what follows covers its legend)."""
    width, height = size
    problems: list[str] = []
    with browser_page(width=width, height=height) as page:
        page.goto(server + "/?presentation=true" + (f"&preset={preset}" if preset else ""))
        wait_for_idle(page)
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(300)
            on = page.evaluate(ON_SHOW)
            for n, c in enumerate(on["charts"]):
                if n:  # a later chart: scrolled to, as the presenter would
                    page.locator("[role=tabpanel]:visible .js-plotly-plot").nth(n).evaluate(
                        "(gd) => gd.scrollIntoView({block: 'start'})"
                    )
                    c["box"] = page.locator("[role=tabpanel]:visible .js-plotly-plot").nth(n).bounding_box()
                    c["box"] |= {"top": c["box"]["y"], "bottom": c["box"]["y"] + c["box"]["height"]}
                    c["box"] |= {"left": c["box"]["x"], "right": c["box"]["x"] + c["box"]["width"]}
                b = c["box"]
                if b["bottom"] - b["top"] > c["holder"]["bottom"] - c["holder"]["top"] + 1:
                    problems.append(
                        f"[{view}] chart {n + 1} ({c['name']}) is taller than its place on the page: what follows "
                        "covers its bottom"
                    )
                if b["top"] < -0.5 or b["bottom"] > height + 0.5 or b["left"] < -0.5 or b["right"] > width + 0.5:
                    problems.append(
                        f"[{view}] chart {n + 1} ({c['name']}) spans {b['top']:.0f}-{b['bottom']:.0f} px down, "
                        f"{b['left']:.0f}-{b['right']:.0f} px across: not inside the {width}x{height} window"
                    )
            if on["charts"]:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.evaluate(ON_SHOW)
                page.screenshot(
                    path=SCREENSHOTS / f"presentation_{preset or 'childrens_home'}_{width}x{height}_{view}.png"
                )
    assert not problems, f"at {width}x{height}:\n" + "\n".join(problems)
