"""What would it take: the value of one term at which a figure reaches a target, the goal seek (MODEL.md section 16)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .fields import band_index, is_sweepable, spec
from .inputs import inputs_of, overridable
from .outcomes import OUTCOME_NAMES, evaluate, evaluate_inputs
from .problems import Problem, ScenarioError
from .scenario import Scenario, document_to_vary, is_numeric_path, scenario_from_dict, scenario_to_dict, set_path
from .uncertainty import (
    SUMMARY_NAMES,
    SUMMARY_RESOLUTION,
    SWEEP_RESOLUTION,
    TERM_SUMMARY_NAMES,
    quadrature,
    summarize,
)

__all__ = [
    "SolveResult",
    "solve",
    "plausible_range",
    "point_figures",
    "expected_figures",
    "SCAN_POINTS",
    "EXPECTED_SCAN_POINTS",
    "TOLERANCE",
]

SCAN_POINTS = 2001
"""Evenly spaced values of the field scanned for a figure at a point (MODEL.md section 16)."""
EXPECTED_SCAN_POINTS = 101
"""Evenly spaced values scanned for a figure in expectation (each is a whole integration over the uncertainty)."""
TOLERANCE = 1e-6
"""The first change of sign is bisected until its bracket is this share of the range searched wide."""
SCAN_CELLS = SWEEP_RESOLUTION
"""Cells a side of the quick first scan of a figure in expectation (the sweep's integration)."""
REFINE_STEPS = 8
"""At most this many steps of false position inside the last bracket of the bisection."""

_LINEAR = {  # the expectations of section 3, each the probability-weighted sum of one section-2 figure
    "expected_provider_profit": "provider_profit",
    "expected_provider_gain": "provider_gain",
    "expected_host_net_cost": "host_net_cost",
    "expected_host_saving": "host_saving",
}
_NPV = {"expected_npv_provider_gain": 0, "expected_npv_host_saving": 1}  # section 10: the expected NPVs


@dataclass(frozen=True)
class SolveResult:
    """The answer to "what value of ``field`` brings ``figure`` to ``target``?" (MODEL.md section 16).

    ``value`` is the smallest value of the field in ``[low, high]`` at which ``figure - target`` changes sign or is
    0 (in the field's own unit: currency, a share 0-1, a count), None when the figure never reaches the target there.
    ``at`` is the point ``(occupancy, local_use)``, or None for a figure in expectation. ``direction`` says which
    side of ``value`` the target is met on: ``"rises"`` when the figure is at or above the target just above it (so
    any less falls short), ``"falls"`` when it is at or above the target up to it (any more falls short); None when
    there is no answer, or the figure is the target all along. ``stays`` says, when there is no answer, whether the
    figure stays ``"above"`` or ``"below"`` the target over the whole range (None when it is undefined there)."""

    field: str
    figure: str
    target: float
    low: float
    high: float
    at: tuple[float, float] | None
    value: float | None
    direction: str | None = None
    stays: str | None = None
    member: str | None = None

    def to_dict(self) -> dict:
        """The section-16 JSON shape: ``{field, figure, target, low, high, at: {occupancy, local_use} | "expected",
        value | null}``, with ``member`` (the council's name) beside the figure when it is ``member_saving``."""
        at = "expected" if self.at is None else {"occupancy": self.at[0], "local_use": self.at[1]}
        member = {} if self.member is None else {"member": self.member}
        return {
            "field": self.field,
            "figure": self.figure,
            **member,
            "target": self.target,
            "low": self.low,
            "high": self.high,
            "at": at,
            "value": self.value,
        }


MEMBER_FIGURE = "member_saving"
"""The one member council's figure a goal seek may reach at a point (MODEL.md section 16), of a member named."""


def point_figures() -> list[str]:
    """The figures a goal seek may reach at a point: every section-2 name (and, for a region's named member,
    :data:`MEMBER_FIGURE`)."""
    return list(OUTCOME_NAMES)


def expected_figures(scenario: Scenario) -> list[str]:
    """The figures a goal seek may reach in expectation: every section-3 name, and over a term of more than a year
    the section-10 names of the summary (the expected NPVs, their chances and percentiles)."""
    return SUMMARY_NAMES + (TERM_SUMMARY_NAMES if scenario.term.years > 1 else [])


# ---------------------------------------------------------------------------------------------
# The range: the field's plausible range, from the registry's rules and the fields it must sit between


def plausible_range(scenario: Scenario, path: str) -> tuple[float, float]:
    """The values a field may take in this scenario: from its floor (``ge``, or just above ``gt``) to its ceiling
    (``le``, or the plausibility bound ``most`` past which a value is refused as a typing mistake), narrowed by the
    fields it must sit between (an uncertainty's low <= mode <= high, a band's start between its neighbours', the
    reserved units within the capacity). A floor given as ``gt`` is moved up by :data:`TOLERANCE` of the range."""
    f = spec(path)
    lo = f.ge if f.ge is not None else f.gt
    hi = f.le if f.le is not None else f.most
    if path.startswith("uncertainty."):
        _, what, end = path.split(".")
        dist = getattr(scenario.uncertainty, what)
        lo, hi = {"low": (0.0, dist.mode), "mode": (dist.low, dist.high), "high": (dist.mode, 1.0)}[end]
    elif path.endswith("from_local_use"):
        bands, i = scenario.agreement.sharing.bands, band_index(path)
        below = bands[i - 1].from_local_use if i > 0 else 0.0
        above = bands[i + 1].from_local_use if i + 1 < len(bands) else 1.0
        gap = (above - below) * TOLERANCE
        lo, hi = (0.0, 0.0) if i == 0 else (below + gap, above - gap if i + 1 < len(bands) else 1.0)
    elif path == "agreement.reservation.units":
        hi = float(scenario.service.capacity)
    elif path == "service.capacity":
        lo = max(float(scenario.agreement.reservation.units), 0.0)
    if hi is None:
        raise ScenarioError([Problem("field", "text", detail=f"{path} has no upper bound: give the range (high)")])
    lo, hi = float(lo if lo is not None else 0.0), float(hi)
    if f.gt is not None and lo <= f.gt:
        lo = f.gt + (hi - f.gt) * TOLERANCE
    return lo, hi


# ---------------------------------------------------------------------------------------------
# The figure as the field varies


def _varies_directly(scenario: Scenario, path: str, expected: bool) -> bool:
    """Whether the field can be varied as an override of the formulas' inputs (no re-validation). In expectation,
    not a field that moves the integration itself: the local use the host would get anyway and, with linear bands,
    a band's share both cut the integration's cells."""
    if not overridable(path, scenario):
        return False
    if expected and path == "without_agreement.local_use":
        return False
    if expected and band_index(path) is not None and scenario.agreement.sharing.interpolation == "linear":
        return False
    return True


class _Figure:
    """The figure as a function of the field's value (arrays of values in, an array of figures out). In expectation,
    on the points of an integration of ``cells`` cells a side (the summary's own by default)."""

    def __init__(
        self, scenario: Scenario, field: str, figure: str, at, cells: int = SUMMARY_RESOLUTION, member: int | None = None
    ):
        self.scenario, self.field, self.figure, self.at, self.cells = scenario, field, figure, at, cells
        self.member = member  # a member council's number (from 0), for member_saving
        self.direct = _varies_directly(scenario, field, at is None)
        self.data = document_to_vary(scenario, field)
        if at is None and self.direct and (figure in _LINEAR or figure in _NPV):
            self.points = quadrature(scenario, cells).flat

    def _variant(self, value: float) -> Scenario:
        return scenario_from_dict(set_path(self.data, self.field, value))

    def __call__(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if self.at is not None:
            o, u = self.at
            if self.direct:  # every value at once, through the formulas' inputs
                r = evaluate_inputs(inputs_of(self.scenario, {self.field: values}), o, u)
                return np.broadcast_to(np.asarray(self._at_point(r), dtype=float), values.shape).copy()
            return np.array([float(self._at_point(evaluate(self._variant(v), o, u))) for v in values])
        if self.direct and (self.figure in _LINEAR or self.figure in _NPV) and len(values) > 1:
            return self._expected_many(values)
        return np.array([self._expected(float(v)) for v in values])

    def _at_point(self, r):
        """The figure from the outcome at the point: a section-2 name, or a member council's saving."""
        if self.figure == MEMBER_FIGURE:
            from .councils import member_savings

            return member_savings(r)[self.member]
        return getattr(r, self.figure)

    def _expected_many(self, values: np.ndarray) -> np.ndarray:
        """A linear expectation at many values at once, in blocks small enough for the processor's cache."""
        o, u, w = self.points
        years = self.scenario.term.years if self.figure in _NPV else 1
        block = max(1, 250_000 // (years * len(w)))
        out = []
        for i in range(0, len(values), block):
            t = inputs_of(self.scenario, {self.field: values[i : i + block, None]})
            out.append(self._linear(self.scenario, t, o, u, w))
        return np.concatenate(out)

    def _linear(self, s: Scenario, t, o, u, w):
        if self.figure in _NPV:
            from .term import npvs

            return npvs(s, o, u, inputs=t)[_NPV[self.figure]] @ w
        return getattr(evaluate_inputs(t, o, u), _LINEAR[self.figure]) @ w

    def _expected(self, value: float) -> float:
        """The figure in expectation at one value of the field."""
        if self.figure in _LINEAR or self.figure in _NPV:
            if self.direct:
                s, t, (o, u, w) = self.scenario, inputs_of(self.scenario, {self.field: value}), self.points
            else:
                s = self._variant(value)
                t, (o, u, w) = inputs_of(s), quadrature(s, self.cells).flat
            return float(self._linear(s, t, o, u, w))
        return float(summarize(self._variant(value), self.cells)[self.figure])  # chances, percentiles: the summary


# ---------------------------------------------------------------------------------------------
# The goal seek


def _member_number(scenario: Scenario, figure: str, member: str | None, at) -> int | None:
    """The member council's number (from 0) a member figure is of; ScenarioError in plain words when it cannot be."""
    if member is None and figure != MEMBER_FIGURE:
        return None
    names = [m.name for m in scenario.members]
    if figure != MEMBER_FIGURE:
        detail = f"a member council is named only for {MEMBER_FIGURE}, not {figure}"
    elif not names:
        detail = "the scenario names no member councils"
    elif member is None:
        detail = f"{MEMBER_FIGURE} is a member council's figure: name the council (one of {', '.join(names)})"
    elif member not in names:
        detail = f"{member!r} is not one of the region's councils ({', '.join(names)})"
    elif isinstance(at, str):
        detail = f"{MEMBER_FIGURE} is a figure at a point: give an occupancy and a local use"
    else:
        return names.index(member)
    raise ScenarioError([Problem("member", "text", detail=detail)])


def _check(scenario: Scenario, field: str, figure: str, target, at) -> tuple[float, float] | None:
    """The point as floats (None: in expectation), or ScenarioError naming what cannot be solved for."""
    problems = []
    if not is_numeric_path(field):
        problems.append(Problem("field", "not_numeric", got=field))
    elif not is_sweepable(field):  # a member council's shares add up to 100 % with the others'
        problems.append(Problem("field", "not_sweepable", got=field))
    elif field == "term.years":
        rates = ("costs", "host_price", "market_prices", "contribution")
        listed = [g for g in rates if isinstance(getattr(scenario.term.indexation, g), list)]
        if listed:
            problems.append(Problem("field", "years_with_list", got=f"term.indexation.{listed[0]}"))
    else:
        try:
            set_path(scenario_to_dict(scenario), field, 0.0)
        except KeyError as exc:  # a band the scenario does not have
            problems.append(Problem("field", "no_such_field", got=field, detail=exc.args[0].removeprefix(f"{field}: ")))
    point = None
    if isinstance(at, str) and at == "expected":
        if figure not in expected_figures(scenario):
            problems.append(
                Problem("figure", "not_a_figure", bound="expected", got=figure, detail=_hint(scenario, figure))
            )
    else:
        try:
            point = (float(at[0]), float(at[1]))
        except (TypeError, ValueError, IndexError):
            detail = f'must be a point (occupancy, local use) or "expected", got {at!r}'
            raise ScenarioError([Problem("at", "text", detail=detail)]) from None
        for name, x in zip(("occupancy", "local_use"), point):
            if not math.isfinite(x):
                problems.append(Problem(name, "finite", got=x))
            elif not 0.0 <= x <= 1.0:
                problems.append(Problem(name, "ge" if x < 0 else "le", bound=0 if x < 0 else 1, got=x))
        if figure not in OUTCOME_NAMES and not (figure == MEMBER_FIGURE and scenario.members):
            problems.append(
                Problem("figure", "not_a_figure", bound="point", got=figure, detail=_hint(scenario, figure))
            )
    if not isinstance(target, (int, float)) or isinstance(target, bool) or not math.isfinite(target):
        problems.append(Problem("target", "finite", got=target))
    if problems:
        raise ScenarioError(problems)
    return point


def _hint(scenario: Scenario, figure: str) -> str:
    """Why a figure's name was refused where it was asked for, when it is a figure somewhere else."""
    if figure in OUTCOME_NAMES:
        return "it is a figure at a point: give an occupancy and a local use"
    if figure in SUMMARY_NAMES or (figure in TERM_SUMMARY_NAMES and scenario.term.years > 1):
        return "it is a figure under the uncertainty: ask for it in expectation"
    if figure in TERM_SUMMARY_NAMES:
        return "it is a figure over a term: set term.years above 1"
    return ""


def _check_range(scenario: Scenario, field: str, low: float, high: float) -> None:
    """Both ends of the range validated as scenarios: a value past the field's rules is refused in its own words."""
    problems = []
    for name, x in (("low", low), ("high", high)):
        if not math.isfinite(x):
            problems.append(Problem(name, "finite", got=x))
    if not problems and high <= low:
        problems.append(
            Problem("high", "gt", bound=low, got=high, detail="the top of the range must be above its bottom")
        )
    data = document_to_vary(scenario, field)
    for x in (low, high) if not problems else ():
        try:
            scenario_from_dict(set_path(data, field, x))
        except ScenarioError as exc:
            problems += [p for p in exc.details if p not in problems]
    if problems:
        raise ScenarioError(problems)


def _first_change(g: np.ndarray) -> int | None:
    """The index of the first value at which ``g`` is 0 or has changed sign since the value before; None if none."""
    finite = np.isfinite(g)
    hit = finite & (g == 0)
    hit[1:] |= finite[1:] & finite[:-1] & (np.sign(g[1:]) * np.sign(g[:-1]) < 0)
    found = np.flatnonzero(hit)
    return int(found[0]) if found.size else None


def solve(
    scenario: Scenario,
    field: str,
    figure: str,
    target: float,
    low: float | None = None,
    high: float | None = None,
    at: tuple[float, float] | str = "expected",
    member: str | None = None,
) -> SolveResult:
    """The smallest value of one numeric field in ``[low, high]`` at which ``figure - target`` changes sign or is 0
    (MODEL.md section 16): e.g. the contribution (currency a year) at which the provider's profit is 0 at 70 %
    occupancy and 60 % local use.

    ``field`` is a dotted path (``agreement.contribution``, ``agreement.sharing.bands[2].host_share``); ``figure``
    a section-2 name when ``at`` is a point ``(occupancy, local_use)`` (fractions 0-1), or, when ``at`` is
    ``"expected"``, a section-3 name (and over a term of more than a year a section-10 summary name such as
    ``expected_npv_provider_gain``); ``target`` is in the figure's unit. ``[low, high]`` defaults to
    :func:`plausible_range`. The method: :data:`SCAN_POINTS` evenly spaced values (:data:`EXPECTED_SCAN_POINTS` for
    a figure in expectation), then the first change of sign bisected until its bracket is :data:`TOLERANCE` of the
    range wide, then closed in on by false position inside it (exact at once where the figure is a straight line
    there, as section 2's figures are between their kinks). A field of whole numbers (the term's years) is scanned
    at each whole number and answered by the first that reaches the target. Figures in expectation are scanned
    first on the sweep's coarser integration, confirmed (or scanned again) and bisected on the points the summary
    integrates, so the answer, put back into the scenario, gives the summary's figure at the target. Raises
    ScenarioError naming the field, the figure or the range end it cannot use.

    >>> from partnership.examples import example_scenario
    >>> r = solve(example_scenario(), "agreement.contribution", "provider_profit", 0, at=(0.6, 0.75))
    >>> round(r.value, 2), r.direction
    (260240.0, 'rises')
    """
    number = _member_number(scenario, figure, member, at)
    point = _check(scenario, field, figure, target, at)
    target = float(target)
    if low is None or high is None:
        lo_default, hi_default = plausible_range(scenario, field)
        if lo_default >= hi_default:
            detail = f"cannot vary in this scenario: its rules fix it at {lo_default:g}"
            raise ScenarioError([Problem(field, "text", detail=detail)])
        low = lo_default if low is None else low
        high = hi_default if high is None else high
    low, high = float(low), float(high)
    _check_range(scenario, field, low, high)
    f = _Figure(scenario, field, figure, point, member=number)
    whole = spec(field).kind == "integer"
    if whole:
        values = np.arange(math.ceil(low), math.floor(high) + 1, dtype=float)
    else:
        values = np.linspace(low, high, SCAN_POINTS if point is not None else EXPECTED_SCAN_POINTS)
    if point is None:  # in expectation: a quick scan on fewer points, confirmed (or redone) on the summary's
        g, i = _scan_in_expectation(scenario, field, figure, target, values, f)
    else:
        g = f(values) - target
        i = _first_change(g)
    answer = SolveResult(field, figure, target, low, high, point, None, member=member)
    if i is None:
        finite = g[np.isfinite(g)]
        stays = None if not finite.size else ("above" if finite.min() > 0 else "below" if finite.max() < 0 else None)
        return SolveResult(**{**vars(answer), "stays": stays})
    if g[i] == 0 or whole:
        value = float(values[i])
    else:
        value = _bisect(f, target, values[i - 1], values[i], g[i - 1], g[i], TOLERANCE * (high - low))
    return SolveResult(**{**vars(answer), "value": value, "direction": _direction(g, i)})


def _scan_in_expectation(scenario: Scenario, field: str, figure: str, target: float, values: np.ndarray, f):
    """The scan of a figure in expectation: first on the sweep's coarser integration (:data:`SCAN_CELLS` cells a
    side, about 1/17 of the work), then the values it points to worked out on the summary's own points: the two
    either side of its first change of sign or, when it finds none, the two ends and the value nearest the target.
    Where the summary's figure agrees, the coarse scan stands (its first change, bisected on the summary's points);
    where it does not, the whole scan is done again on the summary's points. ``(g, i)``: figure - target at each
    value (the summary's where known) and the index of the first change (None: none)."""
    g = _Figure(scenario, field, figure, None, SCAN_CELLS)(values) - target
    i = _first_change(g)
    finite = np.flatnonzero(np.isfinite(g))
    if i is not None:
        check = [i - 1, i] if i > 0 else [i]
    elif finite.size:
        check = sorted({0, len(values) - 1, int(finite[np.argmin(np.abs(g[finite]))])})
    else:
        check = []
    fine = f(values[check]) - target if check else np.array([])
    if check and np.all(np.isfinite(fine)) and np.array_equal(np.sign(fine), np.sign(g[check])):
        g = g.copy()
        g[check] = fine  # the same signs: the coarse scan's first change (or none) stands
        return g, i
    g = f(values) - target
    return g, _first_change(g)


def _bisect(f, target: float, a: float, b: float, ga: float, gb: float, width: float) -> float:
    """The change of sign between ``a`` (where figure - target is ``ga``) and ``b`` (``gb``), bisected until the
    bracket is at most ``width`` wide, then closed in on by false position (the Illinois rule) inside that bracket,
    a few steps at most: a figure that is a straight line there is answered at once, a curved one (an expectation)
    to far better than the bracket's width."""
    g = lambda x: float(f(np.array([x]))[0]) - target  # noqa: E731
    while b - a > width:
        mid = 0.5 * (a + b)
        if not a < mid < b:  # the floats cannot be split further
            return float(b)
        gm = g(mid)
        if gm == 0 or not math.isfinite(gm):  # undefined inside: the middle, within the bracket's width
            return float(mid)
        if np.sign(gm) == np.sign(ga):
            a, ga = mid, gm
        else:
            b, gb = mid, gm
    x, side = a - ga * (b - a) / (gb - ga), None
    for _ in range(REFINE_STEPS):
        x = min(max(a - ga * (b - a) / (gb - ga), a), b)
        if not a < x < b:
            break
        gx = g(x)
        if gx == 0 or not math.isfinite(gx):
            break
        if np.sign(gx) == np.sign(ga):
            a, ga = x, gx
            gb = gb / 2 if side == "a" else gb
            side = "a"
        else:
            b, gb = x, gx
            ga = ga / 2 if side == "b" else ga
            side = "b"
        if b - a <= width * 1e-6:
            break
    return float(min(max(x, a), b))


def _direction(g: np.ndarray, i: int) -> str | None:
    """Which side of the answer the target is met on (see :class:`SolveResult`), from the scan."""
    after = g[i + 1 :][np.isfinite(g[i + 1 :]) & (g[i + 1 :] != 0)] if g[i] == 0 else g[i : i + 1]
    if after.size:
        return "rises" if after[0] > 0 else "falls"
    before = g[:i][np.isfinite(g[:i]) & (g[:i] != 0)]
    if before.size:
        return "rises" if before[-1] < 0 else "falls"
    return None


# ---------------------------------------------------------------------------------------------
# The answer in words, for the command line's table and the page

_MORE_IS_BETTER = {
    "provider_profit", "provider_gain", "host_saving", "member_saving", "expected_provider_profit", "expected_provider_gain",
    "expected_host_saving", "probability_provider_better_off", "probability_host_better_off",
    "expected_npv_provider_gain", "expected_npv_host_saving", "probability_provider_npv_positive",
    "probability_host_npv_positive",
    *(f"{who}_p{p}" for who in ("provider_gain", "host_saving", "npv_provider_gain", "npv_host_saving") for p in (10, 50, 90)),
}  # fmt: skip
"""Figures a side wants to be high: the answer says which values keep them at the target or more."""
_LESS_IS_BETTER = {"host_net_cost", "host_unit_cost", "expected_host_net_cost", "probability_provider_loss"}
"""Figures a side wants to be low: the answer says which values keep them at the target or less."""

_AT_ZERO = {  # what reaching 0 means, for the figures a room asks about most
    "provider_profit": "keeps the provider from losing money",
    "expected_provider_profit": "keeps the provider from losing money",
    "provider_gain": "leaves the provider no worse off than without the agreement",
    "expected_provider_gain": "leaves the provider no worse off than without the agreement",
    "host_saving": "leaves the host no worse off than without the agreement",
    "expected_host_saving": "leaves the host no worse off than without the agreement",
    "expected_npv_provider_gain": "leaves the provider no worse off over the term than without the agreement",
    "expected_npv_host_saving": "leaves the host no worse off over the term than without the agreement",
}
_NOUNS = {
    "provider_profit": "the provider's profit",
    "provider_gain": "the provider's gain over going without the agreement",
    "host_saving": "the host's saving against going without the agreement",
    "host_net_cost": "the host's net cost",
    "host_unit_cost": "the host's cost per unit-period it uses",
}


def figure_noun(figure: str) -> str:
    """A figure as a sentence names it: "the provider's profit", "the provider's expected gain"; a section-2 figure
    without a name of its own by its MODEL.md name."""
    from .uncertainty import SUMMARY_LABELS

    if figure in _NOUNS:
        return _NOUNS[figure]
    if figure in SUMMARY_LABELS:
        label = SUMMARY_LABELS[figure]
        return "the " + label[0].lower() + label[1:]
    return figure


def figure_value(scenario: Scenario, figure: str, x: float) -> str:
    """A figure's value with its unit in words: money a year (or over the term), a price per unit-period, a share
    or chance as a percent, a count of unit-periods."""
    from .formats import money, outcome_unit, per_unit_period, percent, unit_money

    cur = scenario.currency
    if figure in OUTCOME_NAMES:
        unit = outcome_unit(figure, scenario)
        if unit == "fraction 0-1":
            return percent(x, 1)
        if figure.endswith("_units"):
            return f"{x:,.2f} {unit}"
        if unit.startswith(f"{cur} per ") and unit != f"{cur} per year":
            return f"{unit_money(x, cur)} {per_unit_period(scenario)}"
        return f"{money(x, cur)} a year"
    if figure.startswith("probability"):
        return percent(x, 1)
    if "npv" in figure:
        return f"{money(x, cur)} over the term"
    return f"{money(x, cur)} a year"


def _field_parts(scenario: Scenario, path: str) -> tuple[str, str, str]:
    """A term's name as a sentence holds it, in two parts around its value ("host's share" ... "in sharing band 3"),
    and the unit after the value ("a year", "per place per week", "" for a share or a count)."""
    from .formats import per_unit_period

    f = spec(path)
    unit = {"money_year": " a year", "money_unit": " " + per_unit_period(scenario), "money_once": " once"}
    i = band_index(path)
    if i is not None:
        name = "host's share" if path.endswith("host_share") else "start at local use"
        return name, f" in sharing band {i + 1}", ""
    return f.label[0].lower() + f.label[1:], "", unit.get(f.kind, "")


def field_words(scenario: Scenario, path: str, value: float, up_to: bool = False) -> str:
    """A term at a value as a sentence's subject: "A contribution of £19,485 a year", "A host's share of 40.0 % in
    sharing band 3", "Setting the reserved units to 2.5" (``up_to``: "A contribution of up to ...")."""
    from .formats import field_value

    name, after, unit = _field_parts(scenario, path)
    shown = ("up to " if up_to else "") + field_value(path, value, scenario.currency) + unit
    if spec(path).kind in ("count", "integer"):
        return f"Setting the {name}{after} to {shown}"
    return f"{'An' if name[0] in 'aeiou' else 'A'} {name} of {shown}{after}"


def range_words(scenario: Scenario, r: SolveResult) -> tuple[str, str]:
    """The term searched and its range: ("contribution", "from £0 to £10,000,000,000 a year")."""
    from .formats import field_value

    name, after, unit = _field_parts(scenario, r.field)
    lo, hi = (field_value(r.field, x, scenario.currency) for x in (r.low, r.high))
    return name + after, f"from {lo} to {hi}{unit}"


def where_words(at: tuple[float, float] | None) -> str:
    """Where a figure is reached: "at 70 % occupancy and 60 % local use", or "on average over the whole
    uncertainty"."""
    from .formats import point_percent

    if at is None:
        return "on average over the whole uncertainty"
    return f"at {point_percent(at[0])} occupancy and {point_percent(at[1])} local use"


def in_words(scenario: Scenario, r: SolveResult) -> str:
    """The answer as one sentence in the room's words, e.g. "A contribution of £19,485 a year keeps the provider from
    losing money at 70 % occupancy and 60 % local use; any less does not.", or a plain sentence saying the target is
    not reached (or is met throughout) within the range."""
    target = figure_value(scenario, r.figure, r.target)
    where = where_words(r.at)
    better = "more" if r.figure in _MORE_IS_BETTER else "less" if r.figure in _LESS_IS_BETTER else None
    noun = f"{r.member}'s saving against going without the agreement" if r.member else figure_noun(r.figure)
    if better:
        keeps = _AT_ZERO.get(r.figure) if (r.target == 0 and better == "more") else None
        if r.member and r.target == 0:
            keeps = f"leaves {r.member} no worse off than without the agreement"
        keeps = keeps or f"keeps {noun} at {target} or {better}"
    else:
        keeps = f"brings {noun} to {target}"
    if r.value is None:
        name, span = range_words(scenario, r)
        if better and r.stays == ("above" if better == "more" else "below"):
            return f"Any {name} {span} {keeps} {where}: no change is needed within that range."
        side = f": {noun} stays {r.stays} {target} throughout" if r.stays else ""
        return f"No {name} {span} {keeps} {where}{side}."
    if better is None or r.direction is None:
        return f"{field_words(scenario, r.field, r.value)} {keeps} {where}."
    met_above = (r.direction == "rises") == (better == "more")  # the target is met from the answer up
    subject = field_words(scenario, r.field, r.value, up_to=not met_above)
    return f"{subject} {keeps} {where}; any {'less' if met_above else 'more'} does not."
