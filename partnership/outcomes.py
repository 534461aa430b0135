"""Each party's outcome at a point of occupancy and local use (MODEL.md section 2), vectorised."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .scenario import Scenario
from .sharing import host_share_rate, surplus_share_to_host
from .terms import Terms, terms_of

__all__ = ["Outcome", "evaluate", "evaluate_terms", "break_even_occupancy", "OUTCOME_NAMES"]


@dataclass(frozen=True)
class Outcome:
    """Every quantity of MODEL.md section 2, as numpy arrays of the broadcast shape of the inputs.

    Units are unit-periods (``*_units``), the scenario's currency per year (money), or a
    fraction (``host_share_rate``); ``host_unit_cost`` is currency per host unit-period and
    NaN where the host uses nothing.
    """

    occupancy: np.ndarray
    local_use: np.ndarray
    occupied_units: np.ndarray
    host_units: np.ndarray
    external_units: np.ndarray
    host_fees: np.ndarray
    external_fees: np.ndarray
    operating_cost: np.ndarray
    compensation: np.ndarray
    surplus_before_sharing: np.ndarray
    sharing_threshold: np.ndarray
    host_share_rate: np.ndarray
    surplus_share_to_host: np.ndarray
    provider_profit: np.ndarray
    host_net_cost: np.ndarray
    host_unit_cost: np.ndarray
    provider_profit_without_agreement: np.ndarray
    host_cost_without_agreement: np.ndarray
    provider_gain: np.ndarray
    host_saving: np.ndarray

    def to_dict(self) -> dict:
        """The section-2 quantities as plain Python values; NaN becomes None (JSON null)."""
        return {name: _plain(getattr(self, name)) for name in OUTCOME_NAMES}


OUTCOME_NAMES = [f.name for f in fields(Outcome) if f.name not in ("occupancy", "local_use")]
"""The section-2 names, in MODEL.md order."""


def _plain(value):
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        x = float(arr)
        return x if np.isfinite(x) else None
    return [_plain(v) for v in arr]


def evaluate_terms(t: Terms, occupancy, local_use) -> Outcome:
    """Section 2 for resolved terms; see :func:`evaluate`."""
    o = np.asarray(occupancy, dtype=float)
    u = np.asarray(local_use, dtype=float)
    occupied_units = t.capacity * t.periods_per_year * o
    host_units = occupied_units * u
    external_units = occupied_units * (1.0 - u)
    host_fees = host_units * t.host_price
    external_fees = external_units * t.external_price
    operating_cost = t.fixed_cost + occupied_units * t.variable_cost
    premium = np.maximum(np.subtract(t.external_price, t.host_price), 0.0)
    compensation = external_units * (t.per_external_unit + t.premium_share * premium)
    surplus = host_fees + external_fees + t.contribution - operating_cost - compensation
    threshold = t.target_margin * operating_cost
    rate = host_share_rate(u, t.band_starts, t.band_shares, t.interpolation)
    share = surplus_share_to_host(surplus, threshold, rate, t.loss_share, t.loss_cap)
    provider_profit = surplus - share
    host_net_cost = t.contribution + host_fees - compensation - share
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        host_unit_cost = np.where(host_units > 0, host_net_cost / np.where(host_units > 0, host_units, 1.0), np.nan)
    host_unit_cost = np.where(np.isfinite(host_unit_cost), host_unit_cost, np.nan)  # undefined, never infinite
    profit_without = occupied_units * t.spot_price - operating_cost
    cost_without = host_units * t.host_alternative_price
    shape = np.broadcast_shapes(o.shape, u.shape, np.shape(provider_profit))
    b = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape)  # noqa: E731
    return Outcome(
        occupancy=b(o),
        local_use=b(u),
        occupied_units=b(occupied_units),
        host_units=b(host_units),
        external_units=b(external_units),
        host_fees=b(host_fees),
        external_fees=b(external_fees),
        operating_cost=b(operating_cost),
        compensation=b(compensation),
        surplus_before_sharing=b(surplus),
        sharing_threshold=b(threshold),
        host_share_rate=b(rate),
        surplus_share_to_host=b(share),
        provider_profit=b(provider_profit),
        host_net_cost=b(host_net_cost),
        host_unit_cost=b(host_unit_cost),
        provider_profit_without_agreement=b(profit_without),
        host_cost_without_agreement=b(cost_without),
        provider_gain=b(provider_profit - profit_without),
        host_saving=b(cost_without - host_net_cost),
    )


def evaluate(scenario: Scenario, occupancy, local_use) -> Outcome:
    """Both parties' outcome at occupancy ``o`` and local use ``u`` (fractions, 0-1).

    ``occupancy`` and ``local_use`` may be scalars or numpy arrays that broadcast: pass
    ``o[None, :]`` and ``u[:, None]`` for a whole local-use x occupancy grid in one call.

    >>> from partnership.examples import example_scenario
    >>> r = evaluate(example_scenario(), 0.85, 0.75)
    >>> round(float(r.provider_profit), 2), round(float(r.host_saving), 2)
    (144821.0, 67359.0)
    """
    return evaluate_terms(terms_of(scenario), occupancy, local_use)


def _first_nonnegative(profit_at, knots: np.ndarray) -> np.ndarray:
    """The smallest o in [0, 1] with profit(o) >= 0, for profit piecewise linear in o with
    kinks only at ``knots`` (shape ``(..., K)``, sorted, 0 and 1 included); NaN when none."""
    values = profit_at(knots)
    ok = values >= 0
    # the first knot where profit is >= 0, and the segment before it that crosses zero
    first = np.argmax(ok, axis=-1)
    any_ok = ok.any(axis=-1)
    idx = np.maximum(first - 1, 0)
    o0 = np.take_along_axis(knots, idx[..., None], -1)[..., 0]
    o1 = np.take_along_axis(knots, first[..., None], -1)[..., 0]
    p0 = np.take_along_axis(values, idx[..., None], -1)[..., 0]
    p1 = np.take_along_axis(values, first[..., None], -1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(p1 > p0, o0 + (o1 - o0) * (-p0) / (p1 - p0), o1)
    root = np.where(first == 0, knots[..., 0], np.clip(root, o0, o1))
    return np.where(any_ok, root, np.nan)


def break_even_occupancy(scenario: Scenario, local_use, terms: Terms | None = None) -> dict:
    """Break-even occupancy at local use ``u``: the smallest o in [0, 1] with provider profit >= 0.

    Exact: for a fixed u, profit is piecewise linear in o, with kinks where the surplus
    crosses the sharing threshold, crosses zero, or where the host's deficit share hits
    its cap; the root is found on the segment that crosses zero. Returns
    ``{"with_agreement": o, "without_agreement": o}``, arrays shaped like ``local_use``,
    NaN where profit stays below zero even at full occupancy.
    """
    t = terms if terms is not None else terms_of(scenario)
    u = np.asarray(local_use, dtype=float)
    nw = t.capacity * t.periods_per_year
    # surplus S(o) = a + b o and threshold T(o) = m F + m v N W o (per unit of occupancy)
    per_o = nw * (
        u * t.host_price
        + (1 - u) * t.external_price
        - t.variable_cost
        - (1 - u)
        * (t.per_external_unit + t.premium_share * np.maximum(np.subtract(t.external_price, t.host_price), 0.0))
    )
    a = t.contribution - t.fixed_cost
    b = per_o
    ta, tb = t.target_margin * t.fixed_cost, t.target_margin * t.variable_cost * nw
    with np.errstate(divide="ignore", invalid="ignore"):
        candidates = [
            -a / b,  # S = 0
            (ta - a) / (b - tb),  # S = T
            (-t.loss_cap / t.loss_share - a) / b if t.loss_share > 0 else np.full_like(b, np.nan),  # ls(-S) = cap
        ]
    inner = np.stack([np.broadcast_to(c, u.shape) for c in candidates], axis=-1)
    inner = np.where(np.isfinite(inner) & (inner > 0) & (inner < 1), inner, 0.0)
    knots = np.sort(np.concatenate([np.zeros(u.shape + (1,)), inner, np.ones(u.shape + (1,))], axis=-1), axis=-1)
    with_agreement = _first_nonnegative(lambda o: evaluate_terms(t, o, u[..., None]).provider_profit, knots)
    bare = np.stack([np.zeros(u.shape), np.ones(u.shape)], axis=-1)
    without = _first_nonnegative(lambda o: evaluate_terms(t, o, u[..., None]).provider_profit_without_agreement, bare)
    return {"with_agreement": with_agreement, "without_agreement": without}
