"""Over the term (MODEL.md section 10): each year's scenario by indexation, each year's section-2 figures,
discounting, net present values, payback years and the year one side walks away. Vectorised: the years
are one more array axis (the first) in front of whatever shape occupancy and local use have."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .outcomes import OUTCOME_NAMES, Outcome, evaluate_terms
from .scenario import Scenario
from .terms import Terms, terms_of

__all__ = [
    "TERM_NAMES",
    "INDEX_GROUPS",
    "TermResult",
    "index",
    "discount",
    "year_terms",
    "evaluate_term",
    "joint_gain",
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
    "market_prices": ("external_price", "spot_price", "host_alternative_price"),
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


def terms_ndim(terms: Terms) -> int:
    """The most dimensions any value of the terms has, band shares and starts included (a swept band share
    is an array inside the bands' tuple), so the years' axis goes in front of all of them."""
    dims = 0
    for v in vars(terms).values():
        if isinstance(v, tuple):
            dims = max(dims, *(np.ndim(b) for b in v)) if v else dims
        elif not isinstance(v, str):
            dims = max(dims, np.ndim(v))
    return dims


def year_terms(scenario: Scenario, terms: Terms | None = None, extra_dims: int = 0) -> Terms:
    """The terms of every year at once: each indexed value becomes an array with the years on its first
    axis (shape ``(T, 1, ..., 1)`` with ``extra_dims`` ones, so it broadcasts against occupancy and local
    use arrays of that many dimensions, or against terms that already hold arrays). Shares, margins,
    bands, capacity and reserved units do not change."""
    t = terms if terms is not None else terms_of(scenario)
    term = scenario.term
    changes = {}
    for group, names in INDEX_GROUPS.items():
        factor = index(getattr(term.indexation, group), term.years).reshape((-1,) + (1,) * extra_dims)
        for name in names:
            changes[name] = factor * np.asarray(getattr(t, name), dtype=float)
    return replace(t, **changes)


def joint_gain(terms: Terms, outcome: Outcome) -> np.ndarray:
    """The right-hand side of the identity of section 8, year by year:
    ``occupied_units * max(u - u0, 0) * (p_a - p_s) + external_units * (p_e - p_s)``."""
    beyond = outcome.occupied_units * np.maximum(outcome.local_use - terms.counterfactual_local_use, 0.0)
    spot = terms.spot_price
    return beyond * (terms.host_alternative_price - spot) + outcome.external_units * (terms.external_price - spot)


def payback_year(upfront, gains: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The smallest t in 0..T with ``-upfront + sum_(i<=t) weights(i) * gains(i) >= 0``; NaN (null) if none.
    ``gains`` has the years on its first axis."""
    cumulative = -np.asarray(upfront, dtype=float) + np.cumsum(
        weights.reshape((-1,) + (1,) * (gains.ndim - 1)) * gains, axis=0
    )
    paths = np.concatenate([np.broadcast_to(-np.asarray(upfront, dtype=float), gains.shape[1:])[None], cumulative])
    ok = paths >= 0
    return np.where(ok.any(axis=0), np.argmax(ok, axis=0).astype(float), np.nan)


def walk_away_year(gains: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
    """The first year t (1..T) with a gain below zero (from then on that side is better off without the
    agreement); NaN (null) if none. ``gains`` has the years on its first axis."""
    below = gains < -tolerance
    return np.where(below.any(axis=0), np.argmax(below, axis=0) + 1.0, np.nan)


@dataclass(frozen=True)
class TermResult:
    """Every year's section-2 figures (arrays with the years on the first axis) and the section-10 figures."""

    years: Outcome
    discount: np.ndarray
    npv_provider_gain: np.ndarray
    npv_host_saving: np.ndarray
    provider_payback_year: np.ndarray
    host_payback_year: np.ndarray
    provider_walk_away_year: np.ndarray
    host_walk_away_year: np.ndarray
    joint_gain: np.ndarray

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


def evaluate_term(scenario: Scenario, occupancy, local_use, terms: Terms | None = None) -> TermResult:
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
    base = terms if terms is not None else terms_of(scenario)
    dims = max(np.ndim(o), np.ndim(u), terms_ndim(base))
    yt = year_terms(scenario, base, extra_dims=dims)
    r = evaluate_terms(yt, o, u)
    term = scenario.term
    d = discount(term.discount_rate, term.years)
    w = d.reshape((-1,) + (1,) * (r.provider_gain.ndim - 1))
    k, share = term.set_up.cost, term.set_up.host_share
    gain, saving = r.provider_gain, r.host_saving
    tol = 1e-9 * max(1.0, float(np.max(np.abs(r.operating_cost))))
    return TermResult(
        years=r,
        discount=d,
        npv_provider_gain=np.sum(w * gain, axis=0) - (1 - share) * k,
        npv_host_saving=np.sum(w * saving, axis=0) - share * k,
        provider_payback_year=payback_year((1 - share) * k, gain, d),
        host_payback_year=payback_year(share * k, saving, d),
        provider_walk_away_year=walk_away_year(gain, tol),
        host_walk_away_year=walk_away_year(saving, tol),
        joint_gain=joint_gain(yt, r),
    )


def npvs(scenario: Scenario, occupancy, local_use, terms: Terms | None = None, chunk: int = 8192):
    """The NPVs of each side's gain at many points, and nothing else (for the summary and the sweep):
    ``(npv_provider_gain, npv_host_saving)``, shaped like the points broadcast against the terms.

    The years are an array axis; the points go through in chunks of ``chunk`` so that each year-by-point
    block stays small enough for the processor's cache (one block for all 40,000 summary points at once is
    about twice as slow as this)."""
    base = terms if terms is not None else terms_of(scenario)
    o, u = np.broadcast_arrays(np.asarray(occupancy, dtype=float), np.asarray(local_use, dtype=float))
    term = scenario.term
    d = discount(term.discount_rate, term.years)
    k, share = term.set_up.cost, term.set_up.host_share
    dims = max(o.ndim, terms_ndim(base))
    yt = year_terms(scenario, base, extra_dims=dims)
    w = d.reshape((-1,) + (1,) * dims)
    if o.ndim != 1 or o.size <= chunk:
        r = evaluate_terms(yt, o, u)
        return np.sum(w * r.provider_gain, axis=0) - (1 - share) * k, np.sum(w * r.host_saving, axis=0) - share * k
    parts = [evaluate_terms(yt, o[i : i + chunk], u[i : i + chunk]) for i in range(0, o.size, chunk)]
    gain = np.concatenate([np.sum(w * r.provider_gain, axis=0) for r in parts], axis=-1)
    saving = np.concatenate([np.sum(w * r.host_saving, axis=0) for r in parts], axis=-1)
    return gain - (1 - share) * k, saving - share * k


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
