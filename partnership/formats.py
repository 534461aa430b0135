"""Numbers as people write them (money, percents, prices per unit-period, n/a): the same in messages, the
command line, the app, charts and exports."""

from __future__ import annotations

import math
import re

from . import fields
from .scenario import Scenario

__all__ = [
    "NA",
    "file_stem",
    "money",
    "percent",
    "unit_money",
    "field_value",
    "field_unit",
    "outcome_unit",
    "unit_period",
    "per_unit_period",
]

NA = "n/a"


def unit_period(scenario: Scenario) -> str:
    """What one unit-period is called: "place-week", or just "hour" when the unit is itself time."""
    return fields.unit_period(scenario.unit, scenario.period)


def field_unit(path: str, scenario: Scenario) -> str:
    """A scenario field's unit in words for this scenario (e.g. "£ per place-week"), from the registry."""
    return fields.unit_text(path, scenario.currency, scenario.unit, scenario.period)


def per_unit_period(scenario: Scenario) -> str:
    """ "per place per week", or "per hour" when the unit is itself time."""
    if scenario.unit.lower() in fields.TIME_UNITS:
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


def point_percent(value) -> str:
    """A point's occupancy or local use as a percent, with a decimal only when it has one (82.5 %, 60 %),
    so a sentence names the same point as the half-percent sliders.

    >>> point_percent(0.825), point_percent(0.6)
    ('82.5 %', '60 %')
    """
    if value is None or not math.isfinite(float(value)):
        return NA
    whole = abs(round(100 * float(value), 6) - round(100 * float(value))) < 1e-6
    return percent(value, 0 if whole else 1)


def field_value(path: str, value, currency: str = "£") -> str:
    """A scenario field's value as people read it: shares as percents, prices per unit-period with pence
    where small, other money in whole units.

    A growth rate given year by year reads as its list of percents; counts and whole numbers as numbers.

    >>> field_value("agreement.sharing.bands[2].host_share", 0.375), field_value("prices.host", 26.5)
    ('37.5 %', '£26.50')
    >>> field_value("term.indexation.costs", [0.041, 0.035]), field_value("term.years", 5)
    ('4.1 %, 3.5 % (years 2 to 3)', '5')
    """
    if isinstance(value, (list, tuple)):
        items = ", ".join(field_value(path, v, currency) for v in value)
        return f"{items} (years 2 to {len(value) + 1})" if value else NA
    if value is None:
        return NA
    try:
        kind = fields.spec(path).kind
    except KeyError:
        kind = None
    if kind in ("count", "integer"):
        x = float(value)
        return NA if not math.isfinite(x) else (f"{x:,.0f}" if x == round(x) else f"{x:,g}")
    if fields.is_fraction(path):
        return percent(value, 1)
    if fields.is_money_per_unit(path):
        return unit_money(value, currency)
    return money(value, currency)


def unit_money(value, currency: str = "£") -> str:
    """A price per unit-period: pence shown below 100 (£26.50 an hour), whole pounds above (£6,290 a week)."""
    if value is None or not math.isfinite(float(value)):
        return NA
    return money(value, currency, 2 if abs(float(value)) < 100 else 0)


UNIT_COUNTS = ("occupied_units", "host_units", "external_units", "void_units")
FRACTIONS = ("occupancy", "local_use", "host_share_rate")
UNIT_PRICES = ("host_unit_cost", "host_unit_cost_without_agreement")
"""The section-2 (and 8a) quantities in currency per unit-period, not per year."""


def outcome_unit(name: str, scenario: Scenario) -> str:
    """The unit of a section-2 quantity (or of ``occupancy`` / ``local_use``) in words.

    >>> from partnership.examples import example_scenario
    >>> s = example_scenario()
    >>> outcome_unit("host_fees", s), outcome_unit("host_unit_cost", s), outcome_unit("host_units", s)
    ('£ per year', '£ per place-week', 'place-weeks per year')
    """
    if name in FRACTIONS:
        return "fraction 0-1"
    if name in UNIT_COUNTS:
        return f"{unit_period(scenario)}s per year"
    if name in UNIT_PRICES:
        return f"{scenario.currency} per {unit_period(scenario)}"
    return f"{scenario.currency} per year"


def file_stem(name: str, fallback: str = "scenario", limit: int | None = None) -> str:
    """A name as the stem of a file name, the same everywhere a file is named after a scenario, an option or a room:
    lower-case letters and digits, each run of anything else one underscore, at most ``limit`` characters;
    ``fallback`` when nothing is left.

    >>> file_stem("Four-place children's home")
    'four_place_children_s_home'
    >>> file_stem("***", "option")
    'option'
    """
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return (stem[:limit] if limit else stem) or fallback
