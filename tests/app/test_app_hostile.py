"""Hostile input in the app itself: every hostile link from the corpus opens the default preset with one plain
message (labels, not field paths; no traceback), and a view that fails says so in a line while the rest of
the page works."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from partnership.fields import FIELDS
from ui import views
from ui.state import URL_KEY

from ..conftest import ROOT
from ..model.test_hostile_input import CASES, as_link
from ..support.markdown import as_read

PATHS = re.compile("|".join(re.escape(f.path) for f in FIELDS if "." in f.path))


def open_with_link(text: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.query_params[URL_KEY] = text
    return at.run()


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[2] is not False])
def test_a_hostile_link_opens_the_default_preset_with_a_plain_message(tmp_path, name):
    """Any hostile scenario link opens the default preset with a plain message about the link: no field paths, no
    traceback."""
    make, words, link_words, _ = CASES[name]
    at = open_with_link(as_link(make(tmp_path).read_bytes()))
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert "link" in shown.lower(), shown
    assert "Traceback" not in shown and not PATHS.search(shown), shown
    assert at.title[0].value.replace("\\", "") == "Four-place children's home"
    assert at.metric, "the page goes on with the default preset"


def test_a_damaged_link_is_named_in_plain_words():
    """A link that is no scenario at all gets a plain message about the link, and the page still opens."""
    at = open_with_link("not-a-scenario!!")
    assert not at.exception
    assert any("link" in e.value.lower() for e in at.error)


def test_a_view_that_fails_says_so_in_one_line_and_the_page_goes_on(monkeypatch, caplog):
    """A view that fails says so in one line with a reference to find in the log, never the error's own words, and
    the headline figures stay."""

    def broken(scenario):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setitem(views.VIEW_EXTRAS, "Risk", broken)  # the Risk view's percentile table
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    at.session_state["view"] = "Risk"
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert "Something went wrong drawing the view “Risk”" in shown
    assert "ZeroDivisionError" not in shown and "division" not in shown
    ref = re.search(r"reference ([0-9a-f]{6})", shown)
    assert ref and ref.group(1) in caplog.text and "ZeroDivisionError" in caplog.text
    assert at.metric, "the headline figures are still there"


def test_a_pack_whose_charts_cannot_be_drawn_says_so_in_one_line(monkeypatch):
    """A chart-browser failure gives a line on the page, never a download that silently fails."""
    from paper import images

    monkeypatch.setattr(images, "_browser", None)
    monkeypatch.setattr(images, "chromium_path", lambda: None)  # as if Chromium were gone
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    at.session_state["view"] = "Export"
    at.run()
    at.button(key="build_pack").click().run()
    assert not at.exception, at.exception
    shown = [as_read(e.value) for e in at.error]
    assert shown == [
        "The paper pack could not be built: Chart images need Chromium, which is not installed here "
        "(Debian: apt-get install chromium)."
    ]
    assert "dl_pack" not in {d.key for d in at.get("download_button")}
