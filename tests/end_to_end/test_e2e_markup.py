"""Scenario text is text in real Chromium: links and markup planted in every field a person types (the scenario's
name, description, unit, period, currency and sources, an option's and a room's name, an unknown key, an uploaded
file's name) render as typed in every view, sidebar group, expander and help tooltip: no link or image to the
planted host, no planted word bold, italic, struck, coloured or as code; and ordinary names read normally."""

from __future__ import annotations

import copy

import pytest

from partnership.examples import EXAMPLE

from ..support import hostile_corpus as corpus
from ..support.browser import (
    ARTIFACTS,
    browser_page,
    end_to_end_marks,
    open_group,
    open_view,
    rerun,
    streamlit_server,
    wait_for_idle,
)

pytestmark = end_to_end_marks()


@pytest.fixture(scope="module")
def server():
    """One app for the module's tests (each opens its own browser, a session of its own)."""
    with streamlit_server() as base:
        yield base


GROUPS = ["Service", "Prices", "Agreement", "Surplus sharing", "Term", "Uncertainty", "Open or save a scenario file"]
WORDS = corpus.planted_words((*corpus.TAGS, "OPT"))


def _rendered(page, where: str) -> list[str]:
    """What planted markup the page renders now, each finding named by where it was seen."""
    return [f"{where}: {x}" for x in page.evaluate(corpus.RENDERED_JS, WORDS)]


def _tooltips(page, where: str) -> list[str]:
    """Hover each help icon on the page, and look at what its tooltip renders."""
    found = []
    icons = page.locator("[data-testid=stTooltipIcon]:visible")
    for i in range(min(icons.count(), 60)):
        icons.nth(i).hover()
        page.wait_for_timeout(150)
        found += _rendered(page, f"{where}, tooltip {i}")
    page.mouse.move(0, 0)
    return found


def test_markup_planted_in_every_text_field_renders_as_text_everywhere(server):
    """Every view, every sidebar group, the headline's expanders and every help tooltip of a scenario planted with
    links and markup in every text field: nothing renders as a link, image or styled word, and the title reads as
    typed."""
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    base = server
    with browser_page(1600, 1000) as page:
        page.goto(f"{base}/?scenario={corpus.link(corpus.markup_doc())}")
        wait_for_idle(page)
        title = page.locator("h1").first.inner_text()
        assert title.replace("\u2060", "") == corpus.markup("NAME")
        for group in GROUPS:
            open_group(page, group)
        for name in ("In words", "Sources and estimates"):
            summary = page.locator("summary", has_text=name).first
            rerun(page, summary.click)
        for name in ("What the words mean", "Placement money"):  # written out only when opened: a run each
            if (summary := page.locator("summary", has_text=name)).count():
                rerun(page, summary.first.click)
        found += _rendered(page, "first screen") + _tooltips(page, "first screen")
        page.screenshot(path=str(shots / "markup_first_screen.png"), full_page=True)
        for view in [t.inner_text() for t in page.get_by_role("tab").all()]:
            open_view(page, view)
            page.wait_for_timeout(300)  # plotly draws its SVG after the run
            found += _rendered(page, view) + _tooltips(page, view)
    assert found == [], "\n".join(found)


def test_an_uploaded_file_named_as_a_link_with_an_unknown_key_shaped_as_one_renders_as_text(server):
    """The error box for an uploaded file named like a Markdown link and holding an unknown key shaped as one shows
    both as typed, with no link or bold."""
    base = server
    with browser_page(1600, 1000) as page:
        page.goto(base)
        wait_for_idle(page)
        open_group(page, "Open or save a scenario file")
        data = (corpus.example_yaml() + f"'{corpus.UNKNOWN_KEY_LINK}': 1\n").encode()
        upload = page.locator("[data-testid=stSidebar] input[type=file]").first
        rerun(
            page,
            lambda: upload.set_input_files(
                files=[{"name": corpus.FILE_NAME_LINK, "mimeType": "application/yaml", "buffer": data}]
            ),
        )
        alert = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first
        alert.wait_for()
        text = alert.inner_text().replace("\u2060", "")
        assert corpus.UNKNOWN_KEY_LINK in text and "is not a known field" in text, text
        assert _rendered(page, "upload") == []


def test_room_and_option_names_render_as_text_in_the_header_notes_and_undo_button(server):
    """A room named with a bare address and bold, and an option named bold, red and as a link: the room's header,
    the notes, the table and the Undo button show them as typed."""
    base = server
    with browser_page(1600, 1000) as page:
        page.goto(base)
        wait_for_idle(page)
        open_view(page, "Compare options")
        page.get_by_role("textbox", name="Room name (optional)").fill(corpus.ROOM_NAME)
        rerun(page, page.get_by_role("button", name="Start a workshop room").click)
        page.get_by_role("textbox", name="Name this option").fill(corpus.OPTION_NAME)
        rerun(page, page.get_by_role("button", name="Save this option").click)
        rerun(page, page.get_by_role("button", name="Remove it").click)
        undo = page.get_by_role("button", name="Undo")
        assert undo.inner_text().replace("\u2060", "") == f"Undo: bring back “{corpus.OPTION_NAME}”"
        page.get_by_text("ROOM https").first.wait_for()
        found = _rendered(page, "room")
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "markup_room.png"), full_page=True)
    assert found == [], "\n".join(found)


def test_ordinary_names_read_normally(server):
    """A name with an apostrophe, brackets and an ampersand, a £ currency: the title, the labels and the sentences
    read as typed, with no backslash or stray character on the page."""
    doc = copy.deepcopy(EXAMPLE)
    doc["name"] = "Children's home (North) A & B: 2025-26 www"
    doc["unit"] = "bed"
    base = server
    with browser_page(1280, 720) as page:
        page.goto(f"{base}/?scenario={corpus.link(doc)}")
        wait_for_idle(page)
        assert page.locator("h1").first.inner_text() == doc["name"]
        open_group(page, "Prices")
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "ordinary_names.png"))
        text = page.locator("[data-testid=stApp]").inner_text()
        assert "\\" not in text
        assert "Host price (£ per bed-week)" in text
