"""The worked example of MODEL.md section 6, built in code for doctests and tests."""

from __future__ import annotations

from .scenario import Scenario, scenario_from_dict

__all__ = ["EXAMPLE", "example_scenario"]

EXAMPLE = {
    "name": "Four-place children's home",
    "unit": "place",
    "period": "week",
    "currency": "£",
    "service": {"capacity": 4, "periods_per_year": 52, "fixed_cost": 800000, "variable_cost": 300},
    "prices": {"host": 4500, "external": 5500, "spot": 5500, "host_alternative": 6200},
    "agreement": {
        "contribution": 200000,
        "compensation": {"per_external_unit": 250, "premium_share": 0.25},
        "sharing": {
            "target_margin": 0.10,
            "interpolation": "step",
            "bands": [
                {"from_local_use": 0.0, "host_share": 0.0},
                {"from_local_use": 0.5, "host_share": 0.25},
                {"from_local_use": 0.8, "host_share": 0.5},
            ],
            "loss_share": 0.0,
            "loss_cap": None,
        },
    },
    "uncertainty": {
        "occupancy": {"low": 0.6, "mode": 0.85, "high": 1.0},
        "local_use": {"low": 0.5, "mode": 0.75, "high": 1.0},
    },
}
"""The MODEL.md section-1 scenario, field for field."""


def example_scenario() -> Scenario:
    """The MODEL.md worked-example scenario, validated."""
    return scenario_from_dict(EXAMPLE)
