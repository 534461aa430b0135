"""The page's one place of computing: the model's results, cached and keyed by the scenario's JSON text (never
recomputed), and the figures the catalogue draws from them. Views, the Export view and the Compare options view
ask here; they never call the model's computing functions themselves."""

from __future__ import annotations

import functools
import json
import threading

import streamlit as st

import charts
from charts import catalogue
from charts.style import PRESENTATION_HEIGHT, PRESENTATION_MIN_WIDTH
from partnership import Scenario, SweepResult, decisions, most_likely_point, results, scenario_from_dict, term
from partnership import solve as goal_seek
from partnership.fields import band_index
from partnership.scenario import scenario_to_dict, set_path

from .memo import per_object, shared

SCREEN_STEPS = 51
"""Points per axis of the on-screen maps (2 % steps; exports use 1 %)."""


@per_object
def key(scenario: Scenario) -> str:
    """The cache key of a scenario: its JSON text, compact (written by the json module's C encoder, which an indented
    text does not use), once for each scenario object (:func:`ui.memo.per_object`); the scenario is then what
    :func:`_scenario` gives for that text, not read again."""
    text = json.dumps(scenario_to_dict(scenario), ensure_ascii=False, separators=(",", ":"))
    _PARSED.setdefault(text, scenario)
    return text


def key_of_json(text: str) -> str:
    """The cache key of a scenario given as any JSON text of it (e.g. as the workshop store keeps it)."""
    return key(_scenario(text))


def _scenario(text: str) -> Scenario:
    """The scenario of a JSON text, read and checked once (or the scenario :func:`key` wrote it from)."""
    found = _PARSED.get(text)
    if found is None:
        found = _PARSED.setdefault(text, scenario_from_dict(json.loads(text)))
    return found


class _Recent(dict):
    """A dict that keeps only its ``size`` most recently added entries; every session's thread may add."""

    def __init__(self, size: int):
        super().__init__()
        self.size, self.lock = size, threading.Lock()

    def setdefault(self, k, value):
        with self.lock:
            if k in self:
                return self[k]
            self[k] = value
            while len(self) > self.size:
                self.pop(next(iter(self)))
            return value


_PARSED = _Recent(64)
"""The scenarios of the last texts the page has keyed or read (by their text)."""


def result(name: str, text: str, at: tuple = ()):
    """The model's result ``name`` (:data:`partnership.results.RESULTS`) for the scenario, at ``at``: pairs of
    (argument, value), e.g. ``(("occupancy", 0.8), ("local_use", 0.6))``; arguments the result does not take are
    left out of the work and of the cache's key (the summary asked for at a point is the summary). Worked out once
    for every session."""
    takes = results.RESULTS[name][0]
    return _result(name, text, tuple((k, v) for k, v in at if k in takes))


@shared(maxsize=256)
def _result(name: str, text: str, at: tuple):
    """Kept as the result itself, shared by every session and never changed after it is made (:func:`ui.memo.shared`;
    ``st.cache_data`` would pickle it as it is kept and copy it back on every call: a millisecond or more a redraw
    across a view's results); the model's arrays are read-only."""
    return results.result(name, _scenario(text), **dict(at))


def summary(text: str) -> dict:
    """MODEL.md section 3 for the scenario."""
    return result("summary", text)


def headline(text: str) -> dict:
    """The part of section 3 the headline shows (:func:`partnership.uncertainty.headline_summary`): the same figures
    as :func:`summary`, without the percentiles and the term the headline does not show."""
    return result("headline", text)


def most_likely_case(text: str) -> dict:
    """Section 2 and break-even at the most likely point (the modes of the uncertainty)."""
    return result("most_likely_case", text)


def terms(text: str, x: tuple, y: tuple, min_gain: float, min_saving: float, beta: float) -> SweepResult:
    """The sweep of two terms (cached: the same question is never worked out twice, and a change to one of the two
    terms searched, which the sweep sets itself, asks the same question: see :func:`sweep_key`)."""
    return result(
        "sweep", sweep_key(text, x[0], y[0]), (("question", sweep_question(x, y, min_gain, min_saving, beta)),)
    )


SWEEP_BLIND = {"agreement.contribution", "prices.host", "prices.external", "agreement.compensation.per_external_unit"}
"""Terms a sweep across them never reads from the scenario, beyond the values it sets (see :func:`sweep_key`)."""


@functools.lru_cache(maxsize=256)
def sweep_key(text: str, x_path: str, y_path: str) -> str:
    """The cache key of a sweep of ``x_path`` and ``y_path`` on the scenario ``text``: the scenario with those two
    terms set to 0 where the sweep reads nothing of their own values (it sets every value it evaluates, and the
    map and its sentences take only labels and the currency from the scenario); so editing a term that is an axis
    of the map finds the search already done. Other terms (a cost that sets the summary's rounding, an uncertainty
    that moves the integration) keep the scenario's own text. A band's host share is one of the first with
    step bands (with linear bands the shares shape the integration itself)."""
    doc = json.loads(text)
    step = doc.get("agreement", {}).get("sharing", {}).get("interpolation", "step") == "step"
    shares = {p for p in (x_path, y_path) if step and band_index(p) is not None and p.endswith(".host_share")}
    paths = [p for p in (x_path, y_path) if p in SWEEP_BLIND or p in shares]
    if not paths:
        return text
    for path in paths:
        doc = set_path(doc, path, 0, copy_first=False)  # the document is this call's own
    return _checked_key(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))) or text


@functools.lru_cache(maxsize=256)
def _checked_key(text: str) -> str | None:
    """The cache key of the scenario ``text`` (a sweep's: its searched terms at 0), or None where that breaks a rule
    (then the sweep keeps the scenario's own text). Worked out once for each: the text of a sweep stays the same
    while the terms it searches are edited, and checking it is most of the time a sweep's key takes."""
    try:
        return key(scenario_from_dict(json.loads(text)))
    except Exception:  # a value of 0 that breaks a rule
        return None


def sweep_question(x: tuple, y: tuple, min_gain: float, min_saving: float, beta: float) -> tuple:
    """A sweep's question as the ``sweep`` result takes it: ``(x, y, *(option, value) pairs)``."""
    return (x, y, ("min_provider_gain", min_gain), ("min_host_saving", min_saving), ("beta", beta))


def placement_warnings(text: str) -> list[str]:
    """Section 9's warnings at the most likely occupancy."""
    return _placement(text).warnings


def placement_note(text: str) -> tuple[list[tuple[float, float]], float]:
    """The jumps the first screen names (above the materiality threshold, :func:`decisions.material_jumps`) and
    that threshold, in currency a year."""
    found = _placement(text)
    return found.material, found.threshold


@shared(maxsize=128)
def _placement(text: str) -> decisions.PlacementDecision:
    """Section 9 at the most likely point, for both the first screen's note and the warnings (one evaluation)."""
    return decisions.placement_decision(_scenario(text))


@st.cache_data(max_entries=128, show_spinner=False)
def term_case(text: str) -> dict:
    """Section 10 at the most likely point, and the host price uplift that keeps the provider in every year."""
    s = _scenario(text)
    o, u = most_likely_point(s)
    out = term.evaluate_term(s, o, u).to_dict()
    out["uplift_to_stay"] = term.host_price_uplift_to_stay(s, o, u) if out["provider_walk_away_year"] else None
    return out


@st.cache_data(max_entries=128, show_spinner=False)
def solve(text: str, field: str, figure: str, target: float, at) -> goal_seek.SolveResult:
    """MODEL.md section 16: the value of ``field`` at which ``figure`` reaches ``target``, at a point ``(o, u)`` or
    ``"expected"``, over the field's plausible range (cached: a figure in expectation takes a second or so)."""
    return goal_seek.solve(_scenario(text), field, figure, target, at=at)


def point_of(occupancy: float | None = None, local_use: float | None = None) -> tuple:
    """A point as :func:`result` takes it (coordinates left out where not given)."""
    return tuple((k, float(v)) for k, v in (("occupancy", occupancy), ("local_use", local_use)) if v is not None)


def figure(chart_key: str, text: str, at: tuple = ()):
    """The chart ``chart_key`` of :mod:`charts.catalogue`, drawn from the model's results at ``at`` (a fresh
    figure: exports add their footnote to it)."""
    c = catalogue.chart(chart_key)
    return c.figure(_scenario(text), *(result(name, text, at) for name in c.needs))


def comparison_figure(chart_key: str, options: list[tuple[str, Scenario]]):
    """A chart of several saved options (:data:`charts.catalogue.COMPARISON_CHARTS`): each option's result worked
    out at its own most likely point."""
    c = catalogue.chart(chart_key)
    rows = []
    for name, s in options:
        rows.append((name, s, result(c.needs[0], key(s), point_of(*most_likely_point(s)))))
    return c.figure(rows)


SCREEN_OPTIONS = (("steps", SCREEN_STEPS),)
"""What the page's charts are worked out at beyond their point: the maps in 2 % steps."""


@shared(maxsize=128)
def on_screen(chart_key: str, text: str, at: tuple = (), wide: bool = False):
    """The chart ``chart_key`` (:mod:`charts.catalogue`) laid out for the page, built once and shared by every session.

    Kept as the object itself, not pickled and copied back as ``st.cache_data`` does (~20-30 ms a map on each
    redraw); never changed after it is made (``st.plotly_chart`` copies it to send it). Exports take their own
    copies through :func:`figure`, so adding a footnote never reaches the page's charts. ``wide``: laid out for
    presentation mode's whole-width charts (:data:`charts.style.PRESENTATION_MIN_WIDTH`)."""
    with charts.built_for_screen(**screen_layout(wide)):  # laid out as it is built: no second pass over it
        fig = figure(chart_key, text, at + SCREEN_OPTIONS)
    return charts.for_screen(fig, **screen_layout(wide))


def terms_on_screen(text: str, x: tuple, y: tuple, min_gain: float, min_saving: float, beta: float, wide: bool = False):
    """Find terms' map laid out for the page, built once for each question (and shared by every session): keyed by
    the sweep's own key (:func:`sweep_key`), so an edit to a term the map searches redraws nothing."""
    return _terms_on_screen(sweep_key(text, x[0], y[0]), x, y, min_gain, min_saving, beta, wide)


@shared(maxsize=32)
def _terms_on_screen(swept: str, x: tuple, y: tuple, min_gain: float, min_saving: float, beta: float, wide: bool):
    found = result("sweep", swept, (("question", sweep_question(x, y, min_gain, min_saving, beta)),))
    draw = catalogue.chart("terms_map").figure
    with charts.built_for_screen(**screen_layout(wide)):  # laid out as it is built: no second pass over it
        fig = draw(_scenario(swept), found)  # the map reads only labels and the currency from the scenario
    return charts.for_screen(fig, **screen_layout(wide))


def screen_layout(wide: bool) -> dict:
    """How :func:`charts.for_screen` lays a chart out: beside the sidebar, or (``wide``) across the whole window."""
    return {"min_width": PRESENTATION_MIN_WIDTH, "height": PRESENTATION_HEIGHT} if wide else {}
