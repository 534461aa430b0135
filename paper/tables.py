"""Tables an analyst drops into a committee paper: the outcome grid, the uncertainty summary and
a sweep, as pandas DataFrames, CSV bytes and an Excel workbook (one sheet per table). Each table is
made from the model's results (an ``Outcome``, a summary dict, a ``TermResult``, a ``SweepResult``)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xlsxwriter

from partnership.fields import field_label, is_fraction
from partnership.formats import FRACTIONS, NA, UNIT_COUNTS, outcome_unit, point_percent, spreadsheet_text
from partnership.negotiation import SweepResult
from partnership.outcomes import OUTCOME_NAMES, Outcome
from partnership.scenario import Scenario
from partnership.term import TermResult
from partnership.uncertainty import SUMMARY_NAMES, TERM_SUMMARY_NAMES

__all__ = [
    "grid_table",
    "summary_table",
    "sweep_table",
    "term_table",
    "councils_table",
    "to_csv_bytes",
    "tables_to_xlsx",
    "arrangements_table",
    "GRID_TABLE_STEPS",
]

GRID_TABLE_STEPS = 21
"""Points per axis of the outcome grid table (5 % steps): the grid the exports work out for it."""


def grid_table(grid: Outcome, scenario: Scenario) -> pd.DataFrame:
    """Every section-2 quantity on a grid of occupancy x local use: ``grid`` is the model's, local use
    (rows) x occupancy (columns), as :func:`partnership.evaluate_grid` gives it (the exports use
    :data:`GRID_TABLE_STEPS` a side); the scenario gives the units' names.

    Long format: one row per (occupancy, local_use), occupancy varying slowest; columns
    ``occupancy``, ``local_use`` (fractions) then every name of ``OUTCOME_NAMES`` in MODEL.md
    order (money in currency per year, ``*_units`` in unit-periods per year, ``host_unit_cost``
    and ``host_unit_cost_without_agreement`` in currency per unit-period and NaN where the host
    uses nothing). ``df.attrs["units"]`` maps each column to its unit.

    >>> from partnership import evaluate_grid
    >>> from partnership.examples import example_scenario
    >>> s = example_scenario()
    >>> df = grid_table(evaluate_grid(s, 3), s)
    >>> len(df), list(df.columns[:3])
    (9, ['occupancy', 'local_use', 'occupied_units'])
    """
    column = lambda x: np.asarray(x, dtype=float).T.ravel()  # noqa: E731  (occupancy slowest)
    data = {"occupancy": column(grid.occupancy), "local_use": column(grid.local_use)}
    data.update({name: column(getattr(grid, name)) for name in OUTCOME_NAMES})
    df = pd.DataFrame(data)
    df.attrs["title"] = "Outcomes on a grid of occupancy x local use"
    df.attrs["units"] = {c: outcome_unit(c, scenario) for c in df.columns}
    return df


def summary_table(summary: dict, scenario: Scenario) -> pd.DataFrame:
    """The uncertainty summary (MODEL.md section 3; ``summary`` as :func:`partnership.summarize` gives it):
    columns ``quantity`` (the section-3 name), ``value`` and ``unit`` (currency per year, or probability 0-1),
    in :data:`SUMMARY_NAMES` order; over a term of several years the section-10 NPV names follow (currency
    over the term, discounted)."""
    s = summary
    money = f"{scenario.currency} per year"
    names = SUMMARY_NAMES + (TERM_SUMMARY_NAMES if scenario.term.years > 1 else [])

    def unit(k: str) -> str:
        if k.startswith("probability"):
            return "probability 0-1"
        return f"{scenario.currency} over the term, discounted" if "npv" in k else money

    rows = [{"quantity": k, "value": float(s[k]), "unit": unit(k)} for k in names]
    df = pd.DataFrame(rows, columns=["quantity", "value", "unit"])
    df.attrs["title"] = "Summary under the scenario's uncertainty"
    return df


def term_table(term: TermResult, scenario: Scenario) -> pd.DataFrame:
    """Every year of the term (MODEL.md section 10) at one point: ``term`` is the model's result there
    (:func:`partnership.term.evaluate_term`; the exports take the most likely point).

    One row per year: ``year``, ``occupancy`` and ``local_use`` (the same every year), every section-2
    name on that year's indexed scenario, ``discount_factor`` ``(1 + d) ** -t``, each side's discounted
    gain that year, and each side's cumulative discounted gain after its share of the set-up cost (whose
    last row is that side's NPV). ``df.attrs["npvs"]`` holds the section-10 figures of the point (NPVs,
    payback and walk-away years; ``None`` where undefined).

    >>> from partnership.examples import example_scenario
    >>> from partnership.term import evaluate_term
    >>> s = example_scenario()
    >>> df = term_table(evaluate_term(s, 0.85, 0.75), s)
    >>> len(df), round(float(df["discount_factor"].iloc[0]), 6)
    (1, 0.966184)
    """
    r = term
    occupancy, local_use = float(np.ravel(r.years.occupancy)[0]), float(np.ravel(r.years.local_use)[0])
    years = len(r.discount)
    data = {
        "year": np.arange(1, years + 1),
        "occupancy": np.full(years, float(occupancy)),
        "local_use": np.full(years, float(local_use)),
    }
    data.update(
        {name: np.broadcast_to(np.asarray(getattr(r.years, name), dtype=float), (years,)) for name in OUTCOME_NAMES}
    )
    series = lambda x: np.asarray(x, dtype=float).reshape(-1)  # noqa: E731  (one point: the years alone)
    data["discount_factor"] = r.discount
    data["discounted_provider_gain"] = series(r.discounted_provider_gain)
    data["discounted_host_saving"] = series(r.discounted_host_saving)
    data["cumulative_provider_gain_after_set_up"] = series(r.cumulative_provider_gain)[1:]  # years 1..T
    data["cumulative_host_saving_after_set_up"] = series(r.cumulative_host_saving)[1:]
    df = pd.DataFrame(data)
    df.attrs["title"] = (
        f"Each year of the {years}-year term at {point_percent(occupancy)} occupancy and {point_percent(local_use)} local use"
    )
    units = {c: outcome_unit(c, scenario) for c in df.columns if c != "year"}
    today = f"{scenario.currency}, discounted to the start of year 1"
    units.update(
        year="year 1 to T",
        discount_factor="factor",
        discounted_provider_gain=today,
        discounted_host_saving=today,
        cumulative_provider_gain_after_set_up=today,
        cumulative_host_saving_after_set_up=today,
    )
    df.attrs["units"] = units
    df.attrs["npvs"] = {k2: v for k2, v in r.to_dict().items() if k2 != "years"}
    return df


def sweep_table(result: SweepResult) -> pd.DataFrame:
    """A sweep (MODEL.md section 4) in long format: one row per pair, x varying fastest.

    Columns: the x field's dotted path, the y field's dotted path (their values),
    ``expected_provider_gain`` and ``expected_host_saving`` (currency per year), ``acceptable``
    (both reach their minimums) and ``is_balanced`` (the balanced point; none when no pair is
    acceptable).
    """
    xs, ys = np.asarray(result.x.values, dtype=float), np.asarray(result.y.values, dtype=float)
    gx, gy = np.meshgrid(xs, ys)  # [y][x], as the result's arrays
    balanced = np.zeros(gx.shape, dtype=bool)
    if result.balanced is not None:
        balanced = (gx == result.balanced["x"]) & (gy == result.balanced["y"])
    df = pd.DataFrame(
        {
            result.x.path: gx.ravel(),
            result.y.path: gy.ravel(),
            "expected_provider_gain": np.asarray(result.expected_provider_gain, dtype=float).ravel(),
            "expected_host_saving": np.asarray(result.expected_host_saving, dtype=float).ravel(),
            "acceptable": np.asarray(result.acceptable, dtype=bool).ravel(),
            "is_balanced": balanced.ravel(),
        }
    )
    df.attrs["title"] = f"Expected gains over {field_label(result.x.path)} x {field_label(result.y.path)}"
    return df


WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
"""xlsxwriter's options for every workbook exported: text is written as text, never as a formula (a name starting
with ``=``) or a link (a name holding ``https://...``); the workbook's own formulas are written as formulas."""


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV, no index; undefined numbers written ``n/a``, never ``nan``; a text cell (or heading)
    that a spreadsheet would run as a formula (an option named ``=HYPERLINK(...)``) starts with a quote mark
    (:func:`partnership.formats.spreadsheet_text`, as the workshop store's log does)."""
    safe = df.rename(columns=spreadsheet_text)
    text = safe.select_dtypes(include=["object", "string"]).columns
    if len(text):
        safe = safe.assign(**{c: safe[c].map(spreadsheet_text) for c in text})
    return safe.to_csv(index=False, na_rep=NA, lineterminator="\n").encode("utf-8")


# ----------------------------------------------------------------------------------------------
# Excel


def _number_format(unit: str | None, column: str, currency: str) -> str:
    """An Excel number format for a column (or a cell) from its unit, or failing that its name."""
    money = "#,##0;[Red]-#,##0"
    if unit is None:
        if column in FRACTIONS or is_fraction(column):
            return "0.000"
        if column in UNIT_COUNTS:
            return "#,##0.0"
        return money
    if "fraction" in unit or "probability" in unit:
        return "0.000"
    if unit.startswith(currency) and ("per year" in unit or "discounted" in unit):  # sums of money, not prices
        return money
    if unit.startswith(currency):
        return "#,##0.00;[Red]-#,##0.00"
    return "#,##0.0##"


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31] or "Sheet"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(out.lower())
    return out


def _display_width(value, fmt: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        return 5
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if not math.isfinite(x):
            return len(NA)
        decimals = 3 if fmt.startswith("0.000") else (2 if ".00" in fmt else 1 if ".0" in fmt else 0)
        return len(f"{x:,.{decimals}f}")
    return len(str(value))


def tables_to_xlsx(tables: Mapping[str, pd.DataFrame], scenario: Scenario) -> bytes:
    """An Excel workbook with one sheet per table (sheet names are the dict's keys).

    Each sheet opens with the scenario's name, the table's title and a note on units; then a
    bold, frozen header row (with a row of units above it when ``df.attrs["units"]`` has them), numbers
    with thousands separators and sensible decimals (values stored at full precision), and
    undefined numbers written ``n/a``.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    wb.set_properties({"title": f"{scenario.name}: tables", "comments": "Partnership Calculator export"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    note_fmt = wb.add_format({"italic": True, "font_color": "#555555"})
    header_fmt = wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    unit_fmt = wb.add_format({"italic": True, "font_color": "#555555"})
    formats: dict[str, object] = {}

    def fmt(code: str):
        if code not in formats:
            formats[code] = wb.add_format({"num_format": code})
        return formats[code]

    taken: set[str] = set()
    for key, df in tables.items():
        ws = wb.add_worksheet(_sheet_name(key, taken))
        ws.write_string(0, 0, scenario.name, title_fmt)
        ws.write_string(1, 0, str(df.attrs.get("title", key)), note_fmt)
        ws.write_string(
            2,
            0,
            f"Money in {scenario.currency} per year unless a unit says otherwise; "
            f"{NA}: undefined (e.g. a cost per unit when the host uses none).",
            note_fmt,
        )
        header_row, first_data = 4, 5  # a row of units, when there are any, sits just above the header
        units = df.attrs.get("units") or {}
        columns = [str(c) for c in df.columns]
        widths = [max(10, len(c) + 2) for c in columns]
        col_formats = [_number_format(units.get(c), c, scenario.currency) for c in columns]
        for j, c in enumerate(columns):
            ws.write_string(header_row, j, c, header_fmt)
            if units:
                ws.write_string(header_row - 1, j, units.get(c, ""), unit_fmt)
                widths[j] = max(widths[j], len(units.get(c, "")) + 2)
        row_units = df["unit"].tolist() if "unit" in df.columns else None
        for i, row in enumerate(df.itertuples(index=False, name=None)):
            for j, value in enumerate(row):
                code = col_formats[j]
                if row_units is not None and columns[j] == "value":
                    code = _number_format(str(row_units[i]), "value", scenario.currency)
                widths[j] = max(widths[j], _display_width(value, code) + 2)
                r = first_data + i
                if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(float(value))):
                    ws.write_string(r, j, NA)
                elif isinstance(value, (bool, np.bool_)):
                    ws.write_boolean(r, j, bool(value))
                elif isinstance(value, (int, float, np.integer, np.floating)):
                    ws.write_number(r, j, float(value), fmt(code))
                else:
                    ws.write_string(r, j, str(value))
        for j, w in enumerate(widths):
            ws.set_column(j, j, min(w, 60))
        ws.freeze_panes(first_data, 0)
        if len(df):
            ws.autofilter(header_row, 0, first_data + len(df) - 1, len(columns) - 1)
    wb.close()
    return buffer.getvalue()


def councils_table(region, members: list[dict], scenario: Scenario) -> pd.DataFrame:
    """A region's councils (MODEL.md section 12), one row each in the scenario's order: ``name``, ``use_share`` and
    ``contribution_share`` (fractions 0-1); under the uncertainty (``region``, a
    :class:`~partnership.councils.RegionSummary`) ``expected_saving``, ``probability_better_off``, ``saving_p10`` /
    ``saving_p50`` / ``saving_p90``, the range of contribution shares that leaves every council better off
    (``contribution_share_low`` / ``_high``; n/a when none does) and the two rules' shares (``equal_saving_share``,
    ``saving_by_use_share``); then every section-12 figure at the most likely point (``members``, as
    :func:`partnership.councils.members_at` gives them). Money a year (NPVs over the term under the uncertainty when
    the term runs more than one year)."""
    rows = []
    for i, name in enumerate(region.names):
        span = region.contribution_share_range[i]
        row = {
            "name": name,
            "use_share": region.use_shares[i],
            "contribution_share": region.contribution_shares[i],
            "expected_saving": region.expected_saving[i],
            "probability_better_off": region.probability_better_off[i],
            "saving_p10": region.saving_p10[i],
            "saving_p50": region.saving_p50[i],
            "saving_p90": region.saving_p90[i],
            "contribution_share_low": None if span is None else span[0],
            "contribution_share_high": None if span is None else span[1],
            "equal_saving_share": None
            if region.equal_saving is None
            else region.equal_saving["contribution_shares"][i],
            "saving_by_use_share": (
                None if region.saving_by_use is None else region.saving_by_use["contribution_shares"][i]
            ),
        }
        at = members[i] if i < len(members) else {}
        row.update({k: v for k, v in at.items() if k != "name"})
        rows.append(row)
    df = pd.DataFrame(rows)
    money = f"{scenario.currency} per year"
    summed = f"{scenario.currency} over the term, discounted" if region.basis == "term" else money
    units = {
        "use_share": "fraction 0-1",
        "contribution_share": "fraction 0-1",
        "probability_better_off": "probability 0-1",
    }
    units |= {k: summed for k in ("expected_saving", "saving_p10", "saving_p50", "saving_p90")}
    units |= {k: "fraction 0-1" for k in df.columns if k.endswith("_share") or k.startswith("contribution_share_")}
    units |= {k: money for k in df.columns if k.startswith("member_")}
    if "member_host_units" in df.columns:
        units["member_host_units"] = outcome_unit("host_units", scenario)
    df.attrs["title"] = (
        "The region's councils: each council's saving under the uncertainty and at the most likely point"
    )
    df.attrs["units"] = units
    return df


# ----------------------------------------------------------------------------------------------
# Other ways to buy (MODEL.md section 13)


def arrangements_table(arrangements: list, scenario: Scenario) -> pd.DataFrame:
    """Every arrangement compared (section 13; ``arrangements`` as :func:`partnership.arrangements.arrangements`
    gives them, in its order): ``arrangement`` (its name), ``kind`` and every figure by its section-13 name (money a
    year; probabilities 0-1, empty for spot; over a term the expected NPVs, discounted over the term)."""
    from partnership.arrangements import ARRANGEMENT_NAMES, ARRANGEMENT_TERM_NAMES

    names = ARRANGEMENT_NAMES + (ARRANGEMENT_TERM_NAMES if scenario.term.years > 1 else [])
    rows = [{"arrangement": a.name, "kind": a.kind, **{k: a.figures.get(k) for k in names}} for a in arrangements]
    df = pd.DataFrame(rows, columns=["arrangement", "kind", *names])
    cur = scenario.currency

    def unit(k: str) -> str | None:
        if k in ("arrangement", "kind"):
            return None
        if k.startswith("probability"):
            return "probability 0-1"
        return f"{cur} over the term, discounted" if "npv" in k else f"{cur} per year"

    df.attrs["title"] = "Other ways to buy: each arrangement under the scenario's uncertainty"
    df.attrs["units"] = {c: unit(c) for c in df.columns if unit(c)}
    return df
