"""The search for terms both sides accept: a two-field sweep and the balanced (Nash) point
(MODEL.md section 4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fields import band_index, is_sweepable, member_index, spec, value_of
from .inputs import inputs_of, overridable
from .outcomes import gain_tolerance
from .problems import Problem, ScenarioError
from .scenario import Scenario, document_to_vary, is_numeric_path, scenario_from_dict, set_path
from .uncertainty import SWEEP_RESOLUTION, expected_gains, quadrature

__all__ = [
    "Axis",
    "SweepResult",
    "sweep",
    "balanced_index",
    "near_best_region",
    "parse_axis",
    "default_range",
    "default_axes",
    "NEAR_BEST",
    "WIDE_SHARE",
]

NEAR_BEST = 0.01
"""The near-best region: acceptable pairs whose Nash product is within this share (1 %) of the balanced point's."""

WIDE_SHARE = 0.25
"""The near-best region is *wide* (the balanced point is not sharp) when it spans more than this share (a quarter)
of either searched range: terms that far apart are, to the product, as good as each other."""


@dataclass(frozen=True)
class Axis:
    """One swept field: a dotted scenario path and its evenly spaced values."""

    path: str
    values: np.ndarray


@dataclass(frozen=True)
class SweepResult:
    """Expected gains over a grid of two fields, indexed ``[y][x]``; money is currency per year.

    ``provider_accepts`` and ``host_accepts`` say where each side reaches its minimum (within
    :func:`partnership.outcomes.gain_tolerance`); ``acceptable`` is where both do.

    How sharp the balanced point is: ``near_best`` marks the acceptable pairs whose Nash product
    gain^beta x saving^(1-beta) is within :data:`NEAR_BEST` (1 %) of the balanced point's;
    ``near_best_range`` gives the smallest and largest value of each field over them
    (``{"x": [lo, hi], "y": [lo, hi]}``, None when no pair is acceptable); ``balanced_on_edge`` names
    the axes (``"x"``, ``"y"``) where the balanced point sits on an end of the searched range (a wider
    range might do better); ``flat_optimum`` is True when the near-best region spans more than
    :data:`WIDE_SHARE` of either range (terms far apart are about equally good: the point is not sharp)."""

    x: Axis
    y: Axis
    expected_provider_gain: np.ndarray
    expected_host_saving: np.ndarray
    provider_accepts: np.ndarray
    host_accepts: np.ndarray
    acceptable: np.ndarray
    balanced: dict | None
    min_provider_gain: float
    min_host_saving: float
    beta: float
    basis: str = "year"  # "term": judged by the expected NPVs over a term of more than one year
    near_best: np.ndarray | None = None
    near_best_range: dict | None = None
    balanced_on_edge: tuple[str, ...] = ()
    flat_optimum: bool = False

    def to_dict(self) -> dict:
        """The section-5 JSON shape, plus how sharp the balanced point is (``near_best``, ``near_best_range``,
        ``balanced_on_edge``, ``flat_optimum``)."""
        near = self.near_best if self.near_best is not None else np.zeros_like(self.acceptable)
        return {
            "x": {"path": self.x.path, "values": self.x.values.tolist()},
            "y": {"path": self.y.path, "values": self.y.values.tolist()},
            "expected_provider_gain": self.expected_provider_gain.tolist(),
            "expected_host_saving": self.expected_host_saving.tolist(),
            "acceptable": self.acceptable.tolist(),
            "balanced": self.balanced,
            "basis": self.basis,
            "near_best": near.tolist(),
            "near_best_range": self.near_best_range,
            "balanced_on_edge": list(self.balanced_on_edge),
            "flat_optimum": self.flat_optimum,
        }


def parse_axis(text: str) -> tuple[str, float, float, int]:
    """``PATH:START:STOP:COUNT`` -> (path, start, stop, count). Raises ValueError in plain words."""
    parts = text.rsplit(":", 3)
    if len(parts) != 4:
        raise ValueError(f"{text!r}: expected PATH:START:STOP:COUNT, e.g. agreement.contribution:0:400000:41")
    path, start, stop, count = parts
    try:
        start_f, stop_f = float(start), float(stop)
    except ValueError:
        raise ValueError(f"{text!r}: START and STOP must be numbers") from None
    if not (np.isfinite(start_f) and np.isfinite(stop_f)):
        raise ValueError(f"{text!r}: START and STOP must be finite numbers")
    try:
        count_i = int(count)
    except ValueError:
        raise ValueError(f"{text!r}: COUNT must be a whole number") from None
    if count_i < 1 or count_i > 1001:
        raise ValueError(f"{text!r}: COUNT must be between 1 and 1001, got {count_i}")
    return path, start_f, stop_f, count_i


def balanced_index(gain: np.ndarray, saving: np.ndarray, acceptable: np.ndarray, beta: float = 0.5):
    """The (iy, ix) of the acceptable pair maximising gain^beta x saving^(1 - beta), gains
    floored at 0; ties (as when a side gains nothing anywhere) go to the larger joint gain.
    None when no pair is acceptable."""
    if not acceptable.any():
        return None
    with np.errstate(divide="ignore"):
        score = beta * np.log(np.maximum(gain, 0.0)) + (1 - beta) * np.log(np.maximum(saving, 0.0))
    score = np.where(acceptable, score, -np.inf)
    joint = np.where(acceptable, gain + saving, -np.inf)
    best = score.max()
    candidates = (score == best) & acceptable
    flat = np.argmax(np.where(candidates, joint, -np.inf))
    return tuple(int(i) for i in np.unravel_index(flat, gain.shape))


def near_best_region(
    gain: np.ndarray, saving: np.ndarray, acceptable: np.ndarray, beta: float = 0.5, within: float = NEAR_BEST
) -> np.ndarray:
    """The acceptable pairs whose Nash product gain^beta x saving^(1 - beta) (gains floored at 0) is at least
    ``1 - within`` times the best: the terms that are, to the product, about as good as the balanced point.
    All False when no pair is acceptable; every acceptable pair when the best product is 0.

    >>> near_best_region(np.array([[100.0, 99.5, 50.0]]), np.array([[100.0, 100.0, 100.0]]), np.ones((1, 3), bool))
    array([[ True,  True, False]])
    """
    if not acceptable.any():
        return np.zeros_like(acceptable, dtype=bool)
    with np.errstate(divide="ignore"):
        score = beta * np.log(np.maximum(gain, 0.0)) + (1 - beta) * np.log(np.maximum(saving, 0.0))
    score = np.where(acceptable, score, -np.inf)
    best = score.max()
    if not np.isfinite(best):  # no acceptable pair gives both sides anything: all are equally good
        return acceptable.copy()
    return acceptable & (score >= best + np.log1p(-within))


def _sharpness(xs: np.ndarray, ys: np.ndarray, near: np.ndarray, best) -> tuple[dict | None, tuple, bool]:
    """The near-best region's range on each axis, the axes where the balanced point is on an end of the
    searched range, and whether the region is wide (more than WIDE_SHARE of either range)."""
    if best is None or not near.any():
        return None, (), False
    iy, ix = best
    rows, cols = np.nonzero(near)
    extent = {
        "x": [float(xs[cols].min()), float(xs[cols].max())],
        "y": [float(ys[rows].min()), float(ys[rows].max())],
    }
    edges = tuple(
        name for name, i, values in (("x", ix, xs), ("y", iy, ys)) if len(values) > 1 and i in (0, len(values) - 1)
    )
    wide = False
    for name, values in (("x", xs), ("y", ys)):
        span = float(values.max() - values.min())
        if span > 0 and (extent[name][1] - extent[name][0]) > WIDE_SHARE * span:
            wide = True
    return extent, edges, wide


def _check_axis(scenario: Scenario, data: dict, path: str, start: float, stop: float, which: str) -> None:
    if not is_numeric_path(path):
        raise ScenarioError([Problem(which, "not_numeric", got=path)])
    if not is_sweepable(path):  # a member council's shares add up to 100 % with the others'
        i = member_index(path)
        council = scenario.members[i].name if i is not None and i < len(scenario.members) else ""
        raise ScenarioError([Problem(which, "not_sweepable", got=path, council=council)])
    if path == "term.years":
        listed = [
            g
            for g in ("costs", "host_price", "market_prices", "contribution")
            if isinstance(getattr(scenario.term.indexation, g), list)
        ]
        if listed:
            raise ScenarioError([Problem(which, "years_with_list", got=f"term.indexation.{listed[0]}")])
    problems = []
    for value in (start, stop):
        try:
            scenario_from_dict(set_path(data, path, value))
        except ScenarioError as exc:
            problems += [p for p in exc.details if p not in problems]
        except KeyError as exc:  # set_path's words: "<path>: no such field in this scenario"
            problems.append(Problem(which, "no_such_field", got=path, detail=exc.args[0].removeprefix(f"{path}: ")))
    if problems:
        raise ScenarioError(problems)


def sweep(
    scenario: Scenario,
    x: tuple[str, float, float, int],
    y: tuple[str, float, float, int],
    min_provider_gain: float = 0.0,
    min_host_saving: float = 0.0,
    beta: float = 0.5,
    cells: int = SWEEP_RESOLUTION,
) -> SweepResult:
    """Expected provider gain and host saving at every pair of values of two scenario fields.

    ``x`` and ``y`` are ``(path, start, stop, count)``. A pair is acceptable when both expected
    gains reach their minimums; the balanced point maximises gain^beta x saving^(1-beta)
    among acceptable pairs (the Nash bargaining solution; beta = 0.5 is the plain product).
    Both ends of each range are validated as scenarios, so a range that breaks a rule
    raises ScenarioError naming the field.
    """
    if not (0 < beta < 1):
        raise ScenarioError([Problem("beta", "text", detail=f"must be between 0 and 1 (exclusive), got {beta}")])
    for name, value in (("min_provider_gain", min_provider_gain), ("min_host_saving", min_host_saving)):
        if not np.isfinite(value):
            raise ScenarioError([Problem(name, "text", detail=f"must be a finite number, got {value}")])
    data = document_to_vary(scenario, x[0], y[0])
    _check_axis(scenario, data, x[0], x[1], x[2], "x")
    _check_axis(scenario, data, y[0], y[1], y[2], "y")
    if x[0] == y[0]:
        raise ScenarioError([Problem("y", "same_axis", got=y[0])])
    if x[3] * y[3] > MAX_CELLS:
        raise ScenarioError(
            [f"the search has {x[3] * y[3]:,} pairs of terms; at most {MAX_CELLS:,} (e.g. 201 x 201): use fewer steps"]
        )
    xs, ys = _values(x), _values(y)
    if overridable(x[0], scenario) and overridable(y[0], scenario):
        # vectorised a row at a time: terms of shape (nx, 1) against the quadrature points, so the
        # temporaries stay small enough for the processor's cache
        gain = np.empty((len(ys), len(xs)))
        saving = np.empty((len(ys), len(xs)))
        points = quadrature(scenario, cells).flat
        for iy, yv in enumerate(ys):
            inputs = inputs_of(scenario, {x[0]: xs[:, None], y[0]: float(yv)})
            gain[iy], saving[iy] = expected_gains(scenario, inputs, points=points)
    else:
        # fields that move the integration itself (uncertainty, band edges): one scenario a pair
        gain = np.empty((len(ys), len(xs)))
        saving = np.empty((len(ys), len(xs)))
        for iy, yv in enumerate(ys):
            row = set_path(data, y[0], float(yv))
            for ix, xv in enumerate(xs):
                variant = scenario_from_dict(set_path(row, x[0], float(xv)))
                gain[iy, ix], saving[iy, ix] = expected_gains(variant, cells=cells)
    if scenario.term.years > 1:  # NPVs: the term's dearest year sets the rounding, as in the summary
        from .term import year_inputs

        tol = gain_tolerance(year_inputs(scenario))
    else:
        tol = gain_tolerance(inputs_of(scenario))
    provider_accepts = gain >= min_provider_gain - tol
    host_accepts = saving >= min_host_saving - tol
    acceptable = provider_accepts & host_accepts
    best = balanced_index(gain, saving, acceptable, beta)
    balanced = None
    if best is not None:
        iy, ix = best
        balanced = {
            "x": float(xs[ix]),
            "y": float(ys[iy]),
            "expected_provider_gain": float(gain[iy, ix]),
            "expected_host_saving": float(saving[iy, ix]),
        }
    near = near_best_region(gain, saving, acceptable, beta)
    extent, edges, wide = _sharpness(xs, ys, near, best)
    return SweepResult(
        x=Axis(x[0], xs),
        y=Axis(y[0], ys),
        expected_provider_gain=np.array(gain, dtype=float),
        expected_host_saving=np.array(saving, dtype=float),
        provider_accepts=provider_accepts,
        host_accepts=host_accepts,
        acceptable=acceptable,
        balanced=balanced,
        min_provider_gain=float(min_provider_gain),
        min_host_saving=float(min_host_saving),
        beta=float(beta),
        basis="term" if scenario.term.years > 1 else "year",
        near_best=near,
        near_best_range=extent,
        balanced_on_edge=edges,
        flat_optimum=wide,
    )


def default_range(scenario: Scenario, path: str) -> tuple[float, float]:
    """A sensible range to search for one field, inside the field's rules (from the registry): shares 0-100 %;
    money from nothing to about twice what it is now (prices around today's); counts around today's value.
    Works for every numeric field of every valid scenario."""
    f = spec(path)
    now = value_of(scenario, path)
    now = float(now[0] if isinstance(now, list) else (f.no_value if now is None else now))
    if not np.isfinite(now):  # no cap: search up to the fixed cost
        now = float(scenario.service.fixed_cost)
    if path == "agreement.contribution":
        top = max(scenario.service.fixed_cost * 0.5, scenario.agreement.contribution * 2, 1.0)
        lo, hi = 0.0, float(round(top, -3) if top > 1000 else top)
    elif path == "prices.host":
        lo, hi = round(0.7 * scenario.prices.spot_price, 2), float(scenario.prices.host_alternative_price)
    elif path == "agreement.compensation.per_external_unit":
        lo, hi = 0.0, round(0.1 * scenario.prices.external, 2)
    elif path == "agreement.reservation.units":
        lo, hi = 0.0, float(scenario.service.capacity)
    elif path.startswith("uncertainty."):  # between its neighbours: low <= mode <= high
        _, what, end = path.split(".")
        dist = getattr(scenario.uncertainty, what)
        lo, hi = {"low": (0.0, dist.mode), "mode": (dist.low, dist.high), "high": (dist.mode, 1.0)}[end]
    elif path.endswith("from_local_use"):  # between the bands either side (the first starts at 0)
        bands, i = scenario.agreement.sharing.bands, band_index(path)
        if i == 0:
            lo = hi = 0.0
        else:
            below = bands[i - 1].from_local_use
            above = bands[i + 1].from_local_use if i + 1 < len(bands) else 1.0 + 1e-9
            lo, hi = below + (above - below) * 0.01, min(1.0, above - (above - below) * 0.01)
    elif f.per_year:
        lo, hi = -0.05, 0.10
    elif f.kind == "fraction":
        lo, hi = 0.0, 1.0 if f.le is not None else max(2 * now, 0.5)
    elif f.kind == "integer":
        lo, hi = float(f.ge if f.ge is not None else 0), float(f.le if f.le is not None else max(2 * now, 1))
    elif f.kind == "money_unit":
        lo, hi = (
            (round(0.5 * now, 2), round(1.5 * now, 2)) if now > 0 else (0.0, float(scenario.prices.external or 1.0))
        )
    elif f.kind == "count":
        lo, hi = 0.5 * now, 1.5 * now
        if path == "service.capacity":  # never below the reserved units
            lo = max(lo, float(scenario.agreement.reservation.units))
    else:  # money a year, or once
        lo, hi = 0.0, max(2 * now, 1.0)
    if f.gt is not None and lo <= f.gt:  # strictly above its floor (capacity > 0, growth > -100 %)
        lo = f.gt + (abs(f.gt) or 1.0) * 1e-3 if f.gt != 0 else min(hi, max(now, 1.0)) * 1e-3
    if f.ge is not None:
        lo = max(lo, f.ge)
    if f.le is not None:
        hi = min(hi, f.le)
    if f.most is not None:  # never past the plausibility bound the scenario itself is held to
        hi = min(hi, f.most)
    return float(lo), float(max(hi, lo))


MAX_CELLS = 201 * 201
"""The most pairs one sweep works out: about a minute at most on a small machine, never an endless wait."""


def _values(axis: tuple) -> np.ndarray:
    """An axis's evenly spaced values; whole numbers for a field that takes whole numbers (years)."""
    values = np.linspace(axis[1], axis[2], axis[3])
    return np.unique(np.round(values)) if spec(axis[0]).kind == "integer" else values


def default_axes(scenario: Scenario, count: int = 41) -> tuple[tuple, tuple]:
    """The terms searched first: the contribution across, the top sharing band's host share up."""
    top = f"agreement.sharing.bands[{len(scenario.agreement.sharing.bands) - 1}].host_share"
    x, y = "agreement.contribution", top
    return (x, *default_range(scenario, x), count), (y, *default_range(scenario, y), count)
