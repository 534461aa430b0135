"""The scenario's numbers with defaults applied, as floats or broadcasting numpy arrays."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from .scenario import Scenario

__all__ = ["Terms", "terms_of", "TERM_OF_PATH"]


@dataclass(frozen=True)
class Terms:
    """Every number the section-2 formulas use, symbols as in MODEL.md.

    Each may be a float or a numpy array; arrays broadcast against the occupancy and
    local-use arrays (a sweep gives them shape ``(ny, nx, 1)``).
    """

    capacity: object  # N, units per period
    periods_per_year: object  # W
    fixed_cost: object  # F, currency per year
    variable_cost: object  # v, currency per occupied unit-period
    host_price: object  # p_h, currency per unit-period
    external_price: object  # p_e
    spot_price: object  # p_s
    host_alternative_price: object  # p_a
    contribution: object  # C, currency per year
    per_external_unit: object  # k, currency per external unit-period
    premium_share: object  # r, fraction
    target_margin: object  # m, fraction of operating cost
    loss_share: object  # ls, fraction
    loss_cap: object  # currency per year; inf when there is no cap
    band_starts: tuple  # from_local_use of each band
    band_shares: tuple  # host_share of each band
    interpolation: str  # "step" or "linear"


TERM_OF_PATH = {
    "service.capacity": "capacity",
    "service.periods_per_year": "periods_per_year",
    "service.fixed_cost": "fixed_cost",
    "service.variable_cost": "variable_cost",
    "prices.host": "host_price",
    "prices.external": "external_price",
    "prices.spot": "spot_price",
    "prices.host_alternative": "host_alternative_price",
    "agreement.contribution": "contribution",
    "agreement.compensation.per_external_unit": "per_external_unit",
    "agreement.compensation.premium_share": "premium_share",
    "agreement.sharing.target_margin": "target_margin",
    "agreement.sharing.loss_share": "loss_share",
    "agreement.sharing.loss_cap": "loss_cap",
}
"""Scenario paths that map straight onto one term (band shares are handled by index)."""

_BAND_SHARE = re.compile(r"agreement\.sharing\.bands\[(\d+)\]\.host_share$")


def overridable(path: str, scenario: Scenario) -> bool:
    """Whether a path can be varied by overriding a term, without re-validating or re-integrating."""
    if path in TERM_OF_PATH:
        return True
    m = _BAND_SHARE.match(path)
    return bool(m) and int(m.group(1)) < len(scenario.agreement.sharing.bands)


def terms_of(scenario: Scenario, overrides: dict | None = None) -> Terms:
    """The scenario's terms, with values (floats or arrays) at dotted paths replaced.

    Defaults follow the replaced values: with ``prices.spot`` unset, overriding
    ``prices.external`` moves the spot price too, as re-validating the document would.
    """
    overrides = dict(overrides or {})
    s = scenario
    sharing = s.agreement.sharing
    spot_set = s.prices.spot is not None or "prices.spot" in overrides
    alt_set = s.prices.host_alternative is not None or "prices.host_alternative" in overrides
    base = Terms(
        capacity=s.service.capacity,
        periods_per_year=s.service.periods_per_year,
        fixed_cost=s.service.fixed_cost,
        variable_cost=s.service.variable_cost,
        host_price=s.prices.host,
        external_price=s.prices.external,
        spot_price=s.prices.spot_price,
        host_alternative_price=s.prices.host_alternative_price,
        contribution=s.agreement.contribution,
        per_external_unit=s.agreement.compensation.per_external_unit,
        premium_share=s.agreement.compensation.premium_share,
        target_margin=sharing.target_margin,
        loss_share=sharing.loss_share,
        loss_cap=np.inf if sharing.loss_cap is None else sharing.loss_cap,
        band_starts=tuple(b.from_local_use for b in sharing.bands),
        band_shares=tuple(b.host_share for b in sharing.bands),
        interpolation=sharing.interpolation,
    )
    changes: dict = {}
    shares = list(base.band_shares)
    for path, value in overrides.items():
        if path in TERM_OF_PATH:
            changes[TERM_OF_PATH[path]] = value
            continue
        m = _BAND_SHARE.match(path)
        if m and int(m.group(1)) < len(shares):
            shares[int(m.group(1))] = value
            continue
        raise KeyError(f"{path}: cannot be varied directly; re-validate the scenario instead")
    changes["band_shares"] = tuple(shares)
    if not spot_set:
        changes["spot_price"] = changes.get("external_price", base.external_price)
    if not alt_set:
        changes["host_alternative_price"] = changes.get("spot_price", base.spot_price)
    return replace(base, **changes)
