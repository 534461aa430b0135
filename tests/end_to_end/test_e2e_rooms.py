"""The workshop room end to end in real Chromium: two laptops join one room, one saves an option and the
other sees it without reloading; the server is restarted and both still see it; the room's ZIP holds
every option and imports back to the same figures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from partnership import scenario_from_dict, summarize
from partnership.reading import read_document

from ..support.browser import (
    _free_port,
    browser_page,
    end_to_end_marks,
    open_view,
    rerun,
    streamlit_server,
    wait_for_idle,
)

pytestmark = end_to_end_marks()


def _join(page, url: str) -> None:
    page.goto(url)
    wait_for_idle(page)
    open_view(page, "Compare options")


def _sees(page, name: str, timeout: float = 15_000) -> None:
    """The option is a row of the options table (its grid's cells are in the page, drawn on a canvas), within
    the timeout."""
    cell = page.locator("[role=tabpanel]:visible [role=gridcell]", has_text=name).first
    cell.wait_for(state="attached", timeout=timeout)


def test_two_laptops_share_a_room_across_a_server_restart(tmp_path):
    """Two people in one workshop room see each other's saved options without reloading and after a server restart; the
    room's download holds both, with the figures the page showed when each was saved."""
    port = _free_port()
    with browser_page(1366, 900, pages=2) as (council, provider):
        with streamlit_server(port=port) as base:
            _join(council, base)
            rerun(council, council.get_by_role("button", name="Start a workshop room").click)
            code = parse_qs(urlparse(council.url).query)["room"][0]
            assert len(code) >= 22
            _join(provider, f"{base}/?room={code}")
            provider.get_by_text("No options saved yet").first.wait_for()

            council.get_by_role("textbox", name="Name this option").fill("Council proposal")
            council.get_by_role("textbox", name="Proposed by").fill("Council")
            rerun(council, council.get_by_role("button", name="Save this option").click)
            _sees(council, "Council proposal")
            _sees(provider, "Council proposal")  # no reload: the room is looked at every few seconds

            provider.get_by_role("textbox", name="Name this option").fill("Provider counter-offer")
            provider.get_by_role("textbox", name="Proposed by").fill("Provider")
            rerun(provider, provider.get_by_role("button", name="Save this option").click)
            _sees(council, "Provider counter-offer")

        # the server goes away and comes back on the same address: both pages reconnect by themselves
        with streamlit_server(port=port):
            for page in (council, provider):
                page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
                wait_for_idle(page, 60_000)
                open_view(page, "Compare options")
                _sees(page, "Council proposal", 30_000)
                _sees(page, "Provider counter-offer", 30_000)

            with council.expect_download(timeout=60_000) as info:
                council.get_by_role("button", name="Download the room").click()
            data = Path(info.value.path()).read_bytes()

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    assert "log.csv" in files
    yamls = {n: scenario_from_dict(read_document(b, n)) for n, b in files.items() if n.endswith(".yaml")}
    assert len(yamls) == 2
    # the same figures as the scenario the page showed when each was saved (the preset, unchanged)
    from partnership import load_scenario

    from ..conftest import ROOT

    preset = summarize(load_scenario(ROOT / "presets" / "childrens_home.yaml"))
    for scenario in yamls.values():
        assert summarize(scenario)["expected_provider_gain"] == pytest.approx(preset["expected_provider_gain"])
