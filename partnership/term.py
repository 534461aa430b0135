"""Over the term (MODEL.md section 10): each year's scenario by indexation, each year's section-2 figures,
discounting, net present values, payback years and the year one side walks away. Vectorised: the years
are one more array axis (the first) in front of whatever shape occupancy and local use have."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .arrays import into
from .inputs import Inputs, inputs_of
from .outcomes import OUTCOME_NAMES, Outcome, evaluate_inputs, gain_tolerance, line_items
from .scenario import Scenario

__all__ = [
    "TERM_NAMES",
    "INDEX_GROUPS",
    "TermResult",
    "index",
    "discount",
    "year_inputs",
    "evaluate_term",
    "joint_gain",
    "set_up_shares",
    "discounted",
    "npv",
    "cumulative_gain",
    "payback_year",
    "walk_away_year",
    "host_price_uplift_to_stay",
    "npvs",
]

TERM_NAMES = [
    "npv_provider_gain",
    "npv_host_saving",
    "provider_payback_year",
    "host_payback_year",
    "provider_walk_away_year",
    "host_walk_away_year",
]
"""The section-10 names of a term, beside its years."""

INDEX_GROUPS = {  # which terms each indexation moves (MODEL.md section 10)
    "costs": ("fixed_cost", "variable_cost"),
    "host_price": ("host_price", "per_external_unit", "void_price"),
    "market_prices": ("external_price", "spot_price", "host_alternative_price", "member_host_alternative_prices"),
    "contribution": ("contribution", "loss_cap"),
}


def index(growth, years: int) -> np.ndarray:
    """``I(t) = (1 + g(2)) * ... * (1 + g(t))`` for t = 1..T, with ``I(1) = 1``; ``growth`` is one rate for
    every year or a list of T - 1 rates (fractions a year).

    >>> [round(float(x), 6) for x in index(0.05, 3)], [round(float(x), 6) for x in index([0.1, -0.1], 3)]
    ([1.0, 1.05, 1.1025], [1.0, 1.1, 0.99])
    """
    rates = np.full(years - 1, float(growth)) if np.isscalar(growth) else np.asarray(growth, dtype=float)
    return np.concatenate([[1.0], np.cumprod(1.0 + rates)])


def discount(rate: float, years: int) -> np.ndarray:
    """``(1 + d) ** -t`` for t = 1..T: cash at the end of each year.

    >>> [round(float(x), 6) for x in discount(0.035, 2)]
    [0.966184, 0.933511]
    """
    return (1.0 + rate) ** -np.arange(1, years + 1, dtype=float)


def inputs_ndim(inputs: Inputs) -> int:
    """The most dimensions any value of the terms has, band shares and starts included (a swept band share
    is an array inside the bands' tuple), so the years' axis goes in front of all of them."""
    dims = 0
    for v in vars(inputs).values():
        if isinstance(v, tuple):
            dims = max(dims, *(np.ndim(b) for b in v)) if v else dims
        elif not isinstance(v, str):
            dims = max(dims, np.ndim(v))
    return dims


def year_inputs(scenario: Scenario, inputs: Inputs | None = None, extra_dims: int = 0) -> Inputs:
    """The inputs of every year at once: each indexed value becomes an array with the years on its first
    axis (shape ``(T, 1, ..., 1)`` with ``extra_dims`` ones, so it broadcasts against occupancy and local
    use arrays of that many dimensions, or against inputs that already hold arrays). Shares, margins,
    bands, capacity and reserved units do not change."""
    t = inputs if inputs is not None else inputs_of(scenario)
    term = scenario.term
    changes = {}
    for group, names in INDEX_GROUPS.items():
        factor = index(getattr(term.indexation, group), term.years).reshape((-1,) + (1,) * extra_dims)
        for name in names:
            value = getattr(t, name)
            if isinstance(value, tuple):  # one for each member council of a region (section 12)
                changes[name] = tuple(factor * np.asarray(v, dtype=float) for v in value)
            else:
                changes[name] = factor * np.asarray(value, dtype=float)
    return replace(t, **changes)


def joint_gain(inputs: Inputs, outcome: Outcome) -> np.ndarray:
    """The right-hand side of the identity of section 8, year by year:
    ``occupied_units * max(u - u0, 0) * (p_a - p_s) + external_units * (p_e - p_s)``; for a region (section 12) the
    first term is each member's, ``occupied_units * max(s_i * u - u0_i, 0) * (p_a,i - p_s)``, summed."""
    spot = inputs.spot_price
    external = outcome.external_units * (inputs.external_price - spot)
    if inputs.member_use_shares:
        shares = zip(inputs.member_use_shares, inputs.member_local_use_anyway, inputs.member_host_alternative_prices)
        for s_i, u0_i, p_a_i in shares:
            external = external + outcome.occupied_units * np.maximum(s_i * outcome.local_use - u0_i, 0.0) * (p_a_i - spot)
        return external
    beyond = outcome.occupied_units * np.maximum(outcome.local_use - inputs.counterfactual_local_use, 0.0)
    return beyond * (inputs.host_alternative_price - spot) + external


def set_up_shares(scenario: Scenario) -> tuple[float, float]:
    """Each side's part of the one-off set-up cost K (section 10), currency, spent at t = 0:
    ``((1 - s_K) * K, s_K * K)`` for the provider and the host.

    >>> from partnership.examples import example_scenario
    >>> s = example_scenario().model_copy(deep=True)
    >>> s.term.set_up.cost, s.term.set_up.host_share = 100000, 0.25
    >>> set_up_shares(s)
    (75000.0, 25000.0)
    """
    k, share = float(scenario.term.set_up.cost), float(scenario.term.set_up.host_share)
    return (1 - share) * k, share * k


def discounted(gains: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``discount(t) * gain(t)``, year by year: ``gains`` has the years on its first axis, ``weights`` is
    :func:`discount` (one a year); currency at the start of year 1."""
    return weights.reshape((-1,) + (1,) * (np.ndim(gains) - 1)) * gains


def npv(upfront, discounted_gains: np.ndarray) -> np.ndarray:
    """``sum_t discount(t) * gain(t) - upfront``: a side's net present value after its part of the set-up
    cost, from the :func:`discounted` gains (years on the first axis)."""
    return np.sum(discounted_gains, axis=0) - upfront


def cumulative_gain(upfront, discounted_gains: np.ndarray) -> np.ndarray:
    """``-upfront + sum_(i<=t) discount(i) * gain(i)`` for t = 0..T (t = 0: the set-up alone), years on the
    first axis (T + 1 of them); the last is :func:`npv`.

    >>> [float(x) for x in cumulative_gain(100.0, np.array([60.0, 60.0]))]
    [-100.0, -40.0, 20.0]
    """
    d = np.asarray(discounted_gains, dtype=float)
    start = np.broadcast_to(-np.asarray(upfront, dtype=float), d.shape[1:])
    return np.concatenate([start[None], start + np.cumsum(d, axis=0)])


def payback_year(cumulative: np.ndarray) -> np.ndarray:
    """The smallest t in 0..T with :func:`cumulative_gain` ``>= 0``; NaN (null) if none. ``cumulative`` has
    the years 0..T on its first axis.

    >>> [float(payback_year(cumulative_gain(100.0, np.array([g, g])))) for g in (60.0, 40.0)]
    [2.0, nan]
    """
    ok = cumulative >= 0
    return np.where(ok.any(axis=0), np.argmax(ok, axis=0).astype(float), np.nan)


def walk_away_year(gains: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
    """The first year t (1..T) with a gain below zero, by more than ``tolerance`` (see
    :func:`partnership.outcomes.gain_tolerance`): from then on that side is better off without the
    agreement; NaN (null) if none. ``gains`` has the years on its first axis."""
    below = gains < -tolerance
    return np.where(below.any(axis=0), np.argmax(below, axis=0) + 1.0, np.nan)


@dataclass(frozen=True)
class TermResult:
    """Every year's section-2 figures (arrays with the years on the first axis) and the section-10 figures.

    ``provider_set_up`` and ``host_set_up`` are each side's part of the set-up cost (currency, at t = 0);
    ``discounted_provider_gain`` / ``discounted_host_saving`` each year's gain times ``discount`` (years 1..T);
    ``cumulative_provider_gain`` / ``cumulative_host_saving`` the running discounted total after the set-up,
    years 0..T (T + 1 of them; the last is the NPV); ``tolerance`` the rounding (currency a year) below which
    a gain counts as zero ('gain >= 0', :func:`partnership.outcomes.gain_tolerance` over the term's years).
    """

    years: Outcome
    discount: np.ndarray
    npv_provider_gain: np.ndarray
    npv_host_saving: np.ndarray
    provider_payback_year: np.ndarray
    host_payback_year: np.ndarray
    provider_walk_away_year: np.ndarray
    host_walk_away_year: np.ndarray
    joint_gain: np.ndarray
    provider_set_up: float
    host_set_up: float
    discounted_provider_gain: np.ndarray
    discounted_host_saving: np.ndarray
    cumulative_provider_gain: np.ndarray
    cumulative_host_saving: np.ndarray
    tolerance: float

    def to_dict(self) -> dict:
        """The section-10 JSON shape: ``{years: [{year, every section-2 name}, ...], npv_..., ...}``, null
        where undefined (one point)."""
        rows = []
        for i in range(len(self.discount)):
            row = {"year": i + 1}
            for name in OUTCOME_NAMES:
                x = float(np.asarray(getattr(self.years, name))[i])
                row[name] = x if np.isfinite(x) else None
            rows.append(row)
        out = {"years": rows}
        for name in TERM_NAMES:
            x = float(getattr(self, name))
            out[name] = None if not np.isfinite(x) else (int(x) if name.endswith("_year") else x)
        return out


def evaluate_term(scenario: Scenario, occupancy, local_use, inputs: Inputs | None = None) -> TermResult:
    """Section 10 at occupancy ``o`` and local use ``u`` (the same every year): every year's section-2
    figures on that year's scenario, the NPVs of each side's gain after its share of the set-up cost,
    the payback and walk-away years. ``occupancy`` and ``local_use`` may be arrays that broadcast; the
    results then hold one figure per point (years on the first axis of ``years``).

    >>> from partnership.examples import example_scenario
    >>> from partnership.scenario import scenario_to_dict, scenario_from_dict
    >>> doc = scenario_to_dict(example_scenario())
    >>> doc["term"] = {"years": 3, "discount_rate": 0.035, "set_up": {"cost": 100000, "host_share": 0.5},
    ...     "indexation": {"costs": 0.05, "host_price": 0.02, "market_prices": 0.04, "contribution": 0}}
    >>> r = evaluate_term(scenario_from_dict(doc), 0.85, 0.75)
    >>> round(float(r.npv_provider_gain), 2), round(float(r.npv_host_saving), 2)
    (-12476.63, 182821.93)
    """
    o = np.asarray(occupancy, dtype=float)
    u = np.asarray(local_use, dtype=float)
    base = inputs if inputs is not None else inputs_of(scenario)
    dims = max(np.ndim(o), np.ndim(u), inputs_ndim(base))
    yt = year_inputs(scenario, base, extra_dims=dims)
    r = evaluate_inputs(yt, o, u)
    d = discount(scenario.term.discount_rate, scenario.term.years)
    provider_set_up, host_set_up = set_up_shares(scenario)
    gain, saving = r.provider_gain, r.host_saving
    d_gain, d_saving = discounted(gain, d), discounted(saving, d)
    cum_gain, cum_saving = cumulative_gain(provider_set_up, d_gain), cumulative_gain(host_set_up, d_saving)
    tol = gain_tolerance(yt)
    return TermResult(
        years=r,
        discount=d,
        npv_provider_gain=npv(provider_set_up, d_gain),
        npv_host_saving=npv(host_set_up, d_saving),
        provider_payback_year=payback_year(cum_gain),
        host_payback_year=payback_year(cum_saving),
        provider_walk_away_year=walk_away_year(gain, tol),
        host_walk_away_year=walk_away_year(saving, tol),
        joint_gain=joint_gain(yt, r),
        provider_set_up=provider_set_up,
        host_set_up=host_set_up,
        discounted_provider_gain=d_gain,
        discounted_host_saving=d_saving,
        cumulative_provider_gain=cum_gain,
        cumulative_host_saving=cum_saving,
        tolerance=tol,
    )


def npvs(scenario: Scenario, occupancy, local_use, inputs: Inputs | None = None, chunk: int = 8192):
    """The NPVs of each side's gain at many points, and nothing else (for the summary and the sweep):
    ``(npv_provider_gain, npv_host_saving)``, shaped like the points broadcast against the inputs.

    Worked out by :func:`discounted_sums` (the years one loop of a few array passes, not a section-2 evaluation
    each); the points go through in chunks of ``chunk`` so that each block stays small enough for the
    processor's cache."""
    base = inputs if inputs is not None else inputs_of(scenario)
    o, u = np.broadcast_arrays(np.asarray(occupancy, dtype=float), np.asarray(local_use, dtype=float))
    if o.ndim != 1 or o.size <= chunk:
        return discounted_sums(scenario, base, o, u)
    parts = [discounted_sums(scenario, base, o[i : i + chunk], u[i : i + chunk]) for i in range(0, o.size, chunk)]
    return np.concatenate([p[0] for p in parts], axis=-1), np.concatenate([p[1] for p in parts], axis=-1)


def discounted_sums(scenario: Scenario, t: Inputs, o: np.ndarray, u: np.ndarray, items: dict | None = None):
    """Each side's NPV over the term at occupancy ``o`` and local use ``u`` (float arrays that broadcast, e.g. a
    row and a column): ``(npv_provider_gain, npv_host_saving)``, the figures :func:`evaluate_term` gives, without
    working out every year's section 2: from the base year's line items at (o, u) (``items``, worked out here
    unless given) and each year's index factors I(t) and discount factor d(t).

    Year t's money is the base year's line items times that year's factors, linear in them except the premium
    (a number a year) and the surplus share. With ``H = host_fees + void_payments`` and ``x(t) = I_m(t) p_e -
    I_h(t) k - r max(I_m(t) p_e - I_h(t) p_h, 0)``, the surplus less the provider's profit without the agreement is
    ``I_h H + external_units x(t) + I_C C - I_m occupied_units p_s`` (the operating cost cancels) and the host's
    saving before the share ``I_m host_cost_without_agreement - I_C C - I_h H + external_units (I_m p_e - x(t))``:
    their discounted sums take one pass each. Only the share, ``rate max(S(t) - m operating_cost(t), 0)`` less the
    host's part of a deficit, is worked out year by year, a few array passes a year."""
    term = scenario.term
    years = term.years
    d = discount(term.discount_rate, years)
    f = {group: index(getattr(term.indexation, group), years) for group in INDEX_GROUPS}
    fh, fm, fc, fC = (f[g] for g in ("host_price", "market_prices", "costs", "contribution"))
    provider_set_up, host_set_up = set_up_shares(scenario)
    x = items if items is not None else line_items(t, o, u)
    p_e, p_h, k, C, m = t.external_price, t.host_price, t.per_external_unit, t.contribution, t.target_margin
    # x(t), the money each external unit-period brings the provider in year t, after compensating the host
    per_external = [
        np.multiply(p_e, fm[i])
        - np.multiply(k, fh[i])
        - np.multiply(t.premium_share, np.maximum(np.multiply(p_e, fm[i]) - np.multiply(p_h, fh[i]), 0.0))
        for i in range(years)
    ]
    host_side = into(np.add, x["host_fees"] + 0.0, x["void_payments"])
    eu, occupied, cost, rate = x["external_units"], x["occupied_units"], x["operating_cost"], x["host_share_rate"]
    D = {group: float(d @ f[group]) for group in INDEX_GROUPS}  # the discounted sums of the index factors
    summed = sum(d[i] * per_external[i] for i in range(years))

    # the linear parts' discounted sums
    gain = into(np.add, host_side * D["host_price"], eu * summed)
    gain = into(np.add, gain, np.multiply(C, D["contribution"]) - occupied * (t.spot_price * D["market_prices"]))
    saving = x["host_cost_without_agreement"] * D["market_prices"]
    saving = into(np.subtract, saving, host_side * D["host_price"])
    saving = into(np.add, saving, eu * (np.multiply(p_e, D["market_prices"]) - summed))
    saving = into(np.subtract, saving, np.multiply(C, D["contribution"]))

    # the share, year by year: the surplus above the threshold (and below zero, when the host shares a deficit)
    shape = np.broadcast_shapes(host_side.shape, np.shape(eu), np.shape(cost), np.shape(rate), np.shape(C))
    shape = np.broadcast_shapes(shape, *(np.shape(e) for e in per_external), np.shape(m))
    shape = np.broadcast_shapes(shape, np.shape(t.loss_share), np.shape(t.loss_cap))
    above, part, shared = np.empty(shape), np.empty(shape), np.zeros(shape)
    pain = bool(np.ndim(t.loss_share) or t.loss_share != 0)
    lost = np.zeros(shape) if pain else None
    for i in range(years):
        year_cost = np.multiply(cost, fc[i])  # the year's operating cost (as small as occupancy)
        rest = np.multiply(C, fC[i]) - year_cost * np.add(1.0, m)  # I_C C - (1 + m) operating cost
        if pain or not d[i] > 0:  # the year's surplus above the threshold, undiscounted
            np.multiply(host_side, fh[i], out=above)
            above += np.multiply(eu, per_external[i], out=part)
            above += rest
            if pain:  # the year's surplus itself, S = above + m * operating cost
                surplus = above + year_cost * m
                short = np.minimum(np.multiply(np.maximum(-surplus, 0.0), t.loss_share), np.multiply(t.loss_cap, fC[i]))
                lost += np.multiply(short, d[i])
            shared += np.multiply(np.maximum(above, 0.0, out=above), d[i], out=above)
        else:  # discounted: max(d (S - T), 0) = d max(S - T, 0)
            np.multiply(host_side, d[i] * fh[i], out=above)
            above += np.multiply(eu, d[i] * per_external[i], out=part)
            above += d[i] * rest
            shared += np.maximum(above, 0.0, out=above)
    shares = np.multiply(shared, rate, out=shared)
    if pain:
        shares -= lost
    gain = into(np.subtract, gain, shares + provider_set_up)
    saving = into(np.add, saving, shares - host_set_up)
    out = np.broadcast_shapes(np.shape(gain), np.shape(saving), np.shape(o), np.shape(u))
    return np.broadcast_to(gain, out), np.broadcast_to(saving, out)


def host_price_uplift_to_stay(scenario: Scenario, occupancy: float, local_use: float) -> float | None:
    """The smallest host price uplift a year (one rate for every year) that keeps the provider's gain at or
    above zero in every year of the term at (o, u), found by bisection; None when even 100 % a year does
    not, or when the provider already gains every year at the scenario's own uplift."""

    def worst(g: float) -> float:
        doc = scenario.model_copy(deep=True)
        doc.term.indexation.host_price = g
        return float(np.min(evaluate_term(doc, occupancy, local_use).years.provider_gain))

    own = scenario.term.indexation.host_price
    if scenario.term.years < 2 or (np.isscalar(own) and worst(float(own)) >= 0):
        return None
    lo, hi = -0.99, 1.0
    if worst(hi) < 0:
        return None
    if worst(lo) >= 0:
        return lo
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if worst(mid) >= 0 else (mid, hi)
    return hi
