"""The sidebar's "build it up from its parts" choice (the variable and fixed costs, the host's alternative) and the
break-even in hours a week under the lines across occupancy."""

from __future__ import annotations

import pytest

from partnership import load_scenario
from partnership.build_up import fixed_cost, host_alternative, variable_cost
from ui.state import decode_scenario

from ..conftest import ROOT
from ..support.markdown import as_read
from .test_app import problems_shown, show, start

RURAL = ROOT / "presets" / "homecare_rural.yaml"
ZONE = ROOT / "presets" / "homecare_zone_framework.yaml"


def _open(preset) -> object:
    at = start()
    at.selectbox(key="preset").set_value(preset.stem).run()
    return at


def _box(at, label_start: str):
    found = [b for b in at.sidebar.number_input if b.label.startswith(label_start)]
    assert found, [b.label for b in at.sidebar.number_input]
    return found[0]


def _captions(at) -> str:
    return " ".join(as_read(c.value) for c in at.sidebar.caption)


def test_a_built_up_preset_shows_its_parts_and_the_derived_figures():
    """The rural preset's costs are built up: the choice is on, the parts are shown, the variable and fixed cost
    boxes hold the derived figures (and cannot be typed over) and the captions say them."""
    at = _open(RURAL)
    s = load_scenario(RURAL)
    assert at.sidebar.toggle(key="build_up_costs").value is True
    assert _box(at, "Care worker's pay").value == pytest.approx(s.cost_build_up.per_unit.pay)
    v = at.sidebar.number_input(key="service.variable_cost")
    assert v.value == pytest.approx(s.service.variable_cost) and v.disabled
    assert f"£{s.service.variable_cost:,.2f}" in _captions(at)
    assert f"£{s.service.fixed_cost:,.0f}" in _captions(at)


def test_changing_a_part_derives_the_figure_and_switching_off_keeps_it_typed():
    """Raising the care worker's pay by £1 raises the variable cost by (1 + on-costs)(1 + travel minutes / 60), as
    section 14's formula has it, in the box and in the scenario the link carries; switching the choice off keeps
    that derived figure as the typed variable cost, and the link's scenario then has no build-up."""
    at = _open(RURAL)
    p = load_scenario(RURAL).cost_build_up.per_unit
    _box(at, "Care worker's pay").set_value(p.pay + 1.0).run()
    assert not at.error, problems_shown(at)
    want = variable_cost(p.pay + 1.0, p.on_costs, p.travel_minutes, p.mileage, p.mileage_rate, p.other)
    linked = decode_scenario(at.query_params["scenario"])
    assert linked.cost_build_up.per_unit.pay == pytest.approx(p.pay + 1.0)
    assert linked.service.variable_cost == pytest.approx(want)
    at.run()
    assert at.sidebar.number_input(key="service.variable_cost").value == pytest.approx(want)

    at.sidebar.toggle(key="build_up_costs").set_value(False).run()
    at.run()
    assert not at.error, problems_shown(at)
    typed = decode_scenario(at.query_params["scenario"])
    assert typed.cost_build_up is None
    assert typed.service.variable_cost == pytest.approx(want)
    assert typed.service.fixed_cost == pytest.approx(fixed_cost(load_scenario(RURAL).cost_build_up.fixed))


def test_building_the_alternative_up_derives_it_from_the_mix():
    """Switching on the host's alternative mix for the rural preset starts it as one way of buying at the typed price
    (the same price); the zone preset's mix derives its alternative price as the sum of shares times prices."""
    at = _open(RURAL)
    typed = load_scenario(RURAL).prices.host_alternative
    at.sidebar.toggle(key="build_up_mix").set_value(True).run()
    at.run()
    linked = decode_scenario(at.query_params["scenario"])
    assert linked.alternative_mix is not None and len(linked.alternative_mix) == 1
    assert linked.prices.host_alternative == pytest.approx(typed)

    zone = _open(ZONE)
    s = load_scenario(ZONE)
    assert zone.sidebar.toggle(key="build_up_mix").value is True
    assert zone.sidebar.number_input(key="prices.host_alternative").value == pytest.approx(
        host_alternative(s.alternative_mix)
    )


def test_across_occupancy_says_the_break_even_in_hours_a_week_beside_the_500():
    """For homecare, counted in hours, Across occupancy says from how many hours a week the provider is viable
    without the agreement and with it, beside the 500 hours a week the Herefordshire minutes cite; a children's home
    (counted in places) says nothing of hours."""
    at = show(_open(RURAL), "Across occupancy")
    said = " ".join(i.value for i in at.info).replace("**", "")
    assert "hours a week without the agreement" in said and "500 hours a week" in said
    assert "Herefordshire" in said and "seed" not in said.lower()
    home = show(start(), "Across occupancy")
    assert "hours a week" not in " ".join(i.value for i in home.info)
