"""The "Other ways to buy" view: every arrangement's figures beside spot, and the scenario's own arrangements added,
changed and removed in its table, kept in the scenario's link and refused in the model's plain words."""

from __future__ import annotations

import json

import pytest

from partnership import load_scenario
from partnership.arrangements import arrangements
from partnership.formats import money as money_text
from ui import arrangements as view
from ui.state import decode_scenario

from ..conftest import ROOT
from .test_app import problems_shown, show, start

VIEW = "Other ways to buy"
ZONE = ROOT / "presets" / "homecare_zone_framework.yaml"


def _table(at) -> list[dict]:
    """The view's table of figures, row by row."""
    return at.table[0].value.to_dict("records")


def _chart(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _edit(at, **edits) -> None:
    """Give the arrangements' table pending edits (AppTest cannot type into a data editor) and rerun."""
    key = view.editor_key(at.session_state)
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()


@pytest.fixture(scope="module")
def opened():
    """The children's home preset (no arrangements of its own) on the view."""
    return show(start(), VIEW)


def test_the_view_shows_the_four_arrangements_always_compared_with_the_models_figures(opened):
    """Spot, the agreement, a block contract and the host price only, in that order, each side's expected figure as
    the model works it out, spot's gain nothing; the chart has a row for each."""
    at = opened
    assert not at.exception and not at.error, problems_shown(at)
    rows = _table(at)
    assert [r["Arrangement"] for r in rows] == ["Spot", "The agreement", "Block contract", "Host price only"]
    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    model = arrangements(s)
    for row, a in zip(rows, model):
        assert row["Provider's expected profit"] == money_text(a.figures["expected_provider_profit"], s.currency)
        assert row["Host's expected net cost"] == money_text(a.figures["expected_host_net_cost"], s.currency)
    assert rows[0]["Provider's expected gain"] == money_text(0, s.currency)
    names = {y.replace("<br>", " ") for trace in _chart(at)["data"] for y in (trace.get("y") or []) if y}
    assert names == {"Spot", "The agreement", "Block contract", "Host price only"}


def test_an_arrangement_added_in_the_table_is_compared_and_kept_in_the_link():
    """A soft block of two places at a void price of 3,000 added in the table appears in the view's table and
    chart with its own figures (between the agreement's and the block contract's provider profit), and in the
    scenario the link carries."""
    at = show(start(), VIEW)
    _edit(at, added_rows=[{"name": "Soft block of two places", "units": 2.0, "void_price": 3000.0}])
    assert not at.exception and not at.error, problems_shown(at)
    rows = _table(at)
    assert rows[-1]["Arrangement"] == "Soft block of two places"
    names = {y.replace("<br>", " ") for trace in _chart(at)["data"] for y in (trace.get("y") or []) if y}
    assert "Soft block of two places" in names
    linked = decode_scenario(at.query_params["scenario"])
    [own] = linked.arrangements
    assert own.name == "Soft block of two places"
    assert own.agreement.reservation.units == 2 and own.agreement.reservation.void_price == 3000
    figures = {a.name: a.figures for a in arrangements(linked)}
    assert rows[-1]["Provider's expected profit"] == money_text(
        figures["Soft block of two places"]["expected_provider_profit"], linked.currency
    )


def test_an_arrangement_without_a_name_is_refused_in_plain_words():
    """A row added with units but no name is refused beside the table in the model's words, naming no field path."""
    at = show(start(), VIEW)
    _edit(at, added_rows=[{"units": 1.0}])
    shown = problems_shown(at)
    assert "name" in shown.lower()
    assert "arrangements[" not in shown and "agreement.reservation" not in shown


def test_editing_a_files_own_arrangement_keeps_what_the_table_does_not_show():
    """Changing the zone preset's guaranteed hours from 400 to 300 in the table changes only those units: its void
    price, host price and uplift stay as the file gives them, and the other arrangement is untouched."""
    at = start()
    at.selectbox(key="preset").set_value(ZONE.stem).run()
    show(at, VIEW)
    _edit(at, edited_rows={1: {"units": 300.0}})
    assert not at.error, problems_shown(at)
    linked = decode_scenario(at.query_params["scenario"])
    given = load_scenario(ZONE)
    assert linked.arrangements[0] == given.arrangements[0]
    changed = linked.arrangements[1]
    assert changed.agreement.reservation.units == 300
    assert changed.agreement.reservation.void_price == given.arrangements[1].agreement.reservation.void_price
    assert changed.prices == given.arrangements[1].prices and changed.term == given.arrangements[1].term


def test_a_side_an_arrangement_leaves_as_spot_reads_no_change_not_certainly_better_off():
    """Where an arrangement's gain for a side is nil at every point (the zone preset's present framework pays the
    provider what spot does), the table says "no change" for that side, not a 100 % chance of being better off; a side
    that does gain keeps its chance as a percent."""
    s = load_scenario(ROOT / "presets" / "homecare_zone_framework.yaml")
    results = arrangements(s)
    rows = {r["Arrangement"]: r["Chance better off (provider, host)"] for r in view.table_rows(s, results)}
    by_name = {a.name: a.figures for a in results}
    for name, chances in rows.items():
        f = by_name[name]
        if name == "Spot":
            continue
        provider, host = chances.split(", ")
        nil = f["probability_provider_better_off"] >= 1 and abs(f["expected_provider_gain"]) < 0.5
        assert (provider == "no change") == nil, (name, chances)
        assert host.endswith("%") or host == "no change", (name, chances)
    assert rows["The present framework at the zone rate"].startswith("no change, ")
