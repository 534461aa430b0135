"""Any scenario that passes validation gives only finite numbers or null, everywhere: evaluate, break-even,
the summary, the term and the sweep on the default axes. The scenarios are drawn at the edges of what the
field registry allows (its rules and plausibility bounds), where overflow and cancellation live.

Run many more with: python -m pytest tests/model/test_extremes.py --hypothesis-profile=thorough (10,000 examples).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership import evaluate, scenario_from_dict, summarize, sweep
from partnership.fields import FIELDS, REQUIRED, entered_apart
from partnership.negotiation import default_axes
from partnership.scenario import ScenarioError, set_path
from partnership.term import evaluate_term
from partnership.uncertainty import most_likely_point

# "thorough" (tests/conftest.py) raises the examples to 10,000; the default run keeps 150
EXAMPLES = max(150, settings.default.max_examples)

pytestmark = pytest.mark.slow


def _edge(f) -> st.SearchStrategy:
    """Values of one numeric field from its rules, the extremes (and the tiny) weighted in."""
    lo = f.ge if f.ge is not None else (f.gt if f.gt is not None else 0.0)
    hi = f.le if f.le is not None else (f.most if f.most is not None else 1e6)
    if f.kind == "integer":
        return st.integers(int(lo), int(hi))
    floor = st.floats(lo, hi, exclude_min=f.gt is not None and f.ge is None, allow_nan=False, allow_infinity=False)
    tiny = st.sampled_from([v for v in (1e-300, 1e-12, 1e-6) if lo < v <= hi] or [hi])
    return st.one_of(floor, st.just(hi), tiny)


@st.composite
def extreme_scenarios(draw):
    doc: dict = {"name": "extreme"}
    for f in FIELDS:
        if not f.numeric or "[i]" in f.path or f.path.startswith("uncertainty.") or entered_apart(f.path):
            continue  # (the cost build-up's parts replace typed costs: a scenario of their own, in test_build_up)
        if f.default is not REQUIRED and draw(st.booleans()):
            continue  # sometimes left to its default
        value = draw(_edge(f))
        doc = set_path(doc, f.path, value)
    years = doc.get("term", {}).get("years", 1)
    for f in FIELDS:
        if f.per_year and "[i]" not in f.path and not entered_apart(f.path) and draw(st.booleans()):
            doc = set_path(doc, f.path, [draw(_edge(f)) for _ in range(years - 1)])
    reservation = doc.get("agreement", {}).get("reservation", {})
    if reservation.get("units", 0) > doc["service"]["capacity"]:
        reservation["units"] = doc["service"]["capacity"]
    starts = sorted(set(draw(st.lists(st.floats(1e-9, 1.0), max_size=4))))
    sharing = doc.setdefault("agreement", {}).setdefault("sharing", {})
    sharing["bands"] = [{"from_local_use": 0.0, "host_share": draw(st.floats(0, 1))}] + [
        {"from_local_use": b, "host_share": draw(st.floats(0, 1))} for b in starts
    ]
    sharing["interpolation"] = draw(st.sampled_from(["step", "linear"]))
    for what in ("occupancy", "local_use"):
        a, b, c = sorted(draw(st.lists(st.floats(0, 1), min_size=3, max_size=3)))
        doc.setdefault("uncertainty", {})[what] = {"low": a, "mode": b, "high": c}
    return doc


def _finite_or_null(value, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _finite_or_null(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _finite_or_null(v, f"{where}[{i}]")
    elif value is not None and not isinstance(value, (str, bool)):
        assert math.isfinite(float(value)), f"{where} = {value}"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(extreme_scenarios())
def test_a_valid_scenario_gives_only_finite_numbers_or_null(doc):
    """Any scenario validation accepts, however extreme its fields, gives only finite numbers or null: at its most
    likely point, at full occupancy with no local use, in the summary, over the term and in the sweep."""
    try:
        s = scenario_from_dict(doc)
    except ScenarioError:
        return  # refused with a plain message: nothing reaches the output
    o, u = most_likely_point(s)
    _finite_or_null(evaluate(s, o, u).to_dict(), "evaluate")
    _finite_or_null(evaluate(s, 1.0, 0.0).to_dict(), "evaluate at full, no local use")
    _finite_or_null(summarize(s), "summary")
    if s.term.years > 1:
        _finite_or_null(evaluate_term(s, o, u).to_dict(), "term")
    x, y = default_axes(s, count=3)
    result = sweep(s, x, y).to_dict()
    _finite_or_null(result, "sweep")
