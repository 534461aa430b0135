"""MODEL.md part two, sections 7-9: reserved places, what the host would get anyway, the money riding on a
placement. The worked examples of section 11 to the penny, and properties over random scenarios."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from partnership import break_even_occupancy, evaluate, scenario_from_dict
from partnership.cli import main
from partnership.inputs import inputs_of
from partnership.outcomes import OUTCOME_NAMES

from ..conftest import scenarios
from .test_cli import run

RESERVATION = {
    "void_units": 23.4,
    "void_payments": 105_300,
    "surplus_before_sharing": 269_960,
    "surplus_share_to_host": 46_164,
    "provider_profit": 223_796,
    "host_net_cost": 833_736,
    "provider_gain": 104_436,
    "host_saving": -11_616,
}
COUNTERFACTUAL = {
    "host_cost_without_agreement": 784_992,
    "host_saving": 30_231,
    "provider_gain": 25_461,
    # section 8a by hand: 784,992 / 132.6 = (0.3 * 5,500 + 0.45 * 6,200) / 0.75 = 5,920, not p_a = 6,200
    "host_unit_cost_without_agreement": 5_920,
}


def with_part_two(example_dict, **changes) -> dict:
    doc = copy.deepcopy(example_dict)
    if "reservation" in changes:
        doc["agreement"]["reservation"] = changes["reservation"]
    if "without_agreement" in changes:
        doc["without_agreement"] = changes["without_agreement"]
    return doc


@pytest.mark.parametrize("name", list(RESERVATION))
def test_section_11_reservation_row(example_dict, name):
    """With three places reserved at the host price, each figure of the contract's worked example comes out to the
    penny."""
    s = scenario_from_dict(with_part_two(example_dict, reservation={"units": 3, "void_price": 4500}))
    assert round(float(getattr(evaluate(s, 0.85, 0.75), name)), 2) == pytest.approx(RESERVATION[name], abs=0.005)


def test_section_11_reservation_break_even(example_dict):
    """With three places reserved the provider breaks even under the agreement even at zero occupancy; its
    break-even without the agreement is unchanged."""
    s = scenario_from_dict(with_part_two(example_dict, reservation={"units": 3, "void_price": 4500}))
    be = break_even_occupancy(s, 0.75)
    assert float(be["with_agreement"]) == 0.0
    assert float(be["without_agreement"]) == pytest.approx(0.73964, abs=5e-6)


@pytest.mark.parametrize("name", list(COUNTERFACTUAL))
def test_section_11_counterfactual_row(example_dict, name):
    """When the host would fill 30 % of the places locally anyway, the host's cost without the agreement and each
    side's gain in the worked example come out to the penny."""
    s = scenario_from_dict(with_part_two(example_dict, without_agreement={"local_use": 0.3}))
    assert round(float(getattr(evaluate(s, 0.85, 0.75), name)), 2) == pytest.approx(COUNTERFACTUAL[name], abs=0.005)


def test_section_11_decision_row(example):
    """The money riding on a placement in the worked example comes out to the penny: the jumps at 50 % and 80 % local
    use and the saving from one more local placement."""
    out = evaluate(example, 0.85, 0.75).to_dict()
    assert [j["from_local_use"] for j in out["sharing_jumps"]] == [0.5, 0.8]
    assert [round(j["to_host"], 2) for j in out["sharing_jumps"]] == [25_364, 18_734]
    assert round(out["marginal_host_saving"], 2) == 1_075


def test_void_price_defaults_to_the_host_price(example_dict):
    """Reserved places left empty are paid for at the host price when no void price is given."""
    s = scenario_from_dict(with_part_two(example_dict, reservation={"units": 3}))
    assert float(evaluate(s, 0.85, 0.75).void_payments) == pytest.approx(23.4 * 4500)


def test_linear_bands_or_one_band_have_no_jumps(example_dict):
    """Linear interpolation between the sharing bands, or a single band, leaves no jump in the host's share as local
    use rises."""
    example_dict["agreement"]["sharing"]["interpolation"] = "linear"
    assert evaluate(scenario_from_dict(example_dict), 0.85, 0.75).to_dict()["sharing_jumps"] == []
    example_dict["agreement"]["sharing"]["bands"] = [{"from_local_use": 0, "host_share": 0.3}]
    assert evaluate(scenario_from_dict(example_dict), 0.85, 0.75).to_dict()["sharing_jumps"] == []


def _section_2_by_hand(s, o: float, u: float) -> dict:
    """Part one's formulas, one point, plain Python in MODEL.md's order: what the tool gave before part two."""
    N, W = s.service.capacity, s.service.periods_per_year
    F, v = s.service.fixed_cost, s.service.variable_cost
    p_h, p_e, p_s, p_a = s.prices.host, s.prices.external, s.prices.spot_price, s.prices.host_alternative_price
    a, sh = s.agreement, s.agreement.sharing
    occupied = N * W * o
    host_units, external_units = occupied * u, occupied * (1.0 - u)
    host_fees, external_fees = host_units * p_h, external_units * p_e
    operating = F + occupied * v
    compensation = external_units * (
        a.compensation.per_external_unit + a.compensation.premium_share * max(p_e - p_h, 0.0)
    )
    surplus = host_fees + external_fees + a.contribution - operating - compensation
    threshold = sh.target_margin * operating
    rate = sh.bands[0].host_share  # as part one's code added it up: the first share plus each jump passed
    for before, band in zip(sh.bands, sh.bands[1:]):
        rate += (band.host_share - before.host_share) * (u >= band.from_local_use)
    cap = float("inf") if sh.loss_cap is None else sh.loss_cap
    share = rate * max(surplus - threshold, 0.0) - min(sh.loss_share * max(-surplus, 0.0), cap)
    net = a.contribution + host_fees - compensation - share
    return {
        "provider_profit": surplus - share,
        "host_net_cost": net,
        "provider_gain": surplus - share - (occupied * p_s - operating),
        "host_saving": host_units * p_a - net,
    }


@settings(max_examples=200, deadline=None)
@given(scenarios(part_two=False), st.floats(0, 1), st.floats(0, 1))
def test_without_part_two_fields_the_figures_are_exactly_part_ones(doc, o, u):
    """With step bands and no reserved places or local use the host would have anyway, any scenario gives, bit for
    bit, the basic formulas' figures worked by hand."""
    s = scenario_from_dict(doc)
    assume(s.agreement.sharing.interpolation == "step")
    r = evaluate(s, o, u)
    for name, value in _section_2_by_hand(s, o, u).items():
        assert float(getattr(r, name)) == value, name  # bit for bit: the part-two terms add exact zeros


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.floats(0.05, 1), st.floats(0, 0.98))
def test_marginal_host_saving_is_the_slope_from_the_right(doc, o, u):
    """Against a one-sided difference, where no kink of host_saving lies between u and u + h."""
    s = scenario_from_dict(doc)
    t = inputs_of(s)
    h = 1e-6
    kinks = [*t.band_starts, t.counterfactual_local_use]
    occupied = t.capacity * t.periods_per_year * o
    if occupied > 0 and u > 0:
        kinks.append(t.reserved_units / (t.capacity * o))  # the reserved units all used
    if occupied > 0:
        kinks.append(1 - (t.capacity - t.reserved_units) / (t.capacity * o))  # every empty unit a reserved one
    r0 = evaluate(s, o, u)
    assume(all(not (u - 1e-9 <= k <= u + 2 * h) for k in kinks))
    r1 = evaluate(s, o, u + h)
    # surplus crossing its threshold, zero or the cap also bends host_saving: skip those few points
    for name in ("surplus_before_sharing",):
        g0 = float(getattr(r0, name) - r0.sharing_threshold)
        g1 = float(getattr(r1, name) - r1.sharing_threshold)
        assume(np.sign(g0) == np.sign(g1))
        assume(np.sign(float(r0.surplus_before_sharing)) == np.sign(float(r1.surplus_before_sharing)))
    pain0 = s.agreement.sharing.loss_share * max(-float(r0.surplus_before_sharing), 0.0)
    pain1 = s.agreement.sharing.loss_share * max(-float(r1.surplus_before_sharing), 0.0)
    cap = np.inf if s.agreement.sharing.loss_cap is None else s.agreement.sharing.loss_cap
    assume((pain0 < cap) == (pain1 < cap))
    slope = float(r1.host_saving - r0.host_saving) / h / float(r0.occupied_units)
    scale = 1.0 + abs(t.host_price) + abs(t.external_price) + abs(t.host_alternative_price) + abs(t.spot_price)
    scale += abs(t.void_price) + abs(t.per_external_unit)
    assert float(r0.marginal_host_saving) == pytest.approx(slope, abs=1e-3 * scale)


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.floats(0.05, 1))
def test_a_jump_is_what_host_saving_jumps_by_at_the_band_edge(doc, o):
    """Each jump reported is exactly what the host's share of the surplus rises by as local use reaches that band's
    start, in random scenarios."""
    s = scenario_from_dict(doc)
    assume(s.agreement.sharing.interpolation == "step" and len(s.agreement.sharing.bands) > 1)
    jumps = evaluate(s, o, 0.5).sharing_jumps
    for start, to_host in jumps:
        assume(start > 1e-6)
        below, at = evaluate(s, o, np.nextafter(start, 0)), evaluate(s, o, start)
        step = float(at.surplus_share_to_host - below.surplus_share_to_host)
        scale = 1.0 + abs(float(at.surplus_before_sharing)) + abs(float(at.operating_cost))
        assert step == pytest.approx(float(to_host), abs=1e-6 * scale)


def test_cli_evaluate_reproduces_section_11(tmp_path, example_dict):
    """The command line gives the worked example's figures to the penny: with reserved places, with local use the
    host has anyway, and the jumps and marginal saving."""
    path = tmp_path / "reserved.yaml"
    path.write_text(yaml.safe_dump(with_part_two(example_dict, reservation={"units": 3, "void_price": 4500})))
    r = run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for name, value in RESERVATION.items():
        assert round(out[name], 2) == pytest.approx(value, abs=0.005), name
    assert out["break_even_occupancy"]["with_agreement"] == 0.0
    path.write_text(yaml.safe_dump(with_part_two(example_dict, without_agreement={"local_use": 0.3})))
    out = json.loads(run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75).stdout)
    for name, value in COUNTERFACTUAL.items():
        assert round(out[name], 2) == pytest.approx(value, abs=0.005), name
    path.write_text(yaml.safe_dump(example_dict))
    out = json.loads(run("evaluate", path, "--occupancy", 0.85, "--local-use", 0.75).stdout)
    assert [round(j["to_host"], 2) for j in out["sharing_jumps"]] == [25_364, 18_734]
    assert round(out["marginal_host_saving"], 2) == 1_075
    assert set(OUTCOME_NAMES) <= set(out)


def test_cli_undefined_marginal_is_null(tmp_path, example_dict):
    """At zero occupancy the host's marginal saving and its cost per place have no value, and the command line writes
    them as null."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(example_dict))
    out = json.loads(run("evaluate", path, "--occupancy", 0, "--local-use", 0.5).stdout)
    assert out["marginal_host_saving"] is None and out["host_unit_cost"] is None


@pytest.mark.parametrize(
    "change, line",
    [
        ({"reservation": {"units": 5}}, "agreement.reservation.units: must be <= the capacity (4), got 5"),
        ({"reservation": {"units": 2, "void_price": -1}}, "agreement.reservation.void_price: must be >= 0, got -1"),
        ({"without_agreement": {"local_use": 1.5}}, "without_agreement.local_use: must be <= 1, got 1.5"),
        ({"without_agreement": {"local_use": -0.1}}, "without_agreement.local_use: must be >= 0, got -0.1"),
    ],
)
def test_bad_part_two_input_exits_2_naming_the_field(tmp_path, example_dict, change, line):
    """More reserved places than the capacity, a negative void price, or a local use without the agreement outside 0
    to 100 % exits 2 naming the field."""
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(with_part_two(example_dict, **change)))
    r = run("summary", path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [line]


def test_summary_and_sweep_work_over_the_new_terms(tmp_path, example_dict):
    """Reserved places and the host's local use without the agreement sweep like any term: the more the host would
    get anyway, the less the agreement saves it."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(with_part_two(example_dict, reservation={"units": 2})))
    r = run("sweep", path, "--x", "agreement.reservation.units:0:4:5", "--y", "without_agreement.local_use:0:0.6:4")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    saving = np.array(out["expected_host_saving"])
    assert saving.shape == (4, 5)
    assert np.all(np.diff(saving, axis=0) < 0)  # the more the host would get anyway, the less the agreement saves it
    assert main(["summary", str(path)]) == 0


def test_the_headline_compares_the_hosts_cost_per_unit_like_for_like():
    """MODEL.md section 8a on the children's home preset, whose host would fill a third of the places anyway
    (u0 = 0.33), at its most likely point (o = 0.825, u = 0.6). By hand: without the agreement the host buys
    0.33 of the used places locally at p_s = 6,880 and 0.27 elsewhere at p_a = 7,550, so per place-week it uses
    (0.33 * 6,880 + 0.27 * 7,550) / 0.6 = (2,270.40 + 2,038.50) / 0.6 = 7,181.50, not p_a's 7,550. The
    headline, the across-occupancy chart's dashed line and the sentences all show that figure."""
    import charts
    from paper.narrative import expected_case_sentences
    from partnership import load_scenario, most_likely_case
    from partnership.results import result

    from ..conftest import ROOT

    s = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert (s.without_agreement.local_use, s.prices.spot, s.prices.host_alternative) == (0.33, 6880, 7550)
    assert (s.uncertainty.occupancy.mode, s.uncertainty.local_use.mode) == (0.825, 0.6)
    e = most_likely_case(s)
    assert e["host_unit_cost_without_agreement"] == pytest.approx(7_181.50, abs=0.005)
    assert e["host_unit_cost_without_agreement"] * e["host_units"] == pytest.approx(e["host_cost_without_agreement"])
    host = expected_case_sentences(s, e)[1]
    assert "against £7,182 without the agreement" in host and "7,550" not in host
    fig = charts.occupancy_lines(
        s, result("across_occupancy", s, local_use=0.6), result("break_even", s, local_use=0.6)
    )
    dashed = next(t for t in fig.data if t.name == "Host, without")
    assert np.nanmax(np.abs(np.asarray(dashed.y, dtype=float) - 7_181.50)) < 1e-6  # the same at every occupancy


def test_only_jumps_above_the_materiality_threshold_reach_the_first_screen():
    """Section 9 warns of every jump above one unit-period's host price; the page's first screen names only those also
    above 1 % of the year's host fees at the most likely point: both of the children's home's (£32,233 and £30,571 of
    £648,648 in fees), neither of rural homecare's (£2,831 and £598 of £834,600), which section 9 still lists."""
    from partnership import load_scenario
    from partnership.decisions import material_jumps, materiality_threshold, placement_warnings

    from ..conftest import ROOT

    home = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert materiality_threshold(home) == pytest.approx(0.01 * 648_648, abs=1)
    assert [(start, round(to_host)) for start, to_host in material_jumps(home)] == [(0.5, 32_233), (0.75, 30_571)]
    rural = load_scenario(ROOT / "presets" / "homecare_rural.yaml")
    assert len(placement_warnings(rural)) == 2 and material_jumps(rural) == []
    assert materiality_threshold(rural) == pytest.approx(8_346, abs=1)
