"""Where the figures come from, in the sidebar (MODEL.md section 14): a "build it up from its parts" choice on the
variable and fixed costs (pay, on-costs, travel minutes, mileage and its rate, other; the fixed items) and on the
host's alternative price (the mix of ways it would buy without the agreement), each showing its parts and the figure
they derive. Switching back to typed figures keeps the derived numbers as the typed values.

The build-up and the mix are kept as the scenario document gives them in the page's state
(``ui.arrangements.APART_KEY``); the boxes here and the tables' edits write into them, so a part the sidebar does not
show is kept as the file gave it."""

from __future__ import annotations

import copy
import hashlib
import json

import pandas as pd
import streamlit as st

from partnership import Scenario
from partnership.build_up import DERIVED_PATHS, derived
from partnership.fields import TIME_UNITS, spec, unit_text
from partnership.formats import money

from .arrangements import APART_KEY
from .text import plain

DERIVED_KEY = "_derived_shown"  # ui.state.DERIVED_KEY: {dotted path: the derived value its box shows}
STASH_KEY = "_build_up_stash"  # a build-up or mix switched off, so switching back on restores it
PER_UNIT = ("pay", "on_costs", "travel_minutes", "mileage", "mileage_rate", "other")
TABLES = {  # part: (where its list is in the part, its columns, the columns entered as percents)
    "cost_build_up": ("fixed", ("name", "amount", "count", "each"), ()),
    "alternative_mix": (None, ("name", "share", "price"), ("share",)),
}
PARTS = {
    "cost_build_up": ("service.variable_cost", "service.fixed_cost"),
    "alternative_mix": ("prices.host_alternative",),
}
"""Each part and the figures it derives."""


def _apart() -> dict:
    return st.session_state.get(APART_KEY) or {}


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:10]


def derived_paths() -> set[str]:
    """The figures the page now derives from a build-up or a mix (their boxes are shown, not typed)."""
    return {p for part, paths in PARTS.items() if part in _apart() for p in paths}


def sync_boxes(valid: Scenario | None) -> None:
    """Before the sidebar is drawn: the boxes of the derived figures show what the last valid scenario derives, so
    switching back to typed figures keeps those numbers."""
    if valid is None:
        return
    shown = dict(st.session_state.get(DERIVED_KEY) or {})
    for name, value in derived(valid).items():
        path = DERIVED_PATHS[name]
        if value is not None and path in derived_paths():
            st.session_state[path] = float(value)
            shown[path] = float(value)
    st.session_state[DERIVED_KEY] = shown


def _starting(part: str) -> dict | list:
    """A new build-up (or mix) of the figures now typed: the whole variable cost as pay, the fixed cost one item,
    the alternative price one way of buying at it."""
    ss = st.session_state
    if part == "cost_build_up":
        per_unit = dict.fromkeys(PER_UNIT, 0.0) | {"pay": float(ss.get("service.variable_cost") or 0.0)}
        return {
            "per_unit": per_unit,
            "fixed": [{"name": "Fixed cost", "amount": float(ss.get("service.fixed_cost") or 0)}],
        }
    return [{"name": "Elsewhere", "share": 1.0, "price": float(ss.get("prices.host_alternative") or 0.0)}]


def _switch(part: str, key: str) -> None:
    """The choice switched: build the figure up (restoring a build-up switched off before) or type it (the boxes
    keep the derived numbers)."""
    apart = dict(_apart())
    stash = dict(st.session_state.get(STASH_KEY) or {})
    if st.session_state.get(key):
        apart[part] = stash.pop(part, None) or _starting(part)
        # the boxes' figures count as shown, not typed over, until the build-up's own are shown in them
        shown = dict(st.session_state.get(DERIVED_KEY) or {})
        st.session_state[DERIVED_KEY] = shown | {p: st.session_state.get(p) for p in PARTS[part]}
    elif part in apart:
        stash[part] = apart.pop(part)
    st.session_state[APART_KEY] = apart
    st.session_state[STASH_KEY] = stash


def _rows_of(part: str, document) -> list[dict]:
    where, columns, percents = TABLES[part]
    items = (document or {}).get(where) if where else document
    rows = []
    for item in items or []:
        row = {c: item.get(c) for c in columns}
        for c in percents:
            row[c] = None if row[c] is None else round(100 * float(row[c]), 6)
        rows.append(row)
    return rows


def editor_key(part: str, state=None) -> str:
    """The table's key: a new one whenever its rows are replaced."""
    state = st.session_state if state is None else state
    apart = state[APART_KEY] if APART_KEY in state else {}
    return f"{part}_editor_{_digest((apart or {}).get(part))}"


def _item(row: dict, columns, percents) -> dict:
    out = {}
    for c in columns:
        value = row.get(c)
        if value is None or value == "" or (isinstance(value, float) and value != value):
            continue
        out[c] = value if c == "name" else (round(float(value) / 100, 12) if c in percents else float(value))
    return out


def with_edits(apart: dict) -> dict:
    """The build-up and mix with their tables' pending edits (changed cells, rows added and deleted)."""
    apart = copy.deepcopy(apart)
    for part, (where, columns, percents) in TABLES.items():
        if part not in apart:
            continue
        edits = st.session_state.get(editor_key(part))
        if not isinstance(edits, dict):
            continue
        items = list((apart[part].get(where) if where else apart[part]) or [])
        deleted = {int(i) for i in edits.get("deleted_rows") or []}
        for i, change in (edits.get("edited_rows") or {}).items():
            if 0 <= int(i) < len(items):
                row = _rows_of(part, {where: [items[int(i)]]} if where else [items[int(i)]])[0] | change
                items[int(i)] = {k: v for k, v in items[int(i)].items() if k not in columns} | _item(
                    row, columns, percents
                )
        items = [item for i, item in enumerate(items) if i not in deleted]
        items += [_item(row, columns, percents) for row in edits.get("added_rows") or [] if any(row.values())]
        if where:
            apart[part][where] = items
        else:
            apart[part] = items
    return apart


def _keep_edits(part: str, key: str) -> None:
    """Fold the table's edits into the part the page keeps (its on_change), before the next run is worked out."""
    apart = with_edits(_apart())
    st.session_state.pop(key, None)
    st.session_state[APART_KEY] = apart


def _set_part(part: str, name: str, key: str) -> None:
    """A per-unit box changed: its value into the build-up (on-costs entered in percent)."""
    value = st.session_state.get(key)
    apart = copy.deepcopy(_apart())
    if part in apart:
        shown = None if value is None else (round(float(value) / 100, 12) if name == "on_costs" else float(value))
        apart[part]["per_unit"][name] = shown
        st.session_state[APART_KEY] = apart


def _words() -> tuple[str, str, str, str]:
    """The scenario's currency, unit and period as the boxes hold them, and "per hour" or "per place per week"."""
    ss = st.session_state
    currency, unit, period = ((ss.get(k) or "").strip() or spec(k).default for k in ("currency", "unit", "period"))
    per = f"per {unit}" if unit.lower() in TIME_UNITS else f"per {unit} per {period}"
    return currency, unit, period, per


def costs(valid: Scenario | None) -> None:
    """The choice to build the variable and fixed costs up from their parts; when chosen, the parts and the figures
    they derive."""
    part, key = "cost_build_up", "build_up_costs"
    st.session_state[key] = part in _apart()
    st.toggle(
        "Build the costs up from their parts",
        key=key,
        on_change=_switch,
        args=(part, key),
        help="The variable cost from pay, on-costs, travel and mileage; the fixed cost from its items. Switch off to "
        "type the figures (they keep the derived values).",
    )
    document = _apart().get(part)
    if document is None:
        return
    currency, unit, period, per = _words()
    digest = _digest(document)
    st.markdown(f"**The variable cost's parts** ({plain(per)})")
    for name in PER_UNIT:
        path = f"cost_build_up.per_unit.{name}"
        f = spec(path)
        value = (document.get("per_unit") or {}).get(name)
        percent = name == "on_costs"
        label = plain(f"{f.label} ({'% of pay' if percent else unit_text(path, currency, unit, period)})")
        box = f"{path}__{digest}"
        st.number_input(
            label,
            value=None if value is None else (round(100 * float(value), 6) if percent else float(value)),
            key=box,
            step=1.0 if name in ("travel_minutes", "on_costs") else 0.05,
            format="%.2f",
            on_change=_set_part,
            args=(part, name, box),
            help=f.help or None,
        )
    if valid is not None and valid.cost_build_up is not None:
        st.caption(f"= variable cost **{plain(money(valid.service.variable_cost, currency, 2))} {plain(per)}**")
    st.markdown("**The fixed cost's items** (a year: an amount, or a count and a cost each)")
    _table(part, currency)
    if valid is not None and valid.cost_build_up is not None:
        st.caption(f"= fixed cost **{plain(money(valid.service.fixed_cost, currency))} a year**")


def mix(valid: Scenario | None) -> None:
    """The choice to build the host's alternative price up from the mix of ways it would buy without the agreement;
    when chosen, the mix and the price it derives."""
    part, key = "alternative_mix", "build_up_mix"
    st.session_state[key] = part in _apart()
    st.toggle(
        "Build the host's alternative up from its mix",
        key=key,
        on_change=_switch,
        args=(part, key),
        help="The alternative price as the average of the ways the host would buy without the agreement (their "
        "shares add up to 100 %). Switch off to type the price (it keeps the derived value).",
    )
    if part not in _apart():
        return
    currency, _, _, per = _words()
    _table(part, currency)
    if valid is not None and valid.alternative_mix is not None:
        st.caption(
            f"= host's alternative price **{plain(money(valid.prices.host_alternative, currency, 2))} {plain(per)}**"
        )


def _table(part: str, currency: str) -> None:
    where, columns, _ = TABLES[part]
    rows = pd.DataFrame(_rows_of(part, _apart().get(part)), columns=list(columns))
    rows = rows.astype({"name": "object", **{c: "float64" for c in columns[1:]}})
    labels = {
        # narrow columns: the table fits the sidebar's 300 px without scrolling sideways
        "name": st.column_config.TextColumn("Name", max_chars=80, required=True, width=110),
        "amount": st.column_config.NumberColumn(f"Amount ({currency})", min_value=0.0, format="%.0f", width=70),
        "count": st.column_config.NumberColumn("Count", min_value=0.0, format="%g", width=44),
        "each": st.column_config.NumberColumn(f"Each ({currency})", min_value=0.0, format="%.0f", width=64),
        "share": st.column_config.NumberColumn("Share", min_value=0.0, max_value=100.0, format="%.1f %%", width=66),
        "price": st.column_config.NumberColumn(f"Price ({currency})", min_value=0.0, format="%.2f", width=70),
    }
    key = editor_key(part)
    st.data_editor(
        rows,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        on_change=_keep_edits,
        args=(part, key),
        column_config={c: labels[c] for c in columns},
    )
