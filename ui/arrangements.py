"""The "Other ways to buy" view's table and its editor of the scenario's own arrangements (MODEL.md section 13): the
figures of every arrangement in a plain table under the chart, and a table to add, change or remove the scenario's
own (name, reserved units, void price, host price, host price uplift), kept in the scenario (file, link, options).

The arrangements as the scenario document gives them are kept in the page's state (``ui.state.APART_KEY``); the
editor's rows are made from them and its edits folded back into them, so any part of an arrangement the table does
not show (a contribution, sharing bands, a contribution uplift) is kept as the file gave it."""

from __future__ import annotations

import copy
import hashlib
import json

import pandas as pd
import streamlit as st

from partnership import Scenario
from partnership.arrangements import ARRANGEMENT_LABELS
from partnership.formats import NA, money, percent

from . import compute
from .text import plain

APART_KEY = (
    "_carried_apart"  # ui.state.APART_KEY: {cost_build_up, alternative_mix, arrangements} as the file gives them
)
VERSION_KEY = "arrangements_version"
COLUMNS = ("name", "units", "void_price", "host_price", "host_price_uplift")
"""The editor's columns: the arrangement's name, its reserved units and void price, its own host price and its own
host price uplift (% a year)."""


def _get(state, key: str, default=None):
    return state[key] if key in state else default


def carried(state=None) -> list[dict]:
    """The scenario's own arrangements as its document gives them (a copy); ``state``: the session state (default
    the page's)."""
    state = st.session_state if state is None else state
    return copy.deepcopy((_get(state, APART_KEY) or {}).get("arrangements") or [])


def editor_key(state=None) -> str:
    """The editor's key: a new one whenever its rows are replaced (an edit folded in, another scenario loaded)."""
    state = st.session_state if state is None else state
    rows = json.dumps(carried(state), sort_keys=True, default=str).encode()
    return f"arrangements_editor_{_get(state, VERSION_KEY, 0)}_{hashlib.sha1(rows).hexdigest()[:10]}"


def _row(doc: dict) -> dict:
    """One arrangement's row of the editor (uplift in percent; empty where the arrangement does not set it)."""
    reservation = (doc.get("agreement") or {}).get("reservation") or {}
    uplift = ((doc.get("term") or {}).get("indexation") or {}).get("host_price")
    if isinstance(uplift, list):  # year by year: the table shows the first year's
        uplift = uplift[0] if uplift else None
    return {
        "name": doc.get("name"),
        "units": reservation.get("units"),
        "void_price": reservation.get("void_price"),
        "host_price": (doc.get("prices") or {}).get("host"),
        "host_price_uplift": None if uplift is None else round(100 * float(uplift), 6),
    }


def rows() -> list[dict]:
    """The editor's base rows, one per arrangement of the scenario's own."""
    return [_row(doc) for doc in carried()]


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value == ""


def _apply(doc: dict, old: dict, new: dict) -> dict:
    """An arrangement's document with a row's changed cells written into it; cells left as they were change nothing
    (an uplift given year by year stays so)."""
    doc = copy.deepcopy(doc)
    for column in COLUMNS:
        value = new.get(column)
        if column not in new or (value == old.get(column)) or (_empty(value) and _empty(old.get(column))):
            continue
        value = None if _empty(value) else value
        if column == "name":
            doc["name"] = value if value is None else str(value).strip()
        elif column in ("units", "void_price"):
            reservation = doc.setdefault("agreement", {}).setdefault("reservation", {})
            if value is None:
                reservation.pop(column, None)
            else:
                reservation[column] = float(value)
            if reservation.get("units") is None:  # no units reserved: no reservation (its void price goes too)
                doc["agreement"].pop("reservation")
        elif column == "host_price":
            prices = doc.setdefault("prices", {})
            if value is None:
                prices.pop("host", None)
            else:
                prices["host"] = float(value)
        else:
            indexation = doc.setdefault("term", {}).setdefault("indexation", {})
            if value is None:
                indexation.pop("host_price", None)
            else:
                indexation["host_price"] = round(float(value) / 100, 12)
    doc.setdefault("agreement", {})
    if doc.get("name") is None:
        doc["name"] = ""  # refused by the model in its own words ("must be 1-80 characters")
    return doc


def current(editor: str | None = None) -> list[dict]:
    """The scenario's own arrangements with the editor's pending edits (changed cells, rows added and deleted)."""
    base = carried()
    old = [_row(doc) for doc in base]
    edits = st.session_state.get(editor or editor_key())
    if not isinstance(edits, dict):
        return base
    out = []
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    changes = {int(i): c for i, c in (edits.get("edited_rows") or {}).items()}
    for i, doc in enumerate(base):
        if i in deleted:
            continue
        out.append(_apply(doc, old[i], changes.get(i, {})) if i in changes else doc)
    for added in edits.get("added_rows") or []:
        if any(not _empty(added.get(c)) for c in COLUMNS):
            out.append(_apply({}, {}, added))
    return out


def _keep_edits(editor: str) -> None:
    """Fold the editor's edits into the arrangements the page keeps and start a fresh editor (its on_change), so an
    edit is never lost when the view is closed (Streamlit forgets a widget it does not draw)."""
    arrangements = current(editor)
    apart = dict(st.session_state.get(APART_KEY) or {})
    if arrangements:
        apart["arrangements"] = arrangements
    else:
        apart.pop("arrangements", None)
    st.session_state[APART_KEY] = apart
    st.session_state.pop(editor, None)
    st.session_state[VERSION_KEY] = st.session_state.get(VERSION_KEY, 0) + 1


def _figure(value, currency: str) -> str:
    return NA if value is None else money(value, currency)


def _chance(probability, expected_gain) -> str:
    """A side's chance of being better off than spot, as the table writes it: "no change" where its gain is nil
    everywhere (better off "for certain" would overstate a side the arrangement leaves as spot does)."""
    if probability is not None and probability >= 1.0 and expected_gain is not None and abs(expected_gain) < 0.5:
        return "no change"
    return percent(probability)


def table_rows(s: Scenario, results: list) -> list[dict]:
    """The arrangements' figures as the view's table (and the pack's) shows them: one row each, money a year, each
    side's expected figure, its P10-P90 range, the gain against spot, the chance of being better off and, over a
    term, the expected NPVs."""
    cur = s.currency
    out = []
    for a in results:
        f = a.figures
        row = {
            "Arrangement": a.name,
            ARRANGEMENT_LABELS["expected_provider_profit"]: _figure(f["expected_provider_profit"], cur),
            "Provider's profit, P10 to P90": f"{_figure(f['provider_profit_p10'], cur)} to "
            f"{_figure(f['provider_profit_p90'], cur)}",
            ARRANGEMENT_LABELS["expected_provider_gain"]: _figure(f["expected_provider_gain"], cur),
            ARRANGEMENT_LABELS["expected_host_net_cost"]: _figure(f["expected_host_net_cost"], cur),
            "Host's net cost, P10 to P90": f"{_figure(f['host_net_cost_p10'], cur)} to "
            f"{_figure(f['host_net_cost_p90'], cur)}",
            ARRANGEMENT_LABELS["expected_host_saving"]: _figure(f["expected_host_saving"], cur),
            "Chance better off (provider, host)": "spot: the reference"
            if a.kind == "spot"
            else f"{_chance(f['probability_provider_better_off'], f['expected_provider_gain'])}, "
            f"{_chance(f['probability_host_better_off'], f['expected_host_saving'])}",
        }
        if s.term.years > 1:
            row[f"{ARRANGEMENT_LABELS['expected_npv_provider_gain']} ({s.term.years} years)"] = _figure(
                f.get("expected_npv_provider_gain"), cur
            )
            row[f"{ARRANGEMENT_LABELS['expected_npv_host_saving']} ({s.term.years} years)"] = _figure(
                f.get("expected_npv_host_saving"), cur
            )
        out.append(row)
    return out


def arrangements_view(s: Scenario, problems: list[str]) -> None:
    """Under the chart: every arrangement's figures as a plain table, then the editor of the scenario's own and the
    model's plain ``problems`` with the arrangements (``ui.state.problems_at``)."""
    results = compute.result("arrangements", compute.key(s))
    st.table(_as_text(table_rows(s, results)), hide_index=True, width="stretch")  # prints as it reads
    st.markdown("**This scenario's own arrangements**")
    cur, unit = plain(s.currency), plain(s.unit)  # Markdown: the scenario's words as text
    st.caption(
        "Add a row to compare another way to buy; each replaces the agreement whole with reserved units at a void "
        f"price (none: a fixed price only), and may have its own host price ({cur} per {unit}) and its own host price "
        "uplift (% a year over the term). Empty cells follow the scenario. Kept in the scenario file and its link."
    )
    key = editor_key()
    table = pd.DataFrame(rows(), columns=list(COLUMNS)).astype(
        {"name": "object", **{c: "float64" for c in COLUMNS[1:]}}
    )
    st.data_editor(
        table,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        on_change=_keep_edits,
        args=(key,),
        column_order=COLUMNS,
        column_config={
            "name": st.column_config.TextColumn("Name", max_chars=80, required=True, width="medium"),
            "units": st.column_config.NumberColumn("Reserved units", min_value=0.0, step=1.0, format="%g"),
            "void_price": st.column_config.NumberColumn(f"Void price ({cur})", min_value=0.0, format="%.2f"),
            "host_price": st.column_config.NumberColumn(f"Host price ({cur})", min_value=0.0, format="%.2f"),
            "host_price_uplift": st.column_config.NumberColumn("Host price uplift (% a year)", format="%.1f %%"),
        },
    )
    for line in problems:
        st.error(plain(line), icon="⚠️")


def _as_text(rows):
    """The table's cells as text: st.table reads Markdown, and the names and the currency are the scenario's own words."""
    if isinstance(rows, pd.DataFrame):
        return rows.map(lambda v: plain(v) if isinstance(v, str) else v).rename(columns=plain)
    return [{plain(k): plain(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
