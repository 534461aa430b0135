"""A region of councils on the page (AppTest): the Councils view, the rules' Adopt buttons, making a region in the
sidebar and its plain messages, and the region carried by the link."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from partnership import load_scenario
from partnership.councils import region_summary
from partnership.formats import money as money_words
from ui import state
from ui.state import decode_scenario

from ..conftest import ROOT

REGION_PRESET = ROOT / "presets" / "regional_councils.yaml"


def start(preset: str = "regional_councils", view: str | None = "Councils") -> AppTest:
    """The page on a preset with the sidebar's region group open, at a view."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=180)
    at.session_state["group_region"] = True
    at.query_params[state.PRESET_KEY] = preset  # opened on the preset's link: the page's tabs are the region's at once
    at.run()
    assert at.session_state["last_valid"].name == load_scenario(ROOT / "presets" / f"{preset}.yaml").name
    if view:
        at.session_state["view"] = view
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def council_chart(at: AppTest) -> dict:
    """The figure JSON of the councils' savings chart."""
    for c in at.get("plotly_chart"):
        fig = json.loads(c.proto.spec)
        if "expected saving" in fig["layout"]["title"]["text"]:
            return fig
    raise AssertionError("no chart of the councils' savings on the page")


def numbers(values) -> list[float]:
    """A plotly array as plain floats, or lists of them (arrays may come base64-encoded, with their shape)."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np

        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        if "shape" in values:
            return flat.reshape([int(n) for n in str(values["shape"]).split(",")]).tolist()
        return flat.tolist()
    return [v if isinstance(v, list) else float(v) for v in values]


def editor(at: AppTest) -> str:
    """The key of the sidebar's table of councils as the page draws it now."""
    return f"region_editor_{at.session_state[state.REGION_VERSION]}"


def headline(at: AppTest) -> str:
    """The Councils view's headline (a success or a warning box)."""
    for box in list(at.success) + list(at.warning):
        if "councils better off in expectation" in box.value:
            return box.value
    raise AssertionError("no councils' headline on the page")


def test_the_councils_view_shows_each_councils_saving_as_the_model_does():
    """Opening the region preset, the Councils view's chart holds each council's expected saving and its P10/P90 as
    the model works them out, each council's sentence states its expected saving, and the headline counts the
    councils better off in expectation."""
    at = start()
    want = region_summary(load_scenario(REGION_PRESET))
    fig = council_chart(at)
    bars = fig["data"][0]
    assert bars["x"] == want.names
    assert numbers(bars["y"]) == pytest.approx(want.expected_saving, rel=1e-9, abs=1e-6)
    assert [c[0] for c in numbers(bars["customdata"])] == pytest.approx(want.saving_p10, rel=1e-9, abs=1e-6)
    assert [c[1] for c in numbers(bars["customdata"])] == pytest.approx(want.saving_p90, rel=1e-9, abs=1e-6)
    region = fig["data"][1]
    assert numbers(region["y"]) == pytest.approx([sum(want.expected_saving)], rel=1e-9)
    better = sum(e >= -0.5 for e in want.expected_saving)
    assert better < len(want.names), "the preset starts with some council worse off"
    assert f"{better} of {len(want.names)} councils better off in expectation" in headline(at)
    words = " ".join(m.value for m in at.markdown)
    for name, e in zip(want.names, want.expected_saving):
        assert re.search(rf"{re.escape(name)}, with .*?\*\*{re.escape(money_words(abs(e), '£'))}\*\*", words), name


def test_adopting_saving_by_use_sets_the_shares_and_every_council_is_better_off():
    """Adopt on the "savings follow use" rule sets every council's share of the contribution to the rule's (in the
    sidebar's region and the link), and then every council is better off in expectation."""
    at = start()
    want = region_summary(load_scenario(REGION_PRESET)).saving_by_use
    assert want is not None and want["possible"]
    at.button(key="adopt_saving_by_use").click().run()
    assert not at.exception
    shares = [m["contribution_share"] for m in at.session_state[state.REGION_KEY]["members"]]
    assert shares == pytest.approx(want["contribution_shares"], abs=2e-6)
    assert "All 4 councils better off in expectation" in headline(at)
    now = region_summary(at.session_state["last_valid"])
    assert all(e > 0 for e in now.expected_saving)
    assert now.contribution_shares == pytest.approx(want["contribution_shares"], abs=2e-6)


def test_a_one_host_scenario_becomes_a_region_in_the_sidebar_and_back():
    """On the one-host preset there is no Councils view; "Make this a region" gives two councils at 50/50 and the
    Councils view; a third council added in the table joins the region; "Back to one host" removes it again."""
    at = start(state.DEFAULT_PRESET, view=None)
    assert "Councils" not in [t.label for t in at.tabs]
    at.button(key="make_region").click().run()
    s = at.session_state["last_valid"]
    assert [(m.name, m.use_share, m.contribution_share) for m in s.members] == [
        ("Council A", 0.5, 0.5),
        ("Council B", 0.5, 0.5),
    ]
    assert "Councils" in [t.label for t in at.tabs]
    at.session_state[editor(at)] = {
        "edited_rows": {"0": {"use_share": 40.0, "contribution_share": 40.0}, "1": {"use_share": 30.0}},
        "added_rows": [{"name": "Council C", "use_share": 30.0, "contribution_share": 10.0}],
        "deleted_rows": [],
    }
    at.run()
    s = at.session_state["last_valid"]
    assert [(m.name, m.use_share, m.contribution_share) for m in s.members] == [
        ("Council A", 0.4, 0.4),
        ("Council B", 0.3, 0.5),
        ("Council C", 0.3, 0.1),
    ]
    assert decode_scenario(at.query_params[state.URL_KEY]).members == s.members  # the link carries it
    at.button(key="one_host").click().run()
    assert at.session_state["last_valid"].region is None
    assert "Councils" not in [t.label for t in at.tabs]


def test_shares_not_adding_up_to_100_percent_are_refused_in_plain_words_beside_the_table():
    """A council's share of the placements changed so the shares add up to 110 % is refused with the model's plain
    message, beside the table in the sidebar (and the figures stay those of the last valid scenario)."""
    at = start(view=None)
    before = at.session_state["last_valid"]
    at.session_state[editor(at)] = {
        "edited_rows": {"0": {"use_share": 30.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    side = [e.value for e in at.sidebar.error]
    assert any("adds up to 110 % over the councils, not 100 %" in line for line in side), side
    assert not any("region.members" in line for line in side)  # no field paths in what a user reads
    assert at.session_state["last_valid"] == before


def test_the_region_survives_the_link():
    """The page's link carries the region's councils as edited (after Adopt): a new page opened on it has the same
    councils and shares."""
    at = start()
    at.button(key="adopt_equal_saving").click().run()
    s = at.session_state["last_valid"]
    link = at.query_params[state.URL_KEY]
    assert decode_scenario(link) == s
    again = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=180)
    again.query_params[state.URL_KEY] = link
    again.run()
    assert not again.exception
    assert again.session_state["last_valid"].region == s.region
    assert again.session_state["last_valid"].region != load_scenario(REGION_PRESET).region


def test_find_terms_says_whether_every_council_can_be_better_off_at_the_balanced_point():
    """For a region, Find terms says under its balanced terms whether every council can be better off."""
    at = start(view="Find terms")
    said = [i.value for i in at.info if "At the balanced terms" in i.value]
    assert said and "council" in said[0]


def test_a_room_option_keeps_its_councils():
    """A region saved as an option in a workshop room keeps its councils and their shares: another laptop opening
    the room and the option gets the same region in its inputs."""
    at = start()
    at.button(key="adopt_equal_saving").click().run()
    region = at.session_state["last_valid"].region
    at.session_state["view"] = "Compare options"
    at.run()
    at.button(key="start_room").click().run()
    code = at.query_params["room"]
    at.text_input(key="option_name").set_value("Equal saving").run()
    at.button(key="save_option").click().run()
    assert not at.exception
    other = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=180)
    other.query_params["room"] = code
    other.run()
    other.session_state["view"] = "Compare options"
    other.run()
    assert other.session_state["last_valid"].region is None  # the default preset: one host
    other.selectbox(key="option_pick").set_value("Equal saving")
    other.button(key="open_option").click().run()
    assert not other.exception
    assert other.session_state["last_valid"].region == region
