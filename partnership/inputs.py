"""The scenario's inputs resolved: every number the formulas use, defaults applied, as floats or broadcasting numpy
arrays (not to be confused with the agreement's terms, which a room negotiates, or the term, its years)."""

from __future__ import annotations

from dataclasses import dataclass

from .fields import FIELDS, band_index, spec, value_of
from .scenario import Scenario

__all__ = ["Inputs", "inputs_of", "INPUT_OF_PATH"]


@dataclass(frozen=True)
class Inputs:
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
    reserved_units: object  # R, units reserved each period
    void_price: object  # p_v, currency per empty reserved unit-period
    counterfactual_local_use: object  # u0, fraction the host would get locally without the agreement
    band_starts: tuple  # from_local_use of each band
    band_shares: tuple  # host_share of each band
    interpolation: str  # "step" or "linear"
    # a region of councils as the host (section 12): one value for each member council, empty for one host
    member_use_shares: tuple = ()  # s_i, fraction of the host's units
    member_contribution_shares: tuple = ()  # w_i, fraction of the contribution, voids and the host's set-up share
    member_host_alternative_prices: tuple = ()  # p_a,i, currency per unit-period (default p_a)
    member_local_use_anyway: tuple = ()  # u0_i, fraction of the used capacity (default s_i * u0)
    returns_split: str = "use"  # "use" or "contribution": how compensation and the surplus share are divided


INPUT_OF_PATH = {f.path: f.term for f in FIELDS if f.term and f.numeric and "[i]" not in f.path}
"""Scenario paths that map straight onto one term (band values are handled by index), from the registry."""

_DEFAULT_FROM = {f.term: INPUT_OF_PATH[f.default_from] for f in FIELDS if f.default_from and "[i]" not in f.path}
"""Inputs whose unset value follows another input (spot follows external; the host's alternative, spot)."""


def overridable(path: str, scenario: Scenario) -> bool:
    """Whether a path can be varied by overriding a term, without re-validating or re-integrating."""
    if path in INPUT_OF_PATH:
        return True
    i = band_index(path)
    return i is not None and path.endswith(".host_share") and i < len(scenario.agreement.sharing.bands)


def inputs_of(scenario: Scenario, overrides: dict | None = None) -> Inputs:
    """The scenario's inputs, with values (floats or arrays) at dotted paths replaced.

    Defaults follow the replaced values: with ``prices.spot`` unset, overriding
    ``prices.external`` moves the spot price too, as re-validating the document would.
    """
    overrides = dict(overrides or {})
    bands = scenario.agreement.sharing.bands
    values: dict = {}
    unset: set[str] = set()
    for path, term in INPUT_OF_PATH.items():
        value = value_of(scenario, path, resolved=False)
        if value is None and path not in overrides:
            unset.add(term)
            value = spec(path).no_value
        values[term] = value
    values["interpolation"] = scenario.agreement.sharing.interpolation
    values["band_starts"] = tuple(b.from_local_use for b in bands)
    shares = [b.host_share for b in bands]
    for path, value in overrides.items():
        i = band_index(path)
        if path in INPUT_OF_PATH:
            values[INPUT_OF_PATH[path]] = value
        elif i is not None and path.endswith(".host_share") and i < len(shares):
            shares[i] = value
        else:
            raise KeyError(f"{path}: cannot be varied directly; re-validate the scenario instead")
    values["band_shares"] = tuple(shares)
    for term, source in _DEFAULT_FROM.items():  # in registry order: spot before the host's alternative
        if term in unset:
            values[term] = values[source]
    values.update(_members(scenario, values))
    return Inputs(**values)


def _members(scenario: Scenario, values: dict) -> dict:
    """The region's member councils' inputs (section 12), defaults following the (possibly varied) values they
    default to: a member's alternative price is the host's alternative price, its contribution share its use share,
    its local use anyway its use share times the host's."""
    if scenario.region is None:
        return {}
    members = scenario.region.members
    s = tuple(m.use_share for m in members)
    return {
        "member_use_shares": s,
        "member_contribution_shares": tuple(
            m.use_share if m.contribution_share is None else m.contribution_share for m in members
        ),
        "member_host_alternative_prices": tuple(
            values["host_alternative_price"] if m.host_alternative is None else m.host_alternative for m in members
        ),
        "member_local_use_anyway": tuple(
            m.use_share * values["counterfactual_local_use"] if m.local_use_anyway is None else m.local_use_anyway
            for m in members
        ),
        "returns_split": scenario.region.returns_split,
    }
