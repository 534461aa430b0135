"""Each party's outcome at a point of occupancy and local use (MODEL.md section 2), vectorised."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace

import numpy as np

from . import region, sharing
from .arrays import into
from .inputs import Inputs, inputs_of
from .scenario import Scenario

__all__ = [
    "Outcome",
    "evaluate",
    "evaluate_inputs",
    "evaluate_grid",
    "evaluate_across_occupancy",
    "evaluate_across_local_use",
    "access_value",
    "break_even_occupancy",
    "compensation_per_external_unit",
    "host_unit_cost",
    "gain_tolerance",
    "OUTCOME_NAMES",
    "GRID_STEPS",
]


DECISION_NAMES = ("sharing_jumps", "marginal_host_saving")
"""The section-9 names: the money riding on a placement decision at a point."""


@dataclass(frozen=True)
class Outcome:
    """Every quantity of MODEL.md section 2, as numpy arrays of the broadcast shape of the inputs.

    Units are unit-periods (``*_units``), the scenario's currency per year (money), or a
    fraction (``host_share_rate``); ``host_unit_cost`` and ``host_unit_cost_without_agreement``
    (section 8a) are currency per host unit-period and NaN where the host uses nothing.
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
    void_units: np.ndarray
    void_payments: np.ndarray
    surplus_before_sharing: np.ndarray
    sharing_threshold: np.ndarray
    host_share_rate: np.ndarray
    surplus_share_to_host: np.ndarray
    provider_profit: np.ndarray
    host_net_cost: np.ndarray
    host_unit_cost: np.ndarray
    provider_profit_without_agreement: np.ndarray
    host_cost_without_agreement: np.ndarray
    host_unit_cost_without_agreement: np.ndarray
    provider_gain: np.ndarray
    host_saving: np.ndarray
    inputs: Inputs = field(repr=False, compare=False)

    @functools.cached_property
    def sharing_jumps(self) -> list[tuple[float, np.ndarray]]:
        """Section 9: ``(b_i, to_host)`` for each step band's edge, to_host shaped like the other figures;
        worked out when first asked for (maps and summaries never need it)."""
        shape = self.occupancy.shape
        return [
            (start, np.broadcast_to(to_host, shape)) for start, to_host in sharing_jumps(self.inputs, self.occupancy)
        ]

    @functools.cached_property
    def marginal_host_saving(self) -> np.ndarray:
        """Section 9: what one more unit-period used by the host is worth to it; worked out when first asked for."""
        return marginal_host_saving(self.inputs, self.occupancy, self.local_use)

    def to_dict(self) -> dict:
        """Every section-2 name and the section-9 names as plain Python values: NaN becomes None (JSON
        null); ``sharing_jumps`` is a list of ``{from_local_use, to_host}``."""
        out = {name: _plain(getattr(self, name)) for name in OUTCOME_NAMES}
        out["sharing_jumps"] = [
            {"from_local_use": float(start), "to_host": _plain(to_host)} for start, to_host in self.sharing_jumps
        ]
        out["marginal_host_saving"] = _plain(self.marginal_host_saving)
        return out


OUTCOME_NAMES = [f.name for f in fields(Outcome) if f.name not in ("occupancy", "local_use", "inputs")]
"""The section-2 names (section 7's void units and payments included), in MODEL.md order."""


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
    """The host's cost per unit-period it uses: ``host_net_cost / host_units`` (section 2), and the same
    division of ``host_cost_without_agreement`` gives ``host_unit_cost_without_agreement`` (section 8a, the
    like-for-like figure the first is compared with); NaN (shown as n/a, JSON null) where the host uses
    nothing, never infinite.

    Parameters
    ----------
    host_net_cost : array
        Currency per year (or the host's cost without the agreement, currency per year).
    host_units : array
        Unit-periods per year the host uses.

    Returns
    -------
    Currency per host unit-period, or NaN.

    >>> round(float(host_unit_cost(754761.0, 132.6)), 2), bool(np.isnan(host_unit_cost(1000.0, 0.0)))
    (5692.01, True)
    >>> round(float(host_unit_cost(822120.0, 132.6)), 2)  # without the agreement, u0 = 0: p_a
    6200.0
    """
    cost_, units = np.asarray(host_net_cost, dtype=float), np.asarray(host_units, dtype=float)
    cost = np.full(np.broadcast_shapes(cost_.shape, units.shape), np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        np.divide(cost_, units, out=cost, where=units > 0)  # one pass, and no division where the host uses nothing
    cost[np.isinf(cost)] = np.nan  # a cost over a tiny use that overflows
    return cost


def gain_tolerance(t: Inputs) -> float:
    """Rounding tolerance for 'gain >= 0', currency a year: a millionth of a penny per pound of the
    full-occupancy operating cost ``F + N * W * v``, the largest the inputs hold (over a term, pass every
    year's inputs, :func:`partnership.term.year_inputs`: the largest year's cost sets it). The one basis the
    summary, the sweep and the term's walk-away years use.

    >>> from partnership.examples import example_scenario
    >>> from partnership.inputs import inputs_of
    >>> round(gain_tolerance(inputs_of(example_scenario())) * 1e9)  # 800,000 + 4 x 52 x 300
    862400
    """
    full_cost = float(np.max(np.asarray(t.fixed_cost) + t.capacity * t.periods_per_year * np.asarray(t.variable_cost)))
    return 1e-9 * max(1.0, full_cost)


def void_units(reserved_units, capacity, periods_per_year, host_units, occupied_units):
    """Reserved unit-periods that stand empty: ``max(0, min(R * W - host_units, N * W - occupied_units))``.

    A reserved unit the host does not use is released: another authority may fill it, and then the
    host pays nothing for it; the provider places external users in unreserved capacity first.

    Parameters
    ----------
    reserved_units : float or array
        R, units reserved each period.
    capacity, periods_per_year : float or array
        N and W.
    host_units, occupied_units : array
        Unit-periods a year.

    Returns
    -------
    Unit-periods a year.

    >>> round(float(void_units(3, 4, 52, 132.6, 176.8)), 6)
    23.4
    """
    reserved = reserved_units * periods_per_year
    empty = into(np.minimum, np.subtract(reserved, host_units), capacity * periods_per_year - occupied_units)
    return into(np.maximum, empty, 0.0)


def host_cost_without_agreement(occupied_units, local_use, counterfactual_local_use, spot_price, alternative_price):
    """What the host would pay for the same use without the agreement: the share it would get locally
    anyway at the spot price, the rest elsewhere at its alternative price (section 8):
    ``occupied_units * (min(u, u0) * p_s + max(u - u0, 0) * p_a)``.

    >>> round(float(host_cost_without_agreement(176.8, 0.75, 0.3, 5500, 6200)), 2)
    784992.0
    """
    anyway = into(np.multiply, occupied_units * np.minimum(local_use, counterfactual_local_use), spot_price)
    elsewhere = occupied_units * np.maximum(np.subtract(local_use, counterfactual_local_use), 0.0)
    return into(np.add, anyway, into(np.multiply, elsewhere, alternative_price))


def line_items(t: Inputs, o: np.ndarray, u: np.ndarray) -> dict:
    """Section 2's money (with sections 7 and 8), each line item under its MODEL.md name, at float arrays ``o``
    and ``u``: each item keeps the shape broadcasting gives it (one that depends on occupancy alone stays as
    small as ``o``), so work on an occupancy x local-use grid passed as a row and a column is done once per
    row or column where it can be. :func:`evaluate_inputs` adds the unit costs and one shape for all; the
    summary reads only the figures it needs from here."""
    N, W, F, v = t.capacity, t.periods_per_year, t.fixed_cost, t.variable_cost
    p_h, p_e, p_s, p_a = t.host_price, t.external_price, t.spot_price, t.host_alternative_price
    C, m, p_v = t.contribution, t.target_margin, t.void_price

    occupied_units = N * W * o
    host_units = occupied_units * u
    external_units = occupied_units * (1.0 - u)
    host_fees = host_units * p_h
    external_fees = external_units * p_e
    operating_cost = F + occupied_units * v
    compensation = external_units * compensation_per_external_unit(t.per_external_unit, t.premium_share, p_e, p_h)
    void = void_units(t.reserved_units, N, W, host_units, occupied_units)
    void_payments = void * p_v
    surplus_before_sharing = host_fees + external_fees  # + C + void_payments - operating_cost - compensation
    for x, add in ((C, True), (void_payments, True), (operating_cost, False), (compensation, False)):
        surplus_before_sharing = into(np.add if add else np.subtract, surplus_before_sharing, x)
    sharing_threshold = m * operating_cost
    host_share_rate = sharing.host_share_rate(u, t.band_starts, t.band_shares, t.interpolation)
    surplus_share_to_host = sharing.surplus_share_to_host(
        surplus_before_sharing, sharing_threshold, host_share_rate, t.loss_share, t.loss_cap
    )
    provider_profit = surplus_before_sharing - surplus_share_to_host
    host_net_cost = C + host_fees  # + void_payments - compensation - surplus_share_to_host
    for x, add in ((void_payments, True), (compensation, False), (surplus_share_to_host, False)):
        host_net_cost = into(np.add if add else np.subtract, host_net_cost, x)
    provider_profit_without_agreement = occupied_units * p_s - operating_cost
    if t.member_use_shares:  # a region (section 12): the sum of its members' costs without the agreement
        cost_without = region.region_cost_without_agreement(
            occupied_units, u, t.member_use_shares, t.member_local_use_anyway, p_s, t.member_host_alternative_prices
        )
    else:
        cost_without = host_cost_without_agreement(occupied_units, u, t.counterfactual_local_use, p_s, p_a)
    provider_gain = provider_profit - provider_profit_without_agreement
    host_saving = cost_without - host_net_cost
    return {
        "occupied_units": occupied_units,
        "host_units": host_units,
        "external_units": external_units,
        "host_fees": host_fees,
        "external_fees": external_fees,
        "operating_cost": operating_cost,
        "compensation": compensation,
        "void_units": void,
        "void_payments": void_payments,
        "surplus_before_sharing": surplus_before_sharing,
        "sharing_threshold": sharing_threshold,
        "host_share_rate": host_share_rate,
        "surplus_share_to_host": surplus_share_to_host,
        "provider_profit": provider_profit,
        "host_net_cost": host_net_cost,
        "provider_profit_without_agreement": provider_profit_without_agreement,
        "host_cost_without_agreement": cost_without,
        "provider_gain": provider_gain,
        "host_saving": host_saving,
    }


def evaluate_inputs(t: Inputs, occupancy, local_use) -> Outcome:
    """Section 2 (with sections 7, 8 and 8a) for resolved terms; see :func:`evaluate`. Each line item is
    named as in MODEL.md (:func:`line_items`); section 9's figures are worked out when first asked for."""
    o = np.asarray(occupancy, dtype=float)
    u = np.asarray(local_use, dtype=float)
    x = line_items(t, o, u)
    x["host_unit_cost"] = host_unit_cost(x["host_net_cost"], x["host_units"])
    x["host_unit_cost_without_agreement"] = host_unit_cost(x["host_cost_without_agreement"], x["host_units"])

    # every figure to one shape: a term varied as an array (a sweep) may reach only some of them
    shape = np.broadcast_shapes(
        o.shape,
        u.shape,
        *(
            np.shape(x[k])
            for k in ("provider_profit", "host_net_cost", "provider_gain", "host_saving", "host_cost_without_agreement")
        ),
    )
    b = functools.partial(_read_only_shaped, shape=shape)
    return Outcome(occupancy=b(o), local_use=b(u), **{name: b(x[name]) for name in OUTCOME_NAMES}, inputs=t)


def _read_only_shaped(v, shape: tuple) -> np.ndarray:
    """``v`` as a read-only float array of ``shape``: a view of it when it has the shape already (most figures
    do), else broadcast to it."""
    a = np.asarray(v, dtype=float)
    if a.shape != shape:
        return np.broadcast_to(a, shape)
    a = a.view()
    a.flags.writeable = False
    return a


def sharing_jumps(t: Inputs, occupancy) -> list[tuple[float, np.ndarray]]:
    """Section 9: the money a step band's edge moves to the host at occupancy ``o``.

    For each band i >= 1 with step interpolation: ``(b_i, (rate_i - rate_(i-1)) * max(S(o, b_i) - T(o, b_i), 0))``
    where S and T are surplus_before_sharing and sharing_threshold at local use b_i: currency a year that
    one more local placement moves across the edge. Empty with linear interpolation or one band.
    """
    if t.interpolation != "step" or len(t.band_starts) < 2:
        return []
    o = np.asarray(occupancy, dtype=float)
    out = []
    for i in range(1, len(t.band_starts)):
        edge = line_items(t, o, np.asarray(t.band_starts[i], dtype=float))
        jump = np.subtract(t.band_shares[i], t.band_shares[i - 1])
        out.append(
            (float(t.band_starts[i]), jump * np.maximum(edge["surplus_before_sharing"] - edge["sharing_threshold"], 0.0))
        )
    return out


def _rate_slope(u: np.ndarray, t: Inputs) -> np.ndarray:
    """The host's share rate's slope in local use, from the right (0 for steps: their jumps are reported apart)."""
    slope = np.zeros_like(u)
    if t.interpolation != "linear":
        return slope
    for i in range(1, len(t.band_starts)):
        width = np.subtract(t.band_starts[i], t.band_starts[i - 1])
        inside = (u >= t.band_starts[i - 1]) & (u < t.band_starts[i])
        slope = slope + inside * np.subtract(t.band_shares[i], t.band_shares[i - 1]) / width
    return slope


def marginal_host_saving(t: Inputs, occupancy, local_use):
    """Section 9: what one more unit-period used by the host (one fewer external) is worth to the host,
    currency per unit-period: ``d host_saving / d u`` at (o, u), from the right, divided by
    occupied_units. Band edges' jumps are left out (see :func:`sharing_jumps`); NaN where nothing is
    occupied.

    Worked out exactly from the formulas' pieces: host_saving is piecewise linear in u.

    >>> from partnership.examples import example_scenario
    >>> from partnership.inputs import inputs_of
    >>> round(float(marginal_host_saving(inputs_of(example_scenario()), 0.85, 0.75)), 2)
    1075.0
    """
    o = np.asarray(occupancy, dtype=float)
    u = np.asarray(local_use, dtype=float)
    r = evaluate_inputs(t, o, u)
    ou = r.occupied_units
    k_total = compensation_per_external_unit(t.per_external_unit, t.premium_share, t.external_price, t.host_price)
    # void units: max(0, min(R W - ou u, N W - ou)); from the right the first term falls at rate ou
    first = t.reserved_units * t.periods_per_year - r.host_units
    second = t.capacity * t.periods_per_year - ou
    d_void = np.where((first <= second) & (first > 0), -ou, 0.0)
    d_surplus = ou * (t.host_price - t.external_price + k_total) + t.void_price * d_void
    gap = r.surplus_before_sharing - r.sharing_threshold
    above = (gap > 0) | ((gap == 0) & (d_surplus > 0))
    d_gain = _rate_slope(u, t) * np.maximum(gap, 0.0) + r.host_share_rate * np.where(above, d_surplus, 0.0)
    s = r.surplus_before_sharing
    deficit = (s < 0) | ((s == 0) & (d_surplus < 0))
    d_pain_uncapped = np.where(deficit, -t.loss_share * d_surplus, 0.0)
    pain = t.loss_share * np.maximum(-s, 0.0)
    d_pain = np.where(
        pain < t.loss_cap, d_pain_uncapped, np.where(pain > t.loss_cap, 0.0, np.minimum(d_pain_uncapped, 0.0))
    )
    d_share = d_gain - d_pain
    d_net_cost = ou * t.host_price + t.void_price * d_void + ou * k_total - d_share
    if t.member_use_shares:  # a region: each member's own cost without the agreement, from the right
        d_without = 0.0
        for s_i, u0_i, p_a_i in zip(t.member_use_shares, t.member_local_use_anyway, t.member_host_alternative_prices):
            d_without = d_without + ou * s_i * np.where(s_i * u < u0_i, t.spot_price, p_a_i)
    else:
        d_without = ou * np.where(u < t.counterfactual_local_use, t.spot_price, t.host_alternative_price)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(ou > 0, (d_without - d_net_cost) / np.where(ou > 0, ou, 1.0), np.nan)


def evaluate(scenario: Scenario, occupancy, local_use) -> Outcome:
    """Both parties' outcome at occupancy ``o`` and local use ``u`` (fractions, 0-1).

    ``occupancy`` and ``local_use`` may be scalars or numpy arrays that broadcast: pass
    ``o[None, :]`` and ``u[:, None]`` for a whole local-use x occupancy grid in one call.

    >>> from partnership.examples import example_scenario
    >>> r = evaluate(example_scenario(), 0.85, 0.75)
    >>> round(float(r.provider_profit), 2), round(float(r.host_saving), 2)
    (144821.0, 67359.0)
    """
    return evaluate_inputs(inputs_of(scenario), occupancy, local_use)


GRID_STEPS = 101
"""Points per axis of an occupancy x local-use grid (1 % steps)."""


def evaluate_grid(scenario: Scenario, steps: int = GRID_STEPS) -> Outcome:
    """Section 2 over local use (rows) x occupancy (columns), each from 0 to 1 in ``steps`` points.

    >>> from partnership.examples import example_scenario
    >>> evaluate_grid(example_scenario(), 3).provider_gain.shape
    (3, 3)
    """
    if int(steps) != steps or steps < 2:
        raise ValueError(f"steps: must be a whole number >= 2, got {steps}")
    axis = np.linspace(0.0, 1.0, int(steps))
    return evaluate(scenario, axis[None, :], axis[:, None])


def evaluate_across_occupancy(scenario: Scenario, local_use: float, steps: int = GRID_STEPS) -> Outcome:
    """Section 2 at one local use ``u`` (fraction 0-1) across occupancy from 0 to 1 in ``steps`` points (the
    figures' one axis).

    >>> from partnership.examples import example_scenario
    >>> r = evaluate_across_occupancy(example_scenario(), 0.75)
    >>> r.provider_profit.shape, round(float(r.provider_profit[85]), 2)
    ((101,), 144821.0)
    """
    return evaluate(scenario, np.linspace(0.0, 1.0, steps), local_use)


PLACEMENT_STEPS = 200
"""Points of local use from 0 up to just below 1 for section 9 across local use (half-percent steps)."""


def evaluate_across_local_use(scenario: Scenario, occupancy: float, steps: int = PLACEMENT_STEPS) -> Outcome:
    """Section 2 at one occupancy ``o`` across local use from 0 in ``steps`` half-percent steps, up to just
    below full local use (section 9's marginal saving is taken from the right), with section 9's figures
    (``sharing_jumps``, ``marginal_host_saving``) worked out.

    >>> from partnership.examples import example_scenario
    >>> r = evaluate_across_local_use(example_scenario(), 0.85)
    >>> round(float(r.marginal_host_saving[150]), 2), [s for s, _ in r.sharing_jumps]
    (1075.0, [0.5, 0.8])
    """
    u = np.linspace(0.0, 1.0, steps + 1)[:-1]
    r = evaluate(scenario, occupancy, u)
    r.sharing_jumps, r.marginal_host_saving  # noqa: B018  (worked out here, in the model, not where they are drawn)
    return r


def access_value(scenario: Scenario, occupancy: float, counterfactuals=None, steps: int = 201) -> list:
    """What preferred access is worth to the host (section 8): section 2 at occupancy ``o`` across local use
    (0 to 1 in ``steps`` points) for each share of the used capacity the host would get locally anyway (u0),
    as ``[(u0, Outcome), ...]`` in rising u0. By default u0 is 0, the scenario's own, 25 % and 50 %.

    >>> from partnership.examples import example_scenario
    >>> [u0 for u0, _ in access_value(example_scenario(), 0.85)]
    [0.0, 0.25, 0.5]
    """
    own = float(scenario.without_agreement.local_use)
    values = sorted({0.0, own, 0.25, 0.5} if counterfactuals is None else set(counterfactuals))
    u = np.linspace(0.0, 1.0, steps)
    t = inputs_of(scenario)
    return [(u0, evaluate_inputs(replace(t, counterfactual_local_use=u0), occupancy, u)) for u0 in values]


def _knots(u: np.ndarray, inner: list) -> np.ndarray:
    """0, 1 and the given points where they fall inside (0, 1), sorted along a last axis (others become 0)."""
    inside = [np.where(np.isfinite(k) & (k > 0) & (k < 1), k, 0.0) for k in np.broadcast_arrays(u, *inner)[1:]]
    ends = [np.zeros(u.shape), np.ones(u.shape)]
    return np.sort(np.stack([*ends, *inside], axis=-1), axis=-1)


def _crossings(knots: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Where a function, straight between ``knots`` and ``g`` there, crosses zero inside a segment (0 elsewhere)."""
    o0, o1, g0, g1 = knots[..., :-1], knots[..., 1:], g[..., :-1], g[..., 1:]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        root = o0 + (o1 - o0) * g0 / (g0 - g1)
    crosses = (np.sign(g0) != np.sign(g1)) & np.isfinite(root)
    return np.where(crosses, np.clip(root, o0, o1), 0.0)


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


def break_even_occupancy(scenario: Scenario, local_use, inputs: Inputs | None = None) -> dict:
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
    inputs : Inputs, optional
        The scenario's inputs already resolved (or varied).

    >>> from partnership.examples import example_scenario
    >>> be = break_even_occupancy(example_scenario(), 0.75)
    >>> round(float(be["with_agreement"]), 5), round(float(be["without_agreement"]), 5)
    (0.66696, 0.73964)
    """
    t = inputs if inputs is not None else inputs_of(scenario)
    u = np.asarray(local_use, dtype=float)
    # where the void units bend: R W = N W o u (the reserved units are all used) and R W - N W o u = N W - N W o
    # (every empty unit is a reserved one)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bends = [t.reserved_units / (t.capacity * u), (t.capacity - t.reserved_units) / (t.capacity * (1 - u))]
    base = _knots(u, bends)
    # between those, surplus S and threshold T are straight lines in o: find where S = 0, S = T and
    # ls (-S) = cap, each a kink of the provider's profit
    r = line_items(t, base, u[..., None])
    s, gap = r["surplus_before_sharing"], r["surplus_before_sharing"] - r["sharing_threshold"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        capped = s + (t.loss_cap / t.loss_share if t.loss_share > 0 else np.inf)
    roots = [_crossings(base, g) for g in (s, gap, capped)]
    knots = np.sort(np.concatenate([base, *roots], axis=-1), axis=-1)
    with_agreement = _first_nonnegative(lambda o: line_items(t, o, u[..., None])["provider_profit"], knots)
    bare = np.stack([np.zeros(u.shape), np.ones(u.shape)], axis=-1)
    without = _first_nonnegative(lambda o: line_items(t, o, u[..., None])["provider_profit_without_agreement"], bare)
    return {"with_agreement": with_agreement, "without_agreement": without}
