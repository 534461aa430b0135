"""Regenerate the README's images: the app in headless Chromium, and one chart from the paper pack.

Run from the repository root: python docs/make_images.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import browser_page, streamlit_server, wait_for_idle  # noqa: E402


def main() -> None:
    out = ROOT / "docs"
    with streamlit_server() as base, browser_page(width=1500, height=1500) as page:
        page.goto(base + "/?view=Every+outcome")
        wait_for_idle(page)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "app.png"))
    from paper.images import chart_image
    from paper.pack import scenario_charts
    from partnership import load_scenario, summarize
    from partnership.negotiation import default_axes, sweep

    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    charts = scenario_charts(s, summarize(s), sweep(s, *default_axes(s)))
    fig = dict((stem, f) for stem, _, f in charts)["find_terms"]
    (out / "pack_find_terms.png").write_bytes(chart_image(fig, "png", s.name))


if __name__ == "__main__":
    main()
