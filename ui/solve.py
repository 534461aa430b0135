"""What would it take?: under the headline, the value of one term that brings a figure to a target (MODEL.md section
16, the goal seek), said in one sentence, with one click to adopt it into the inputs."""

from __future__ import annotations

import math

import streamlit as st

from partnership import Scenario, most_likely_point
from partnership.fields import band_index, field_label, input_step, is_fraction, negotiable_paths
from partnership.formats import field_value
from partnership.solve import in_words

from . import compute, sidebar, state
from .text import plain

FIGURES = {
    "provider_profit": "The provider's profit",
    "provider_gain": "The provider's gain over no agreement",
    "host_saving": "The host's saving over no agreement",
}
"""The figures the room asks about, by their section-2 names; in expectation each is its section-3 expectation."""
TERM_FIGURES = {
    "npv_provider_gain": "The provider's NPV over the term",
    "npv_host_saving": "The host's NPV over the term",
}
"""Over a term of more than a year, each side's NPV too: always in expectation (section 10's expected NPVs)."""
WHERE = {
    "most_likely": "At the most likely case",
    "point": "At a point I choose",
    "expected": "In expectation (the whole uncertainty)",
}

ADOPTED = "solve_adopted"
"""The session key of the line that says what Adopt has just set."""


def question(s: Scenario, figure: str, where: str, occupancy: float, local_use: float) -> tuple[str, object]:
    """The figure's MODEL.md name and where it is asked (a point ``(o, u)`` or ``"expected"``): an NPV, or any figure
    in expectation, is its expected (section 3 or 10) name."""
    if figure in TERM_FIGURES:
        return f"expected_{figure}", "expected"
    if where == "expected":
        return f"expected_{figure}", "expected"
    if where == "point":
        return figure, (occupancy, local_use)
    return figure, most_likely_point(s)


def _adopt(path: str, value: float, met_above: bool | None, currency: str) -> None:
    """Set the term in the sidebar (a callback, before the inputs are drawn), its group opened to show it. The value
    is kept to a millionth of the input's unit, rounded towards the side that meets the target."""
    sidebar.open_group_of(path)
    shown = 100 * value if is_fraction(path) else value
    shown = (math.ceil if met_above else math.floor)(shown * 1e6) / 1e6 if met_above is not None else round(shown, 6)
    if (i := band_index(path)) is not None:
        bands = state.current_bands()
        bands[i]["host_share"] = shown
        st.session_state[state.BANDS_KEY] = bands
        st.session_state[state.BANDS_VERSION] = st.session_state.get(state.BANDS_VERSION, 0) + 1
    else:
        st.session_state[path] = float(shown)
    st.session_state[ADOPTED] = f"Adopted: {field_label(path)} set to {field_value(path, value, currency)}."


def what_would_it_take(s: Scenario) -> None:
    """The box: a term, a figure, a target and where, then the answer in one sentence and an Adopt button. Worked out
    only while the box is open."""
    box = st.container(key="solve_box").expander("What would it take?", key="glance_solve", on_change="rerun")
    if box.open is False:
        return
    with box:
        _box(s)


def _box(s: Scenario) -> None:
    cur = s.currency
    st.caption(
        "The value of one term at which a figure reaches a target, e.g. the contribution that keeps the provider from "
        "losing money at 70 % occupancy. The search runs over every value the term may take."
    )
    paths = negotiable_paths(len(s.agreement.sharing.bands))
    figures = {**FIGURES, **(TERM_FIGURES if s.term.years > 1 else {})}
    c = st.columns([3, 3, 2])
    path = c[0].selectbox(
        "Term",
        paths,
        index=paths.index("agreement.contribution"),  # the provider's first question
        format_func=field_label,
        key="solve_field",
        persist_state="session",
    )
    figure = c[1].selectbox(
        "Figure", list(figures), format_func=figures.get, key="solve_figure", persist_state="session"
    )
    over = "over the term" if figure in TERM_FIGURES else "a year"
    target = c[2].number_input(
        f"Target ({plain(cur)} {over})",
        value=0.0,
        step=input_step("agreement.contribution", float(s.service.fixed_cost) or None),
        format="%.0f",
        key="solve_target",
        persist_state="session",
    )
    where = st.radio(
        "Where", list(WHERE), format_func=WHERE.get, horizontal=True, key="solve_where", persist_state="session"
    )
    o, u = most_likely_point(s)
    if where == "point" and figure not in TERM_FIGURES:
        a, b = st.columns(2)
        box = dict(min_value=0.0, max_value=100.0, step=0.5, format="%.1f", persist_state="session")
        o = a.number_input("Occupancy (%)", value=round(100 * o, 6), key="solve_occupancy", **box) / 100
        u = b.number_input("Local use (%)", value=round(100 * u, 6), key="solve_local_use", **box) / 100
    name, at = question(s, figure, where, o, u)
    try:
        with st.spinner("Working it out over the whole uncertainty..." if at == "expected" else "Working it out..."):
            answer = compute.solve(compute.key(s), path, name, float(target), at)
    except Exception as exc:  # ScenarioError: a question the model cannot answer, in the page's words
        for line in getattr(exc, "details", [str(exc)]):
            st.error(plain(state.plain_message(line)))
        return
    sentence = in_words(s, answer)
    if answer.value is None:
        st.info(plain(sentence))  # the sentence holds the scenario's currency and unit: shown as text
        return
    st.success(plain(sentence))
    met_above = None if answer.direction is None else answer.direction == "rises"
    st.button(
        f"Adopt: {field_label(path)} {plain(field_value(path, answer.value, cur))}",
        type="primary",
        on_click=_adopt,
        args=(path, answer.value, met_above, cur),
        key="solve_adopt",
    )
    if st.session_state.get(ADOPTED):
        st.info(plain(st.session_state.pop(ADOPTED)))
