"""End to end in real headless Chromium at a projector's 1280x720: the region preset's Councils view, each council's
saving as the model has it, and Adopt "saving by use" leaving every council better off in expectation."""

from __future__ import annotations

from partnership import load_scenario
from partnership.councils import region_summary
from partnership.formats import money

from ..support.browser import (
    ARTIFACTS,
    ROOT,
    browser_page,
    end_to_end_marks,
    open_group,
    open_view,
    rerun,
    streamlit_server,
    wait_for_idle,
)

pytestmark = end_to_end_marks()

REGION_PRESET = ROOT / "presets" / "regional_councils.yaml"


def _headline(page) -> str:
    return page.locator(".st-key-councils_headline").inner_text()


def _chart_labels(panel) -> list[str]:
    """The words over each council's bar in the savings chart (its expected saving and its chance)."""
    chart = panel.locator(".js-plotly-plot").first
    chart.wait_for(timeout=120_000)
    texts = chart.locator(".annotation-text").evaluate_all(  # SVG text: its lines are tspans
        "els => els.map(e => Array.from(e.querySelectorAll('tspan.line')).map(t => t.textContent).join('\\n')"
        " || e.textContent)"
    )
    return [t for t in texts if "chance" in t]


def test_open_the_region_read_each_councils_saving_adopt_saving_by_use_and_all_are_better_off():
    """At 1280x720 the region preset's Councils view shows each council's expected saving as the model works it out
    and says how many councils are better off; Adopt on "savings follow use" sets the shares, and then every council
    is better off in expectation, in the chart's words and the headline. Screenshots of each step are kept."""
    from playwright.sync_api import expect  # here, so a machine without playwright skips with the reason

    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    want = region_summary(load_scenario(REGION_PRESET))
    with streamlit_server() as base, browser_page(1280, 720) as page:
        page.goto(base + "/?preset=regional_councils")
        wait_for_idle(page, 120_000)  # a loaded machine: the first page draws slowly
        open_view(page, "Councils", 120_000)
        panel = page.locator("[role=tabpanel]:visible").first
        labels = _chart_labels(panel)
        assert len(labels) == len(want.names)
        for label, e in zip(labels, want.expected_saving):
            assert label.splitlines()[0] == money(e, "£"), (label, e)
        better = sum(e >= -0.5 for e in want.expected_saving)
        assert f"{better} of {len(want.names)} councils better off in expectation" in _headline(page)
        panel.locator(".js-plotly-plot").nth(1).wait_for(timeout=120_000)  # the shares' chart drawn too
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "councils_01_first_screen.png"))
        panel.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / "councils_02_savings_chart.png"))  # the window as the room sees it

        button = page.get_by_role("button", name="Adopt saving by use")
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "councils_03_rules.png"))
        rerun(page, button.click, 120_000)
        expect(page.locator(".st-key-councils_headline")).to_contain_text(
            f"All {len(want.names)} councils better off in expectation", timeout=30_000
        )
        panel = page.locator("[role=tabpanel]:visible").first
        after = _chart_labels(panel)
        assert all(not label.startswith("-") for label in after), after  # every council's expected saving >= 0
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("[data-testid=stMain]").evaluate("el => el.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "councils_04_adopted.png"))

        open_group(page, "The region's councils", 120_000)
        table = page.locator("[data-testid=stSidebar] [data-testid=stDataFrame]").first
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "councils_05_sidebar_table.png"))
