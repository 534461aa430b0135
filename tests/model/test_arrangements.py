"""Other ways to buy the same service (MODEL.md section 13) against the worked example of section 15, to section 3's
accuracy; the arrangements' rules refused in plain words; the identity in every arrangement."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from partnership import evaluate, scenario_from_dict, summarize
from partnership.arrangements import (
    ARRANGEMENT_NAMES,
    ARRANGEMENT_TERM_NAMES,
    arrangement_scenario,
    arrangement_scenarios,
    arrangements,
)
from partnership.problems import page_words
from partnership.scenario import ScenarioError, scenario_to_dict

from .test_cli import run

FULL_COST = 800_000 + 4 * 52 * 300  # the operating cost at full occupancy: section 3's scale for expectations
ROUNDING = 50  # section 15 gives its figures to the nearest hundred


def _range(scenario, figure: str) -> float:
    """A figure's range over the distributions' support (section 3's scale for percentiles), on a fine grid."""
    unc = scenario.uncertainty
    o = np.linspace(unc.occupancy.low, unc.occupancy.high, 201)[None, :]
    u = np.linspace(unc.local_use.low, unc.local_use.high, 201)[:, None]
    return float(np.ptp(getattr(evaluate(scenario, o, u), figure)))


def _by_name(scenario) -> dict:
    return {a.name: a.figures for a in arrangements(scenario)}


def test_the_four_always_compared_come_first_in_order(example):
    """Spot, the agreement, the block contract and the host price only come first, in that order, each with every
    figure of section 13; over one year no NPVs."""
    found = arrangements(example)
    assert [a.name for a in found] == ["Spot", "The agreement", "Block contract", "Host price only"]
    for a in found:
        assert list(a.figures) == ARRANGEMENT_NAMES
        assert set(a.to_dict()) == {"name", *ARRANGEMENT_NAMES}


def test_worked_example_expectations(example):
    """Section 15: spot about 83,300 expected provider profit; the agreement 114,800 with gains 31,460 / 57,720; the
    block contract 127,500 with gains about 44,200 / 45,000; the host price only -127,400 / 216,600."""
    got = _by_name(example)
    tol = 0.0002 * FULL_COST + ROUNDING
    assert got["Spot"]["expected_provider_profit"] == pytest.approx(83_300, abs=tol)
    assert got["The agreement"]["expected_provider_profit"] == pytest.approx(114_800, abs=tol)
    assert got["The agreement"]["expected_provider_gain"] == pytest.approx(31_460, abs=0.0002 * FULL_COST + 5)
    assert got["The agreement"]["expected_host_saving"] == pytest.approx(57_720, abs=0.0002 * FULL_COST + 5)
    assert got["Block contract"]["expected_provider_profit"] == pytest.approx(127_500, abs=tol)
    assert got["Block contract"]["expected_provider_gain"] == pytest.approx(44_200, abs=tol)
    assert got["Block contract"]["expected_host_saving"] == pytest.approx(45_000, abs=tol)
    assert got["Host price only"]["expected_provider_gain"] == pytest.approx(-127_400, abs=tol)
    assert got["Host price only"]["expected_host_saving"] == pytest.approx(216_600, abs=tol)


def test_worked_example_risks(example):
    """Section 15's risks (a difference of two percentiles, so twice a percentile's accuracy): spot about 238,800 (the
    exact integral is 240,699: spot profit is 1,081,600 o - 800,000 and the P10 and P90 of occupancy are 0.7 and
    1 - sqrt(0.006)); the agreement about 157,400; the block contract about 46,800."""
    got = _by_name(example)
    spot_range = _range(example, "provider_profit_without_agreement")
    exact_spot = 1_081_600 * ((1 - np.sqrt(0.006)) - 0.7)
    assert got["Spot"]["provider_risk"] == pytest.approx(exact_spot, abs=0.01 * spot_range)
    assert got["Spot"]["provider_risk"] == pytest.approx(238_800, abs=0.01 * spot_range + ROUNDING)
    assert got["The agreement"]["provider_risk"] == pytest.approx(
        157_400, abs=0.01 * _range(example, "provider_profit") + ROUNDING
    )
    block = arrangement_scenario(example, "Block contract")
    assert got["Block contract"]["provider_risk"] == pytest.approx(
        46_800, abs=0.01 * _range(block, "provider_profit") + ROUNDING
    )


def test_block_contract_reserves_every_place_at_the_host_price(example):
    """The block contract reserves the whole capacity N, each empty place paid at the host price, and nothing else:
    the provider is paid for every place-week whatever the occupancy (127,160 at 85 % occupancy, 75 % local use)."""
    block = arrangement_scenario(example, "Block contract")
    assert block.agreement.reservation.units == example.service.capacity
    assert block.agreement.reservation.void_price == example.prices.host
    assert block.agreement.contribution == 0 and block.agreement.sharing.bands[0].host_share == 0
    r = evaluate(block, 0.85, 0.75)
    assert float(r.provider_profit) == pytest.approx(132.6 * 4500 + 44.2 * 5500 + 31.2 * 4500 - 800_000 - 176.8 * 300)


def test_spot_is_the_scenario_without_the_agreement(example):
    """Spot's profit and cost are the "without the agreement" figures: no gains, no chances (null), no NPV."""
    spot = _by_name(example)["Spot"]
    s = summarize(example)
    assert spot["expected_provider_profit"] == pytest.approx(s["expected_provider_profit"] - s["expected_provider_gain"])
    assert spot["expected_host_net_cost"] == pytest.approx(s["expected_host_net_cost"] + s["expected_host_saving"])
    assert spot["expected_provider_gain"] == 0 and spot["expected_host_saving"] == 0
    assert spot["probability_provider_better_off"] is None and spot["probability_host_better_off"] is None


def test_the_agreement_is_the_summary_of_the_scenario(example):
    """The agreement's gains and chances are the scenario's own summary, unchanged."""
    agreement, s = _by_name(example)["The agreement"], summarize(example)
    for name in ("expected_provider_profit", "expected_host_net_cost", "expected_provider_gain", "expected_host_saving",
                 "probability_provider_better_off", "probability_host_better_off"):
        assert agreement[name] == pytest.approx(s[name]), name


def test_an_arrangement_of_the_files_own_is_its_agreement_and_prices(example_dict):
    """A file's own arrangement is the scenario with its agreement in place of the scenario's whole (nothing kept from
    the scenario's) and its own host price: the same figures as that scenario written out by hand."""
    doc = copy.deepcopy(example_dict)
    doc["arrangements"] = [
        {"name": "Soft block of two places", "agreement": {"reservation": {"units": 2, "void_price": 3000}},
         "prices": {"host": 4800}}
    ]
    got = _by_name(scenario_from_dict(doc))["Soft block of two places"]
    by_hand = copy.deepcopy(example_dict)
    by_hand["agreement"] = {"reservation": {"units": 2, "void_price": 3000}}
    by_hand["prices"]["host"] = 4800
    s = summarize(scenario_from_dict(by_hand))
    for name in ("expected_provider_profit", "expected_host_net_cost", "expected_provider_gain", "expected_host_saving"):
        assert got[name] == pytest.approx(s[name]), name


def test_over_a_term_a_price_that_trails_costs_shows_as_the_providers_loss(example_dict):
    """With T > 1 each arrangement has its expected NPVs (0 for spot); a fixed price with no uplift while costs grow
    5 % a year leaves the provider worse over the term than the same price uplifted 4 % a year."""
    doc = copy.deepcopy(example_dict)
    doc["term"] = {"years": 5, "indexation": {"costs": 0.05, "host_price": 0.04, "market_prices": 0.04}}
    doc["arrangements"] = [{"name": "Fixed price, no uplift", "term": {"indexation": {"host_price": 0.0}}}]
    got = _by_name(scenario_from_dict(doc))
    for figures in got.values():
        assert list(figures) == ARRANGEMENT_NAMES + ARRANGEMENT_TERM_NAMES
    assert got["Spot"]["expected_npv_provider_gain"] == 0 and got["Spot"]["expected_npv_host_saving"] == 0
    fixed, uplifted = got["Fixed price, no uplift"], got["Host price only"]
    assert fixed["expected_npv_provider_gain"] < uplifted["expected_npv_provider_gain"]
    assert fixed["expected_provider_gain"] == pytest.approx(uplifted["expected_provider_gain"])  # year 1 the same


def test_the_identity_holds_in_every_arrangement(example_dict):
    """In every arrangement, at many points, the provider's gain and the host's saving add up to the joint gain of
    section 8: the arrangement only moves money between the two (and so the expected gains add to the same total)."""
    doc = copy.deepcopy(example_dict)
    doc["without_agreement"] = {"local_use": 0.3}
    doc["arrangements"] = [{"name": "Soft block", "agreement": {"reservation": {"units": 2}}, "prices": {"host": 5000}}]
    scenario = scenario_from_dict(doc)
    rng = np.random.default_rng(7)
    o, u = rng.uniform(0, 1, 500), rng.uniform(0, 1, 500)
    for name, s in arrangement_scenarios(scenario):
        if s is None:
            continue
        r = evaluate(s, o, u)
        p = s.prices
        joint = r.occupied_units * np.maximum(u - 0.3, 0) * (p.host_alternative_price - p.spot_price) + (
            r.external_units * (p.external - p.spot_price)
        )
        np.testing.assert_allclose(r.provider_gain + r.host_saving, joint, rtol=1e-9, atol=1e-6, err_msg=name)
    sums = [a.figures["expected_provider_gain"] + a.figures["expected_host_saving"] for a in arrangements(scenario)[1:]]
    assert np.ptp(sums) < 1e-6 * FULL_COST


def test_a_scenario_without_arrangements_is_unchanged(example, example_dict):
    """Arrangements change nothing of the scenario's own figures (section 6's worked example exactly), and a saved
    scenario keeps them."""
    doc = copy.deepcopy(example_dict)
    doc["arrangements"] = [{"name": "Price only at 4,800", "prices": {"host": 4800}}]
    with_them = scenario_from_dict(doc)
    assert summarize(with_them) == summarize(example)
    assert float(evaluate(with_them, 0.85, 0.75).provider_profit) == pytest.approx(144_821, abs=0.5)
    assert scenario_to_dict(with_them)["arrangements"] == [
        {"name": "Price only at 4,800", "agreement": scenario_to_dict(with_them)["arrangements"][0]["agreement"],
         "prices": {"host": 4800.0}, "term": {"indexation": {}}}
    ]
    assert scenario_from_dict(scenario_to_dict(with_them)) == with_them
    assert "arrangements" not in scenario_to_dict(example)


def _refused(doc) -> list:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(doc)
    return info.value.details


@pytest.mark.parametrize(
    "arrangements_given, file_line, page_line",
    [
        (
            [{"name": f"Option {i}"} for i in range(9)],
            "arrangements: at most 8 arrangements, got 9",
            "Other arrangements: at most 8 arrangements, got 9",
        ),
        (
            [{"name": "Soft block"}, {"name": "Soft block"}],
            "arrangements[1].name: 'Soft block' is already the name of arrangement 1",
            "Arrangement 2, name: 'Soft block' is already the name of arrangement 1",
        ),
        (
            [{"name": "Block contract"}],
            "arrangements[0].name: 'Block contract' is the name of an arrangement always compared",
            "Arrangement 1, name: 'Block contract' is the name of an arrangement always compared",
        ),
        (
            [{"name": "Too many places", "agreement": {"reservation": {"units": 5}}}],
            "arrangements[0].agreement.reservation.units: must be <= the capacity (4), got 5",
            "Arrangement 1, reserved units: must be at most the capacity (4), got 5",
        ),
        (
            [{"name": "x" * 81}],
            "arrangements[0].name: must be at most 80 characters",
            "Arrangement 1, name: must be at most 80 characters",
        ),
        (
            [{"name": ""}],
            "arrangements[0].name: must not be empty",
            "Arrangement 1, name: must not be empty",
        ),
        (
            [{"name": "Uplifts", "term": {"indexation": {"host_price": [0.02, 0.02]}}}],
            "arrangements[0].term.indexation.host_price: needs one growth rate for each year after the first",
            "Arrangement 1, host price uplift: needs one growth rate for each year after the first",
        ),
    ],
    ids=["nine", "same name", "a built-in name", "above capacity", "long name", "empty name", "uplifts"],
)
def test_arrangement_rules_are_refused_in_plain_words(example_dict, arrangements_given, file_line, page_line):
    """Nine arrangements, a name given twice (or a built-in's), a reservation above the capacity, a name too long or
    empty, uplifts of the wrong count: each refused with one line naming the arrangement, in the file's words and in
    the page's (the arrangement counted from 1, no field path)."""
    doc = copy.deepcopy(example_dict)
    doc["arrangements"] = arrangements_given
    problems = _refused(doc)
    assert len(problems) == 1
    assert str(problems[0]).startswith(file_line), str(problems[0])
    assert page_words(problems[0]).startswith(page_line), page_words(problems[0])
    assert "arrangements[" not in page_words(problems[0])


def test_cli_arrangements(tmp_path, example_dict):
    """``arrangements FILE`` prints {arrangements: [{name, every figure}]} as JSON, null for spot's chances; the table
    view names each arrangement and says n/a for them; a broken file exits 2 with the plain line."""
    import yaml

    path = tmp_path / "s.yaml"
    doc = copy.deepcopy(example_dict)
    doc["arrangements"] = [{"name": "Soft block of two places", "agreement": {"reservation": {"units": 2}}}]
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = run("arrangements", path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    names = [a["name"] for a in out["arrangements"]]
    assert names == ["Spot", "The agreement", "Block contract", "Host price only", "Soft block of two places"]
    assert out["arrangements"][0]["probability_host_better_off"] is None
    assert out["arrangements"][2]["expected_provider_profit"] == pytest.approx(127_500, abs=0.0002 * FULL_COST + 50)
    table = run("arrangements", path, "--format", "table")
    assert table.returncode == 0 and "Block contract" in table.stdout and "n/a" in table.stdout
    doc["arrangements"].append({"name": "Soft block of two places"})
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    bad = run("arrangements", path)
    assert bad.returncode == 2 and "already the name of arrangement 1" in bad.stderr and "Traceback" not in bad.stderr
