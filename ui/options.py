"""Saved options: name the terms the room proposes, keep them in the session, compare them side by side."""

from __future__ import annotations

import io
import zipfile

import streamlit as st

import charts
from paper.pack import comparison_table, slug, unique_names
from partnership import Scenario
from partnership.formats import money, percent
from partnership.scenario import scenario_to_yaml

from . import compute, state

OPTIONS_KEY = "options"  # {name: scenario JSON text}, in the order saved


def saved() -> dict[str, str]:
    """The saved options, name -> scenario JSON text."""
    return st.session_state.setdefault(OPTIONS_KEY, {})


def saved_scenarios() -> list[tuple[str, Scenario, dict]]:
    """(name, scenario, summary) of every saved option."""
    return [(n, compute._scenario(t), compute.summary(t)) for n, t in saved().items()]


def _save(text: str) -> None:
    name = (st.session_state.get("option_name") or "").strip() or f"Option {len(saved()) + 1}"
    saved()[name] = text
    st.session_state["option_name"] = f"Option {len(saved()) + 1}"
    st.session_state["options_note"] = f"Saved “{name}”."


def _remove(name: str) -> None:
    saved().pop(name, None)


def _open(name: str) -> None:
    state.load_into_state(compute._scenario(saved()[name]))
    st.session_state["options_note"] = f"Opened “{name}”: the inputs now show its terms."


def options_zip() -> bytes:
    """Every saved option as a YAML file, together in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        options = saved_scenarios()
        files = unique_names([slug(name) for name, _, _ in options], form="{}_{}")
        for file, (name, s, _) in zip(files, options):
            z.writestr(f"{file}.yaml", scenario_to_yaml(s.model_copy(update={"name": name})))
    return buffer.getvalue()


def compare_options(s: Scenario) -> None:
    """Save the scenario on screen as an option; compare the saved options."""
    st.session_state.setdefault("option_name", f"Option {len(saved()) + 1}")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input("Name this option", key="option_name", help="e.g. 'Council proposal' or 'Provider counter-offer'")
    c2.button(
        "Save this option", type="primary", on_click=_save, args=(compute.key(s),), key="save_option", width="stretch"
    )
    if note := st.session_state.pop("options_note", None):
        st.success(note)
    options = saved_scenarios()
    if not options:
        st.info("No options saved yet. Set the terms the room proposes, name them and save; then compare them here.")
        return
    cur = options[0][1].currency
    table = comparison_table(options)
    shown = table.assign(
        contribution=[money(v, cur) for v in table["contribution"]],
        host_price=[money(v, cur, 2) for v in table["host_price"]],
        expected_provider_gain=[money(v, cur) for v in table["expected_provider_gain"]],
        expected_host_saving=[money(v, cur) for v in table["expected_host_saving"]],
        probability_provider_better_off=[percent(v) for v in table["probability_provider_better_off"]],
        probability_host_better_off=[percent(v) for v in table["probability_host_better_off"]],
        probability_provider_loss=[percent(v) for v in table["probability_provider_loss"]],
        provider_gain_p10=[money(v, cur) for v in table["provider_gain_p10"]],
        host_saving_p10=[money(v, cur) for v in table["host_saving_p10"]],
    ).rename(
        columns={
            "option": "Option",
            "contribution": "Contribution a year",
            "host_price": "Host price",
            "expected_provider_gain": "Provider's expected gain",
            "expected_host_saving": "Host's expected saving",
            "probability_provider_better_off": "Chance provider better off",
            "probability_host_better_off": "Chance host better off",
            "probability_provider_loss": "Chance of a provider loss",
            "provider_gain_p10": "Provider gain, P10",
            "host_saving_p10": "Host saving, P10",
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    from .views import chart

    chart(charts.compare_bars(options), "chart_compare_bars")
    chart(charts.compare_lines(options), "chart_compare_lines")
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    pick = c1.selectbox("Saved option", list(saved()), key="option_pick")
    c2.button("Open it in the inputs", on_click=_open, args=(pick,), key="open_option", width="stretch")
    c3.button("Remove it", on_click=_remove, args=(pick,), key="remove_option", width="stretch")
    st.download_button(
        "Download all saved options (ZIP of YAML files)",
        options_zip,
        "partnership_options.zip",
        "application/zip",
        key="download_options",
    )
