"""Where the figures come from (MODEL.md section 14): the variable cost built up from its parts per unit-period, the
fixed cost from its items, and the host's alternative price from the mix of ways it would buy without the agreement.

The scenario resolves the derived figures once, when it is validated (:mod:`partnership.scenario`): a scenario with
a ``cost_build_up`` holds the derived ``service.variable_cost`` and ``service.fixed_cost``, and one with an
``alternative_mix`` the derived ``prices.host_alternative``, so everything after (the formulas, the term's indexation,
the sweep, the exports) uses them as if they had been typed. Saving the scenario keeps the build-up and leaves the
derived numbers out (:func:`partnership.scenario.scenario_to_dict`). :func:`derived` says which were derived.

Pure functions of plain objects: this module imports nothing of the scenario's, so the schema can call it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["variable_cost", "fixed_item_amount", "fixed_cost", "host_alternative", "derived", "DERIVED_PATHS"]

DERIVED_PATHS = {
    "variable_cost": "service.variable_cost",
    "fixed_cost": "service.fixed_cost",
    "host_alternative": "prices.host_alternative",
}
"""Each derived figure's name (as ``evaluate``'s ``derived`` gives it) and the scenario field it stands in for."""


def variable_cost(
    pay: float, on_costs: float, travel_minutes: float, mileage: float, mileage_rate: float, other: float
) -> float:
    """``v = pay * (1 + on_costs) * (1 + travel_minutes / 60) + mileage * mileage_rate + other``: the cost per
    unit-period delivered (homecare: per contact hour), paid travel time costed at the same pay and on-costs.

    >>> round(variable_cost(12.71, 0.28, 12, 3.5, 0.45, 0.6), 5)
    21.69756
    """
    return pay * (1 + on_costs) * (1 + travel_minutes / 60) + mileage * mileage_rate + other


def fixed_item_amount(item: Any) -> float:
    """One fixed item's cost a year: its ``amount``, or ``count * each``."""
    return float(item.amount) if item.amount is not None else float(item.count) * float(item.each)


def fixed_cost(items) -> float:
    """``F = sum of the fixed items (amount, or count * each)``, currency a year."""
    return float(sum(fixed_item_amount(item) for item in items))


def host_alternative(mix) -> float:
    """``p_a = sum_i share_i * price_i``: what a unit-period costs the host, on average, without the agreement.

    >>> from types import SimpleNamespace as Item
    >>> round(host_alternative([Item(share=0.77, price=27.5), Item(share=0.15, price=32.14),
    ...                         Item(share=0.08, price=45.0)]), 3)
    29.596
    """
    return float(sum(item.share * item.price for item in mix))


def derived(scenario: Any) -> dict[str, float | None]:
    """The figures the scenario derives rather than gives: ``{variable_cost, fixed_cost, host_alternative}``, each
    the derived value, or None where the scenario gives it itself (``evaluate``'s ``derived``)."""
    built, mix = getattr(scenario, "cost_build_up", None), getattr(scenario, "alternative_mix", None)
    return {
        "variable_cost": None if built is None else float(scenario.service.variable_cost),
        "fixed_cost": None if built is None else float(scenario.service.fixed_cost),
        "host_alternative": None if mix is None else float(scenario.prices.host_alternative),
    }
