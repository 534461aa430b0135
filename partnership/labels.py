"""Plain-English labels and units for scenario fields and results, the same in the app, charts and exports."""

from __future__ import annotations

import math
import re

from .scenario import Scenario

__all__ = [
    "FIELD_LABELS",
    "field_label",
    "unit_period",
    "per_unit_period",
    "money",
    "unit_money",
    "field_value",
    "percent",
    "NA",
]

NA = "n/a"

TIME_UNITS = {"hour", "hours", "minute", "minutes", "day", "days", "night", "nights", "visit", "visits", "session"}

FIELD_LABELS = {
    "service.capacity": "Capacity",
    "service.periods_per_year": "Periods per year",
    "service.fixed_cost": "Fixed cost",
    "service.variable_cost": "Variable cost",
    "prices.host": "Host price",
    "prices.external": "External price",
    "prices.spot": "Spot price",
    "prices.host_alternative": "Host's alternative price",
    "agreement.contribution": "Contribution",
    "agreement.compensation.per_external_unit": "Compensation per external unit",
    "agreement.compensation.premium_share": "Share of the external premium",
    "agreement.sharing.target_margin": "Target margin",
    "agreement.sharing.loss_share": "Host's share of a deficit",
    "agreement.sharing.loss_cap": "Cap on the host's deficit share",
    "uncertainty.occupancy.low": "Occupancy, lowest",
    "uncertainty.occupancy.mode": "Occupancy, most likely",
    "uncertainty.occupancy.high": "Occupancy, highest",
    "uncertainty.local_use.low": "Local use, lowest",
    "uncertainty.local_use.mode": "Local use, most likely",
    "uncertainty.local_use.high": "Local use, highest",
}

FRACTION_PATHS = {
    "agreement.compensation.premium_share",
    "agreement.sharing.target_margin",
    "agreement.sharing.loss_share",
}


def field_label(path: str) -> str:
    """A person's name for a dotted scenario path (bands by their number, counted from 1)."""
    m = re.match(r"agreement\.sharing\.bands\[(\d+)\]\.(host_share|from_local_use)$", path)
    if m:
        what = "host's share" if m.group(2) == "host_share" else "starts at local use"
        return f"Sharing band {int(m.group(1)) + 1}: {what}"
    return FIELD_LABELS.get(path, path)


def is_fraction(path: str) -> bool:
    """Whether a field is a share (0-1), shown to people as a percent."""
    return path in FRACTION_PATHS or path.startswith("uncertainty.") or path.endswith(("host_share", "from_local_use"))


def unit_period(scenario: Scenario) -> str:
    """What one unit-period is called: "place-week", or just "hour" when the unit is itself time."""
    if scenario.unit.lower() in TIME_UNITS:
        return scenario.unit
    return f"{scenario.unit}-{scenario.period}"


def per_unit_period(scenario: Scenario) -> str:
    """ "per place per week", or "per hour" when the unit is itself time."""
    if scenario.unit.lower() in TIME_UNITS:
        return f"per {scenario.unit}"
    return f"per {scenario.unit} per {scenario.period}"


def money(value, currency: str = "£", decimals: int = 0) -> str:
    """Money as people write it: £1,234 or -£1,234; n/a for undefined values."""
    if value is None:
        return NA
    x = float(value)
    if not math.isfinite(x):
        return NA
    text = f"{currency}{abs(x):,.{decimals}f}"
    return f"-{text}" if round(x, decimals) < 0 else text


def percent(value, decimals: int = 0) -> str:
    """A fraction as a percent, halves rounded up as people do: 0.853 -> 85 %, 0.825 -> 83 %; n/a for
    undefined values.

    >>> percent(0.825), percent(0.5), percent(None)
    ('83 %', '50 %', 'n/a')
    """
    if value is None:
        return NA
    x = float(value)
    if not math.isfinite(x):
        return NA
    scaled = round(100 * x * 10**decimals, 9)  # float noise off first: 0.825 is 82.49999999999999 %
    rounded = math.floor(scaled + 0.5) / 10**decimals
    return f"{rounded:.{decimals}f} %"


def field_value(path: str, value, currency: str = "£") -> str:
    """A scenario field's value as people read it: shares as percents, prices per unit-period with pence
    where small, other money in whole units.

    >>> field_value("agreement.sharing.bands[2].host_share", 0.375), field_value("prices.host", 26.5)
    ('37.5 %', '£26.50')
    """
    if is_fraction(path):
        return percent(value, 1)
    if path.startswith("prices.") or path.endswith("per_external_unit"):
        return unit_money(value, currency)
    return money(value, currency)


def unit_money(value, currency: str = "£") -> str:
    """A price per unit-period: pence shown below 100 (£26.50 an hour), whole pounds above (£6,290 a week)."""
    if value is None or not math.isfinite(float(value)):
        return NA
    return money(value, currency, 2 if abs(float(value)) < 100 else 0)
