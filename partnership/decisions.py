"""Money riding on a placement decision (MODEL.md section 9): the sharing bands' jumps at the most likely
occupancy, and the plain warning wherever one is larger than a unit-period's host price."""

from __future__ import annotations

from .formats import money, point_percent, unit_period
from .outcomes import evaluate
from .scenario import Scenario
from .uncertainty import most_likely_point

__all__ = ["jumps_at", "placement_warnings", "CURE"]

CURE = "Linear interpolation between the band starts removes the jump."
"""What removes a step band's jump, said once after the warnings."""


def jumps_at(scenario: Scenario, occupancy: float | None = None) -> list[tuple[float, float]]:
    """``(from_local_use, to_host)`` of each step band's edge at an occupancy (by default the most likely),
    to_host in currency a year."""
    o = most_likely_point(scenario)[0] if occupancy is None else occupancy
    r = evaluate(scenario, o, most_likely_point(scenario)[1])
    return [(start, float(to_host)) for start, to_host in r.sharing_jumps]


def placement_warnings(scenario: Scenario, occupancy: float | None = None) -> list[str]:
    """One plain sentence for each band edge where one more local placement moves more than one
    unit-period's host price to the host (section 9); :data:`CURE` names what removes it.

    >>> from partnership.examples import example_scenario
    >>> placement_warnings(example_scenario())[0]
    "At 85 % occupancy, crossing 50 % local use moves £25,364 a year to the host, more than one place-week's host price (£4,500)."
    """
    o = most_likely_point(scenario)[0] if occupancy is None else occupancy
    p_h, cur = scenario.prices.host, scenario.currency
    out = []
    for start, to_host in jumps_at(scenario, o):
        if abs(to_host) > p_h:
            out.append(
                f"At {point_percent(o)} occupancy, crossing {point_percent(start)} local use moves {money(to_host, cur)} a year "
                f"to the host, more than one {unit_period(scenario)}'s host price ({money(p_h, cur, 2 if p_h < 100 else 0)})."
            )
    return out
