"""The other ways to buy and the cost build-up in the paper pack: the arrangements' chart and table, the summary's
table of them, and the summary's assumptions showing the build-up beside the figures it derives."""

from __future__ import annotations

import pytest

from paper.pack import TABLE_FILES, scenario_charts, scenario_tables
from paper.report import arrangements_rows, assumptions
from partnership import load_scenario, summarize
from partnership.arrangements import ARRANGEMENT_NAMES, arrangements
from partnership.examples import example_scenario
from partnership.formats import money
from partnership.negotiation import default_axes, sweep

from ..conftest import ROOT
from ..support.markdown import as_read

ZONE = ROOT / "presets" / "homecare_zone_framework.yaml"
RURAL = ROOT / "presets" / "homecare_rural.yaml"


@pytest.fixture(scope="module")
def zone():
    s = load_scenario(ZONE)
    return s, arrangements(s)


def test_the_pack_holds_the_arrangements_chart_and_table_with_the_models_figures(zone):
    """The pack's chart of the other ways to buy has a row for each arrangement; its table (a CSV of its own) holds
    every section-13 figure of every arrangement as the model works it out."""
    s, ways = zone
    summary, terms = summarize(s), sweep(s, *default_axes(s))
    charts = {stem: fig for stem, _, fig in scenario_charts(s, summary, terms, ways)}
    names = {y.replace("<br>", " ") for trace in charts["other_ways_to_buy"].data for y in (trace.y or []) if y}
    assert names == {a.name for a in ways}
    table = scenario_tables(s, summary, terms, ways)["Other ways to buy"]
    assert TABLE_FILES["Other ways to buy"] == "other_ways_to_buy"
    assert list(table["arrangement"]) == [a.name for a in ways]
    for (_, row), a in zip(table.iterrows(), ways):
        for name in ARRANGEMENT_NAMES:
            want = a.figures[name]
            assert (row[name] is None or row[name] != row[name]) if want is None else row[name] == pytest.approx(want)


def test_the_summarys_table_of_arrangements_reads_each_sides_figure_range_and_npv(zone):
    """The summary's table: one row per arrangement, spot the reference, each side's expected figure with its P10 to
    P90 range, and over the zone's five-year term each side's expected NPV."""
    s, ways = zone
    header, rows = arrangements_rows(s, ways)
    assert [r[0] for r in rows] == [a.name for a in ways]
    assert rows[0][2] == "spot: the reference"
    agreement = ways[1].figures
    assert rows[1][1] == (
        f"{money(agreement['expected_provider_profit'], '£')} ({money(agreement['provider_profit_p10'], '£')} to "
        f"{money(agreement['provider_profit_p90'], '£')})"
    )
    assert header[-1] == "Host's NPV (5 years)" and rows[1][-1] == money(agreement["expected_npv_host_saving"], "£")


def test_the_assumptions_show_the_build_up_beside_the_figures_it_derives():
    """The rural preset's assumptions give its variable and fixed costs beside their parts and items; the zone
    preset's give the host's alternative price beside its mix; a scenario with typed figures says nothing of it."""
    rural = load_scenario(RURAL)
    said = as_read(" ".join(assumptions([rural])))  # the assumptions are Markdown: read as shown
    assert f"variable cost ({money(rural.service.variable_cost, '£', 2)}" in said
    assert f"pay {money(rural.cost_build_up.per_unit.pay, '£', 2)}" in said
    assert f"fixed cost ({money(rural.service.fixed_cost, '£')} a year)" in said
    assert all(item.name in said for item in rural.cost_build_up.fixed)
    zone = load_scenario(ZONE)
    said = as_read(" ".join(assumptions([zone])))  # the assumptions are Markdown: read as shown
    assert f"alternative price ({money(zone.prices.host_alternative, '£', 2)}" in said
    assert all(m.name in said for m in zone.alternative_mix)
    typed = " ".join(assumptions([example_scenario()]))
    assert "built up" not in typed and "by their shares" not in typed
