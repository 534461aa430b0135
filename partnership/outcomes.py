"""Each party's outcome at a point of occupancy and local use (MODEL.md section 2), vectorised."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .scenario import Scenario
from .sharing import host_share_rate as share_rate
from .sharing import surplus_share_to_host as surplus_share
from .terms import Terms, terms_of

__all__ = [
    "Outcome",
    "evaluate",
    "evaluate_terms",
    "evaluate_grid",
    "break_even_occupancy",
    "compensation_per_external_unit",
    "host_unit_cost",
    "OUTCOME_NAMES",
    "GRID_STEPS",
]


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


def compensation_per_external_unit(per_external_unit, premium_share, external_price, host_price):
    """What the provider pays the host for each external unit-period: ``k + r * max(p_e - p_h, 0)``.

    Parameters
    ----------
    per_external_unit : float or array
        k, currency per external unit-period.
    premium_share : float or array
        r, fraction 0-1 of the external premium.
    external_price, host_price : float or array
        p_e and p_h, currency per unit-period.

    Returns
    -------
    Currency per external unit-period.

    >>> float(compensation_per_external_unit(250, 0.25, 5500, 4500))
    500.0
    """
    return per_external_unit + premium_share * np.maximum(np.subtract(external_price, host_price), 0.0)


def host_unit_cost(host_net_cost, host_units):
    """The host's net cost per unit-period it uses: ``host_net_cost / host_units``; NaN (shown as
    n/a, JSON null) where the host uses nothing, never infinite.

    Parameters
    ----------
    host_net_cost : array
        Currency per year.
    host_units : array
        Unit-periods per year the host uses.

    Returns
    -------
    Currency per host unit-period, or NaN.

    >>> round(float(host_unit_cost(754761.0, 132.6)), 2), bool(np.isnan(host_unit_cost(1000.0, 0.0)))
    (5692.01, True)
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cost = np.where(host_units > 0, host_net_cost / np.where(host_units > 0, host_units, 1.0), np.nan)
    return np.where(np.isfinite(cost), cost, np.nan)


def evaluate_terms(t: Terms, occupancy, local_use) -> Outcome:
    """Section 2 for resolved terms; see :func:`evaluate`. Each line item is named as in MODEL.md."""
    o = np.asarray(occupancy, dtype=float)
    u = np.asarray(local_use, dtype=float)
    N, W, F, v = t.capacity, t.periods_per_year, t.fixed_cost, t.variable_cost
    p_h, p_e, p_s, p_a = t.host_price, t.external_price, t.spot_price, t.host_alternative_price
    C, m = t.contribution, t.target_margin

    occupied_units = N * W * o
    host_units = occupied_units * u
    external_units = occupied_units * (1.0 - u)
    host_fees = host_units * p_h
    external_fees = external_units * p_e
    operating_cost = F + occupied_units * v
    compensation = external_units * compensation_per_external_unit(t.per_external_unit, t.premium_share, p_e, p_h)
    surplus_before_sharing = host_fees + external_fees + C - operating_cost - compensation
    sharing_threshold = m * operating_cost
    host_share_rate = share_rate(u, t.band_starts, t.band_shares, t.interpolation)
    surplus_share_to_host = surplus_share(
        surplus_before_sharing, sharing_threshold, host_share_rate, t.loss_share, t.loss_cap
    )
    provider_profit = surplus_before_sharing - surplus_share_to_host
    host_net_cost = C + host_fees - compensation - surplus_share_to_host
    provider_profit_without_agreement = occupied_units * p_s - operating_cost
    host_cost_without_agreement = host_units * p_a
    provider_gain = provider_profit - provider_profit_without_agreement
    host_saving = host_cost_without_agreement - host_net_cost

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
        surplus_before_sharing=b(surplus_before_sharing),
        sharing_threshold=b(sharing_threshold),
        host_share_rate=b(host_share_rate),
        surplus_share_to_host=b(surplus_share_to_host),
        provider_profit=b(provider_profit),
        host_net_cost=b(host_net_cost),
        host_unit_cost=b(host_unit_cost(host_net_cost, host_units)),
        provider_profit_without_agreement=b(provider_profit_without_agreement),
        host_cost_without_agreement=b(host_cost_without_agreement),
        provider_gain=b(provider_gain),
        host_saving=b(host_saving),
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


GRID_STEPS = 101
"""Points per axis of an occupancy x local-use grid (1 % steps)."""


def evaluate_grid(scenario: Scenario, steps: int = GRID_STEPS) -> Outcome:
    """Section 2 over local use (rows) x occupancy (columns), each from 0 to 1 in ``steps`` points.

    >>> from partnership.examples import example_scenario
    >>> evaluate_grid(example_scenario(), 3).provider_gain.shape
    (3, 3)
    """
    axis = np.linspace(0.0, 1.0, steps)
    return evaluate(scenario, axis[None, :], axis[:, None])


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

    Parameters
    ----------
    scenario : Scenario
    local_use : float or array
        u, fraction 0-1.
    terms : Terms, optional
        The scenario's terms already resolved (or varied).

    >>> from partnership.examples import example_scenario
    >>> be = break_even_occupancy(example_scenario(), 0.75)
    >>> round(float(be["with_agreement"]), 5), round(float(be["without_agreement"]), 5)
    (0.66696, 0.73964)
    """
    t = terms if terms is not None else terms_of(scenario)
    u = np.asarray(local_use, dtype=float)
    nw = t.capacity * t.periods_per_year
    # surplus S(o) = a + b o and threshold T(o) = m F + m v N W o (per unit of occupancy)
    k_total = compensation_per_external_unit(t.per_external_unit, t.premium_share, t.external_price, t.host_price)
    per_o = nw * (u * t.host_price + (1 - u) * t.external_price - t.variable_cost - (1 - u) * k_total)
    a = t.contribution - t.fixed_cost
    b = per_o
    ta, tb = t.target_margin * t.fixed_cost, t.target_margin * t.variable_cost * nw
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
