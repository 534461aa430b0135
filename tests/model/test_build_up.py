"""Where the figures come from (MODEL.md section 14): the cost build-up and the host's alternative mix against the
worked figures of section 15 exactly, used everywhere after as if typed, saved as written, and their rules refused in
plain words; and the break-even as hours a week for services counted in hours."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from partnership import evaluate, load_scenario, scenario_from_dict, summarize
from partnership.build_up import derived, fixed_cost, host_alternative, variable_cost
from partnership.outcomes import break_even_occupancy
from partnership.problems import page_words
from partnership.scenario import ScenarioError, scenario_to_dict, scenario_to_yaml
from partnership.term import evaluate_term
from partnership.viability import break_even_hours_a_week, hours_a_week

from ..conftest import ROOT
from .test_cli import run

PER_UNIT = {"pay": 12.71, "on_costs": 0.28, "travel_minutes": 12, "mileage": 3.5, "mileage_rate": 0.45, "other": 0.6}
FIXED = [
    {"name": "Registered manager", "amount": 48000},
    {"name": "Care coordinators", "count": 2, "each": 32000},
    {"name": "Office", "amount": 56000},
]
MIX = [
    {"name": "Secondary providers", "share": 0.77, "price": 27.50},
    {"name": "Spot providers", "share": 0.15, "price": 32.14},
    {"name": "Hours not delivered", "share": 0.08, "price": 45.00},
]


@pytest.fixture
def built(example_dict):
    """Section 1's scenario with section 15's build-up and mix in place of v, F and p_a."""
    doc = copy.deepcopy(example_dict)
    del doc["service"]["variable_cost"], doc["service"]["fixed_cost"], doc["prices"]["host_alternative"]
    doc["cost_build_up"] = {"per_unit": dict(PER_UNIT), "fixed": copy.deepcopy(FIXED)}
    doc["alternative_mix"] = copy.deepcopy(MIX)
    return doc


def test_section_15_figures_exactly(built):
    """v = 21.69756, F = 168,000 (the office of 56,000 with the manager and two coordinators), p_a = 29.596."""
    s = scenario_from_dict(built)
    assert s.service.variable_cost == pytest.approx(21.69756, abs=1e-9)
    assert s.service.fixed_cost == 168_000
    assert s.prices.host_alternative == pytest.approx(29.596, abs=1e-9)
    assert derived(s) == pytest.approx({"variable_cost": 21.69756, "fixed_cost": 168_000, "host_alternative": 29.596})
    assert variable_cost(**PER_UNIT) == pytest.approx(12.71 * 1.28 * 1.2 + 3.5 * 0.45 + 0.6)


def test_the_derived_figures_are_used_as_if_typed(built, example_dict):
    """Everything after uses the derived v, F and p_a as if they had been typed: a point, the summary and the term
    (which indexes them as usual) give the same figures as the scenario with the numbers typed in."""
    s = scenario_from_dict(built)
    typed = copy.deepcopy(example_dict)
    typed["service"]["variable_cost"] = 12.71 * 1.28 * 1.2 + 3.5 * 0.45 + 0.6
    typed["service"]["fixed_cost"] = 48000 + 2 * 32000 + 56000
    typed["prices"]["host_alternative"] = 0.77 * 27.5 + 0.15 * 32.14 + 0.08 * 45
    t = scenario_from_dict(typed)
    flat = lambda d: {k: v for k, v in d.items() if not isinstance(v, (list, dict))}  # noqa: E731
    assert flat(evaluate(s, 0.85, 0.75).to_dict()) == pytest.approx(flat(evaluate(t, 0.85, 0.75).to_dict()))
    assert summarize(s) == pytest.approx(summarize(t))
    built["term"] = typed["term"] = {"years": 3, "indexation": {"costs": 0.05, "market_prices": 0.04}}
    s3, t3 = scenario_from_dict(built), scenario_from_dict(typed)
    years_s, years_t = evaluate_term(s3, 0.8, 0.7).to_dict(), evaluate_term(t3, 0.8, 0.7).to_dict()
    assert [flat(y) for y in years_s["years"]] == [pytest.approx(flat(y)) for y in years_t["years"]]
    assert years_s["npv_provider_gain"] == pytest.approx(years_t["npv_provider_gain"])
    year_2 = years_s["years"][1]
    assert year_2["operating_cost"] == pytest.approx(1.05 * (168_000 + 4 * 52 * 0.8 * 21.69756))


def test_a_build_up_of_the_same_numbers_gives_todays_figures_exactly(example, example_dict):
    """A build-up that comes to the typed figures (v = 300 as pay alone, F = 800,000 as one item, p_a = 6,200 as one
    way of buying) gives exactly the figures of the scenario as typed, and nothing derived where nothing is built."""
    doc = copy.deepcopy(example_dict)
    del doc["service"]["variable_cost"], doc["service"]["fixed_cost"], doc["prices"]["host_alternative"]
    doc["cost_build_up"] = {"per_unit": {"pay": 300}, "fixed": [{"name": "Staff rota", "count": 4, "each": 200_000}]}
    doc["alternative_mix"] = [{"name": "Out of area", "share": 1, "price": 6200}]
    assert summarize(scenario_from_dict(doc)) == summarize(example)
    assert derived(example) == {"variable_cost": None, "fixed_cost": None, "host_alternative": None}


def test_saving_keeps_the_build_up_not_the_derived_numbers(built):
    """The scenario saved (as a mapping, YAML) keeps the build-up and the mix as written and leaves the derived v, F
    and p_a out, so it reads back to the same scenario."""
    s = scenario_from_dict(built)
    saved = scenario_to_dict(s)
    assert "variable_cost" not in saved["service"] and "fixed_cost" not in saved["service"]
    assert "host_alternative" not in saved["prices"]
    assert saved["cost_build_up"]["fixed"][1] == {"name": "Care coordinators", "count": 2.0, "each": 32000.0}
    assert [m["share"] for m in saved["alternative_mix"]] == [0.77, 0.15, 0.08]
    again = scenario_from_dict(yaml.safe_load(scenario_to_yaml(s)))
    assert again == s


def test_the_formulas_one_by_one():
    """F adds amounts and counts times costs each; p_a is the mix's shares times prices."""
    from types import SimpleNamespace as Item

    items = [Item(amount=10.0, count=None, each=None), Item(amount=None, count=3, each=7.0)]
    assert fixed_cost(items) == 31.0
    assert host_alternative([Item(share=0.25, price=8.0), Item(share=0.75, price=4.0)]) == 5.0


def _refused(doc):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(doc)
    return info.value.details


@pytest.mark.parametrize(
    "change, file_line, page_line",
    [
        (
            lambda d: d["service"].update(variable_cost=21.7),
            "service.variable_cost: is given and also worked out from cost_build_up; leave one of the two out",
            "Variable cost: is given and also worked out from the cost build-up; leave one of the two out",
        ),
        (
            lambda d: d["service"].update(fixed_cost=168_000),
            "service.fixed_cost: is given and also worked out from cost_build_up",
            "Fixed cost: is given and also worked out from the cost build-up",
        ),
        (
            lambda d: d["prices"].update(host_alternative=29.6),
            "prices.host_alternative: is given and also worked out from alternative_mix",
            "Host's alternative price: is given and also worked out from the host's alternative mix",
        ),
        (
            lambda d: d["alternative_mix"][0].update(share=0.72),
            "alternative_mix: the shares must add up to 1, got 0.95",
            "Host's alternative mix: the shares must add up to 100 %, got 95 %",
        ),
        (
            lambda d: d["cost_build_up"]["fixed"].__setitem__(0, {"name": "Registered manager"}),
            "cost_build_up.fixed[0]: needs an amount a year, or a count and a cost each; it has neither",
            "Fixed cost item 1: needs an amount a year, or a count and a cost each; it has neither",
        ),
        (
            lambda d: d["cost_build_up"]["fixed"][1].update(amount=64_000),
            "cost_build_up.fixed[1]: needs an amount a year or a count and a cost each, not both",
            "Fixed cost item 2: needs an amount a year or a count and a cost each, not both",
        ),
        (
            lambda d: d["cost_build_up"]["fixed"][1].pop("each"),
            "cost_build_up.fixed[1]: needs both a count and a cost each",
            "Fixed cost item 2: needs both a count and a cost each",
        ),
        (
            lambda d: d["cost_build_up"].update(fixed=[{"name": f"Item {i}", "amount": 1} for i in range(51)]),
            "cost_build_up.fixed: at most 50 fixed cost items, got 51",
            "Fixed cost items: at most 50 fixed cost items, got 51",
        ),
        (
            lambda d: d.update(alternative_mix=[{"name": f"Way {i}", "share": 0.09, "price": 1} for i in range(11)]),
            "alternative_mix: at most 10 ways of buying, got 11",
            "Host's alternative mix: at most 10 ways of buying, got 11",
        ),
        (
            lambda d: d["cost_build_up"]["per_unit"].update(on_costs=-0.1),
            "cost_build_up.per_unit.on_costs: must be >= 0, got -0.1",
            "On-costs: must be at least 0 %, got -10 %",
        ),
    ],
    ids=["variable beside", "fixed beside", "alternative beside", "shares", "neither", "both", "half", "51 items",
         "11 ways", "negative on-costs"],
)
def test_build_up_rules_are_refused_in_plain_words(built, change, file_line, page_line):
    """A typed figure beside its build-up, shares that do not add up to 100 %, a fixed item without an amount or a
    count and a cost each (or with both), too many items, a negative part: one plain line each, in the file's words
    and the page's (the page naming each field by its label, items counted from 1)."""
    change(built)
    problems = _refused(built)
    assert len(problems) == 1
    assert str(problems[0]).startswith(file_line), str(problems[0])
    assert page_words(problems[0]).startswith(page_line), page_words(problems[0])


def test_without_a_build_up_the_costs_are_still_required(example_dict):
    """A scenario with neither a build-up nor the variable and fixed costs is refused as missing them."""
    del example_dict["service"]["variable_cost"], example_dict["service"]["fixed_cost"]
    lines = [str(p) for p in _refused(example_dict)]
    assert lines == ["service.fixed_cost: is required but missing", "service.variable_cost: is required but missing"]


def test_evaluate_reports_what_it_derived(tmp_path, built, example_dict):
    """``evaluate`` adds derived: {variable_cost, fixed_cost, host_alternative}, null where typed; the table view shows
    the derived figures."""
    path = tmp_path / "built.yaml"
    path.write_text(yaml.safe_dump(built), encoding="utf-8")
    r = run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["derived"] == pytest.approx(
        {"variable_cost": 21.69756, "fixed_cost": 168_000, "host_alternative": 29.596}
    )
    del built["alternative_mix"]
    built["prices"]["host_alternative"] = 6200
    path.write_text(yaml.safe_dump(built), encoding="utf-8")
    out = json.loads(run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75).stdout)
    assert out["derived"]["host_alternative"] is None and out["derived"]["fixed_cost"] == 168_000
    table = run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75, "--format", "table").stdout
    assert "Worked out from their parts" in table and "£168,000" in table


def test_break_even_in_hours_a_week_for_homecare():
    """For a service counted in hours a week, the break-even is N * W / 52 * o hours a week, with and without the
    agreement, fewer with it on the rural preset; a service counted in places has none."""
    s = load_scenario(ROOT / "presets" / "homecare_rural.yaml")
    u = s.uncertainty.local_use.mode
    be = break_even_occupancy(s, u)
    hours = break_even_hours_a_week(s, u)
    assert hours["with_agreement"] == pytest.approx(s.service.capacity * float(be["with_agreement"]))
    assert hours["without_agreement"] == pytest.approx(s.service.capacity * float(be["without_agreement"]))
    assert hours["with_agreement"] < hours["without_agreement"]
    assert break_even_hours_a_week(load_scenario(ROOT / "presets" / "childrens_home.yaml"), 0.75) is None


def test_hours_a_week_follow_the_units(example_dict):
    """Daily periods of hours count 365 / 52 days a week; minutes are sixtieths of an hour; no break-even is null."""
    doc = copy.deepcopy(example_dict)
    doc.update(unit="hour", period="day")
    doc["service"]["periods_per_year"] = 365
    s = scenario_from_dict(doc)
    assert hours_a_week(s, 0.5) == pytest.approx(4 * 365 / 52 * 0.5)
    doc["unit"] = "minutes"
    assert hours_a_week(scenario_from_dict(doc), 0.5) == pytest.approx(4 * 365 / 52 * 0.5 / 60)
    assert hours_a_week(s, float("nan")) is None
