"""Each member council's figures (MODEL.md section 12) at a point, over the term and under the uncertainty, and the
split of the shared payments that leaves every council better off; the formulas are :mod:`partnership.region`'s.

Members are stacked on a leading array axis: every figure is an array of shape ``(members, *points)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import region
from .inputs import Inputs, inputs_of
from .outcomes import Outcome, evaluate_inputs, gain_tolerance
from .problems import Problem, ScenarioError
from .region import MEMBER_NAMES
from .scenario import Scenario
from .term import discount, evaluate_term, set_up_shares, year_inputs
from .uncertainty import SUMMARY_RESOLUTION, _weighted_quantiles, quadrature

__all__ = [
    "MEMBER_SUMMARY_NAMES",
    "MEMBER_SUMMARY_LABELS",
    "MEMBER_LABELS",
    "RegionSummary",
    "require_members",
    "member_figures",
    "member_savings",
    "members_at",
    "members_over_term",
    "region_summary",
]

MEMBER_SUMMARY_NAMES = ["expected_saving", "probability_better_off", "saving_p10", "saving_p50", "saving_p90"]
"""Each member council's figures under the uncertainty (section 12; NPVs over a term of more than one year)."""

MEMBER_LABELS = {
    "member_host_units": "Its use",
    "member_host_fees": "Its host fees",
    "member_contribution": "Its part of the contribution",
    "member_void_payments": "Its part of the void payments",
    "member_returns": "Its part of the returns",
    "member_net_cost": "Its net cost",
    "member_cost_without_agreement": "Its cost without the agreement",
    "member_saving": "Its saving",
}
"""A person's name for each member council's figure at a point, for tables and exports."""

MEMBER_SUMMARY_LABELS = {
    "expected_saving": "Expected saving",
    "probability_better_off": "Chance it is better off",
    "saving_p10": "Saving, P10 (1 in 10 is below)",
    "saving_p50": "Saving, P50 (the median)",
    "saving_p90": "Saving, P90 (9 in 10 are below)",
}
"""A person's name for each member council's figure under the uncertainty."""


def require_members(scenario: Scenario) -> None:
    """Raise ScenarioError ("the scenario names no member councils") when the host is one council."""
    if not scenario.members:
        raise ScenarioError([Problem("", "no_members")])


def _stack(values: tuple, ndim: int) -> np.ndarray:
    """One value for each member, stacked on a new leading axis and shaped to broadcast against figures of ``ndim``
    dimensions: ``(members, 1, ..., *value_shape)``."""
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    stacked = np.stack(arrays)
    return stacked.reshape((len(values),) + (1,) * (ndim - (stacked.ndim - 1)) + stacked.shape[1:])


def _member_inputs(t: Inputs, ndim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(s, w, q, u0, p_a)``, each stacked by :func:`_stack`."""
    s = _stack(t.member_use_shares, ndim)
    w = _stack(t.member_contribution_shares, ndim)
    q = _stack(region.return_shares(t.member_use_shares, t.member_contribution_shares, t.returns_split), ndim)
    return s, w, q, _stack(t.member_local_use_anyway, ndim), _stack(t.member_host_alternative_prices, ndim)


def member_figures(outcome: Outcome) -> dict[str, np.ndarray]:
    """Every section-12 member figure (:data:`partnership.region.MEMBER_NAMES`) for the region's outcome at its
    points (its inputs must be a region's): arrays of shape ``(members, *outcome shape)``, currency a year (units:
    unit-periods a year)."""
    t, ndim = outcome.inputs, outcome.host_units.ndim
    s, w, q, u0, p_a = _member_inputs(t, ndim)
    units = region.member_host_units(s, outcome.host_units)
    fees = region.member_host_fees(units, t.host_price)
    contribution = region.member_contribution(w, t.contribution) + 0.0 * units
    voids = region.member_void_payments(w, outcome.void_payments)
    returns = region.member_returns(q, outcome.compensation, outcome.surplus_share_to_host)
    net = region.member_net_cost(contribution, fees, voids, returns)
    without = region.member_cost_without_agreement(outcome.occupied_units, outcome.local_use, s, u0, t.spot_price, p_a)
    shape = np.broadcast_shapes(units.shape, net.shape, without.shape)
    figures = (units, fees, contribution, voids, returns, net, without, region.member_saving(without, net))
    return {name: np.broadcast_to(x, shape) for name, x in zip(MEMBER_NAMES, figures)}


def member_savings(outcome: Outcome, inputs: Inputs | None = None) -> np.ndarray:
    """``member_saving_i`` alone at every point of the region's outcome, shape ``(members, *outcome shape)``: the
    figures :func:`member_figures` gives, without the ones a summary does not need. ``inputs`` are the region's
    (by default the outcome's own: an outcome worked out without the members, for speed, needs them given)."""
    t, ndim = inputs if inputs is not None else outcome.inputs, outcome.host_units.ndim
    s, w, q, u0, p_a = _member_inputs(t, ndim)
    fees = region.member_host_fees(region.member_host_units(s, outcome.host_units), t.host_price)
    net = region.member_net_cost(
        region.member_contribution(w, t.contribution),
        fees,
        region.member_void_payments(w, outcome.void_payments),
        region.member_returns(q, outcome.compensation, outcome.surplus_share_to_host),
    )
    without = region.member_cost_without_agreement(outcome.occupied_units, outcome.local_use, s, u0, t.spot_price, p_a)
    return region.member_saving(without, net)


def _plain(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def members_at(scenario: Scenario, occupancy: float, local_use: float, outcome: Outcome | None = None) -> list[dict]:
    """Each member council's section-12 figures at one point (o, u): ``[{name, member_host_units, ...,
    member_saving}, ...]`` in the scenario's order, plain floats (None where undefined); [] for one host."""
    if not scenario.members:
        return []
    r = outcome if outcome is not None else evaluate_inputs(inputs_of(scenario), occupancy, local_use)
    figures = member_figures(r)
    return [
        {"name": m.name, **{name: _plain(figures[name][i]) for name in MEMBER_NAMES}}
        for i, m in enumerate(scenario.members)
    ]


def members_over_term(scenario: Scenario, occupancy: float, local_use: float) -> list[dict]:
    """Each member council's figures year by year over the term at one point (the same (o, u) every year), and its
    NPV: ``[{name, years: [{year, member_host_units, ..., member_saving}, ...], npv_member_saving}, ...]`` with
    ``npv_member_saving_i = sum_t discount(t) * member_saving_i(t) - w_i * s_K * K``; [] for one host."""
    if not scenario.members:
        return []
    result = evaluate_term(scenario, occupancy, local_use)
    figures = member_figures(result.years)
    _, host_set_up = set_up_shares(scenario)
    w = result.years.inputs.member_contribution_shares
    out = []
    for i, m in enumerate(scenario.members):
        years = [
            {"year": y + 1, **{name: _plain(figures[name][i][y]) for name in MEMBER_NAMES}}
            for y in range(scenario.term.years)
        ]
        npv = float(np.sum(result.discount * figures["member_saving"][i])) - float(w[i]) * host_set_up
        out.append({"name": m.name, "years": years, "npv_member_saving": _plain(npv)})
    return out


@dataclass(frozen=True)
class RegionSummary:
    """The region's councils under the uncertainty and the split of the shared payments (section 12).

    ``basis`` is "year" (one year's money) or "term" (NPVs over the term). For each member, in the scenario's order:
    ``names``, ``use_shares`` (s_i), ``contribution_shares`` (w_i), ``expected_saving``, ``probability_better_off``
    (a fraction), ``saving_p10`` / ``saving_p50`` / ``saving_p90`` (lists, currency); ``intercepts`` are the A_i
    (currency); ``shared_payments`` is X, ``expected_region_saving`` G = sum_i expected_saving;
    ``everyone_better_off_possible`` a bool; ``contribution_share_range`` one ``(lo, hi)`` or None each;
    ``equal_saving`` and ``saving_by_use`` ``{contribution_shares, possible}`` or None (when X = 0)."""

    basis: str
    names: list[str]
    use_shares: list[float]
    contribution_shares: list[float]
    expected_saving: list[float]
    probability_better_off: list[float]
    saving_p10: list[float]
    saving_p50: list[float]
    saving_p90: list[float]
    shared_payments: float
    intercepts: list[float]
    expected_region_saving: float
    everyone_better_off_possible: bool
    contribution_share_range: list[tuple[float, float] | None]
    equal_saving: dict | None
    saving_by_use: dict | None

    def to_dict(self) -> dict:
        """The JSON of ``python -m partnership region`` (MODEL.md section 12)."""
        members = [
            {
                "name": self.names[i],
                "use_share": self.use_shares[i],
                "contribution_share": self.contribution_shares[i],
                **{name: _plain(getattr(self, name)[i]) for name in MEMBER_SUMMARY_NAMES},
            }
            for i in range(len(self.names))
        ]
        return {
            "basis": self.basis,
            "members": members,
            "shared_payments": _plain(self.shared_payments),
            "everyone_better_off_possible": self.everyone_better_off_possible,
            "contribution_share_range": [None if r is None else [r[0], r[1]] for r in self.contribution_share_range],
            "equal_saving": self.equal_saving,
            "saving_by_use": self.saving_by_use,
        }


TERM_CHUNK_CELLS = 1_000_000
"""Members x years x points worked out at once over a term (the rest in chunks of points), so memory stays small."""


def _without_members(t: Inputs) -> Inputs:
    """The region's inputs as one host's: the section-2 figures a member's figures are made of are the same, and the
    host's cost without the agreement (the one figure the members change) is not needed by them."""
    return replace(
        t,
        member_use_shares=(),
        member_contribution_shares=(),
        member_host_alternative_prices=(),
        member_local_use_anyway=(),
    )


def _year_figures(scenario: Scenario, t: Inputs, o, u, w):
    """One year: each member's saving at the points, and the expectations of the shared payments' parts."""
    r = evaluate_inputs(_without_members(t), o, u)
    savings = member_savings(r, t)
    contribution = float(np.broadcast_to(t.contribution, r.host_units.shape) @ w)
    return r, savings, contribution, float(r.void_payments @ w), float((r.compensation + r.surplus_share_to_host) @ w)


def _term_figures(scenario: Scenario, t: Inputs, o, u, w):
    """Over the term: each member's NPV at the points, and the expected discounted shared payments' parts."""
    n, years = len(t.member_use_shares), scenario.term.years
    d = discount(scenario.term.discount_rate, years)
    yt = year_inputs(scenario, t, extra_dims=1)
    chunk = max(256, TERM_CHUNK_CELLS // max(1, n * years))
    npvs, contribution, voids, returns = [], 0.0, 0.0, 0.0
    for i in range(0, o.size, chunk):
        oc, uc, wc = o[i : i + chunk], u[i : i + chunk], w[i : i + chunk]
        r = evaluate_inputs(_without_members(yt), oc, uc)
        npvs.append(
            np.tensordot(member_savings(r, yt), d, axes=([1], [0]))
        )  # (members, years, points) -> (members, points)
        shape = r.host_units.shape
        contribution += float(d @ (np.broadcast_to(yt.contribution, shape) @ wc))
        voids += float(d @ (r.void_payments @ wc))
        returns += float(d @ ((r.compensation + r.surplus_share_to_host) @ wc))
    _, host_set_up = set_up_shares(scenario)
    shares = np.asarray(t.member_contribution_shares, dtype=float)[:, None]
    return np.concatenate(npvs, axis=1) - shares * host_set_up, contribution, voids, returns, host_set_up


def region_summary(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> RegionSummary:
    """Each member council's expected saving, chance of being better off and P10/P50/P90 under the scenario's
    uncertainty (NPVs when the term runs more than one year), on the points and with the tolerance of
    :func:`partnership.uncertainty.summarize`; and the split of the shared payments that leaves every council
    better off (section 12). Raises ScenarioError when the scenario names no member councils."""
    require_members(scenario)
    t = inputs_of(scenario)
    q = quadrature(scenario, cells)
    o, u, w = q.flat
    names = [m.name for m in scenario.members]
    use, shares = list(t.member_use_shares), [float(x) for x in t.member_contribution_shares]
    by_contribution = t.returns_split == "contribution"
    if scenario.term.years > 1:
        savings, contribution, voids, returns, host_set_up = _term_figures(scenario, t, o, u, w)
        tol = gain_tolerance(year_inputs(scenario, t))
        chances = [float(w @ (s >= -tol)) for s in savings]
        basis = "term"
    else:
        _, savings, contribution, voids, returns = _year_figures(scenario, t, o, u, w)
        host_set_up = 0.0
        tol = gain_tolerance(t)
        bare = _without_members(t)
        ends = q.cell_ends(lambda oo, uu: member_savings(evaluate_inputs(bare, oo, uu), t))
        chances = [
            q.probability_at_least(None if ends is None else (ends[0][i], ends[1][i]), savings[i], -tol)
            for i in range(len(names))
        ]
        basis = "year"
    expected = [float(x) for x in savings @ w]
    percentiles = [_weighted_quantiles(s, w, (0.1, 0.5, 0.9)) for s in savings]
    shared = region.shared_payments(contribution, voids, host_set_up, returns if by_contribution else None)
    intercepts = region.share_intercepts(expected, shares, shared)
    return RegionSummary(
        basis=basis,
        names=names,
        use_shares=[float(x) for x in use],
        contribution_shares=shares,
        expected_saving=expected,
        probability_better_off=[float(min(max(p, 0.0), 1.0)) for p in chances],
        saving_p10=[float(p[0]) for p in percentiles],
        saving_p50=[float(p[1]) for p in percentiles],
        saving_p90=[float(p[2]) for p in percentiles],
        shared_payments=float(shared),
        intercepts=intercepts,
        expected_region_saving=float(sum(expected)),
        everyone_better_off_possible=region.everyone_better_off_possible(intercepts, shared),
        contribution_share_range=region.contribution_share_range(intercepts, shared),
        equal_saving=region.equal_saving(intercepts, shared),
        saving_by_use=region.saving_by_use(intercepts, use, shared),
    )
