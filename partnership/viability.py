"""Viability in hours a week: for a service counted in hours (homecare), the break-even occupancy of section 2 as the
hours a week the provider must deliver to cover its costs, without the agreement and with it, so a room can read
"viable from 760 hours a week without the agreement, 540 with it" beside the rule of thumb that about 500 hours a
week makes a viable provider.

Hours a week = ``N * W / 52 * o * hours per unit``: N units each period, W periods a year, so ``N * W / 52`` units a
week at full occupancy (the homecare presets count capacity in hours each week, W = 52: the hours a week are
``N * o``); a unit of minutes is a sixtieth of an hour. Units that are not a length of time in hours (a day, a visit,
a place) have no hours a week: None.
"""

from __future__ import annotations

import math

from .formats import point_percent
from .outcomes import break_even_occupancy
from .scenario import Scenario

__all__ = [
    "HOURS_PER_UNIT",
    "VIABLE_HOURS",
    "hours_per_unit",
    "hours_a_week",
    "break_even_hours_a_week",
    "viable_hours_sentence",
]

HOURS_PER_UNIT = {"hour": 1.0, "hours": 1.0, "minute": 1 / 60, "minutes": 1 / 60}
"""The units of :data:`partnership.fields.TIME_UNITS` that are a known number of hours."""

WEEKS_PER_YEAR = 52


def hours_per_unit(scenario: Scenario) -> float | None:
    """How many hours one unit is, or None when the scenario is not counted in hours (or minutes)."""
    return HOURS_PER_UNIT.get(scenario.unit.strip().lower())


def hours_a_week(scenario: Scenario, occupancy: float) -> float | None:
    """``N * W / 52 * o * hours per unit``: the hours a week delivered at occupancy ``o``; None when the scenario is
    not counted in hours, or when ``o`` is None or not finite (no break-even)."""
    per_unit = hours_per_unit(scenario)
    if per_unit is None or occupancy is None or not math.isfinite(float(occupancy)):
        return None
    s = scenario.service
    return float(s.capacity) * float(s.periods_per_year) / WEEKS_PER_YEAR * float(occupancy) * per_unit


def break_even_hours_a_week(scenario: Scenario, local_use: float) -> dict | None:
    """The break-even occupancy at local use ``u`` (section 2) as hours a week: ``{with_agreement,
    without_agreement}``, each None when the provider does not break even even at full occupancy; None as a whole
    when the scenario is not counted in hours.

    >>> from partnership import load_scenario
    >>> hours = break_even_hours_a_week(load_scenario("presets/homecare_rural.yaml"), 0.75)
    >>> hours["with_agreement"] < hours["without_agreement"]
    True
    """
    if hours_per_unit(scenario) is None:
        return None
    be = break_even_occupancy(scenario, local_use)
    return {k: hours_a_week(scenario, float(v)) for k, v in be.items()}


VIABLE_HOURS = 500
"""The hours a week the industry treats as the least a viable homecare provider delivers, as Herefordshire Council's
scrutiny committee minutes on the recommissioning of home care cite it (about 2021; unverified elsewhere)."""


def viable_hours_sentence(local_use: float, hours: dict, strong=lambda text: f"**{text}**") -> str:
    """The sentence the page (under Across occupancy) and the pack's summary give a service counted in hours: the
    break-even as hours a week without the agreement and with it (``hours``, :func:`break_even_hours_a_week`), beside
    the :data:`VIABLE_HOURS` cited as needed for viability; ``strong`` marks the two figures (Markdown bold)."""
    words = {k: "never, even when full" if v is None else f"{v:,.0f} hours a week" for k, v in hours.items()}
    return (
        f"At {point_percent(local_use)} local use the provider is viable from {strong(words['without_agreement'])} "
        f"without the agreement, {strong(words['with_agreement'])} with it (its break-even occupancy as hours "
        "delivered). Herefordshire Council's scrutiny committee minutes on the recommissioning of home care cite about "
        f"{VIABLE_HOURS} hours a week as the least a viable provider needs."
    )
