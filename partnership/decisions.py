"""Money riding on a placement decision (MODEL.md section 9): the sharing bands' jumps at the most likely
occupancy, and the plain warning wherever one is larger than a unit-period's host price."""

from __future__ import annotations

from typing import NamedTuple

from .formats import money, point_percent, unit_period
from .outcomes import evaluate
from .scenario import Scenario
from .uncertainty import most_likely_point

__all__ = [
    "jumps_at",
    "placement_warnings",
    "placement_decision",
    "PlacementDecision",
    "material_jumps",
    "materiality_threshold",
    "MATERIAL_SHARE",
    "RULE",
    "CURE",
]

CURE = "Linear interpolation between the band starts removes the jump."
"""What removes a step band's jump, said once after the warnings."""


MATERIAL_SHARE = 0.01
"""A jump is material, and named on the page's first screen, when it moves more than this share of the year's host
fees at the most likely point (1 %: on the children's home about £6,500 of £649,000). Section 9's own rule (more than
one unit-period's host price) still lists every jump in the details and the exports."""

RULE = (
    "One more local placement can carry a step band's start and move a year's surplus share. "
    "Every jump larger than one {unit}'s host price ({price}) is listed here; the first screen names only those "
    "above {share} of the year's host fees at the most likely point ({threshold} a year)."
)
"""Section 9's rule and the page's materiality threshold, in words (filled in by the reader)."""


def materiality_threshold(scenario: Scenario) -> float:
    """The sum a jump must exceed to be named on the page's first screen, in currency a year: :data:`MATERIAL_SHARE`
    of the year's host fees (host units x ``p_h``) at the most likely point."""
    return placement_decision(scenario).threshold


def material_jumps(scenario: Scenario) -> list[tuple[float, float]]:
    """``(from_local_use, to_host)`` of each jump at the most likely occupancy that is larger than section 9's one
    unit-period's host price and than :func:`materiality_threshold`, to_host in currency a year."""
    return placement_decision(scenario).material


def jumps_at(scenario: Scenario, occupancy: float | None = None) -> list[tuple[float, float]]:
    """``(from_local_use, to_host)`` of each step band's edge at an occupancy (by default the most likely),
    to_host in currency a year."""
    o = most_likely_point(scenario)[0] if occupancy is None else occupancy
    return _jumps(evaluate(scenario, o, most_likely_point(scenario)[1]))


def placement_warnings(scenario: Scenario, occupancy: float | None = None) -> list[str]:
    """One plain sentence for each band edge where one more local placement moves more than one
    unit-period's host price to the host (section 9); :data:`CURE` names what removes it.

    >>> from partnership.examples import example_scenario
    >>> placement_warnings(example_scenario())[0]
    "At 85 % occupancy, crossing 50 % local use moves £25,364 a year to the host, more than one place-week's host price (£4,500)."
    """
    o = most_likely_point(scenario)[0] if occupancy is None else occupancy
    return _warnings(scenario, o, jumps_at(scenario, o))


class PlacementDecision(NamedTuple):
    """Section 9 at the most likely point, from one evaluation: what :func:`materiality_threshold`,
    :func:`material_jumps` and :func:`placement_warnings` give."""

    threshold: float
    material: list[tuple[float, float]]
    warnings: list[str]


def placement_decision(scenario: Scenario) -> PlacementDecision:
    """The materiality threshold, the material jumps and section 9's warnings at the most likely point, the
    point evaluated once for all three (the page's first screen shows them together)."""
    o, u = most_likely_point(scenario)
    r = evaluate(scenario, o, u)
    threshold = MATERIAL_SHARE * float(r.host_fees)
    jumps = _jumps(r)
    floor = max(scenario.prices.host, threshold)
    material = [(start, to_host) for start, to_host in jumps if abs(to_host) > floor]
    return PlacementDecision(threshold, material, _warnings(scenario, o, jumps))


def _jumps(r) -> list[tuple[float, float]]:
    return [(start, float(to_host)) for start, to_host in r.sharing_jumps]


def _warnings(scenario: Scenario, o: float, jumps: list[tuple[float, float]]) -> list[str]:
    """Section 9's sentence for each jump larger than one unit-period's host price, at occupancy ``o``."""
    p_h, cur = scenario.prices.host, scenario.currency
    return [
        f"At {point_percent(o)} occupancy, crossing {point_percent(start)} local use moves {money(to_host, cur)} a year "
        f"to the host, more than one {unit_period(scenario)}'s host price ({money(p_h, cur, 2 if p_h < 100 else 0)})."
        for start, to_host in jumps
        if abs(to_host) > p_h
    ]
