"""The inputs, grouped as an agreement is discussed: service, prices, agreement, uncertainty."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from partnership import Scenario, ScenarioError
from partnership.fields import GROUPS as FIELD_GROUPS
from partnership.fields import group_at, help_words, spec
from partnership.formats import file_stem
from partnership.scenario import scenario_to_json, scenario_to_yaml

from . import build_up, councils, state
from .text import plain

BAND_COLUMN_PX = 134
"""Width of each column of the sharing-band table: both fit the sidebar side by side, headers in full, no sideways
scroll (the sidebar is widened to fit them in workshop.py)."""
SIDEBAR_TABLE_PX = 300
"""The width a table has in the sidebar's expanders (the sidebar is 360 px wide)."""
YEAR_COLUMN_PX = 54


def _on_preset_change() -> None:
    state.load_preset(st.session_state[state.PRESET_KEY])
    st.session_state.pop("upload_problems", None)


def _on_reset() -> None:
    state.load_preset(st.session_state.get(state.PRESET_KEY, state.DEFAULT_PRESET))
    st.session_state.pop("upload_problems", None)


def _on_upload() -> None:
    uploaded = st.session_state.get("upload")
    if uploaded is None:
        return
    try:
        scenario = state.read_upload(uploaded.getvalue(), uploaded.name)
    except ScenarioError as exc:
        st.session_state["upload_problems"] = state.plain_messages(exc)  # nothing on screen changes
        return
    st.session_state.pop("upload_problems", None)
    state.load_into_state(scenario)


GROUPS = {f"group_{g.name.lower()}": g for g in FIELD_GROUPS if g.name != "Scenario"}
"""The sidebar's groups of inputs, by widget key: the field registry's groups, except that the scenario's own
fields (its name, unit, period and currency) sit in the service's group."""


def group_key(path: str) -> str | None:
    """The sidebar group holding the input of field ``path`` (``None`` for what is not a field)."""
    name = group_at(path)
    if name is None:
        return None
    return "group_service" if name == "Scenario" else f"group_{name.lower()}"


def open_group_of(path: str) -> None:
    """Open the group holding ``path``'s input (from a callback, before the group is drawn): a value set from
    elsewhere, as Find terms' "Adopt" sets it, is then on show."""
    if key := group_key(path):
        st.session_state[key] = True


def group(label: str, key: str, expanded: bool = False, where=None):
    """An expander whose contents are worked out and drawn only while it is open (``None`` when closed): a closed
    group costs the page nothing on each change. Inputs keep their values while hidden (``persist_state``). A group
    holding an input that breaks a rule opens, so the message stands beside its input until it is fixed."""
    if any(lines and group_key(at) == key for at, lines in (st.session_state.get(state.PROBLEMS_KEY) or {}).items()):
        st.session_state[key] = True
    box = (where or st).expander(label, expanded=expanded, key=key, on_change="rerun")
    return None if box.open is False else box


def _input(path: str, show_problems: bool = True, **kwargs) -> None:
    """One field's input box, described by the field registry. No hard limits: a value out of range stays in the
    box as typed and the model's plain message stands beneath it (and in the main area) until it is fixed; the box's
    step and format follow the value's magnitude (pence for small prices, whole pounds for large sums, which are
    also shown with thousands separators). An optional field's box may be left empty, and the field then stays unset:
    the empty box says what it follows ("follows the external price") or means ("no cap")."""
    f = spec(path)
    label = state.input_label(path)
    note = state.source_note(path)
    unset = state.unset_words(path)
    help_text = "\n\n".join(t for t in (help_words(f), f"Empty: {unset}." if f.default_from else "", note) if t) or None
    if f.kind == "text":
        st.text_input(label, key=path, help=help_text, persist_state="session")
    else:
        st.number_input(
            label,
            key=path,
            help=help_text,
            step=state.step(path),
            format=state.number_format(path),
            persist_state="session",
            placeholder=unset or None,
            **kwargs,
        )
        if shown := state.money_caption(path):
            st.caption(shown)
    if show_problems:
        _problems(path)


def _problems(path: str) -> None:
    """The model's plain messages about a field or group, beside its input."""
    for line in state.problems_at(path):
        st.error(plain(line), icon="⚠️")


def render(valid: Scenario | None) -> None:
    """Draw the sidebar; ``valid`` is the last valid scenario, for the downloads. Only the open groups are drawn
    (a closed group's tables first keep their pending edits)."""
    build_up.sync_boxes(valid)  # the derived figures' boxes show what their build-up derives (before any is drawn)
    st.header("Scenario")
    options = list(state.presets())
    st.selectbox(
        "Start from a preset",
        options,
        key=state.PRESET_KEY,
        format_func=state.preset_title,
        on_change=_on_preset_change,
    )
    about = state.preset_description(st.session_state.get(state.PRESET_KEY, state.DEFAULT_PRESET))
    if (
        about
        and (box := group("About this preset: what it is and where its figures come from", "group_about")) is not None
    ):
        with box:
            st.text(about)
            st.caption("Each figure's own source is listed under “Sources and estimates”, below the headline figures.")
    st.button("Reset to the preset", on_click=_on_reset, width="stretch", key="reset")

    if (files := group("Open or save a scenario file", "group_files")) is not None:
        files.file_uploader(
            "Open a scenario (YAML or JSON)", type=["yaml", "yml", "json"], key="upload", on_change=_on_upload
        )
        if valid is not None:
            stem = file_stem(valid.name)
            c1, c2 = files.columns(2)
            c1.download_button(
                "Save YAML", scenario_to_yaml(valid), f"{stem}.yaml", "application/yaml", width="stretch"
            )
            c2.download_button(
                "Save JSON", scenario_to_json(valid), f"{stem}.json", "application/json", width="stretch"
            )
    for problem in st.session_state.get("upload_problems", []):
        st.error(f"The file was not opened: {plain(problem)}")

    if (box := group(GROUPS["group_service"].title, "group_service")) is not None:
        with box:
            derived = build_up.derived_paths()
            for path in state.INPUT_PATHS:
                if spec(path).group in ("Scenario", "Service"):
                    _input(path, disabled=path in derived)
            build_up.costs(valid)
            _problems("cost_build_up")

    if (box := group(GROUPS["group_prices"].title, "group_prices")) is not None:
        with box:
            _prices()

    if (box := group(GROUPS["group_agreement"].title, "group_agreement", expanded=True)) is not None:
        with box:
            _agreement()

    # closed at first, as are the prices: the first screen holds the terms a room negotiates, and the page opens
    # without loading a table grid
    if (box := group(GROUPS["group_sharing"].title, "group_sharing")) is not None:
        with box:
            _sharing()
    else:
        state.keep_band_edits()

    if (box := group(GROUPS["group_term"].title, "group_term")) is not None:
        with box:
            _term()
    else:
        state.keep_year_edits()

    if (box := group(GROUPS["group_uncertainty"].title, "group_uncertainty")) is not None:
        with box:
            _uncertainty()

    if (box := group(GROUPS["group_region"].title, "group_region")) is not None:
        with box:
            councils.region_inputs()
    else:
        state.keep_region_edits()


def _prices() -> None:
    """The prices, and what the host would place locally without the agreement."""
    derived = build_up.derived_paths()
    for path in state.INPUT_PATHS:
        if spec(path).group == "Prices":
            _input(path, disabled=path in derived)
    build_up.mix(st.session_state.get("last_valid"))
    _problems("alternative_mix")
    u0 = st.session_state.get("without_agreement.local_use") or 0.0
    st.caption(
        f"Without the agreement the host would still place {u0:g} % of the used {plain(st.session_state.get('unit') or 'place')}s "
        "locally, at the spot price; only the rest would cost its alternative price elsewhere. Preferred access "
        "is worth only what it adds beyond that."
    )


def _agreement() -> None:
    """Contribution, compensation and reserved places."""
    _input("agreement.contribution")
    fixed = st.session_state.get("service.fixed_cost") or 0.0
    contribution = st.session_state.get("agreement.contribution") or 0.0
    if fixed > 0:
        st.caption(f"That is {100 * contribution / fixed:.0f} % of the fixed cost.")
    st.markdown("**Compensation for external placements**")
    _input("agreement.compensation.per_external_unit")
    _input("agreement.compensation.premium_share")
    st.markdown("**Reserved places (block, soft block, guaranteed hours)**")
    _input("agreement.reservation.units")
    _input("agreement.reservation.void_price")
    st.caption(
        "The host pays the void price for reserved units left empty; a reserved unit another council fills costs it nothing."
    )


def _sharing() -> None:
    """The surplus shared above the target margin (the band table), and the deficit share and its cap."""
    _input("agreement.sharing.target_margin")
    st.selectbox(
        spec(state.INTERPOLATION_KEY).label,
        list(spec(state.INTERPOLATION_KEY).choices),
        key=state.INTERPOLATION_KEY,
        persist_state="session",
        format_func=lambda v: "steps up at each band" if v == "step" else "rises in a straight line",
    )
    st.caption("Host's share of the surplus above target, by local use (escalating bands):")
    bands = pd.DataFrame(st.session_state.get(state.BANDS_KEY, []), columns=["from_local_use", "host_share"])
    st.data_editor(
        bands,
        key=state.bands_editor_key(),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "from_local_use": st.column_config.NumberColumn(
                "From local use",  # the cells carry the % sign: the heading stays whole beside the edit mark
                step=0.5,
                format="%.1f %%",
                required=True,
                width=BAND_COLUMN_PX,
                help="Local use (%) at which the band starts",
            ),
            "host_share": st.column_config.NumberColumn(
                "Host's share",
                step=0.5,
                format="%.1f %%",
                required=True,
                width=BAND_COLUMN_PX,
                help="Host's share (%) of the surplus above target in the band",
            ),
        },
    )
    _problems("agreement.sharing.bands")
    _input("agreement.sharing.loss_share")
    _input("agreement.sharing.loss_cap")


def _term() -> None:
    """The term's length, discounting, growth (one rate or year by year) and the set-up cost."""
    st.caption("Years the agreement runs, how prices and costs grow, and a one-off set-up cost.")
    for path in ("term.years", "term.discount_rate"):
        _input(path)
    per_year = st.checkbox(
        "Set the growth rates year by year",
        key=state.PER_YEAR_KEY,
        help="Otherwise one rate for every year.",
        persist_state="session",
    )
    if not per_year:
        for path in state.GROWTH_PATHS:
            _input(path)
    elif int(st.session_state.get("term.years") or 1) > 1:
        rows = pd.DataFrame(
            state.current_year_rows(), columns=["year", *[p.rsplit(".", 1)[1] for p in state.GROWTH_PATHS]]
        )
        # the narrow columns' headings are cut in the sidebar: their names in order, above the table
        st.caption("% a year, left to right: " + "; ".join(spec(p).label for p in state.GROWTH_PATHS) + ".")
        st.data_editor(
            rows,
            key=state.years_editor_key(),
            hide_index=True,
            width="stretch",
            disabled=["year"],
            column_config={
                "year": st.column_config.NumberColumn("Year", format="%d", width=YEAR_COLUMN_PX),
                **{
                    p.rsplit(".", 1)[1]: st.column_config.NumberColumn(
                        f"{spec(p).label} (%)",
                        step=0.1,
                        format="%.1f %%",
                        width=(SIDEBAR_TABLE_PX - YEAR_COLUMN_PX) // len(state.GROWTH_PATHS),
                        help=f"{spec(p).label} (%)",  # the narrow column's heading in full
                    )
                    for p in state.GROWTH_PATHS
                },
            },
        )
        for p in state.GROWTH_PATHS:
            _problems(p)
    else:
        st.caption("A one-year term has no growth to set.")
    for path in ("term.set_up.cost", "term.set_up.host_share"):
        _input(path)


def _uncertainty() -> None:
    """The triangular ranges of occupancy and local use."""
    st.caption("Triangular ranges; set all three equal for a fixed value.")
    for what in ("occupancy", "local_use"):
        cols = st.columns(3)
        for col, end in zip(cols, ("low", "mode", "high")):
            with col:
                _input(f"uncertainty.{what}.{end}", show_problems=False)
        _problems(f"uncertainty.{what}")  # the three ends' problems beneath the row, where there is room
