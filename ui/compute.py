"""Cached model results and figures for the page, keyed by the scenario's JSON text (never recomputed)."""

from __future__ import annotations

import functools
import json

import streamlit as st

import charts
from partnership import Scenario, SweepResult, decisions, most_likely_point, scenario_from_dict, summarize, sweep, term
from partnership import most_likely_case as _most_likely_case
from partnership.scenario import scenario_to_json

SCREEN_STEPS = 51
"""Points per axis of the on-screen maps (2 % steps; exports use 1 %)."""


def key(scenario: Scenario) -> str:
    """The cache key of a scenario: its JSON text."""
    return scenario_to_json(scenario)


def key_of_json(text: str) -> str:
    """The cache key of a scenario given as any JSON text of it (e.g. as the workshop store keeps it)."""
    return key(_scenario(text))


@functools.lru_cache(maxsize=64)
def _scenario(text: str) -> Scenario:
    return scenario_from_dict(json.loads(text))


@st.cache_data(max_entries=128, show_spinner=False)
def summary(text: str) -> dict:
    """MODEL.md section 3 for the scenario."""
    return summarize(_scenario(text))


@st.cache_data(max_entries=128, show_spinner=False)
def most_likely_case(text: str) -> dict:
    """Section 2 and break-even at the most likely point (the modes of the uncertainty)."""
    return _most_likely_case(_scenario(text))


@st.cache_data(max_entries=64, show_spinner=False)
def heatmaps(text: str):
    """The every-outcome maps."""
    return charts.outcome_heatmaps(_scenario(text), steps=SCREEN_STEPS)


@st.cache_data(max_entries=256, show_spinner=False)
def occupancy_lines(text: str, local_use: float):
    """The across-occupancy lines at one local use."""
    return charts.occupancy_lines(_scenario(text), local_use)


@st.cache_data(max_entries=256, show_spinner=False)
def money_flows(text: str, occupancy: float, local_use: float):
    """The year's money at one point."""
    return charts.money_flows(_scenario(text), occupancy, local_use)


@st.cache_data(max_entries=64, show_spinner=False)
def risk(text: str):
    """The cumulative risk curves."""
    return charts.risk_curves(_scenario(text), summary(text))


@st.cache_data(max_entries=64, show_spinner=False)
def terms(text: str, x: tuple, y: tuple, min_gain: float, min_saving: float, beta: float) -> SweepResult:
    """The sweep of two terms (cached: the same question is never worked out twice)."""
    return sweep(_scenario(text), x, y, min_provider_gain=min_gain, min_host_saving=min_saving, beta=beta)


@st.cache_data(max_entries=256, show_spinner=False)
def access_value(text: str, occupancy: float):
    """What preferred access is worth to the host, across local use, by what it would get anyway."""
    return charts.access_value(_scenario(text), occupancy)


@st.cache_data(max_entries=256, show_spinner=False)
def placement_money(text: str, occupancy: float):
    """The money riding on one more local placement."""
    return charts.placement_money(_scenario(text), occupancy)


@st.cache_data(max_entries=128, show_spinner=False)
def placement_warnings(text: str) -> list[str]:
    """Section 9's warnings at the most likely occupancy."""
    return decisions.placement_warnings(_scenario(text))


@st.cache_data(max_entries=256, show_spinner=False)
def term_chart(text: str, occupancy: float, local_use: float):
    """Each side's gain year by year and its cumulative discounted gain after set-up."""
    return charts.term_chart(_scenario(text), occupancy, local_use)


@st.cache_data(max_entries=128, show_spinner=False)
def term_case(text: str) -> dict:
    """Section 10 at the most likely point, and the host price uplift that keeps the provider in every year."""
    s = _scenario(text)
    o, u = most_likely_point(s)
    out = term.evaluate_term(s, o, u).to_dict()
    out["uplift_to_stay"] = term.host_price_uplift_to_stay(s, o, u) if out["provider_walk_away_year"] else None
    return out


_SCREEN_CHARTS = {
    "heatmaps": lambda s, text: charts.outcome_heatmaps(s, steps=SCREEN_STEPS),
    "occupancy_lines": lambda s, text, local_use: charts.occupancy_lines(s, local_use),
    "money_flows": lambda s, text, occupancy, local_use: charts.money_flows(s, occupancy, local_use),
    "risk": lambda s, text: charts.risk_curves(s, summary(text)),
    "access_value": lambda s, text, occupancy: charts.access_value(s, occupancy),
    "placement_money": lambda s, text, occupancy: charts.placement_money(s, occupancy),
    "term_chart": lambda s, text, occupancy, local_use: charts.term_chart(s, occupancy, local_use),
}


@st.cache_resource(max_entries=128, show_spinner=False)
def on_screen(name: str, text: str, *args):
    """The chart ``name`` (a function above) laid out for the page, built once and shared by every session.

    Kept as the object itself, not pickled and copied back as ``st.cache_data`` does (~20-30 ms a map on each
    redraw); never changed after it is made (``st.plotly_chart`` copies it to send it). Exports take their own
    copies through the functions above, so adding a footnote never reaches the page's charts."""
    return charts.for_screen(_SCREEN_CHARTS[name](_scenario(text), text, *args))
