"""The workshop app driven by Streamlit's AppTest: every preset and view, inputs, messages, terms."""

from __future__ import annotations

import json

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from partnership import (
    evaluate,
    load_scenario,
    most_likely_case,
    most_likely_point,
    scenario_from_dict,
    summarize,
    sweep,
)
from partnership.fields import APART_GROUPS, FIELDS
from partnership.negotiation import default_axes
from partnership.scenario import scenario_to_dict, set_path
from ui.sidebar import GROUPS as INPUT_GROUPS
from ui.state import decode_scenario

from ..conftest import PRESETS, ROOT
from ..support.markdown import as_read

VIEWS = {  # each view and the words its charts' titles carry
    "Every outcome": ["every occupancy"],
    "Across occupancy": ["Across occupancy"],
    "Where the money goes": ["Where the money goes"],
    "Risk": ["Risk"],
    "Access and placements": ["preferred access", "one more local placement"],
    "Over the term": [],  # a one-year preset: the view says how to set a term (checked in the term test)
    "Other ways to buy": ["Other ways to buy"],
    "Find terms": ["Find terms"],
}


GLANCE_LAZY = ["glance_meaning", "glance_placement", "terms_settings"]
"""The expanders whose contents are drawn only when opened: the headline's longer words, Find terms' minimums."""
GROUPS = ["group_about", "group_files", *INPUT_GROUPS, "glance_words", "glance_sources", *GLANCE_LAZY]
"""The page's expanders, drawn only while open: the tests open them all, as a reader would to reach an input."""


def start(view: str | None = None, opened: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    for key in GROUPS if opened else []:
        at.session_state[key] = True
    at.run()
    if view:
        show(at, view)
    return at


def show(at: AppTest, view: str) -> AppTest:
    """Open one view (only the open view is drawn). Where the page has put the open view in the address (it does when
    its tabs change, as a region's Councils tab comes and goes), the address follows too, as a click in a browser
    moves both."""
    at.session_state["view"] = view
    if "view" in at.query_params:
        at.query_params["view"] = view
    return at.run()


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if as_read(m.label) == label:
            return as_read(m.value)
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def money(text: str) -> float:
    return float(text.replace("£", "").replace(",", ""))


def charts(at: AppTest) -> list[dict]:
    """The figure JSON of every plotly chart on the page."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def title(at: AppTest) -> str:
    """The page's title as the reader sees it (the Markdown source escapes what the user typed)."""
    return as_read(at.title[0].value)


def problems_shown(at: AppTest) -> str:
    return " ".join(as_read(e.value) for e in at.error)


def test_opens_on_the_childrens_home_preset():
    """The page opens on the children's home preset, and its headline gives the provider's expected gain exactly as
    the model does."""
    at = start()
    assert not at.exception
    assert title(at) == "Four-place children's home"
    expected = summarize(load_scenario(ROOT / "presets" / "childrens_home.yaml"))
    assert money(metric(at, "Provider's expected gain a year")) == pytest.approx(
        expected["expected_provider_gain"], abs=0.5
    )


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_every_preset_and_every_view_renders(path):
    """Every preset opens in every view without an error, each view drawing its own charts, with no nan on the page
    and the host's expected saving the model's."""
    at = start()
    at.selectbox(key="preset").set_value(path.stem).run()
    assert not at.exception, at.exception
    assert not at.error, problems_shown(at)
    scenario = load_scenario(path)
    assert title(at) == scenario.name
    for view, words in VIEWS.items():
        if view == "Over the term" and scenario.term.years > 1:
            words = ["Over the term"]
        show(at, view)
        assert not at.exception, (view, at.exception)
        figures = charts(at)
        assert len(figures) == len(words), view
        for figure, word in zip(figures, words):
            assert word in figure["layout"]["title"]["text"]
    if scenario.members:  # a region of councils: its Councils view draws the councils' two charts
        show(at, "Councils")
        assert not at.exception, ("Councils", at.exception)
        assert [f["layout"]["title"]["text"].split(" ")[1] for f in charts(at)] == ["council's", "council's"]
    page_text = " ".join(m.value for m in at.metric) + " ".join(m.value for m in at.markdown)
    assert "nan" not in page_text.lower().split()
    expected = summarize(scenario)
    assert money(metric(at, "Host's expected saving a year")) == pytest.approx(
        expected["expected_host_saving"], abs=0.5
    )


def test_more_contribution_moves_money_from_host_to_provider():
    """Raising the contribution moves money from the host to the provider, by exactly what the model gives at the
    most likely point."""
    at = start()
    profit = money(metric(at, "Provider's profit a year"))
    saving = money(metric(at, "Host's saving a year"))
    at.number_input(key="agreement.contribution").set_value(230_000.0).run()
    new_profit = money(metric(at, "Provider's profit a year"))
    new_saving = money(metric(at, "Host's saving a year"))
    assert new_profit > profit and new_saving < saving
    # and exactly as the model says (part of the extra comes back to the host as surplus share)
    doc = load_scenario(ROOT / "presets" / "childrens_home.yaml").model_dump()
    doc["agreement"]["contribution"] = 230_000
    s = scenario_from_dict(doc)
    r = evaluate(s, s.uncertainty.occupancy.mode, s.uncertainty.local_use.mode)
    assert new_profit == pytest.approx(float(r.provider_profit), abs=0.5)
    assert new_saving == pytest.approx(float(r.host_saving), abs=0.5)


def test_a_bad_value_shows_the_fields_message_and_keeps_the_last_figures():
    """An occupancy range out of order is named by its label with percents as entered, and the figures stay the last
    valid scenario's."""
    at = start()
    before = metric(at, "Host's saving a year")
    at.number_input(key="uncertainty.occupancy.low").set_value(95.0).run()
    assert not at.exception
    shown = problems_shown(at)
    # the page's words: a label, not a path; percents as entered, not fractions
    assert "Occupancy range: needs lowest ≤ most likely ≤ highest, got lowest 95 %, most likely" in shown
    assert "uncertainty." not in shown and "0.95" not in shown
    assert metric(at, "Host's saving a year") == before


def test_a_bad_band_table_shows_the_fields_message():
    """Sharing bands out of order are refused in the table's own words: bands counted from 1, local use in percent,
    no field paths."""
    at = start()
    key = f"bands_editor_{at.session_state['bands_version']}"
    at.session_state[key] = {"edited_rows": {2: {"from_local_use": 40.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    shown = problems_shown(at)
    # bands counted from 1, as in the table; local use in percent, as entered
    assert "Sharing bands: each band must start at a higher local use than the one before: band 3 starts at " in shown
    assert "band 3 starts at local use 40 %, not above band 2 at local use 50 %" in shown
    assert "agreement." not in shown and "from_local_use" not in shown


def test_band_edits_reach_the_model():
    """Raising a band's host share in the sidebar's band table raises the host's expected saving in the headline."""
    at = start()
    before = money(metric(at, "Host's expected saving a year"))
    key = f"bands_editor_{at.session_state['bands_version']}"
    at.session_state[key] = {"edited_rows": {2: {"host_share": 90.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.error
    assert money(metric(at, "Host's expected saving a year")) > before


def test_falling_bands_are_warned_about():
    """A host share that falls as local use rises is warned about, naming the band and both shares in percent."""
    at = start()
    key = f"bands_editor_{at.session_state['bands_version']}"
    at.session_state[key] = {"edited_rows": {2: {"host_share": 10.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    warned = " ".join(as_read(w.value) for w in at.warning)
    assert "Sharing band 3, host's share: falls from 25 % to 10 % as local use rises" in warned
    assert "agreement." not in warned and "0.25" not in warned


def test_undefined_host_cost_shows_na_not_nan():
    """With no local use at all, the host's cost per place per week reads n/a, never nan, and the page shows no
    error."""
    at = start()
    for end in ("low", "mode", "high"):
        at.number_input(key=f"uncertainty.local_use.{end}").set_value(0.0)
    at.run()
    assert not at.exception and not at.error, problems_shown(at)
    assert metric(at, "Host's cost per place per week") == "n/a"
    assert "nan" not in " ".join(m.value for m in at.markdown).lower().split()


def test_balanced_terms_button_adopts_them():
    """The star sits where the model's sweep puts the balanced point, and Adopt writes exactly those
    two terms into the inputs: the contribution box and the top band's share in the band table."""
    scenario = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    x, y = default_axes(scenario)
    expected = sweep(scenario, x, y).balanced
    at = start("Find terms")
    assert "Balanced terms" in " ".join(s.value for s in at.success)
    star = next(t for t in charts(at)[-1]["data"] if t.get("marker", {}).get("symbol") == "star")
    assert star["x"][0] == pytest.approx(expected["x"])
    assert star["y"][0] == pytest.approx(100 * expected["y"])  # shares are drawn in percent
    assert (expected["x"], expected["y"]) != (
        scenario.agreement.contribution,
        scenario.agreement.sharing.bands[-1].host_share,
    )

    at.button(key="adopt_balanced").click().run()
    assert not at.exception and not at.error, problems_shown(at)
    assert at.number_input(key="agreement.contribution").value == pytest.approx(expected["x"])
    assert at.session_state["bands"][-1]["host_share"] == pytest.approx(100 * expected["y"])
    doc = set_path(scenario_to_dict(scenario), x[0], expected["x"])
    adopted = scenario_from_dict(set_path(doc, y[0], expected["y"]))
    # the headline now reports the adopted terms' expected gains, not the preset's
    truth = summarize(adopted)
    assert money(metric(at, "Provider's expected gain a year")) == pytest.approx(
        truth["expected_provider_gain"], abs=0.5
    )
    assert money(metric(at, "Host's expected saving a year")) == pytest.approx(truth["expected_host_saving"], abs=0.5)


def test_upload_loads_a_scenario_and_a_bad_one_changes_nothing(example):
    """An uploaded scenario file fills the inputs and the title; a file that breaks a rule is refused in plain words
    and changes neither the inputs nor the figures."""
    at = start()
    good = yaml.safe_dump(example.model_dump(mode="json"), allow_unicode=True).encode()
    at.file_uploader(key="upload").upload("mine.yaml", good, "application/yaml").run()
    assert not at.exception
    assert title(at) == example.name
    assert at.number_input(key="agreement.contribution").value == 200_000
    before = [m.value for m in at.metric]
    bad = good.replace(b"host: 4500", b"host: -5")
    at.file_uploader(key="upload").upload("bad.yaml", bad, "application/yaml").run()
    assert "Host price: must be at least 0, got -5" in problems_shown(at)
    assert [m.value for m in at.metric] == before
    assert at.number_input(key="prices.host").value == 4500


def test_reset_returns_to_the_preset():
    """Reset puts an edited contribution back to the preset's own."""
    at = start()
    at.number_input(key="agreement.contribution").set_value(5_000.0).run()
    at.button(key="reset").click().run()
    preset = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert at.number_input(key="agreement.contribution").value == preset.agreement.contribution


def test_downloads_offer_the_scenario():
    """The sidebar offers the scenario for saving both as YAML and as JSON."""
    at = start()
    labels = [d.label for d in at.get("download_button")]
    assert "Save YAML" in labels and "Save JSON" in labels


def options_table(at: AppTest):
    """The saved options' comparison table (the page has other tables: sources, risk)."""
    return next(d.value for d in at.dataframe if "Option" in d.value.columns)


def test_save_and_compare_options():
    """Saved options are tabled side by side with their contribution and expected gains, and charted; opening one
    puts its terms back in the inputs, and removing one takes it off the table."""
    at = start("Compare options")
    assert any("No options saved yet" in i.value for i in at.info)
    at.text_input(key="option_name").set_value("Council proposal")
    at.button(key="save_option").click().run()
    at.number_input(key="agreement.contribution").set_value(200_000.0).run()
    at.text_input(key="option_name").set_value("Provider counter-offer")
    at.button(key="save_option").click().run()
    assert not at.exception
    table = options_table(at)
    preset = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert list(table["Option"]) == ["Council proposal", "Provider counter-offer"]
    assert list(table["Contribution a year"]) == [f"£{preset.agreement.contribution:,.0f}", "£200,000"]
    assert table["Provider's expected gain"][0] == f"£{summarize(preset)['expected_provider_gain']:,.0f}"
    titles = [f["layout"]["title"]["text"] for f in charts(at)]
    assert any("Options compared" in t for t in titles) and len(titles) == 2
    # open the first option again: the inputs take its terms
    at.selectbox(key="option_pick").set_value("Council proposal")
    at.button(key="open_option").click().run()
    assert at.number_input(key="agreement.contribution").value == preset.agreement.contribution
    at.button(key="remove_option").click().run()
    assert list(options_table(at)["Option"]) == ["Provider counter-offer"]


def test_export_view_offers_every_chart_table_and_the_pack():
    """The Export view offers every chart as PNG, SVG and PDF, every table and the audit; the paper pack is offered
    only once asked for and built."""
    at = start("Export")
    assert not at.exception and not at.error
    keys = {d.key for d in at.get("download_button")}
    for stem in ("every_outcome", "across_occupancy", "where_the_money_goes", "risk", "find_terms"):
        for fmt in ("png", "svg", "pdf"):
            assert f"dl_{stem}_{fmt}" in keys
    for key in ("dl_outcome_grid_csv", "dl_summary_csv", "dl_find_terms_csv", "dl_tables_xlsx", "dl_audit"):
        assert key in keys
    assert "dl_compare_gains_png" not in keys  # no saved options yet
    assert "dl_pack" not in keys  # the pack is built when asked, then offered
    titles = [as_read(m.value) for m in at.markdown if m.value.startswith("**Where the money goes")]
    assert titles == ["**Where the money goes, 82.5 % occupancy, 60 % local use**"]  # the point as the sliders hold it
    at.button(key="build_pack").click().run()
    assert not at.exception and not at.error, problems_shown(at)
    pack = next(d for d in at.get("download_button") if d.key == "dl_pack")
    assert "Download the paper pack" in pack.proto.label


def test_view_settings_survive_a_change_of_view():
    """A view's local-use slider keeps its setting when the reader goes to another view and back, and the chart's
    title follows it."""
    at = start("Across occupancy")
    at.slider(key="lines_local_use").set_value(40).run()
    show(at, "Risk")
    show(at, "Across occupancy")
    assert at.slider(key="lines_local_use").value == 40
    assert "local use 40 %" in charts(at)[0]["layout"]["title"]["text"]


def test_reserved_places_and_what_the_host_gets_anyway_move_the_figures_as_the_model_says():
    """Reserved places and the local use the host would have without the agreement move the headline exactly as the
    model says, and the page says what the host would still place."""
    at = start()
    at.number_input(key="agreement.reservation.units").set_value(3.0)
    at.number_input(key="without_agreement.local_use").set_value(30.0)
    at.run()
    assert not at.exception and not at.error, problems_shown(at)
    doc = load_scenario(ROOT / "presets" / "childrens_home.yaml").model_dump(mode="json")
    doc["agreement"]["reservation"] = {"units": 3, "void_price": doc["prices"]["host"]}
    doc["without_agreement"] = {"local_use": 0.3}
    s = scenario_from_dict(doc)
    r = evaluate(s, s.uncertainty.occupancy.mode, s.uncertainty.local_use.mode)
    assert money(metric(at, "Provider's profit a year")) == pytest.approx(float(r.provider_profit), abs=0.5)
    assert money(metric(at, "Host's saving a year")) == pytest.approx(float(r.host_saving), abs=0.5)
    assert money(metric(at, "Host's expected saving a year")) == pytest.approx(
        summarize(s)["expected_host_saving"], abs=0.5
    )
    assert any("would still place 30 %" in c.value for c in at.caption)


def test_reservation_above_capacity_is_refused_in_plain_words():
    """Reserving more places than the service has is refused in plain words, and the figures stay the last valid
    scenario's."""
    at = start()
    before = metric(at, "Host's saving a year")
    at.number_input(key="agreement.reservation.units").set_value(5.0).run()
    assert "Reserved units: must be at most the capacity (4), got 5" in problems_shown(at)
    assert metric(at, "Host's saving a year") == before


def test_a_step_jump_above_the_host_price_is_a_warning_naming_the_cure():
    """A step between sharing bands worth more than a week's host price is warned about with its local use and its
    sum, naming linear interpolation, which clears the warning."""
    at = start()
    preset = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    o, u = preset.uncertainty.occupancy.mode, preset.uncertainty.local_use.mode
    warnings = " ".join(w.value for w in at.warning)
    jumps = [(j["from_local_use"], j["to_host"]) for j in evaluate(preset, o, u).to_dict()["sharing_jumps"]]
    big = [(b, t) for b, t in jumps if t > preset.prices.host]
    assert big, "the preset should carry a jump above one week's host price"
    for start_, to_host in big:
        assert f"crossing {round(100 * start_)} % local use moves £{to_host:,.0f} a year" in warnings
    assert "Linear interpolation" in warnings
    at.selectbox(key="agreement.sharing.interpolation").set_value("linear").run()
    assert not any("placement decision" in w.value for w in at.warning)


def test_sources_are_shown_and_survive_an_edit(example_dict):
    """A file's sources are shown in their table beside the value they back, and stay with the scenario after an
    input is edited."""
    example_dict["sources"] = {"prices.host": {"source": "Council rate card", "year": "2025-26", "estimate": False}}
    at = start()
    at.file_uploader(key="upload").upload(
        "sourced.yaml", yaml.safe_dump(example_dict).encode(), "application/yaml"
    ).run()
    assert not at.exception and not at.error, problems_shown(at)
    assert any(e.label == "Sources and estimates" for e in at.expander)
    table = next(d.value for d in at.dataframe if "Source" in d.value.columns)
    assert list(table["Source"]) == ["Council rate card"] and list(table["Value"]) == ["£4,500"]
    at.number_input(key="agreement.contribution").set_value(210_000.0).run()
    scenario = decode_scenario(at.query_params["scenario"])
    assert scenario.agreement.contribution == 210_000
    assert scenario.sources["prices.host"].source == "Council rate card"


def test_a_term_shows_npvs_the_walk_away_year_and_the_uplift_that_keeps_the_provider():
    """A term of several years shows each side's expected NPV as the model gives it, the year the provider would walk
    away, the host-price uplift that keeps it, and its own chart."""
    at = start()
    at.number_input(key="term.years").set_value(6.0)
    at.number_input(key="term.indexation.costs").set_value(5.0)
    at.number_input(key="term.indexation.market_prices").set_value(6.0)  # the market outruns the agreed uplift
    at.number_input(key="term.indexation.host_price").set_value(1.0)
    at.number_input(key="term.set_up.cost").set_value(100_000.0)
    at.number_input(key="term.set_up.host_share").set_value(50.0)
    at.run()
    assert not at.exception and not at.error, problems_shown(at)
    doc = load_scenario(ROOT / "presets" / "childrens_home.yaml").model_dump(mode="json")
    doc["term"] = {
        "years": 6,
        "indexation": {"costs": 0.05, "market_prices": 0.06, "host_price": 0.01},
        "set_up": {"cost": 100_000, "host_share": 0.5},
    }
    s = scenario_from_dict(doc)
    truth = summarize(s)
    assert money(metric(at, "Provider's expected NPV")) == pytest.approx(truth["expected_npv_provider_gain"], abs=0.5)
    assert money(metric(at, "Host's expected NPV")) == pytest.approx(truth["expected_npv_host_saving"], abs=0.5)
    from partnership.term import evaluate_term, host_price_uplift_to_stay

    o, u = s.uncertainty.occupancy.mode, s.uncertainty.local_use.mode
    walk = evaluate_term(s, o, u).to_dict()["provider_walk_away_year"]
    uplift = host_price_uplift_to_stay(s, o, u)
    text = " ".join(m.value for m in at.markdown)
    assert walk is not None and f"From year {walk} the provider is better off without the agreement" in text
    assert f"rises by at least **{100 * uplift:.1f} % a year**" in text
    show(at, "Over the term")
    figures = charts(at)
    assert len(figures) == 1 and "Over the term: 6 years" in figures[0]["layout"]["title"]["text"]


def test_growth_rates_can_be_set_year_by_year():
    """Over a term, cost growth can be set year by year in the sidebar's table, and the scenario on the page carries
    those rates."""
    at = start()
    at.number_input(key="term.years").set_value(3.0).run()
    at.checkbox(key="term_per_year").check().run()
    key = f"years_editor_{at.session_state['term_years_version']}"
    at.session_state[key] = {"edited_rows": {1: {"costs": 9.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error, problems_shown(at)
    scenario = decode_scenario(at.query_params["scenario"])
    assert scenario.term.years == 3
    assert scenario.term.indexation.costs == pytest.approx([0.0, 0.09])


def test_closed_groups_are_not_drawn_and_lose_nothing():
    """A closed sidebar group is not drawn at all (each change then redraws fewer inputs), yet what was typed in it,
    and a table's pending edits, still count while it is closed and when it opens again."""
    at = start(opened=False)
    shown = {e.key for e in at.sidebar.number_input}
    assert "agreement.contribution" in shown  # the agreement: the one group open at first
    closed = {
        "service.capacity",
        "prices.host",
        "term.years",
        "uncertainty.occupancy.low",
        "agreement.sharing.loss_share",
    }
    assert not shown & closed
    assert not at.sidebar.dataframe  # the band table (in "Surplus sharing") is not drawn: no grid to load
    assert not at.get("download_button") and not at.sidebar.text  # the file and about groups: closed
    in_words = next(e for e in at.main.expander if e.label.startswith("In words"))
    assert not in_words.children  # worked out only when opened

    at.session_state["group_uncertainty"] = True
    at.run()
    at.number_input(key="uncertainty.occupancy.low").set_value(50.0).run()
    at.session_state["group_uncertainty"] = False
    at.run()
    at.run()  # a second change with the group closed: the value is still there
    assert "uncertainty.occupancy.low" not in {e.key for e in at.sidebar.number_input}
    assert decode_scenario(at.query_params["scenario"]).uncertainty.occupancy.low == 0.5

    at.session_state["group_sharing"] = True
    at.run()
    key = f"bands_editor_{at.session_state['bands_version']}"
    at.session_state[key] = {"edited_rows": {2: {"host_share": 90.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.session_state["group_sharing"] = False
    at.run()
    at.run()
    assert decode_scenario(at.query_params["scenario"]).agreement.sharing.bands[2].host_share == 0.9
    at.session_state["group_sharing"] = True
    at.run()
    assert at.sidebar.dataframe[0].value["host_share"].iloc[2] == 90.0  # the table shows the edit it kept
    assert decode_scenario(at.query_params["scenario"]).agreement.sharing.bands[2].host_share == 0.9


def test_adopting_terms_opens_their_groups_and_a_broken_input_opens_its_group():
    """Adopt puts the adopted values on show (their groups open); an input that breaks a rule is never hidden in a
    closed group: the group opens with the message beside the input."""
    at = start("Find terms", opened=False)
    assert not at.sidebar.dataframe
    at.button(key="adopt_balanced").click().run()
    assert at.session_state["group_sharing"] and at.session_state["group_agreement"]
    table = at.sidebar.dataframe[0].value
    assert table["host_share"].iloc[-1] == pytest.approx(at.session_state["bands"][-1]["host_share"])

    at = start(opened=False)
    at.session_state["service.capacity"] = -4.0
    at.run()
    assert at.number_input(key="service.capacity").value == -4.0  # in the open group, as typed
    assert "Capacity" in sidebar_problems(at)


def _room_session(code: str | None = None, view: str = "Compare options") -> AppTest:
    """A new browser session (as another laptop in the room would be), on the room's link if given."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    if code:
        at.query_params["room"] = code
    at.run()
    return show(at, view)


def _save_option(at: AppTest, name: str, who: str = "") -> AppTest:
    at.text_input(key="option_name").set_value(name)
    at.text_input(key="option_proposer").set_value(who)
    return at.button(key="save_option").click().run()


def test_options_are_kept_in_the_store_and_shared_through_the_room_link():
    """Options saved in a room are kept in the workshop store: anyone opening the room's link, a long random code,
    sees them and can add their own."""
    first = _room_session()
    first.button(key="start_room").click().run()
    code = first.query_params["room"]
    assert len(code) >= 22  # at least 128 random bits in the link
    _save_option(first, "Council proposal", "Council")
    second = _room_session(code)  # another laptop, or the same one after a reload
    assert not second.exception and not second.error, problems_shown(second)
    table = options_table(second)
    assert list(table["Option"]) == ["Council proposal"] and list(table["Proposed by"]) == ["Council"]
    _save_option(second, "Provider counter-offer", "Provider")
    third = _room_session(code)
    assert list(options_table(third)["Option"]) == ["Council proposal", "Provider counter-offer"]


def test_saving_under_a_name_keeps_the_earlier_version_and_removing_has_an_undo():
    """Saving again under a name makes a new version and logs both saves with who made them; a removed option comes
    back with undo."""
    at = _room_session()
    _save_option(at, "Same name", "Council")
    at.number_input(key="agreement.contribution").set_value(150_000.0).run()
    _save_option(at, "Same name", "Provider")
    assert list(options_table(at)["Version"]) == [2]
    history = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert list(history["What"]).count("save") == 2 and set(history["Who"]) == {"Council", "Provider"}
    at.button(key="remove_option").click().run()
    assert not any("Option" in d.value.columns for d in at.dataframe)
    at.button(key="undo_remove").click().run()
    assert list(options_table(at)["Option"]) == ["Same name"]


def test_the_room_zip_holds_every_version_and_imports_back_to_the_same_figures():
    """A room's zip holds each option's file and the log; importing it opens a new room with the same options and the
    same expected gains."""
    from store import Store

    at = _room_session()
    _save_option(at, "A", "Council")
    at.number_input(key="agreement.contribution").set_value(90_000.0).run()
    _save_option(at, "B", "Provider")
    code = at.query_params["room"]
    data = Store().export_zip(code)
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == ["a_v1_current.yaml", "b_v1_current.yaml", "log.csv"]
    fresh = _room_session()
    fresh.file_uploader(key="import_zip").upload("room.zip", data, "application/zip").run()
    assert not fresh.exception
    assert fresh.query_params["room"] != code  # a room of its own
    before, after = options_table(at), options_table(fresh)
    assert list(after["Option"]) == ["A", "B"]
    assert list(after["Provider's expected gain"]) == list(before["Provider's expected gain"])


def test_an_unknown_room_link_says_so_plainly():
    """A room link the store does not know gets a plain message saying so, and the calculator still works."""
    at = _room_session("not-a-real-room-code-0000000000")
    assert "not one the store knows" in problems_shown(at)
    assert money(metric(at, "Provider's expected gain a year")) != 0  # the calculator still works


def test_a_read_only_store_switches_saving_off_and_the_app_still_computes(tmp_path, monkeypatch):
    """When the workshop store cannot be used, saving options is switched off with a warning, and the headline still
    computes."""
    from ui import options

    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "workshops.sqlite3").write_bytes(b"this is not a database")
    monkeypatch.setenv("PARTNERSHIP_DATABASE_URL", f"sqlite:///{folder / 'workshops.sqlite3'}")
    options._store.clear()
    try:
        at = _room_session()
        assert any("Saving is switched off" in w.value for w in at.warning)
        assert at.button(key="save_option").disabled
        assert metric(at, "Provider's expected gain a year").startswith("£")
    finally:
        monkeypatch.undo()
        options._store.clear()


def test_names_typed_by_users_are_shown_as_typed_not_as_links():
    """An option name typed as a link is shown as text, on the page and in the options chart, never as a link to
    follow."""
    at = _room_session()
    _save_option(at, "Budget [sign in](http://phish.example/login)", "Council")
    shown = " ".join(s.value for s in at.success)
    assert "\\[sign in\\]\\(http\\:\u2060//phish\\.example/login\\)" in shown  # escaped: Markdown shows it as text
    bars = next(f for f in charts(at) if "expected gain" in f["layout"]["title"]["text"])
    assert all("<a" not in str(x) for x in bars["data"][0]["x"])


def test_find_terms_warns_when_the_balanced_point_is_not_sharp():
    """Rural homecare: the top band's share can run over most of its range within 1 % of the best product. The map
    circles those terms and the page says so, in plain words, before the Adopt button."""
    scenario = load_scenario(ROOT / "presets" / "homecare_rural.yaml")
    x, y = default_axes(scenario)
    expected = sweep(scenario, x, y)
    assert expected.flat_optimum
    at = start()
    at.selectbox(key="preset").set_value("homecare_rural").run()
    show(at, "Find terms")
    assert not at.exception and not at.error, problems_shown(at)
    warned = " ".join(as_read(w.value) for w in at.warning)
    assert "The balanced point is not sharp" in warned
    assert "Sharing band 3: host's share anywhere from 0.0 % to 100.0 %" in warned
    circled = next(t for t in charts(at)[-1]["data"] if t.get("marker", {}).get("symbol") == "circle-open")
    assert "within 1 %" in circled["name"]
    assert at.button(key="adopt_balanced")  # the warning stands before the button, which is still offered
    tree = [type(e).__name__ + ":" + str(getattr(e, "value", "")) for e in at.main]
    first_warning = next(i for i, e in enumerate(tree) if "not sharp" in e)
    button = next(i for i, e in enumerate(tree) if e.startswith("Button"))
    assert first_warning < button


def sidebar_problems(at: AppTest) -> str:
    return " ".join(as_read(e.value) for e in at.sidebar.error)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("service.capacity", -4.0, "Capacity: must be more than 0, got -4"),
        (
            "agreement.compensation.premium_share",
            150.0,
            "Share of the external premium: must be at most 100 %, got 150 %",
        ),
        ("prices.host", -5.0, "Host price: must be at least 0, got -5"),
        ("term.years", 0.0, "Years of the term: must be at least 1, got 0"),
        ("term.indexation.costs", -150.0, "Cost growth: must be more than -100 %, got -150 %"),
        ("term.years", 31.0, "Years of the term: must be at most 30, got 31"),
        ("term.discount_rate", -1.0, "Discount rate: must be at least 0 %, got -1 %"),
        ("term.set_up.host_share", 150.0, "Host's share of the set-up cost: must be at most 100 %, got 150 %"),
        ("agreement.reservation.units", 5.0, "Reserved units: must be at most the capacity (4), got 5"),
        ("without_agreement.local_use", 120.0, "at most 100 %, got 120 %"),
    ],
)
def test_an_out_of_range_input_stays_as_typed_with_its_message_beside_it_and_above_the_figures(key, value, message):
    """No hard widget limits: the value is neither refused nor clamped; the model's plain message stands beside the
    input and in the main area, and the figures say they are the last valid scenario's, until it is fixed."""
    at = start()
    before = metric(at, "Host's saving a year")
    box = at.number_input(key=key)
    assert not box.proto.has_min and not box.proto.has_max
    box.set_value(value).run()
    assert not at.exception
    assert at.number_input(key=key).value == value  # kept as typed, not clamped
    assert message in sidebar_problems(at)  # beside its input
    main = " ".join(as_read(e.value) for e in at.main.error)
    assert "figures below are for the last valid scenario" in main and message in main
    assert metric(at, "Host's saving a year") == before


def test_a_band_share_over_100_is_not_clamped_but_refused_beside_the_table():
    """A band's host share over 100 % is kept as typed, not clamped by the table, and refused both beside the table
    and above the figures."""
    at = start()
    key = f"bands_editor_{at.session_state['bands_version']}"
    at.session_state[key] = {"edited_rows": {2: {"host_share": 150.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    message = "Sharing band 3, host's share: must be at most 100 %, got 150 %"
    assert message in sidebar_problems(at)
    assert message in " ".join(as_read(e.value) for e in at.main.error)
    columns = json.loads(at.sidebar.dataframe[0].proto.columns)
    assert all("max_value" not in c and "min_value" not in c for c in columns.values()), columns


def test_input_steps_and_formats_follow_the_magnitude_of_each_preset():
    """An hourly price steps in pence and shows them; a weekly price of thousands steps by pounds; a yearly sum shows
    whole pounds in the box and its value with thousands separators beside it."""
    at = start()
    host = at.number_input(key="prices.host")
    assert host.proto.step == pytest.approx(10.0) and host.proto.format == "%.0f"
    fixed = at.number_input(key="service.fixed_cost")
    assert fixed.proto.format == "%.0f" and fixed.proto.step == pytest.approx(1000.0)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "£790,000 a year" in captions
    at.selectbox(key="preset").set_value("homecare_rural").run()
    host = at.number_input(key="prices.host")
    assert host.value == pytest.approx(26.75)
    assert host.proto.format == "%.2f"  # pence
    assert host.proto.step <= 0.01 * host.value  # one "+" moves an hourly price by pence, not pounds
    assert at.number_input(key="service.capacity").proto.format == "%.0f"
    show(at, "Find terms")  # the search's range boxes too: an hourly price's range steps in pence
    at.selectbox(key="terms_x_path").set_value("prices.host").run()
    start_box = at.number_input(key="terms_x_start_prices.host")
    assert start_box.proto.format == "%.2f" and 0.01 <= start_box.proto.step <= 0.01 * start_box.value
    assert at.number_input(key="terms_min_gain").proto.step == pytest.approx(1000.0)  # fixed cost £160,000


@pytest.mark.parametrize("preset", ["childrens_home", "regional_group", "homecare_rural"])
def test_every_view_starts_at_the_same_most_likely_point_as_at_a_glance(preset):
    """The children's home's most likely occupancy is 82.5 %: the money view's waterfall is worked out there, so its
    profit is the headline's, and every point slider (and the export's titles) start exactly there."""
    s = load_scenario(ROOT / "presets" / f"{preset}.yaml")
    o, u = most_likely_point(s)
    at = start()
    if preset != "childrens_home":
        at.selectbox(key="preset").set_value(preset).run()
    headline = money(metric(at, "Provider's profit a year"))
    for view, keys in (
        ("Where the money goes", {"flows_occupancy": o, "flows_local_use": u}),
        ("Across occupancy", {"lines_local_use": u}),
        ("Access and placements", {"access_occupancy": o}),
    ):
        show(at, view)
        assert not at.exception and not at.error, problems_shown(at)
        for key, value in keys.items():
            assert at.slider(key=key).value == pytest.approx(100 * value), key
    show(at, "Where the money goes")
    provider_year = charts(at)[0]["data"][0]
    items = provider_year["y"] if provider_year.get("orientation") == "h" else provider_year["x"]  # bars across
    assert items[-1] == "Profit"
    assert provider_year["text"][-1] == metric(
        at, "Provider's profit a year"
    )  # the waterfall's profit is the headline's
    assert headline == pytest.approx(float(evaluate(s, o, u).provider_profit), abs=0.5)


def test_every_way_in_speaks_in_labels_percents_and_bands_from_1(example):
    """A file, a link and a Find-terms range that break a rule: each message reads in the page's words."""
    expected = "Sharing band 3, host's share: must be at most 100 %, got 150 %"
    doc = example.model_dump(mode="json")
    doc["agreement"]["sharing"]["bands"][2]["host_share"] = 1.5
    at = start()
    at.file_uploader(key="upload").upload("bad.yaml", yaml.safe_dump(doc).encode(), "application/yaml").run()
    assert f"The file was not opened: {expected}" in problems_shown(at)

    import base64
    import zlib

    link = base64.urlsafe_b64encode(zlib.compress(json.dumps(doc).encode())).decode().rstrip("=")
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.query_params["scenario"] = link
    at.run()
    assert f"The link's scenario could not be opened: {expected}" in problems_shown(at)

    at = start("Find terms")
    path = at.selectbox(key="terms_y_path").value
    at.number_input(key=f"terms_y_stop_{path}").set_value(150.0).run()
    assert not at.exception
    shown = problems_shown(at)
    assert expected in shown, shown
    assert "agreement." not in shown and "1.5" not in shown


def test_first_time_words_local_use_expected_and_most_likely_each_view_and_the_preset():
    """Local use is explained before the first figure that uses it; so is why the expected and the most likely gains
    differ (with this scenario's two figures); each view opens with what it answers; the preset's description, with
    its sources, is under the preset picker."""
    at = start()
    words = at.main.caption[1].value  # after the page's one-line title caption, before At a glance
    assert "**Local use** is the share of the service's used places that the host itself fills" in words
    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    e, summary = most_likely_case(s), summarize(s)
    assert f"most likely gain is £{e['provider_gain']:,.0f} a year" in words
    assert f"expected gain £{summary['expected_provider_gain']:,.0f}" in words
    about = " ".join(t.value for t in at.sidebar.text)
    assert s.description.strip()[:60] in about
    for view in [*VIEWS, "Compare options", "Export"]:
        show(at, view)
        first = next(c.value for c in at.main.caption[2:] if c.value.startswith("**"))
        assert first.startswith(f"**{view}:**"), (view, first)


def test_find_terms_warns_when_the_balanced_point_is_on_the_end_of_the_range_searched():
    """The children's home, its contribution searched only from £160,000 up (the balanced point over the full range is
    about £128,000): the best pair is the range's lower end, and the page says to widen the range before adopting."""
    at = start("Find terms")
    at.number_input(key="terms_x_start_agreement.contribution").set_value(160_000.0).run()
    assert not at.exception and not at.error, problems_shown(at)
    assert "Contribution £160,000" in " ".join(s.value for s in at.success)
    warned = " ".join(as_read(w.value) for w in at.warning)
    assert "at the lower end of the range searched for Contribution (£160,000)" in warned
    assert "widen that range before adopting" in warned


# ---- the sidebar and the scenario's fields: every field has an input; an unset field stays unset

FOLLOWERS = ("prices.spot", "prices.host_alternative", "agreement.reservation.void_price")
"""The optional prices that follow another field when unset (the spot price follows the external price...)."""


def unset_followers(doc: dict) -> dict:
    """The scenario document with the prices that follow others left unset, and places reserved (so the void price
    counts)."""
    doc = json.loads(json.dumps(doc))
    doc["prices"].pop("spot", None)
    doc["prices"].pop("host_alternative", None)
    doc.setdefault("agreement", {})["reservation"] = {"units": 2}
    return doc


def saved_documents(monkeypatch) -> list[dict]:
    """What the sidebar's Save YAML writes, each time it is drawn (the file the button would download)."""
    from ui import sidebar

    documents: list[dict] = []
    real = sidebar.scenario_to_yaml
    monkeypatch.setattr(sidebar, "scenario_to_yaml", lambda s: documents.append(yaml.safe_load(real(s))) or real(s))
    return documents


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_loading_then_saving_a_preset_gives_back_the_same_document(path, monkeypatch):
    """Pick a preset and save it untouched: the file holds the preset's own document, fields it leaves unset (the void
    price without reserved places, a spot price that follows the external price) still unset, not frozen at the
    values they take today."""
    documents = saved_documents(monkeypatch)
    at = start()
    at.selectbox(key="preset").set_value(path.stem).run()
    assert not at.exception and not at.error, problems_shown(at)
    assert documents[-1] == scenario_to_dict(load_scenario(path))


def test_loading_then_saving_a_file_with_the_following_prices_unset_gives_back_the_same_document(
    example_dict, monkeypatch
):
    """A file that leaves the spot price, the host's alternative price and the void price unset is saved with them
    unset: the sidebar shows them empty, saying what each follows, and never writes in the value it follows."""
    doc = unset_followers(example_dict)
    documents = saved_documents(monkeypatch)
    at = start()
    at.file_uploader(key="upload").upload("unset.yaml", yaml.safe_dump(doc).encode(), "application/yaml").run()
    assert not at.exception and not at.error, problems_shown(at)
    assert documents[-1] == scenario_to_dict(scenario_from_dict(doc))
    for key, follows in zip(FOLLOWERS, ("the external price", "the spot price", "the host price")):
        box = at.number_input(key=key)
        assert box.value is None and box.proto.placeholder == f"follows {follows}", key
        assert f"follows {follows}" in box.help, key


def test_with_the_spot_price_unset_changing_the_external_price_moves_the_spot_price_the_model_uses(example_dict):
    """The spot price follows the external price while it is unset: a new external price is the new spot price (and,
    the host's alternative being unset too, the host's alternative price), in the scenario the page computes and in
    its headline figures."""
    doc = unset_followers(example_dict)
    at = start()
    at.file_uploader(key="upload").upload("unset.yaml", yaml.safe_dump(doc).encode(), "application/yaml").run()
    at.number_input(key="prices.external").set_value(6_000.0).run()
    assert not at.exception and not at.error, problems_shown(at)
    on_page = decode_scenario(at.query_params["scenario"])
    assert on_page.prices.spot is None and on_page.prices.spot_price == 6_000
    assert on_page.prices.host_alternative_price == 6_000
    truth = summarize(scenario_from_dict(set_path(doc, "prices.external", 6_000.0)))
    frozen = summarize(scenario_from_dict(set_path(set_path(doc, "prices.external", 6_000.0), "prices.spot", 5_500.0)))
    assert truth["expected_provider_gain"] != pytest.approx(frozen["expected_provider_gain"], abs=100)
    assert money(metric(at, "Provider's expected gain a year")) == pytest.approx(
        truth["expected_provider_gain"], abs=0.5
    )


NOT_ENTERED = {
    "description": "shown under “About this preset” and carried through every edit unchanged",
    "sources": "shown under “Sources and estimates” and carried through every edit unchanged",
    **{
        f.path: "a region's member councils: carried through every edit unchanged until the sidebar has their table"
        for f in FIELDS
        if f.group == "Region"
    },
    **{
        f.path: "the cost build-up, the host's alternative mix and the other arrangements: tables of their own, not yet "
        "in the sidebar"
        for f in FIELDS
        if f.group in APART_GROUPS
    },
}
"""The scenario's fields with no input of their own in the sidebar, and why."""


def sidebar_inputs(at: AppTest) -> tuple[set[str], set[str]]:
    """The keys of the sidebar's inputs (boxes and choices, keyed by the field they edit) and the columns of its
    tables (the sharing bands; the growth rates when they are set year by year)."""
    keys = {e.key for kind in ("number_input", "text_input", "selectbox") for e in getattr(at.sidebar, kind)}
    columns = {c for table in at.sidebar.dataframe for c in table.value.columns}
    return keys, columns


def test_every_scenario_field_has_an_input_in_the_sidebar():
    """Walk the field registry: every field of a scenario can be set in the sidebar, in an input keyed by its path
    (a sharing band's fields and a year's growth rates in their tables' columns), but for the few listed in
    NOT_ENTERED. A field added to the registry without an input fails here."""
    from partnership.fields import FIELDS

    assert set(NOT_ENTERED) <= {f.path for f in FIELDS}, "NOT_ENTERED names a field the registry no longer has"
    at = start()
    keys, columns = sidebar_inputs(at)
    at.number_input(key="term.years").set_value(3.0).run()
    at.checkbox(key="term_per_year").check().run()
    _, year_columns = sidebar_inputs(at)
    missing = []
    for f in FIELDS:
        name = f.path.rsplit(".", 1)[-1]
        if f.path in NOT_ENTERED:
            continue
        if "[i]" in f.path:
            found = name in columns
        elif f.per_year:
            found = f.path in keys and name in year_columns
        else:
            found = f.path in keys
        if not found:
            missing.append(f.path)
    assert missing == []


def test_help_tips_lead_with_words_not_model_symbols():
    """Every input's help tip in the sidebar starts with words ("What the host pays elsewhere..."), never with the
    formulas' symbol ("p_a:", "u0:"), which comes last in brackets if at all."""
    import re

    at = start()
    tips = {box.key: box.help for box in at.sidebar.number_input if box.help}
    assert "prices.host_alternative" in tips and "without_agreement.local_use" in tips
    assert not [key for key, tip in tips.items() if re.match(r"\s*[A-Za-z]{1,2}(_[A-Za-z0-9]+|\d)?:", tip)], tips
    assert tips["prices.host_alternative"].startswith("What the host pays elsewhere without the agreement")
    assert "(p_a)." in tips["prices.host_alternative"]


def test_compare_options_shows_the_headline_columns_with_the_rest_one_switch_away():
    """The options table opens on its headline figures (so it fits a 1280 px screen beside the sidebar); "More
    columns" shows the rest: who proposed each, its version, the host price, the chance of a loss and the P10s."""
    at = start("Compare options")
    at.text_input(key="option_name").set_value("Council proposal")
    at.button(key="save_option").click().run()
    grid = next(d for d in at.dataframe if "Option" in d.value.columns)
    assert list(grid.proto.column_order) == [
        "Option",
        "Contribution a year",
        "Provider's expected gain",
        "Host's expected saving",
        "Chance provider better off",
        "Chance host better off",
    ]
    at.toggle(key="options_more_columns").set_value(True).run()
    grid = next(d for d in at.dataframe if "Option" in d.value.columns)
    assert not list(grid.proto.column_order)  # every column, in the table's own order
    assert {"Proposed by", "Version", "Host price", "Provider gain, P10"} <= set(grid.value.columns)


def test_the_first_screen_names_a_placement_jump_only_when_it_is_material():
    """The children's home's jumps (£32,233 and £30,571, above 1 % of its £648,648 host fees) get the first screen's
    one-line note; rural homecare's (£6,122 and £2,792 with its cost built up from its parts, under its £8,346
    threshold) are listed only under Placement money, with section 9's rule and the threshold stated there."""
    at = start()
    note = [w.value for w in at.warning if w.value.startswith("One more local placement")]
    assert note == [
        "One more local placement moves money to the host at 82.5 % occupancy: £32,233 a year past 50 % local use, "
        "£30,571 a year past 75 % local use."
    ]
    at.selectbox(key="preset").set_value("homecare_rural").run()
    assert not any(w.value.startswith("One more local placement") for w in at.warning)
    details = next(e for e in at.main.expander if e.label == "Placement money")
    assert "crossing 85 % local use moves £2,792 a year" in " ".join(w.value for w in details.warning)
    rule = " ".join(c.value for c in details.caption)
    assert (
        rule.startswith("One more local placement can carry a step band")
        and "above 1 % of the year's host fees" in rule
        and "(£8,346 a year)" in rule
    )


def test_find_terms_says_its_two_terms_are_the_maps_axes():
    """Find terms says that the terms it searches are the map's axes, so changing the contribution in the sidebar does
    not move the map; and the map comes before the question."""
    at = start("Find terms")
    words = " ".join(c.value for c in at.main.caption)
    assert "are the two terms searched, so changing either in the sidebar does not move this map" in words
    assert "Contribution and " in words
    tree = [type(e).__name__ + ":" + str(getattr(e, "value", "")) for e in at.main]
    adopt = next(i for i, e in enumerate(tree) if e.startswith("Button"))
    question = next(i for i, e in enumerate(tree) if e.startswith("Selectbox:agreement.contribution"))
    assert adopt < question  # the answer (map, balanced terms, Adopt) first, the question under it
