"""The whole range of outcomes at once: triangular uncertainty, expectations, probabilities,
percentiles (MODEL.md section 3). Deterministic quadrature, no random sampling."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from .inputs import Inputs, inputs_of
from .outcomes import break_even_occupancy, evaluate, evaluate_inputs, gain_tolerance, line_items
from .scenario import Scenario, Triangular

__all__ = [
    "triangular_cells",
    "Quadrature",
    "quadrature",
    "summarize",
    "headline_summary",
    "HEADLINE_NAMES",
    "SUMMARY_NAMES",
    "TERM_SUMMARY_NAMES",
    "weighted_percentile",
    "SUMMARY_RESOLUTION",
    "SWEEP_RESOLUTION",
    "most_likely_point",
    "SUMMARY_LABELS",
    "most_likely_case",
    "outcomes_under_uncertainty",
    "cumulative_distribution",
    "gain_distributions",
]

SUMMARY_RESOLUTION = 200
"""Cells per dimension for :func:`summarize` (40,000 points): probabilities within 0.001."""
ROWS_AT_ONCE = 128
"""Rows of local use the summary works out at once (:func:`_rows_of_items`)."""
SWEEP_RESOLUTION = 48
"""Cells per dimension for each point of a sweep, which needs expectations only."""

SUMMARY_LABELS = {
    "expected_provider_profit": "Provider's expected profit",
    "expected_provider_gain": "Provider's expected gain",
    "expected_host_net_cost": "Host's expected net cost",
    "expected_host_saving": "Host's expected saving",
    "probability_provider_loss": "Chance the provider makes a loss",
    "probability_provider_better_off": "Chance the provider is better off",
    "probability_host_better_off": "Chance the host is better off",
    **{
        f"{who}_p{p}": f"{label}, P{p} ({words})"
        for who, label in (("provider_gain", "Provider's gain"), ("host_saving", "Host's saving"))
        for p, words in ((10, "1 in 10 is below"), (50, "the median"), (90, "9 in 10 are below"))
    },
    "expected_npv_provider_gain": "Provider's expected NPV",
    "expected_npv_host_saving": "Host's expected NPV",
    "probability_provider_npv_positive": "Chance the provider's NPV is at least 0",
    "probability_host_npv_positive": "Chance the host's NPV is at least 0",
    **{
        f"npv_{who}_p{p}": f"{label}, P{p}"
        for who, label in (("provider_gain", "Provider's NPV"), ("host_saving", "Host's NPV"))
        for p in (10, 50, 90)
    },
}
"""A person's name for each summary figure (section 3, and section 10 over a term), for tables and exports."""

TERM_SUMMARY_NAMES = [
    "expected_npv_provider_gain",
    "expected_npv_host_saving",
    "probability_provider_npv_positive",
    "probability_host_npv_positive",
    "npv_provider_gain_p10",
    "npv_provider_gain_p50",
    "npv_provider_gain_p90",
    "npv_host_saving_p10",
    "npv_host_saving_p50",
    "npv_host_saving_p90",
]
"""The section-10 names the summary adds when the term runs more than one year."""

SUMMARY_NAMES = [
    "expected_provider_profit",
    "expected_provider_gain",
    "expected_host_net_cost",
    "expected_host_saving",
    "probability_provider_loss",
    "probability_provider_better_off",
    "probability_host_better_off",
    "provider_gain_p10",
    "provider_gain_p50",
    "provider_gain_p90",
    "host_saving_p10",
    "host_saving_p50",
    "host_saving_p90",
]


def _shape(dist: Triangular) -> tuple[float, float, float]:
    """``(low, mode, high)`` with a mode within a millionth of a millionth of the range from one end moved
    onto that end: the piece beside it holds under 1e-12 of the probability, and its density's formula
    would divide by a number that underflows to zero (found by hypothesis: a mode of 5e-324)."""
    low, mode, high = dist.low, dist.mode, dist.high
    tiny = 1e-12 * (high - low)
    if mode - low <= tiny:
        mode = low
    elif high - mode <= tiny:
        mode = high
    return low, mode, high


def _cells(dist: Triangular, cells: int, breaks=(), steep=()):
    """The cells of :func:`triangular_cells`: their ends ``lo``, ``hi``, the density at each end and each
    cell's exact probability (cells of zero probability left out)."""
    low, mode, high = _shape(dist)
    points = sorted({low, mode, high, *[b for b in breaks if low < b < high]})
    edges_all, fa_all, fb_all = [], [], []
    width = high - low
    for a, b in zip(points[:-1], points[1:]):
        n = max(1, int(round(cells * (b - a) / width)))
        for lo_s, hi_s, n_s in steep:  # a steep stretch of the integrand: enough cells to follow it
            if lo_s <= a and b <= hi_s and hi_s > lo_s:
                n = max(n, int(np.ceil(n_s * (b - a) / (hi_s - lo_s))))
        edges = np.linspace(a, b, n + 1)
        lo, hi = edges[:-1], edges[1:]
        # density is linear on each piece: take it from the side of the mode the piece is on
        if b <= mode:
            f = lambda x: 2 * (x - low) / (width * (mode - low))  # noqa: E731
        else:
            f = lambda x: 2 * (high - x) / (width * (high - mode))  # noqa: E731
        edges_all.append((lo, hi))
        fa_all.append(f(lo))
        fb_all.append(f(hi))
    lo = np.concatenate([e[0] for e in edges_all])
    hi = np.concatenate([e[1] for e in edges_all])
    fa, fb = np.concatenate(fa_all), np.concatenate(fb_all)
    mass = (fa + fb) * (hi - lo) / 2
    keep = mass > 0
    return lo[keep], hi[keep], fa[keep], fb[keep], mass[keep]


def triangular_cells(dist: Triangular, cells: int, breaks=(), steep=()) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights that integrate over a triangular distribution.

    [low, high] is cut at the mode and at any ``breaks`` inside it, each piece into
    equal-width cells (about ``cells`` in all; a piece inside one of the ``steep`` intervals
    ``(a, b, n)`` gets at least ``n``). A cell's weight is its exact probability
    and its node is its exact conditional mean, so expectations of anything linear are
    exact and errors elsewhere shrink with the square of the cell width. A fixed value
    (low = high) is one node of weight 1.
    """
    if dist.high - dist.low <= 1e-12:
        return np.array([dist.low]), np.array([1.0])
    lo, hi, fa, fb, mass = _cells(dist, cells, breaks, steep)
    nodes = (fa * (2 * lo + hi) + fb * (lo + 2 * hi)) / (3 * (fa + fb))
    return nodes, mass / mass.sum()


def triangular_cdf(x, dist: Triangular) -> np.ndarray:
    """The distribution function of a triangular distribution at ``x`` (arrays welcome).

    >>> from partnership.scenario import Triangular
    >>> float(triangular_cdf(0.5, Triangular(low=0, mode=0.5, high=1)))
    0.5
    """
    x = np.asarray(x, dtype=float)
    low, mode, high = _shape(dist)
    if high - low <= 1e-12:
        return (x >= low).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(mode > low, (x - low) ** 2 / ((high - low) * (mode - low)), 0.0)
        right = np.where(high > mode, 1 - (high - x) ** 2 / ((high - low) * (high - mode)), 1.0)
    return np.clip(np.where(x <= low, 0.0, np.where(x <= mode, left, np.where(x < high, right, 1.0))), 0.0, 1.0)


@dataclass(frozen=True)
class Quadrature:
    """Points of occupancy x local use with probability weights: ``occupancy[i]``,
    ``local_use[j]`` and ``weight[j, i]``; flattened views for vectorised work."""

    occupancy: np.ndarray
    local_use: np.ndarray
    weight: np.ndarray
    occupancy_weight: np.ndarray | None = None
    local_use_lo: np.ndarray | None = None  # each local-use cell's ends, for probabilities
    local_use_hi: np.ndarray | None = None
    local_use_dist: Triangular | None = None

    def cell_ends(self, evaluate_at):
        """``evaluate_at(o, u)`` at each local-use cell's two ends (the right end just inside the cell, so a
        jump at a band edge, which is a cell end, is not smeared across it), for every occupancy node:
        ``(at_left_ends, at_right_ends)``, or None when local use is a fixed value."""
        lo, hi, dist = self.local_use_lo, self.local_use_hi, self.local_use_dist
        if lo is None or dist.high - dist.low <= 1e-12:
            return None
        o = self.occupancy[None, :]
        return evaluate_at(o, lo[:, None]), evaluate_at(o, np.nextafter(hi, lo)[:, None])

    def probability_at_least(self, ends, at_nodes, threshold) -> float:
        """P(value >= threshold) over the uncertainty, for a value piecewise linear in local use: exact along
        local use (the crossing inside a cell found from the value at its two ends, ``ends``, and that side's
        mass taken from the distribution function), a weighted sum over the occupancy nodes. With no cell
        ends (local use fixed) the nodes' values ``at_nodes`` (flat, as :attr:`flat`) are used."""
        if ends is None:
            return float(self.weight.ravel() @ (at_nodes >= threshold))
        lo, hi, dist = self.local_use_lo, self.local_use_hi, self.local_use_dist
        g0, g1 = np.subtract(ends[0], threshold), np.subtract(ends[1], threshold)
        f_lo, f_hi = self.local_use_cdf
        # a cell the value is >= threshold at both ends holds all its mass, below at both none; only the cells
        # between (where the threshold crosses, or a value is undefined) need the crossing and its mass
        up0, up1 = g0 >= 0, g1 >= 0
        whole = up0 & up1
        part = ~(whole | ((g0 < 0) & (g1 < 0)))
        wo = self.occupancy_weight
        mass = f_hi - f_lo
        total = mass @ np.sum(np.broadcast_to(wo, whole.shape), axis=1, where=whole)
        j, i = np.nonzero(part)
        if j.size:
            a, b, lo_j, hi_j = g0[j, i], g1[j, i], lo[j], hi[j]
            with np.errstate(divide="ignore", invalid="ignore"):
                root = lo_j + (hi_j - lo_j) * a / (a - b)
            root = np.clip(np.where(np.isfinite(root), root, lo_j), lo_j, hi_j)
            f_root = triangular_cdf(root, dist)
            total += np.where(up0[j, i], f_root - f_lo[j], f_hi[j] - f_root) @ wo[i]
        return float(total / np.sum(mass))

    @functools.cached_property
    def local_use_cdf(self) -> tuple[np.ndarray, np.ndarray]:
        """The local-use distribution function at each cell's two ends: ``(at_lo, at_hi)``."""
        return (
            _read_only(triangular_cdf(self.local_use_lo, self.local_use_dist)),
            _read_only(triangular_cdf(self.local_use_hi, self.local_use_dist)),
        )

    @functools.cached_property
    def flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(o, u, w) as three 1-D arrays over every point (worked out once; read-only)."""
        o, u = np.meshgrid(self.occupancy, self.local_use)
        return _read_only(o.ravel()), _read_only(u.ravel()), _read_only(self.weight.ravel())


def _read_only(a: np.ndarray) -> np.ndarray:
    """``a``, no longer writable: a cached quadrature's arrays are shared by every caller."""
    a.flags.writeable = False
    return a


def _steep_bands(scenario: Scenario, cells: int) -> list[tuple[float, float, int]]:
    """Linear bands across which the host's share rate changes a lot: each gets cells in proportion to its
    change of rate (a full 0-100 % ramp gets ``cells`` of its own), so percentiles follow a steep ramp as
    closely as they follow a gentle one."""
    sharing = scenario.agreement.sharing
    if sharing.interpolation != "linear":
        return []
    bands = sharing.bands
    return [
        (a.from_local_use, b.from_local_use, int(np.ceil(cells * abs(b.host_share - a.host_share))))
        for a, b in zip(bands, bands[1:])
    ]


def quadrature(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> Quadrature:
    """The integration points for the scenario's uncertainty. Local use is also cut at the
    sharing-band edges, where the host's share rate jumps (step) or bends (linear), and at the local
    use the host would get anyway, where its cost without the agreement bends."""
    unc = scenario.uncertainty
    # the host's share rate jumps (step) or bends (linear) at band edges; its cost without the agreement bends at u0
    edges = [b.from_local_use for b in scenario.agreement.sharing.bands] + [scenario.without_agreement.local_use]
    steep = _steep_bands(scenario, cells)
    shape = lambda d: (float(d.low), float(d.mode), float(d.high))  # noqa: E731
    return _quadrature(shape(unc.occupancy), shape(unc.local_use), tuple(map(float, edges)), tuple(steep), cells)


@functools.lru_cache(maxsize=64)
def _quadrature(occupancy: tuple, local_use: tuple, edges: tuple, steep: tuple, cells: int) -> Quadrature:
    """:func:`quadrature` for the uncertainty's two shapes, the local-use breaks and steep stretches: worked out
    once for each (the summary, the sweep and the distributions of one scenario share it), its arrays read-only."""
    occ, use = (Triangular(low=a, mode=b, high=c) for a, b, c in (occupancy, local_use))
    o, wo = triangular_cells(occ, cells)
    u, wu = triangular_cells(use, cells, breaks=edges, steep=steep)
    if use.high - use.low <= 1e-12:
        u_lo = u_hi = np.array([use.low])
    else:
        u_lo, u_hi, *_ = _cells(use, cells, edges, steep)
    arrays = (o, u, wu[:, None] * wo[None, :], wo, u_lo, u_hi)
    return Quadrature(*(_read_only(np.ascontiguousarray(a, dtype=float)) for a in arrays), use)


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    """The q-quantile(s) (0-1) of a discrete distribution, interpolating between the
    mid-points of each value's probability mass."""
    order, v = _stable_order(values)
    w = weights[order]
    mid = np.cumsum(w) - w / 2
    return np.interp(q, mid, v)


def _stable_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``argsort(values, kind="stable")`` and the values in that order. When no two values are equal there is one
    order, which numpy's default sort finds sooner; only a tie (or NaN) needs the stable sort's."""
    order = np.argsort(values)
    v = values[order]
    if v.size > 1 and not (np.isfinite(v[-1]) and (v[1:] != v[:-1]).all()):
        order = np.argsort(values, kind="stable")
        v = values[order]
    return order, v


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> list[float]:
    """:func:`weighted_percentile`'s figures at each of ``qs``, without sorting every value: a sorted sample of
    the values brackets each quantile, and only the values inside the bracket are sorted (in the order a
    stable sort of all of them gives them), the weight below it counted. A bracket that turns out not to hold
    the quantile is widened; past the widest, every value is sorted, as :func:`weighted_percentile` does."""
    values, weights = np.ravel(values), np.ravel(weights)
    n = values.size
    if n < 4096:
        return [float(x) for x in weighted_percentile(values, weights, qs)]
    sample = slice(None, None, n // 2048)
    order = np.argsort(values[sample], kind="stable")
    sv = values[sample][order]
    cw = np.cumsum(weights[sample][order])
    if not (np.isfinite(cw[-1]) and cw[-1] > 0 and np.isfinite(sv).all()):
        return [float(x) for x in weighted_percentile(values, weights, qs)]
    cw /= cw[-1]
    out = []
    for q in qs:
        for width in (0.02, 0.1, 0.3):
            a = sv[min(int(np.searchsorted(cw, q - width)), sv.size - 1)]
            b = sv[min(int(np.searchsorted(cw, q + width)), sv.size - 1)]
            below = values < a
            inside = np.flatnonzero((values >= a) & (values <= b))
            n_below = int(np.count_nonzero(below))
            v, w = values[inside], weights[inside]
            keep = np.argsort(v, kind="stable")  # the bracket's values are one run of the stable sort of all
            v, w = v[keep], w[keep]
            mid = np.sum(weights, where=below) + (np.cumsum(w) - w / 2)
            if v.size and (mid[0] < q or n_below == 0) and (q < mid[-1] or n_below + v.size == n):
                out.append(float(np.interp(q, mid, v)))
                break
        else:
            return [float(x) for x in weighted_percentile(values, weights, qs)]
    return out


def _end_rows(scenario: Scenario, q: Quadrature) -> tuple[np.ndarray, np.ndarray]:
    """The local uses at which :meth:`Quadrature.cell_ends` evaluates, each once: every cell's left end, then the
    right ends (just inside the cell) that are not the next cell's left end in all but a rounding, which are the
    last cell's and those at a step band's edge, where the host's share rate jumps (every other figure is
    continuous in local use). Returns ``(rows, right)``: the rows, and where each cell's right end is among them."""
    lo, hi = q.local_use_lo, q.local_use_hi
    sharing = scenario.agreement.sharing
    jumps = [b.from_local_use for b in sharing.bands[1:]] if sharing.interpolation == "step" else []
    own = np.ones(lo.size, dtype=bool)
    own[:-1] = (hi[:-1] != lo[1:]) | np.isin(hi[:-1], jumps)
    extra = np.flatnonzero(own)
    right = np.arange(1, lo.size + 1)
    right[extra] = lo.size + np.arange(extra.size)
    return np.concatenate([lo, np.nextafter(hi[extra], lo[extra])]), right


def summarize(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> dict:
    """Expectations, probabilities and P10/P50/P90 of both parties' outcomes under the
    scenario's uncertainty (MODEL.md section 3), as a dict of floats keyed by
    :data:`SUMMARY_NAMES`. Money is currency per year; probabilities are fractions.

    Worked out on the quadrature's grid (occupancy a row, local use a column, so what depends on one of them
    is worked out once per row or column), the cells' two ends beside their nodes in one evaluation.

    >>> from partnership.examples import example_scenario
    >>> s = summarize(example_scenario())
    >>> round(s["expected_provider_gain"], -1), round(s["probability_host_better_off"], 2)
    (31460.0, 0.89)
    """
    return _summary(scenario, cells, SUMMARY_NAMES)


HEADLINE_NAMES = [
    "expected_provider_profit",
    "expected_provider_gain",
    "expected_host_net_cost",
    "expected_host_saving",
    "probability_provider_better_off",
    "probability_host_better_off",
]
"""The part of the summary the page's headline shows."""


def headline_summary(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> dict:
    """The figures of :func:`summarize` named in :data:`HEADLINE_NAMES` (the same values), and nothing else: no
    percentiles, no chance of a loss and nothing over the term, which the headline does not show.

    >>> from partnership.examples import example_scenario
    >>> s = example_scenario()
    >>> headline_summary(s) == {k: v for k, v in summarize(s).items() if k in HEADLINE_NAMES}
    True
    """
    return _summary(scenario, cells, HEADLINE_NAMES)


def _summary(scenario: Scenario, cells: int, names: list[str]) -> dict:
    """The summary's figures in ``names`` (of :data:`SUMMARY_NAMES`; with all of them, the term's too over a term
    of more than a year), each worked out only when asked for."""
    t = inputs_of(scenario)
    q = quadrature(scenario, cells)
    w = q.flat[2]
    n_u, n_o = q.weight.shape
    fixed = q.local_use_lo is None or q.local_use_dist.high - q.local_use_dist.low <= 1e-12
    term = scenario.term.years > 1 and set(names) == set(SUMMARY_NAMES)
    o = q.occupancy
    if term:  # the term's sums take every line item at the nodes
        at_nodes = line_items(t, o[None, :], q.local_use[:, None])
    else:
        at_nodes = _rows_of_items(t, o, q.local_use, _SUMMED)
    node = lambda name: np.ascontiguousarray(np.broadcast_to(at_nodes[name], (n_u, n_o))).ravel()  # noqa: E731
    if not fixed:  # as Quadrature.cell_ends: each local-use cell's left end and its right end just inside it
        rows, right = _end_rows(scenario, q)
        ends = _rows_of_items(t, o, rows, _SUMMED)
    at = lambda name: None if fixed else (ends[name][:n_u], ends[name][right])  # noqa: E731
    tol = gain_tolerance(t)
    profit, gain, saving = node("provider_profit"), node("provider_gain"), node("host_saving")
    _GAINS_AT_NODES.keep(scenario, cells, (gain, saving))
    wanted = set(names)
    out = {
        "expected_provider_profit": w @ profit,
        "expected_provider_gain": w @ gain,
        "expected_host_net_cost": w @ node("host_net_cost"),
        "expected_host_saving": w @ saving,
        "probability_provider_better_off": q.probability_at_least(at("provider_gain"), gain, -tol),
        "probability_host_better_off": q.probability_at_least(at("host_saving"), saving, -tol),
    }
    if "probability_provider_loss" in wanted:
        out["probability_provider_loss"] = 1.0 - q.probability_at_least(at("provider_profit"), profit, -tol)
    if "provider_gain_p50" in wanted:
        pg = _weighted_quantiles(gain, w, [0.1, 0.5, 0.9])
        hs = _weighted_quantiles(saving, w, [0.1, 0.5, 0.9])
        out.update(zip(("provider_gain_p10", "provider_gain_p50", "provider_gain_p90"), pg))
        out.update(zip(("host_saving_p10", "host_saving_p50", "host_saving_p90"), hs))
    out = {name: out[name] for name in SUMMARY_NAMES if name in wanted}
    if term:
        out.update(_term_summary(scenario, t, q, at_nodes))
    return {k: float(min(max(v, 0.0), 1.0)) if k.startswith("probability") else float(v) for k, v in out.items()}


class _Kept:
    """The last few scenario objects' figures, by identity and resolution (each scenario held beside its figures,
    so its id is not another's while it is here; a scenario is never changed once built): what one result worked
    out that another of the same scenario reads, as the summary's gains at its nodes for the distributions.
    Read-only arrays; every session's thread may ask."""

    def __init__(self, size: int = 8):
        self.size, self.kept, self.lock = size, {}, threading.Lock()

    def keep(self, scenario: Scenario, cells: int, figures: tuple) -> None:
        for a in figures:
            a.flags.writeable = False
        with self.lock:
            self.kept[id(scenario)] = (scenario, cells, figures)
            while len(self.kept) > self.size:
                self.kept.pop(next(iter(self.kept)))

    def get(self, scenario: Scenario, cells: int) -> tuple | None:
        hit = self.kept.get(id(scenario))
        return hit[2] if hit is not None and hit[0] is scenario and hit[1] == cells else None


_GAINS_AT_NODES = _Kept()
"""Each side's one-year gain at the quadrature's nodes (flat, as :attr:`Quadrature.flat`), kept by the summary."""


_SUMMED = ("provider_profit", "provider_gain", "host_net_cost", "host_saving")
"""The line items the one-year summary reads."""


def _rows_of_items(t: Inputs, occupancy: np.ndarray, rows: np.ndarray, names, block: int = ROWS_AT_ONCE) -> dict:
    """:func:`line_items`' figures ``names`` on the grid of local uses ``rows`` x ``occupancy``, worked out
    ``block`` rows at a time: the same figures, element by element, with each block's two dozen temporaries small
    enough to stay in the processor's cache (over the whole grid at once they are not, and the summary waits on
    memory)."""
    out = {name: np.empty((rows.size, occupancy.size)) for name in names}
    for start in range(0, rows.size, block):
        x = line_items(t, occupancy[None, :], rows[start : start + block, None])
        for name in names:
            out[name][start : start + block] = x[name]
    return out


def _term_summary(scenario: Scenario, t: Inputs, q: Quadrature, items: dict) -> dict:
    """Section 10 under uncertainty: the NPVs' expectations, chances of being >= 0 and percentiles (the same
    (o, u) every year), the tolerance on the same basis as :func:`partnership.term.evaluate_term`'s. ``items``:
    the first year's line items on the quadrature's grid, as the one-year summary worked them out."""
    from .term import discounted_sums, year_inputs

    w = q.flat[2]
    shape = q.weight.shape
    npv_gain, npv_saving = (
        np.ascontiguousarray(np.broadcast_to(v, shape)).ravel()
        for v in discounted_sums(scenario, t, q.occupancy[None, :], q.local_use[:, None], items)
    )
    tol = gain_tolerance(year_inputs(scenario, t))  # the term's dearest year, as evaluate_term
    out = {}
    for side, npv in (("provider_gain", npv_gain), ("host_saving", npv_saving)):
        out[f"expected_npv_{side}"] = w @ npv
        out[f"npv_{side}_p10"], out[f"npv_{side}_p50"], out[f"npv_{side}_p90"] = _weighted_quantiles(
            npv, w, [0.1, 0.5, 0.9]
        )
        who = "provider" if side == "provider_gain" else "host"
        out[f"probability_{who}_npv_positive"] = np.sum(w, where=npv >= -tol)
    return {name: out[name] for name in TERM_SUMMARY_NAMES}


def expected_gains(scenario: Scenario, inputs: Inputs | None = None, cells: int = SWEEP_RESOLUTION, points=None):
    """Expected provider gain and expected host saving (currency per year); ``inputs`` may hold
    arrays of shape ``(..., 1)`` to do many variants of the scenario in one call; ``points`` may
    pass the ``quadrature(scenario, cells).flat`` already worked out."""
    t = inputs if inputs is not None else inputs_of(scenario)
    o, u, w = points if points is not None else quadrature(scenario, cells).flat
    if scenario.term.years > 1:  # section 10: terms are judged by the expected NPVs over the term
        from .term import npvs

        gain, saving = npvs(scenario, o, u, inputs=t)
        return gain @ w, saving @ w
    r = evaluate_inputs(t, o, u)
    return r.provider_gain @ w, r.host_saving @ w


def outcomes_under_uncertainty(scenario: Scenario, cells: int = SUMMARY_RESOLUTION):
    """Section 2 at the uncertainty's quadrature points, with each point's probability weight:
    ``(outcome, weights)``, both flat over every point (the points :func:`summarize` integrates)."""
    o, u, w = quadrature(scenario, cells).flat
    return evaluate_inputs(inputs_of(scenario), o, u), w


def cumulative_distribution(values: np.ndarray, weights: np.ndarray, points: int = 401):
    """The distribution function of a weighted sample as ``(values, probabilities)``, by the same
    convention as :func:`weighted_percentile` (mid-points of each value's mass), so a curve drawn
    from it passes through the summary's P10, P50 and P90 exactly."""
    qs = np.linspace(0.0, 1.0, points)
    return weighted_percentile(values, weights, qs), qs


def gain_distributions(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> dict:
    """Each side's gain over the whole uncertainty as a distribution function: ``{"provider_gain": (values,
    probabilities), "host_saving": (values, probabilities)}`` (currency a year; fractions 0-1), from the points
    :func:`summarize` integrates, by :func:`cumulative_distribution`'s convention, so a curve drawn from it
    passes through the summary's P10, P50 and P90."""
    q = quadrature(scenario, cells)
    names = ("provider_gain", "host_saving")
    found = _GAINS_AT_NODES.get(scenario, cells)  # the summary of the same scenario object has them: the same figures
    if found is None:
        x = _rows_of_items(inputs_of(scenario), q.occupancy, q.local_use, names)  # the summary's points, as a grid
        found = tuple(x[name].ravel() for name in names)
    w = q.flat[2]
    return {name: cumulative_distribution(values, w) for name, values in zip(names, found)}


def most_likely_point(scenario: Scenario) -> tuple[float, float]:
    """The most likely occupancy and local use: the modes of the uncertainty. Every view, export and
    sentence that speaks of "the most likely case" uses this point."""
    return scenario.uncertainty.occupancy.mode, scenario.uncertainty.local_use.mode


def _finite(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def most_likely_case(scenario: Scenario) -> dict:
    """Section 2 and break-even at :func:`most_likely_point`, as plain values (None where undefined).

    Adds ``occupancy``, ``local_use``, ``break_even_with`` and ``break_even_without`` (None when
    never). The host's cost per unit-period is compared with ``host_unit_cost_without_agreement``
    (section 8a, like for like), one of the section-2 names, not with ``p_a``.

    >>> from partnership.examples import example_scenario
    >>> e = most_likely_case(example_scenario())
    >>> e["occupancy"], e["local_use"], round(e["provider_gain"]), round(e["break_even_with"], 5)
    (0.85, 0.75, 25461, 0.66696)
    """
    o, u = most_likely_point(scenario)
    out = evaluate(scenario, o, u).to_dict()
    be = break_even_occupancy(scenario, u)
    out["break_even_with"] = _finite(be["with_agreement"])
    out["break_even_without"] = _finite(be["without_agreement"])
    out["occupancy"], out["local_use"] = o, u
    return out
