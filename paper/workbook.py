"""An Excel workbook a finance officer can audit: the scenario's inputs, every section-2 line item as
a live formula at a few points, and the headline outputs, kept apart as the FAST Standard asks."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from partnership.fields import APART_GROUPS, FIELDS, GROUPS, FieldSpec, group_of, spec, value_of
from partnership.formats import NA, field_unit, outcome_unit
from partnership.outcomes import OUTCOME_NAMES, Outcome
from partnership.region import MEMBER_NAMES
from partnership.scenario import Scenario
from partnership.term import INDEX_GROUPS, TERM_NAMES, TermResult

from .tables import WORKBOOK_OPTIONS

__all__ = [
    "audit_workbook",
    "workbook_points",
    "default_points",
    "FORMULA_TEXT",
    "OUTPUT_NAMES",
    "TERM_FORMULA_TEXT",
    "MEMBER_FORMULA_TEXT",
    "member_rows",
]

FORMULA_TEXT = {
    "occupancy": "o: the point's occupancy (Inputs)",
    "local_use": "u: the point's local use (Inputs)",
    "occupied_units": "N * W * o",
    "host_units": "occupied_units * u",
    "external_units": "occupied_units * (1 - u)",
    "host_fees": "host_units * p_h",
    "external_fees": "external_units * p_e",
    "operating_cost": "F + occupied_units * v",
    "compensation": "external_units * (k + r * max(p_e - p_h, 0))",
    "void_units": "max(0, min(R * W - host_units, N * W - occupied_units))   (places reserved for the host but not used, when the home has room)",
    "void_payments": "void_units * p_v",
    "surplus_before_sharing": "host_fees + external_fees + C + void_payments - operating_cost - compensation",
    "sharing_threshold": "m * operating_cost",
    "sharing_band": "working for host_share_rate: the number of the last band with from_local_use <= u",
    "host_share_rate": "rate(u): step = host_share of the last band with from_local_use <= u; "
    "linear = straight lines between the band points, flat after the last",
    "surplus_share_to_host": "host_share_rate * max(surplus_before_sharing - sharing_threshold, 0) "
    "- min(ls * max(-surplus_before_sharing, 0), loss_cap)   (no cap when loss_cap is 'no cap')",
    "provider_profit": "surplus_before_sharing - surplus_share_to_host",
    "host_net_cost": "C + host_fees + void_payments - compensation - surplus_share_to_host",
    "host_unit_cost": "host_net_cost / host_units   (n/a when host_units = 0)",
    "provider_profit_without_agreement": "occupied_units * p_s - operating_cost",
    "host_cost_without_agreement": "occupied_units * (min(u, u0) * p_s + max(u - u0, 0) * p_a)",
    "host_unit_cost_without_agreement": "host_cost_without_agreement / host_units   (n/a when host_units = 0)",
    "provider_gain": "provider_profit - provider_profit_without_agreement",
    "host_saving": "host_cost_without_agreement - host_net_cost",
    "joint_gain_check": "provider_gain + host_saving - (occupied_units * max(u - u0, 0) * (p_a - p_s) "
    "+ external_units * (p_e - p_s)); must be 0: the two sides' gains add up to what the agreement saves in all",
}
"""Each line item's formula as MODEL.md section 2 writes it (symbols as in section 1)."""

# The Years sheet's indexation rows and the inputs each moves, derived from the registry and from the model's
# own grouping (partnership.term, MODEL.md section 10): (row of the Years sheet, indexation, symbol of its growth)
_INDEXATIONS = tuple(
    (f"index_{group}", f"term.indexation.{group}", spec(f"term.indexation.{group}").symbol) for group in INDEX_GROUPS
)

# (input, its symbol, the index it moves with, the name of its year's value in Inputs)
_INDEXED = tuple(
    (f.path, f.symbol or f.term, f"index_{group}", f.term)
    for group, names in INDEX_GROUPS.items()
    for name in names
    for f in FIELDS
    if f.term == name and "[i]" not in f.path  # a region's member councils: not yet in the workbook
)

TERM_FORMULA_TEXT = {
    "year": "t: 1 in the first year, one more each year after",
    "index_costs": "I_c(1) = 1; I_c(t) = I_c(t-1) * (1 + g_c(t))",
    "index_host_price": "I_h(1) = 1; I_h(t) = I_h(t-1) * (1 + g_h(t))",
    "index_market_prices": "I_m(1) = 1; I_m(t) = I_m(t-1) * (1 + g_m(t))",
    "index_contribution": "I_C(1) = 1; I_C(t) = I_C(t-1) * (1 + g_C(t))",
    "discount_factor": "discount(t) = (1 + d) ^ -t   (cash at the end of each year; set-up at t = 0)",
    "discounted_provider_gain": "discount(t) * provider_gain(t)",
    "discounted_host_saving": "discount(t) * host_saving(t)",
    "cumulative_provider_gain": "-(1 - s_K) * K + sum over years up to t of discount * provider_gain",
    "cumulative_host_saving": "-s_K * K + sum over years up to t of discount * host_saving",
    "provider_paid_back": "working for provider_payback_year: t when cumulative_provider_gain >= 0, else blank",
    "host_paid_back": "working for host_payback_year: t when cumulative_host_saving >= 0, else blank",
    "provider_loses": "working for provider_walk_away_year: t when provider_gain < 0, else blank",
    "host_loses": "working for host_walk_away_year: t when host_saving < 0, else blank",
    "npv_provider_gain": "sum_t discount(t) * provider_gain(t) - (1 - s_K) * K",
    "npv_host_saving": "sum_t discount(t) * host_saving(t) - s_K * K",
    "provider_payback_year": "smallest t in 0..T with cumulative_provider_gain >= 0 (0: nothing to pay back); n/a if none",
    "host_payback_year": "smallest t in 0..T with cumulative_host_saving >= 0 (0: nothing to pay back); n/a if none",
    "provider_walk_away_year": "first year with provider_gain < 0; n/a if none",
    "host_walk_away_year": "first year with host_saving < 0; n/a if none",
}
"""The Years sheet's rows beyond section 2, in words (symbols as MODEL.md section 10)."""

OUTPUT_NAMES = [
    "occupancy",
    "local_use",
    "provider_profit",
    "provider_gain",
    "host_net_cost",
    "host_unit_cost",
    "host_saving",
]
"""The headline figures the Outputs sheet links to, point by point."""

_SECTIONS = tuple(g for g in GROUPS if g.name not in ("Scenario", "Uncertainty", "Region", *APART_GROUPS))
"""The registry's groups written as input sections (the scenario's texts, the sharing bands and the uncertainty have
sections of their own)."""


_YEARS_FIRST_COL = 3  # Years: line item, unit, formula in words, then one column a year (0-based)
_GROWTH_FIRST_COL = 6  # Inputs: a per-year indexation's rate of year 2 in column G, year 3 in H, ...
_CALC_FIRST_POINT_COL = 3  # Calculations: line item, unit, formula in words, then one column a point (0-based)
_MODES_NOTE = "most likely (the modes of the uncertainty)"


def default_points(scenario: Scenario) -> list[tuple[float, float, str]]:
    """The points the workbook evaluates unless told otherwise, as (occupancy, local use, note):
    the modes of the scenario's uncertainty; occupancy 0.6 / 0.8 / 1.0 x local use 0.25 / 0.5 /
    0.75 / 1.0; and occupancy 0.8 with no local use, where host_unit_cost is undefined. In the
    workbook the first point is a formula of the "most likely" inputs, so it follows them."""
    unc = scenario.uncertainty
    points = [(unc.occupancy.mode, unc.local_use.mode, _MODES_NOTE)]
    points += [(o, u, "spread") for o in (0.6, 0.8, 1.0) for u in (0.25, 0.5, 0.75, 1.0)]
    points.append((0.8, 0.0, "no local use: host_unit_cost undefined"))
    return points


def _points(points) -> list[tuple[float, float, str]]:
    out = []
    for i, p in enumerate(points):
        if len(p) not in (2, 3):
            raise ValueError(f"points[{i}]: expected (occupancy, local_use) or (occupancy, local_use, note)")
        o, u = float(p[0]), float(p[1])
        for name, x in (("occupancy", o), ("local_use", u)):
            if not (math.isfinite(x) and 0.0 <= x <= 1.0):
                raise ValueError(
                    f"points[{i}]: {name} must be between 0 and 1, got {p[0] if name == 'occupancy' else p[1]}"
                )
        out.append((o, u, str(p[2]) if len(p) == 3 else ""))
    if not out:
        raise ValueError("points: needs at least one point")
    return out


def _cached(value):
    """A formula's cached result for viewers that do not recalculate: a float, or n/a text."""
    x = float(value)
    return x if math.isfinite(x) else NA


def workbook_points(scenario: Scenario, points: Sequence[tuple] | None = None) -> list[tuple[float, float, str]]:
    """The points the workbook evaluates, checked: ``points`` (by default :func:`default_points`) as (occupancy,
    local use, note), each a fraction 0-1 (ValueError naming the point otherwise)."""
    return _points(default_points(scenario) if points is None else points)


def audit_workbook(
    scenario: Scenario,
    points: Sequence[tuple],
    result: Outcome,
    term: TermResult | None = None,
    members: dict | None = None,
    arrangements: list | None = None,
) -> bytes:
    """An .xlsx that recomputes MODEL.md section 2 in live Excel formulas, for audit: the Excel formulas are the
    workbook's own derivation, for auditors; their cached values are the model's results, passed in (``result``:
    section 2 at the :func:`workbook_points`; ``term``: section 10 at the first of them, needed when the term
    runs more than one year). ``paper.pack.audit_workbook_of`` works them out.

    Sheets:

    * ``Inputs``: every scenario field of MODEL.md section 1, one a row (label with its
      symbol, unit, value, dotted field path, note); the sharing bands as a small table; the
      points to evaluate (occupancy, local use). Unset defaults (spot, host's alternative) are
      formulas pointing at the input they default to; a missing loss cap reads "no cap".
    * ``Calculations``: one row per section-2 line item in MODEL.md order, one column per point,
      every cell a formula of Inputs cells and the cells above it, with the MODEL.md formula in
      words and the unit beside it. host_unit_cost reads "n/a" where the host uses nothing.
    * ``Years`` (when the term has more than one year, MODEL.md section 10): one column a year at
      the first point: the indexation, each year's indexed inputs, every section-2 line item (the
      Calculations sheet's formulas on the year's inputs), the discount factor, discounted and
      cumulative gains after each side's share of the set-up cost, the NPVs, payback and walk-away
      years. The term's inputs (a per-year indexation as a row of rates) are on ``Inputs``.
    * ``Members`` (for a region of councils, MODEL.md section 12; their inputs at the foot of ``Inputs``): each
      council's line items at each point, live formulas of its inputs and the Calculations sheet's cells (``members``:
      the model's member figures at the points, arrays of shape (members, points), as their cached results); the
      councils' net costs and savings summed, and checks that the sums are the host's (zero when the sheet is
      sound). The Calculations sheet's host_cost_without_agreement is then the councils' sum.
    * ``Outputs``: the headline figures of each point, linked from Calculations, and a check of
      the section-2 identity (zero when the sheet is sound); over a term, the NPVs, payback and
      walk-away years, linked from Years.
    * ``Build-up`` (when the scenario builds its costs up from their parts or its alternative price from a mix,
      MODEL.md section 14): the parts as inputs and v, F and p_a as live formulas of them, which the Inputs
      sheet's v, F and p_a link to.
    * ``Other ways to buy`` (when ``arrangements`` are given, section 13): each arrangement's figures under the
      uncertainty, as values.

    ``points`` is a sequence of (occupancy, local use) or (occupancy, local use, note), each
    0-1. Formulas carry the model's values as cached results, so viewers that do not recalculate
    still show the right figures; Excel recalculates on load. Returns the file's bytes.
    """
    pts = _points(points)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)  # text as text; the formulas by write_formula
    wb.set_properties(
        {
            "title": f"{scenario.name}: audit workbook",
            "subject": "Local partnership agreement: the model's formulas, live",
            "comments": "Partnership Calculator export. Inputs, Calculations and Outputs kept apart (FAST Standard).",
        }
    )
    wb.set_calc_mode("auto")
    f = _Formats(wb, scenario.currency)
    inputs = wb.add_worksheet("Inputs")
    calcs = wb.add_worksheet("Calculations")
    region = wb.add_worksheet("Members") if scenario.members else None
    several = scenario.term.years > 1
    years = wb.add_worksheet("Years") if several else None
    outputs = wb.add_worksheet("Outputs")
    built = scenario.cost_build_up is not None or scenario.alternative_mix is not None
    derived = _write_build_up(wb.add_worksheet(BUILD_UP_SHEET), f, scenario) if built else {}
    if arrangements:
        _write_arrangements(wb.add_worksheet(ARRANGEMENTS_SHEET), f, scenario, arrangements)
    # the model's values at the points (passed in), stored as the formulas' cached results
    ref, point_refs, bands, growth = _write_inputs(inputs, f, scenario, pts, derived)
    overrides = {}
    if region is not None:
        if members is None:
            raise ValueError("members: a region of councils needs the model's member figures at the points")
        member_refs = _write_member_inputs(inputs, f, scenario, ref)
        layout = member_rows(len(scenario.members))
        cells = "+".join(
            f"Members!{{_col}}{layout[(i, 'member_cost_without_agreement')] + 1}" for i in range(len(scenario.members))
        )
        overrides["host_cost_without_agreement"] = (
            f"={cells}",
            "sum_i member_cost_without_agreement_i (Members)",
        )
    rows = _write_calculations(calcs, f, scenario, result, ref, point_refs, bands, overrides)
    if region is not None:
        _write_members(region, f, scenario, result, members, rows, ref, member_refs, point_refs)
    free = _write_outputs(outputs, f, scenario, result, rows, ref, point_refs, member_refs if region else None)
    if several:
        if term is None:
            raise ValueError("term: a term of more than one year needs the model's term result at the first point")
        years_rows = _write_years(
            years, f, scenario, term, ref, point_refs, bands, growth, member_refs if region is not None else None
        )
        _write_term_outputs(outputs, f, scenario, term, years_rows, free)
    wb.close()
    return buffer.getvalue()


class _Formats:
    """The workbook's cell formats: yellow inputs, black calculations, money with separators."""

    def __init__(self, wb, currency: str):
        self.wb = wb
        self.currency = currency
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"})
        self.header = wb.add_format(
            {"bold": True, "bottom": 1, "bg_color": "#D9E1F2", "valign": "top", "text_wrap": True}
        )
        self.section = wb.add_format({"bold": True, "font_color": "#1F3864", "top": 1})
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.working = wb.add_format({"italic": True, "font_color": "#7F7F7F", "text_wrap": True, "valign": "top"})
        self.mono = wb.add_format(
            {"font_name": "Consolas", "font_color": "#404040", "text_wrap": True, "valign": "top"}
        )
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.mono_wrap = self.mono
        self.note_wrap = wb.add_format({"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"})
        self.input_text = wb.add_format(
            {"bg_color": "#FFF2CC", "font_color": "#0000CC", "border": 1, "border_color": "#BFBFBF", "valign": "top"}
        )
        self._cache: dict[tuple, object] = {}

    def number(self, code: str, is_input: bool = False, working: bool = False):
        key = (code, is_input, working)
        if key not in self._cache:
            props = {"num_format": code, "align": "right", "valign": "top"}
            if working:
                props.update({"italic": True, "font_color": "#7F7F7F"})
            if is_input:
                props.update({"bg_color": "#FFF2CC", "font_color": "#0000CC", "border": 1, "border_color": "#BFBFBF"})
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def for_unit(self, unit: str, is_input: bool = False):
        """Money per year with thousands separators and no decimals; per unit-period money with
        two; fractions with three; counts of unit-periods with one."""
        if "fraction" in unit or "probability" in unit:
            code = "0.000"
        elif unit.startswith(self.currency) and "per year" in unit:
            code = "#,##0;[Red]-#,##0"
        elif unit.startswith(self.currency):
            code = "#,##0.00;[Red]-#,##0.00"
        else:
            code = "#,##0.0##"
        return self.number(code, is_input)


def _input_label(f: FieldSpec) -> str:
    return f"{f.label} ({f.symbol})" if f.symbol else f.label


def _write_inputs(ws, f: _Formats, scenario: Scenario, pts, derived: dict | None = None):
    """The Inputs sheet. Returns (absolute reference of each numeric path, the (o, u) reference
    of each point, the band table's (from range, share range)). ``derived``: the fields the Build-up sheet derives
    (path -> (reference, value)), linked to it instead of typed."""
    derived = derived or {}
    wide = scenario.term.years > 1  # a per-year indexation takes a column a year from G
    widths = [29, 16, 12, 11, 21, 21] if wide else [30, 16, 13, 11, 30, 45]  # A4 landscape at 9 points or more
    _wrapping(
        ws,
        {0: (widths[0], False), 1: (widths[1], False), 4: (widths[4], True), 5: (widths[5], False)},
        (5, sum(widths)),
    )
    for col, (width, fmt) in enumerate(zip(widths, [f.wrap, f.wrap, None, None, f.mono_wrap, f.note_wrap])):
        ws.set_column(col, col, width, fmt)
    ws.set_column(_GROWTH_FIRST_COL, _GROWTH_FIRST_COL + scenario.term.years, GROWTH_WIDTH)
    ws.write_string(0, 0, f"Inputs: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "Yellow cells are inputs: change one and the Calculations and Outputs sheets recompute. "
        "White cells on this sheet are defaults worked out from another input. Each input's symbol, in brackets, is the name the Calculations sheet's formulas use.",
        f.note,
    )
    ws.write_row(3, 0, ["Input", "Unit", "Value", "", "Field", "Note"], f.header)
    ws.freeze_panes(4, 0)
    ref: dict[str, str] = {}
    row = 4

    def cell(r: int, c: int = 2) -> str:
        return "Inputs!" + xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)

    def section(title: str) -> None:
        nonlocal row
        row += 1
        ws.write_string(row, 0, title, f.section)
        for c in range(1, 6):
            ws.write_blank(row, c, None, f.section)
        row += 1

    section(group_of("Scenario").title)
    for fs in FIELDS:
        if fs.group != "Scenario" or fs.kind != "text":
            continue
        ws.write_string(row, 0, fs.label)
        ws.write_string(row, 1, "text")
        ws.write_string(row, 2, getattr(scenario, fs.path) or "", f.input_text)
        ws.write_string(row, 4, fs.path, f.mono)
        if fs.path == "description":
            ws.write_string(row, 5, fs.help, f.note)
        row += 1

    years = scenario.term.years
    growth: dict[str, list[str]] = {}  # each indexation's rate of year 2..T, one cell a year
    for group in _SECTIONS:
        section(group.title)
        if group.name == "Term" and years > 1:
            ws.write_row(row - 1, _GROWTH_FIRST_COL, [f"Year {t}" for t in range(2, years + 1)], f.header)
        for fs in FIELDS:
            if fs.group != group.name or "[i]" in fs.path:
                continue
            path = fs.path
            ws.write_string(row, 0, _input_label(fs))
            ws.write_string(row, 4, path, f.mono)
            ref[path] = cell(row)
            value = _value(scenario, path)
            if fs.per_year:
                unit = field_unit(path, scenario)
                ws.write_string(row, 1, unit)
                per_year = not np.isscalar(value)
                if per_year:
                    ws.write_string(row, 2, "by year: columns G onwards", f.input_text)
                    note = f"{fs.help} One rate a year from year 2 (yellow cells to the right)."
                else:
                    ws.write_number(row, 2, float(value), f.number("0.000", is_input=True))
                    note = f"{fs.help} The same every year (the white cells to the right follow it)."
                ws.write_string(row, 5, note, f.note)
                growth[path] = []
                for t in range(2, years + 1):
                    c = _GROWTH_FIRST_COL + t - 2
                    if per_year:
                        ws.write_number(row, c, float(value[t - 2]), f.number("0.000", is_input=True))
                    else:
                        ws.write_formula(row, c, f"={ref[path]}", f.number("0.000"), float(value))
                    growth[path].append(cell(row, c))
                row += 1
                continue
            if path == "term.years":
                ws.write_string(row, 1, field_unit(path, scenario))
                ws.write_number(row, 2, float(value), f.number("General"))
                ws.write_string(
                    row,
                    5,
                    f"{fs.help} The Years sheet has one column a year: export the workbook again to change it.",
                    f.note,
                )
                row += 1
                continue
            if fs.kind == "choice":
                ws.write_string(row, 1, fs.unit)
                ws.write_string(row, 2, value, f.input_text)
                ws.data_validation(row, 2, row, 2, {"validate": "list", "source": list(fs.choices)})
                ws.write_string(row, 5, fs.help, f.note)
                row += 1
                continue
            unit = field_unit(path, scenario)
            ws.write_string(row, 1, unit)
            if path in derived:  # built up from its parts (MODEL.md section 14): a live link to the Build-up sheet
                link, number = derived[path]
                ws.write_formula(row, 2, f"={link}", f.for_unit(unit), number)
                ws.write_string(
                    row, 5, f"Derived on the {BUILD_UP_SHEET} sheet from its parts; change them there.", f.note
                )
            elif value is None and fs.default_from:
                source = FIELDS_BY_PATH[fs.default_from]
                ws.write_formula(row, 2, f"={ref[fs.default_from]}", f.for_unit(unit), float(_resolved(scenario, path)))
                ws.write_string(
                    row,
                    5,
                    f"Not set: defaults to the {source.label.lower()} ({source.symbol}). Type a number to override.",
                    f.note,
                )
            elif value is None:
                ws.write_string(row, 2, fs.unset_text, f.input_text)
                ws.write_string(row, 5, f"{fs.help} Type a number (per year) to set one.", f.note)
            elif fs.kind in ("count", "integer"):
                ws.write_number(row, 2, float(value), f.number("General", is_input=True))
            else:
                ws.write_number(row, 2, float(value), f.for_unit(unit, is_input=True))
            row += 1

    section("Sharing bands: the host's share of the surplus above target, by local use")
    ws.write_row(row, 0, ["Sharing band", "Unit", "From local use", "Host share", "Field"], f.header)
    row += 1
    bands = scenario.agreement.sharing.bands
    first = row
    for i, band in enumerate(bands):
        ws.write_string(row, 0, f"Sharing band {i + 1}")
        ws.write_string(row, 1, "fraction 0-1")
        ws.write_number(row, 2, float(band.from_local_use), f.number("0.000", True))
        ws.write_number(row, 3, float(band.host_share), f.number("0.000", True))
        ws.write_string(row, 4, f"agreement.sharing.bands[{i}]", f.mono)
        row += 1
    last = row - 1
    band_ranges = (
        f"Inputs!$C${first + 1}:$C${last + 1}",
        f"Inputs!$D${first + 1}:$D${last + 1}",
    )
    ws.write_string(
        row,
        0,
        "The first band starts at 0; starts rise strictly. To add a band, insert a row inside the table.",
        f.note,
    )
    row += 1

    section("Uncertainty: triangular distributions (lowest, most likely, highest)")
    for fs in FIELDS:
        if fs.group != "Uncertainty":
            continue
        path = fs.path
        ws.write_string(row, 0, fs.label)
        ws.write_string(row, 1, "fraction 0-1")
        ws.write_number(row, 2, float(_value(scenario, path)), f.number("0.000", True))
        ws.write_string(row, 4, path, f.mono)
        ref[path] = cell(row)
        row += 1

    section("Points to evaluate on the Calculations sheet")
    ws.write_row(row, 0, ["Point", "Unit", "Occupancy (o)", "Local use (u)", "", "Note"], f.header)
    row += 1
    unc = scenario.uncertainty
    point_refs = []
    for i, (o, u, note) in enumerate(pts):
        ws.write_string(row, 0, f"Point {i + 1}")
        ws.write_string(row, 1, "fraction 0-1")
        is_modes = i == 0 and note == _MODES_NOTE and (o, u) == (unc.occupancy.mode, unc.local_use.mode)
        if is_modes:
            ws.write_formula(row, 2, f"={ref['uncertainty.occupancy.mode']}", f.number("0.000"), o)
            ws.write_formula(row, 3, f"={ref['uncertainty.local_use.mode']}", f.number("0.000"), u)
            note = note + ": follows the most likely values above"
        else:
            ws.write_number(row, 2, o, f.number("0.000", True))
            ws.write_number(row, 3, u, f.number("0.000", True))
        if note:
            ws.write_string(row, 5, note, f.note)
        point_refs.append((cell(row, 2), cell(row, 3)))
        row += 1
    _print_setup(ws, widths + [GROWTH_WIDTH] * max(0, years - 1), 0, 0)
    return ref, point_refs, band_ranges, growth


GROWTH_WIDTH = 8
"""Width of a year's column of rates on the Inputs sheet."""
POINT_WIDTH = 12
"""Width of a point's (or a year's) column: a money figure of eight digits with its separators, at 11 pt."""
PAGE_PX = (11.69 - 2 * 0.4) * 96
"""The width an A4 landscape page holds between 0.4-inch margins, in pixels at 100 % (96 a printed inch)."""
MIN_SCALE = 0.85
"""The smallest print scale: 11-point type prints at 9.35 points or more."""


def _wrapping(ws, widths: dict[int, tuple[float, bool]], note: tuple[int, float] = (0, 0)) -> None:
    """Make the sheet's ``write_string`` note how many lines each text takes in a wrapped column (``widths``:
    column -> (width, monospaced)), so :func:`_print_setup` can give each row the height its text needs (Excel and
    LibreOffice do not grow a row for wrapped text they did not type themselves). The sheet's note (row 2) is
    merged across ``note`` (last column, total width) and wrapped there."""
    lines: dict[int, int] = {}
    write = ws.write_string

    def write_string(row, col, text, fmt=None):
        if (row, col) == (1, 0) and note[0] > 0:
            ws.merge_range(1, 0, 1, note[0], text, fmt)
            ws.set_row(1, 15 * len(textwrap.wrap(str(text), int(note[1] * 1.05))))
            return 0
        if col in widths and text:
            width, mono = widths[col]
            chars = max(4, int(width * (0.85 if mono else 1.05)))
            n = sum(len(textwrap.wrap(part, chars, break_long_words=True)) or 1 for part in str(text).split("\n"))
            lines[row] = max(lines.get(row, 1), n)
        return write(row, col, text, fmt)

    ws.write_string = write_string
    ws.wrapped_lines = lines


def _px(width: float) -> float:
    """A column's width in pixels, as Excel lays out 11-point Calibri (7 pixels a character, plus 5)."""
    return width * 7 + 5


def _print_setup(ws, label_widths: list[float], first_col: int, n: int, width: float = POINT_WIDTH) -> None:
    """Print the sheet on A4 landscape with its header rows (1-4) on every page, type no smaller than
    :data:`MIN_SCALE` of its size. A sheet of label columns and ``n`` columns of figures (points or years) that
    fits the page width at that scale is fitted to it; a wider one prints its figures a page-width block at a time,
    the label columns repeated on every page, fitted to as many page widths as that takes."""
    for row, lines in getattr(ws, "wrapped_lines", {}).items():
        if lines > 1 and row > 3:
            ws.set_row(row, 15 * lines)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(0, 3)
    ws.set_footer("&L&A&RPage &P of &N")
    labels = sum(_px(w) for w in label_widths)
    if n == 0 or labels + n * _px(width) <= PAGE_PX / MIN_SCALE:
        ws.fit_to_pages(1, 0)
        return
    per_page = max(1, int((PAGE_PX / MIN_SCALE - labels) // _px(width)))
    ws.repeat_columns(0, first_col - 1)
    ws.fit_to_pages(-(-n // per_page), 0)  # so many pages wide, the label columns on each
    ws.print_across()


def _point_headers(ws, f: _Formats, first_col: int, point_refs, result) -> None:
    """Each point's column header: its number, occupancy and local use, as live formulas of the Inputs sheet's
    points table (a point changed there relabels its column)."""
    ws.set_row(3, 76)
    for j, (o_ref, u_ref) in enumerate(point_refs):
        o, u = float(result.occupancy[j]), float(result.local_use[j])
        formula = (
            f'="Point {j + 1}"&CHAR(10)&"occupancy"&CHAR(10)&ROUND({o_ref}*100,1)&" %"&CHAR(10)&"local use"'
            f'&CHAR(10)&ROUND({u_ref}*100,1)&" %"'
        )
        shown = f"Point {j + 1}\noccupancy\n{_pct(o)} %\nlocal use\n{_pct(u)} %"
        ws.write_formula(3, first_col + j, formula, f.header, shown)


def _pct(x: float) -> str:
    """A fraction as the workbook's header formula writes it in percent: rounded to 0.1, no trailing zero."""
    v = round(x * 100, 1)
    return f"{v:g}"


def _value(scenario: Scenario, path: str):
    return value_of(scenario, path, resolved=False)


def _resolved(scenario: Scenario, path: str):
    return value_of(scenario, path)


FIELDS_BY_PATH = {f.path: f for f in FIELDS}


def _formulas(ref: dict[str, str], bands: tuple[str, str]) -> dict[str, str]:
    """Excel formula templates for each line item; ``{name}`` is the same column's cell of that row."""
    r = ref
    froms, shares = bands
    band = "{sharing_band}"
    at = lambda rng, k: f"INDEX({rng},{k})"  # noqa: E731
    linear = (
        f"IF({band}=COUNT({froms}),{at(shares, band)},{at(shares, band)}"
        f"+({at(shares, band + '+1')}-{at(shares, band)})*({{local_use}}-{at(froms, band)})"
        f"/({at(froms, band + '+1')}-{at(froms, band)}))"
    )
    loss = f"{r['agreement.sharing.loss_share']}*MAX(-{{surplus_before_sharing}},0)"
    cap = r["agreement.sharing.loss_cap"]
    u0 = r["without_agreement.local_use"]
    return {
        "occupied_units": f"={r['service.capacity']}*{r['service.periods_per_year']}*{{occupancy}}",
        "host_units": "={occupied_units}*{local_use}",
        "external_units": "={occupied_units}*(1-{local_use})",
        "host_fees": f"={{host_units}}*{r['prices.host']}",
        "external_fees": f"={{external_units}}*{r['prices.external']}",
        "operating_cost": f"={r['service.fixed_cost']}+{{occupied_units}}*{r['service.variable_cost']}",
        "compensation": (
            f"={{external_units}}*({r['agreement.compensation.per_external_unit']}"
            f"+{r['agreement.compensation.premium_share']}*MAX({r['prices.external']}-{r['prices.host']},0))"
        ),
        "void_units": (
            f"=MAX(0,MIN({r['agreement.reservation.units']}*{r['service.periods_per_year']}-{{host_units}},"
            f"{r['service.capacity']}*{r['service.periods_per_year']}-{{occupied_units}}))"
        ),
        "void_payments": f"={{void_units}}*{r['agreement.reservation.void_price']}",
        "surplus_before_sharing": (
            f"={{host_fees}}+{{external_fees}}+{r['agreement.contribution']}+{{void_payments}}"
            "-{operating_cost}-{compensation}"
        ),
        "sharing_threshold": f"={r['agreement.sharing.target_margin']}*{{operating_cost}}",
        "sharing_band": f"=MATCH({{local_use}},{froms},1)",
        "host_share_rate": f'=IF({r["agreement.sharing.interpolation"]}="linear",{linear},{at(shares, band)})',
        "surplus_share_to_host": (
            "={host_share_rate}*MAX({surplus_before_sharing}-{sharing_threshold},0)"
            f"-IF(ISNUMBER({cap}),MIN({loss},{cap}),{loss})"
        ),
        "provider_profit": "={surplus_before_sharing}-{surplus_share_to_host}",
        "host_net_cost": (
            f"={r['agreement.contribution']}+{{host_fees}}+{{void_payments}}-{{compensation}}-{{surplus_share_to_host}}"
        ),
        "host_unit_cost": '=IF({host_units}=0,"n/a",{host_net_cost}/{host_units})',
        "provider_profit_without_agreement": f"={{occupied_units}}*{r['prices.spot']}-{{operating_cost}}",
        "host_cost_without_agreement": (
            f"={{occupied_units}}*(MIN({{local_use}},{u0})*{r['prices.spot']}"
            f"+MAX({{local_use}}-{u0},0)*{r['prices.host_alternative']})"
        ),
        "host_unit_cost_without_agreement": ('=IF({host_units}=0,"n/a",{host_cost_without_agreement}/{host_units})'),
        "provider_gain": "={provider_profit}-{provider_profit_without_agreement}",
        "host_saving": "={host_cost_without_agreement}-{host_net_cost}",
    }


def _line_item_columns(ws, f: _Formats, n: int) -> tuple[int, int]:
    """The columns of a sheet of line items, one a row (label, name, formula) and one point a column (the Calculations
    and Members sheets alike); returns (the first point's column, how many points)."""
    first_col = _CALC_FIRST_POINT_COL
    ws.set_column("A:A", 30, f.wrap)
    ws.set_column("B:B", 15, f.wrap)
    ws.set_column("C:C", 40, f.mono_wrap)
    ws.set_column(first_col, first_col + n - 1, POINT_WIDTH)
    _wrapping(ws, {0: (30, False), 1: (15, False), 2: (40, True)}, (2, 85))
    return first_col, n


def _write_calculations(
    ws, f: _Formats, scenario: Scenario, result, ref, point_refs, bands, overrides: dict | None = None
) -> dict[str, int]:
    """The Calculations sheet; returns the row (0-based) of each line item. ``overrides``: line item -> (formula
    template, formula in words) in place of section 2's (a region's host_cost_without_agreement is its councils'
    sum); ``{_col}`` in a template is the point's column letter."""
    first_col, n = _line_item_columns(ws, f, len(point_refs))
    ws.write_string(0, 0, f"Calculations: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "The model's formulas, one line item a row, one point (an occupancy and a local use) a column. Every "
        f"figure is a live formula of the Inputs sheet and the rows above it. Money in {scenario.currency} per year "
        "unless the unit says otherwise; a negative surplus_share_to_host is the host paying towards a deficit.",
        f.note,
    )
    ws.write_row(3, 0, ["Line item", "Unit", "Formula"], f.header)
    _point_headers(ws, f, first_col, point_refs, result)
    ws.freeze_panes(4, first_col)
    names = list(OUTCOME_NAMES)
    names.insert(names.index("host_share_rate"), "sharing_band")
    names = ["occupancy", "local_use", *names]
    rows = {name: 4 + i for i, name in enumerate(names)}
    o, u = result.occupancy, result.local_use
    starts = [b.from_local_use for b in scenario.agreement.sharing.bands]
    templates = _formulas(ref, bands)
    words = dict(FORMULA_TEXT)
    for name, (template, text) in (overrides or {}).items():
        templates[name], words[name] = template, text
    for name in names:
        r = rows[name]
        working = name == "sharing_band"
        unit = "band number" if working else outcome_unit(name, scenario)
        ws.write_string(r, 0, name, f.working if working else f.text)
        ws.write_string(r, 1, unit, f.working if working else f.text)
        ws.write_string(r, 2, words[name], f.mono)
        fmt = f.number("0", working=True) if working else f.for_unit(unit)
        for j, (o_ref, u_ref) in enumerate(point_refs):
            col = first_col + j
            here = {k: xl_rowcol_to_cell(v, col) for k, v in rows.items()} | {"_col": xl_col_to_name(col)}
            if name == "occupancy":
                formula, value = f"={o_ref}", o[j]
            elif name == "local_use":
                formula, value = f"={u_ref}", u[j]
            elif working:
                formula, value = templates[name].format(**here), np.searchsorted(starts, u[j], side="right")
            else:
                formula, value = templates[name].format(**here), getattr(result, name)[j]
            ws.write_formula(r, col, formula, fmt, _cached(value))
    _print_setup(ws, [30, 15, 40], first_col, n)
    return rows


def _write_outputs(
    ws,
    f: _Formats,
    scenario: Scenario,
    result,
    calc_rows: dict[str, int],
    ref: dict[str, str],
    point_refs,
    member_refs: list[dict[str, str]] | None = None,
) -> int:
    """The Outputs sheet: headline figures linked from Calculations, and the identity check (for a region of
    councils, ``member_refs``, each council's own price elsewhere and local use anyway); returns the first free
    row."""
    first_col = 2
    n = len(result.occupancy)
    ws.set_column("A:A", 34, f.wrap)
    ws.set_column("B:B", 18, f.wrap)
    ws.set_column(first_col, first_col + n - 1, POINT_WIDTH)
    _wrapping(ws, {0: (34, False), 1: (18, False)}, (1, 52))
    ws.write_string(0, 0, f"Outputs: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "Headline figures at each point, linked from the Calculations sheet; and a check that must read 0.",
        f.note,
    )
    ws.write_row(3, 0, ["Output", "Unit"], f.header)
    _point_headers(ws, f, first_col, point_refs, result)
    ws.freeze_panes(4, first_col)
    o, u = result.occupancy, result.local_use
    row = 4
    for name in OUTPUT_NAMES:
        unit = outcome_unit(name, scenario)
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, unit)
        for j in range(n):
            src = "Calculations!" + xl_rowcol_to_cell(calc_rows[name], _CALC_FIRST_POINT_COL + j)
            value = o[j] if name == "occupancy" else u[j] if name == "local_use" else getattr(result, name)[j]
            ws.write_formula(row, first_col + j, f"={src}", f.for_unit(unit), _cached(value))
        row += 1
    row += 1
    ws.write_string(row, 0, "Checks", f.section)
    ws.write_blank(row, 1, None, f.section)
    row += 1
    ws.write_string(row, 0, "joint_gain_check")
    ws.write_string(row, 1, f"{scenario.currency} per year")
    ws.write_string(row + 1, 0, FORMULA_TEXT["joint_gain_check"] if not member_refs else REGION_JOINT_GAIN_TEXT, f.note)
    p_s, p_a, p_e = ref["prices.spot"], ref["prices.host_alternative"], ref["prices.external"]
    u0 = ref["without_agreement.local_use"]
    for j in range(n):
        c = lambda name, j=j: "Calculations!" + xl_rowcol_to_cell(calc_rows[name], _CALC_FIRST_POINT_COL + j)  # noqa: E731
        formula = (
            f"={c('provider_gain')}+{c('host_saving')}-({c('occupied_units')}*MAX({c('local_use')}-{u0},0)*({p_a}-{p_s})"
            f"+{c('external_units')}*({p_e}-{p_s}))"
        )
        if member_refs:  # each council buys elsewhere at its own price, beyond what it would get locally anyway
            elsewhere = "+".join(
                f"MAX({m['use_share']}*{c('local_use')}-{m['local_use_anyway']},0)*({m['host_alternative']}-{p_s})"
                for m in member_refs
            )
            formula = (
                f"={c('provider_gain')}+{c('host_saving')}-({c('occupied_units')}*({elsewhere})"
                f"+{c('external_units')}*({p_e}-{p_s}))"
            )
        ws.write_formula(row, first_col + j, formula, f.number("#,##0.00;[Red]-#,##0.00"), 0.0)
    _print_setup(ws, [34, 18], first_col, n)
    return row + 3


def _write_years(
    ws, f: _Formats, scenario: Scenario, term, ref, point_refs, bands, growth, member_refs=None
) -> dict[str, int]:
    """The Years sheet (MODEL.md section 10) at the first point: the indexation, each year's indexed inputs,
    every section-2 line item a year (the Calculations sheet's templates, pointing at the year's inputs),
    discounting, the cumulative gains after set-up, and the term's figures. Returns the row of each item.

    For a region (``member_refs``: each council's Inputs cells), each council's price elsewhere (p_a,i) is a year's
    input too, indexed with the market prices, and the host's cost without the agreement is the councils' sum
    (section 12), as on the Calculations sheet."""
    first_col = _YEARS_FIRST_COL
    years = scenario.term.years
    ws.set_column("A:A", 30, f.wrap)
    ws.set_column("B:B", 15, f.wrap)
    ws.set_column("C:C", 40, f.mono_wrap)
    ws.set_column(first_col, first_col + years - 1, POINT_WIDTH)
    _wrapping(ws, {0: (30, False), 1: (15, False), 2: (40, True)}, (2, 85))
    ws.write_string(0, 0, f"Years: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "One year a column, at the first point of the Calculations sheet (point 1). Each year's "
        "inputs are the Inputs sheet's times that year's index; each line item is the Calculations sheet's formula "
        f"on the year's inputs. Money in {scenario.currency} per year (of that year's prices) unless the unit says "
        "otherwise.",
        f.note,
    )
    ws.write_row(3, 0, ["Line item", "Unit", "Formula"], f.header)
    ws.write_row(3, first_col, [f"Year {t}" for t in range(1, years + 1)], f.header)
    ws.freeze_panes(4, first_col)
    currency = scenario.currency
    d, k_cost, s_k = ref["term.discount_rate"], ref["term.set_up.cost"], ref["term.set_up.host_share"]
    y = term.years  # the model's figures of each year, cached beside the formulas
    starts = [b.from_local_use for b in scenario.agreement.sharing.bands]
    t_all = np.arange(1, years + 1, dtype=float)
    gain, saving = np.asarray(y.provider_gain, float), np.asarray(y.host_saving, float)
    # the model's own series, cached beside the formulas (years 1..T: the set-up year 0 is the Inputs sheet's)
    cum_gain = np.asarray(term.cumulative_provider_gain, float).reshape(-1)[1:]
    cum_saving = np.asarray(term.cumulative_host_saving, float).reshape(-1)[1:]
    yt = term.years.inputs  # each year's indexed inputs, as the model worked the years out

    # (key, label in column A, unit, formula in words, style, per-year formula template, per-year cached values)
    items: list[tuple] = [("__section__", "Timeline and indexation")]
    items.append(("year", "year", "year", TERM_FORMULA_TEXT["year"], "number", None, t_all))
    for key, path, g in _INDEXATIONS:
        items.append((key, key, "index (year 1 = 1)", TERM_FORMULA_TEXT[key], "index", (path, g), None))
    items.append(("__section__", "Each year's inputs: the Inputs sheet's value times the year's index"))
    year_ref = dict(ref)
    for path, symbol, index_key, name in _INDEXED:
        year_ref[path] = "{" + symbol + "}"
        words = f"{symbol} (Inputs) * {index_key}"
        if path == "agreement.sharing.loss_cap":
            words += "   (stays 'no cap' when there is none)"
        items.append((symbol, path, field_unit(path, scenario), words, "input", index_key, getattr(yt, name)))
    members = list(enumerate(scenario.members or [])) if member_refs is not None else []
    for i, m in members:
        key = f"p_a_{i}"
        unit = field_unit(f"region.members[{i}].host_alternative", scenario)
        words = "p_a,i (Inputs) * index_market_prices"
        values = yt.member_host_alternative_prices[i]
        items.append((key, f"{m.name}: p_a,i", unit, words, "member_input", (i, "index_market_prices"), values))
    items.append(("__section__", "The Calculations sheet's line items in each year, at point 1"))
    names = list(OUTCOME_NAMES)
    names.insert(names.index("host_share_rate"), "sharing_band")
    templates = _formulas(year_ref, bands)
    formula_text = dict(FORMULA_TEXT)
    if members:  # a region's host pays what its councils would: the Members sheet's formula, each year
        templates["host_cost_without_agreement"] = "=" + "+".join(
            f"{{occupied_units}}*(MIN({r['use_share']}*{{local_use}},{r['local_use_anyway']})*{{p_s}}"
            f"+MAX({r['use_share']}*{{local_use}}-{r['local_use_anyway']},0)*{{p_a_{i}}})"
            for i, r in enumerate(member_refs)
        )
        formula_text["host_cost_without_agreement"] = (
            "sum_i occupied_units * (min(s_i * u, u0_i) * p_s + max(s_i * u - u0_i, 0) * p_a,i)"
        )
    for name in ["occupancy", "local_use", *names]:
        unit = "band number" if name == "sharing_band" else outcome_unit(name, scenario)
        if name == "sharing_band":
            values = np.searchsorted(starts, np.broadcast_to(y.local_use, (years,)), side="right")
        else:
            values = np.broadcast_to(np.asarray(getattr(y, name), float), (years,))
        items.append((name, name, unit, formula_text[name], "outcome", None, values))
    items.append(("__section__", "Discounting and payback"))
    flag = lambda ok: np.where(ok, t_all, np.nan)  # noqa: E731
    for key, unit, values in (
        ("discount_factor", "factor", term.discount),
        ("discounted_provider_gain", f"{currency} present value", term.discounted_provider_gain),
        ("discounted_host_saving", f"{currency} present value", term.discounted_host_saving),
        ("cumulative_provider_gain", f"{currency} present value", cum_gain),
        ("cumulative_host_saving", f"{currency} present value", cum_saving),
        ("provider_paid_back", "year", flag(cum_gain >= 0)),
        ("host_paid_back", "year", flag(cum_saving >= 0)),
        ("provider_loses", "year", flag(gain < 0)),
        ("host_loses", "year", flag(saving < 0)),
    ):
        items.append((key, key, unit, TERM_FORMULA_TEXT[key], "term", None, values))

    # rows first, so that every template can name any row
    rows: dict[str, int] = {}
    row = 4
    for item in items:
        if item[0] == "__section__":
            row += 1
        else:
            rows[item[0]] = row
        row += 1
    cell_at = lambda key, col: xl_rowcol_to_cell(rows[key], col)  # noqa: E731
    o_ref, u_ref = point_refs[0]
    row = 4
    for item in items:
        if item[0] == "__section__":
            row += 1
            ws.write_string(row, 0, item[1], f.section)
            for c in range(1, first_col + years):
                ws.write_blank(row, c, None, f.section)
            row += 1
            continue
        key, label, unit, words, style, extra, values = item
        working = key in ("sharing_band", "provider_paid_back", "host_paid_back", "provider_loses", "host_loses")
        ws.write_string(row, 0, label, f.working if working else f.mono if style == "input" else f.text)
        ws.write_string(row, 1, unit, f.working if working else f.text)
        ws.write_string(row, 2, words, f.mono)
        if working:
            fmt = f.number("0", working=True)
        elif unit in ("year",):
            fmt = f.number("0")
        elif unit.startswith("index") or unit == "factor":
            fmt = f.number("0.000000")
        else:
            fmt = f.for_unit(unit)
        for j in range(years):
            col = first_col + j
            here = {k: xl_rowcol_to_cell(v, col) for k, v in rows.items()}
            first = lambda k: xl_rowcol_to_cell(rows[k], first_col, col_abs=True)  # noqa: E731, B023
            if key == "year":
                formula = "=1" if j == 0 else f"={cell_at('year', col - 1)}+1"
                value = j + 1
            elif style == "index":
                path, _ = extra
                formula = "=1" if j == 0 else f"={cell_at(key, col - 1)}*(1+{growth[path][j - 1]})"
                value = np.cumprod(np.concatenate([[1.0], 1 + _growth_rates(scenario, path)]))[j]
            elif style == "input":
                src, index_cell = ref[label], here[extra]
                value = np.broadcast_to(np.asarray(values, float), (years,))[j]
                if label == "agreement.sharing.loss_cap":
                    formula = f"=IF(ISNUMBER({src}),{src}*{index_cell},{src})"
                    value = value if math.isfinite(value) else FIELDS_BY_PATH[label].unset_text
                else:
                    formula = f"={src}*{index_cell}"
            elif style == "member_input":
                i, index_key = extra
                value = np.broadcast_to(np.asarray(values, float).reshape(-1), (years,))[j]
                formula = f"={member_refs[i]['host_alternative']}*{here[index_key]}"
            elif key == "occupancy":
                formula, value = f"={o_ref}", values[j]
            elif key == "local_use":
                formula, value = f"={u_ref}", values[j]
            elif style == "outcome":
                formula, value = templates[key].format(**here), values[j]
            elif key == "discount_factor":
                formula, value = f"=(1+{d})^-{here['year']}", values[j]
            elif key.startswith("discounted_"):
                what = key.removeprefix("discounted_")
                formula, value = f"={here['discount_factor']}*{here[what]}", values[j]
            elif key == "cumulative_provider_gain":
                formula = (
                    f"=-(1-{s_k})*{k_cost}+SUM({first('discounted_provider_gain')}:{here['discounted_provider_gain']})"
                )
                value = values[j]
            elif key == "cumulative_host_saving":
                formula = f"=-{s_k}*{k_cost}+SUM({first('discounted_host_saving')}:{here['discounted_host_saving']})"
                value = values[j]
            else:  # the workings of payback and walk-away years: the year, or blank
                test = {
                    "provider_paid_back": f"{here['cumulative_provider_gain']}>=0",
                    "host_paid_back": f"{here['cumulative_host_saving']}>=0",
                    "provider_loses": f"{here['provider_gain']}<0",
                    "host_loses": f"{here['host_saving']}<0",
                }[key]
                formula = f'=IF({test},{here["year"]},"")'
                value = values[j] if math.isfinite(values[j]) else ""
            ws.write_formula(row, col, formula, fmt, value if isinstance(value, str) else _cached(value))
        row += 1

    # the term's figures, in the first year's column
    row += 1
    ws.write_string(row, 0, "Over the term", f.section)
    for c in range(1, first_col + years):
        ws.write_blank(row, c, None, f.section)
    row += 1
    span = lambda k: (  # noqa: E731
        xl_rowcol_to_cell(rows[k], first_col, row_abs=True, col_abs=True)
        + ":"
        + xl_rowcol_to_cell(rows[k], first_col + years - 1, row_abs=True, col_abs=True)
    )
    formulas = {
        "npv_provider_gain": f"=SUMPRODUCT({span('discount_factor')},{span('provider_gain')})-(1-{s_k})*{k_cost}",
        "npv_host_saving": f"=SUMPRODUCT({span('discount_factor')},{span('host_saving')})-{s_k}*{k_cost}",
        "provider_payback_year": (
            f'=IF(-(1-{s_k})*{k_cost}>=0,0,IF(COUNT({span("provider_paid_back")})=0,"n/a",'
            f"MIN({span('provider_paid_back')})))"
        ),
        "host_payback_year": (
            f'=IF(-{s_k}*{k_cost}>=0,0,IF(COUNT({span("host_paid_back")})=0,"n/a",MIN({span("host_paid_back")})))'
        ),
        "provider_walk_away_year": f'=IF(COUNT({span("provider_loses")})=0,"n/a",MIN({span("provider_loses")}))',
        "host_walk_away_year": f'=IF(COUNT({span("host_loses")})=0,"n/a",MIN({span("host_loses")}))',
    }
    for name in TERM_NAMES:
        unit = "year" if name.endswith("_year") else f"{currency} present value"
        rows[name] = row
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, unit)
        ws.write_string(row, 2, TERM_FORMULA_TEXT[name], f.mono)
        fmt = f.number("0") if unit == "year" else f.for_unit(f"{currency} per year")
        ws.write_formula(row, first_col, formulas[name], fmt, _cached(getattr(term, name)))
        row += 1
    _print_setup(ws, [30, 15, 40], first_col, years)
    return rows


def _growth_rates(scenario: Scenario, path: str) -> np.ndarray:
    """An indexation's rates of years 2..T."""
    g = _value(scenario, path)
    years = scenario.term.years
    return np.full(years - 1, float(g)) if np.isscalar(g) else np.asarray(g, dtype=float)


def _write_term_outputs(ws, f: _Formats, scenario: Scenario, term, years_rows: dict[str, int], row: int) -> None:
    """The Outputs sheet's term block (T > 1): the NPVs, payback and walk-away years, linked from Years."""
    ws.write_string(row, 0, "Over the term, at the first point of the Calculations sheet", f.section)
    ws.write_blank(row, 1, None, f.section)
    ws.write_blank(row, 2, None, f.section)
    row += 1
    for name in TERM_NAMES:
        unit = "year" if name.endswith("_year") else f"{scenario.currency} present value"
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, unit)
        fmt = f.number("0") if unit == "year" else f.for_unit(f"{scenario.currency} per year")
        src = "Years!" + xl_rowcol_to_cell(years_rows[name], _YEARS_FIRST_COL)
        ws.write_formula(row, 2, f"={src}", fmt, _cached(getattr(term, name)))
        row += 1


# ---------------------------------------------------------------------------------------------
# A region of councils as the host (MODEL.md section 12): the councils' inputs and the Members sheet

MEMBER_FIELDS = ("use_share", "contribution_share", "host_alternative", "local_use_anyway")
"""A member council's inputs, in the registry's order (``region.members[i].<name>``)."""

MEMBER_FORMULA_TEXT = {
    "member_host_units": "s_i * host_units",
    "member_host_fees": "member_host_units_i * p_h",
    "member_contribution": "w_i * C",
    "member_void_payments": "w_i * void_payments",
    "member_returns": "q_i * (compensation + surplus_share_to_host); q_i = s_i (returns split by use) or w_i",
    "member_net_cost": "member_contribution_i + member_host_fees_i + member_void_payments_i - member_returns_i",
    "member_cost_without_agreement": ("occupied_units * (MIN(s_i * u, u0_i) * p_s + MAX(s_i * u - u0_i, 0) * p_a,i)"),
    "member_saving": "member_cost_without_agreement_i - member_net_cost_i",
}
"""Each member council's line item in words (MODEL.md section 12), beside its formula on the Members sheet."""

REGION_JOINT_GAIN_TEXT = (
    "provider_gain + host_saving - (occupied_units * sum_i max(s_i * u - u0_i, 0) * (p_a,i - p_s) "
    "+ external_units * (p_e - p_s)): zero for a region of councils, each buying elsewhere at its own price"
)
"""The joint gain check's words for a region (each council's own alternative price and local use anyway)."""

MEMBER_CHECKS = {
    "member_net_cost": "host_net_cost",
    "member_saving": "host_saving",
}
"""The councils' figures whose sum is the host's (the section-12 identities), checked on the Members sheet."""

_MEMBER_BLOCK = 1 + len(MEMBER_NAMES)  # a council's heading row, then its line items


def member_rows(n: int) -> dict:
    """The Members sheet's rows (0-based): ``(i, name)`` for council i's line item ``name``; ``("sum", name)`` and
    ``("check", name)`` for the councils' sum of a figure and its check against the host's."""
    rows: dict = {}
    for i in range(n):
        first = 4 + i * _MEMBER_BLOCK
        rows[(i, "heading")] = first
        for k, name in enumerate(MEMBER_NAMES):
            rows[(i, name)] = first + 1 + k
    row = 4 + n * _MEMBER_BLOCK + 1
    rows[("region", "heading")] = row
    for k, name in enumerate(MEMBER_CHECKS):
        rows[("sum", name)] = row + 1 + 2 * k
        rows[("check", name)] = row + 2 + 2 * k
    return rows


def _write_member_inputs(ws, f: _Formats, scenario: Scenario, ref: dict[str, str]) -> list[dict[str, str]]:
    """The region's councils at the foot of the Inputs sheet: how the returns are divided, then each council's
    inputs one a row (a council's unset field a white formula of what it defaults to). Adds each input's reference to
    ``ref`` by its dotted path; returns each council's references by field name."""
    row = ws.dim_rowmax + 2

    def cell(r: int, c: int = 2) -> str:
        return "Inputs!" + xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)

    ws.write_string(row, 0, "The region's councils: together they are the host", f.section)
    for c in range(1, 6):
        ws.write_blank(row, c, None, f.section)
    row += 1
    split = spec("region.returns_split")
    ws.write_string(row, 0, split.label)
    ws.write_string(row, 1, split.unit)
    ws.write_string(row, 2, scenario.region.returns_split, f.input_text)
    ws.data_validation(row, 2, row, 2, {"validate": "list", "source": list(split.choices)})
    ws.write_string(row, 4, "region.returns_split", f.mono)
    ws.write_string(row, 5, split.help, f.note)
    ref["region.returns_split"] = cell(row)
    row += 1
    out = []
    for i, m in enumerate(scenario.members):
        mine: dict[str, str] = {}
        for name in MEMBER_FIELDS:
            path = f"region.members[{i}].{name}"
            fs = spec(f"region.members[i].{name}")
            unit = field_unit(path, scenario)
            ws.write_string(row, 0, f"{m.name}: {fs.label} ({fs.symbol})")
            ws.write_string(row, 1, unit)
            ws.write_string(row, 4, path, f.mono)
            value = getattr(m, name)
            if value is not None:
                ws.write_number(row, 2, float(value), f.for_unit(unit, is_input=True))
            elif name == "contribution_share":
                ws.write_formula(row, 2, f"={mine['use_share']}", f.for_unit(unit), float(m.use_share))
                ws.write_string(row, 5, "Not set: its share of the use (s_i). Type a share to override.", f.note)
            elif name == "host_alternative":
                shown = float(scenario.prices.host_alternative)
                ws.write_formula(row, 2, f"={ref['prices.host_alternative']}", f.for_unit(unit), shown)
                ws.write_string(
                    row, 5, "Not set: the host's alternative price (p_a). Type a price to override.", f.note
                )
            else:
                shown = float(m.use_share) * float(scenario.without_agreement.local_use)
                formula = f"={mine['use_share']}*{ref['without_agreement.local_use']}"
                ws.write_formula(row, 2, formula, f.for_unit(unit), shown)
                ws.write_string(row, 5, "Not set: its share of the use times u0. Type a share to override.", f.note)
            mine[name] = ref[path] = cell(row)
            row += 1
        out.append(mine)
    return out


def _write_members(ws, f: _Formats, scenario: Scenario, result, members: dict, calc_rows, ref, member_refs, point_refs):
    """The Members sheet (MODEL.md section 12): each council's line items at each point as live formulas of its
    inputs and the Calculations sheet's cells, then the councils' net costs and savings summed and checked against
    the host's (a check reads 0 when the sums are the host's figures)."""
    first_col, n = _line_item_columns(ws, f, len(point_refs))
    ws.write_string(0, 0, f"Members: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "The region's councils: each council's share of the host's figures, one line item a row, one point a column "
        "(as on the Calculations sheet). Every figure is a live formula of the council's inputs (at the foot of the "
        "Inputs sheet) and the Calculations sheet. The councils' net costs and savings add up to the host's: the "
        "checks at the foot must read 0.",
        f.note,
    )
    ws.write_row(3, 0, ["Line item", "Unit", "Formula"], f.header)
    _point_headers(ws, f, first_col, point_refs, result)
    ws.freeze_panes(4, first_col)
    rows = member_rows(len(scenario.members))
    money_fmt = f.for_unit(f"{scenario.currency} per year")
    split = ref["region.returns_split"]
    for i, m in enumerate(scenario.members):
        ws.write_string(rows[(i, "heading")], 0, m.name, f.section)
        for c in range(1, 3):
            ws.write_blank(rows[(i, "heading")], c, None, f.section)
        s_i, w_i = member_refs[i]["use_share"], member_refs[i]["contribution_share"]
        u0_i, p_a_i = member_refs[i]["local_use_anyway"], member_refs[i]["host_alternative"]
        for name in MEMBER_NAMES:
            r = rows[(i, name)]
            unit = (
                outcome_unit("host_units", scenario) if name == "member_host_units" else f"{scenario.currency} per year"
            )
            ws.write_string(r, 0, name)
            ws.write_string(r, 1, unit)
            ws.write_string(r, 2, MEMBER_FORMULA_TEXT[name], f.mono)
            for j in range(n):
                col = first_col + j
                calc = {k: "Calculations!" + xl_rowcol_to_cell(v, col) for k, v in calc_rows.items()}
                me = {k: xl_rowcol_to_cell(rows[(i, k)], col) for k in MEMBER_NAMES}
                formula = {
                    "member_host_units": f"={s_i}*{calc['host_units']}",
                    "member_host_fees": f"={me['member_host_units']}*{ref['prices.host']}",
                    "member_contribution": f"={w_i}*{ref['agreement.contribution']}",
                    "member_void_payments": f"={w_i}*{calc['void_payments']}",
                    "member_returns": (
                        f'=IF({split}="contribution",{w_i},{s_i})*({calc["compensation"]}+{calc["surplus_share_to_host"]})'
                    ),
                    "member_net_cost": (
                        f"={me['member_contribution']}+{me['member_host_fees']}+{me['member_void_payments']}"
                        f"-{me['member_returns']}"
                    ),
                    "member_cost_without_agreement": (
                        f"={calc['occupied_units']}*(MIN({s_i}*{calc['local_use']},{u0_i})*{ref['prices.spot']}"
                        f"+MAX({s_i}*{calc['local_use']}-{u0_i},0)*{p_a_i})"
                    ),
                    "member_saving": f"={me['member_cost_without_agreement']}-{me['member_net_cost']}",
                }[name]
                fmt = f.for_unit(unit) if name == "member_host_units" else money_fmt
                ws.write_formula(r, col, formula, fmt, _cached(members[name][i][j]))
    heading = rows[("region", "heading")]
    ws.write_string(heading, 0, "The region: the councils together, and checks", f.section)
    for c in range(1, 3):
        ws.write_blank(heading, c, None, f.section)
    for name, host in MEMBER_CHECKS.items():
        total, check = rows[("sum", name)], rows[("check", name)]
        ws.write_string(total, 0, f"sum_{name}")
        ws.write_string(total, 1, f"{scenario.currency} per year")
        ws.write_string(total, 2, f"sum_i {name}_i", f.mono)
        ws.write_string(check, 0, f"{name}_check")
        ws.write_string(check, 1, f"{scenario.currency} per year")
        ws.write_string(check, 2, f"sum_i {name}_i - {host} (Calculations): must read 0", f.mono)
        for j in range(n):
            col = first_col + j
            parts = "+".join(xl_rowcol_to_cell(rows[(i, name)], col) for i in range(len(scenario.members)))
            value = float(np.sum(members[name][:, j]))
            ws.write_formula(total, col, f"={parts}", money_fmt, _cached(value))
            host_cell = "Calculations!" + xl_rowcol_to_cell(calc_rows[host], col)
            formula = f"={xl_rowcol_to_cell(total, col)}-{host_cell}"
            ws.write_formula(check, col, formula, f.number("#,##0.00;[Red]-#,##0.00"), 0.0)
    _print_setup(ws, [30, 15, 40], first_col, n)


# Where the figures come from (MODEL.md section 14) and other ways to buy (section 13)

BUILD_UP_SHEET = "Build-up"
ARRANGEMENTS_SHEET = "Other ways to buy"
_PER_UNIT = ("pay", "on_costs", "travel_minutes", "mileage", "mileage_rate", "other")


def _write_build_up(ws, f: _Formats, scenario: Scenario) -> dict[str, tuple[str, float]]:
    """The Build-up sheet: the cost build-up's parts and items and the alternative mix as yellow inputs, and the
    figures they derive (v, F, p_a) as live formulas of them, which the Inputs sheet's v, F and p_a cells link to.
    Returns each derived field's path -> (its absolute reference, the model's value)."""
    cur = scenario.currency
    widths = [34, 22, 12, 8, 30, 38]  # A4 landscape at 9 points or more, as the Inputs sheet
    _wrapping(
        ws, {0: (widths[0], False), 1: (widths[1], False), 4: (widths[4], True), 5: (widths[5], True)}, (5, sum(widths))
    )
    for col, (width, fmt) in enumerate(zip(widths, [f.wrap, f.wrap, None, None, f.mono_wrap, f.mono_wrap])):
        ws.set_column(col, col, width, fmt)
    ws.write_string(0, 0, f"Where the figures come from: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "Yellow cells are the parts: change one and the derived figure below it, the Inputs sheet's copy of it and "
        "everything after recompute.",
        f.note,
    )
    out: dict[str, tuple[str, float]] = {}
    row = 3

    def cell(r: int, c: int = 2) -> str:
        return f"'{BUILD_UP_SHEET}'!" + xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)

    def local(r: int, c: int = 2) -> str:
        return xl_rowcol_to_cell(r, c, row_abs=True, col_abs=True)

    if (b := scenario.cost_build_up) is not None:
        ws.write_row(row, 0, ["The variable cost's parts", "Unit", "Value", "", "Field", ""], f.header)
        row += 1
        parts = {}
        for name in _PER_UNIT:
            path = f"cost_build_up.per_unit.{name}"
            fs = spec(path)
            ws.write_string(row, 0, fs.label)
            ws.write_string(row, 1, "fraction of pay" if fs.is_fraction else field_unit(path, scenario))
            value = float(getattr(b.per_unit, name))
            ws.write_number(row, 2, value, f.number("0.000" if fs.is_fraction else "#,##0.00", is_input=True))
            ws.write_string(row, 4, path, f.mono)
            parts[name] = local(row)
            row += 1
        p = parts
        ws.write_string(row, 0, "Variable cost (v)")
        ws.write_string(row, 1, field_unit("service.variable_cost", scenario))
        ws.write_formula(
            row,
            2,
            f"={p['pay']}*(1+{p['on_costs']})*(1+{p['travel_minutes']}/60)+{p['mileage']}*{p['mileage_rate']}"
            f"+{p['other']}",
            f.number("#,##0.00"),
            float(scenario.service.variable_cost),
        )
        ws.write_string(row, 4, "service.variable_cost", f.mono)
        ws.write_string(
            row, 5, "pay * (1 + on_costs) * (1 + travel_minutes / 60) + mileage * mileage_rate + other", f.mono
        )
        out["service.variable_cost"] = (cell(row), float(scenario.service.variable_cost))
        row += 2
        ws.write_row(
            row, 0, ["The fixed cost's items", "Unit", "Amount", "Count", "Field", f"Each ({cur} a year)"], f.header
        )
        row += 1
        first = row
        for i, item in enumerate(b.fixed):
            ws.write_string(row, 0, item.name)
            ws.write_string(row, 1, f"{cur} per year")
            if item.amount is not None:
                ws.write_number(row, 2, float(item.amount), f.number("#,##0", is_input=True))
                ws.write_string(row, 4, f"cost_build_up.fixed[{i}].amount", f.mono)
            else:
                ws.write_number(row, 3, float(item.count), f.number("General", is_input=True))
                ws.write_number(row, 5, float(item.each), f.number("#,##0", is_input=True))
                ws.write_formula(
                    row, 2, f"={local(row, 3)}*{local(row, 5)}", f.number("#,##0"), float(item.count * item.each)
                )
                ws.write_string(row, 4, f"cost_build_up.fixed[{i}]", f.mono)
            row += 1
        ws.write_string(row, 0, "Fixed cost (F)")
        ws.write_string(row, 1, f"{cur} per year")
        ws.write_formula(
            row, 2, f"=SUM({local(first)}:{local(row - 1)})", f.number("#,##0"), float(scenario.service.fixed_cost)
        )
        ws.write_string(row, 4, "service.fixed_cost", f.mono)
        ws.write_string(row, 5, "sum of the items (amount, or count * each)", f.mono)
        out["service.fixed_cost"] = (cell(row), float(scenario.service.fixed_cost))
        row += 2
    if scenario.alternative_mix is not None:
        unit = field_unit("prices.host_alternative", scenario)
        ws.write_row(row, 0, ["The host's alternative: its mix", "Unit", "Price", "Share", "Field", ""], f.header)
        row += 1
        first = row
        for i, m in enumerate(scenario.alternative_mix):
            ws.write_string(row, 0, m.name)
            ws.write_string(row, 1, unit)
            ws.write_number(row, 2, float(m.price), f.number("#,##0.00", is_input=True))
            ws.write_number(row, 3, float(m.share), f.number("0.000", is_input=True))
            ws.write_string(row, 4, f"alternative_mix[{i}]", f.mono)
            row += 1
        ws.write_string(row, 0, "Host's alternative price (p_a)")
        ws.write_string(row, 1, unit)
        ws.write_formula(
            row,
            2,
            f"=SUMPRODUCT({local(first)}:{local(row - 1)},{local(first, 3)}:{local(row - 1, 3)})",
            f.number("#,##0.00"),
            float(scenario.prices.host_alternative),
        )
        ws.write_string(row, 4, "prices.host_alternative", f.mono)
        ws.write_string(row, 5, "sum of share * price (the shares add up to 1)", f.mono)
        out["prices.host_alternative"] = (cell(row), float(scenario.prices.host_alternative))
    _print_setup(ws, widths, 0, 0)  # A4 landscape, one page wide, like the other sheets
    return out


def _write_arrangements(ws, f: _Formats, scenario: Scenario, arrangements: list) -> None:
    """The Other ways to buy sheet: each arrangement's figures under the uncertainty, as the model works them out
    (values: the integration over the uncertainty is not a spreadsheet formula). A figure a row, an arrangement a
    column, so the sheet prints on one A4 page (spot first, the reference)."""
    from partnership.arrangements import ARRANGEMENT_LABELS, ARRANGEMENT_NAMES, ARRANGEMENT_TERM_NAMES

    names = ARRANGEMENT_NAMES + (ARRANGEMENT_TERM_NAMES if scenario.term.years > 1 else [])
    widths = [34, 30] + [14] * len(arrangements)
    _wrapping(ws, {0: (widths[0], False)}, (min(len(widths), 8) - 1, sum(widths[:8])))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, f.wrap if col == 0 else None)
    ws.write_string(0, 0, f"Other ways to buy: {scenario.name}", f.title)
    ws.write_string(
        1,
        0,
        "Each arrangement's figures under the scenario's whole uncertainty (year 1's money; NPVs over the term), "
        "worked out by the model: values, not formulas. Spot is buying with no agreement, the reference.",
        f.note,
    )
    ws.write_row(3, 0, ["Figure", "Name", *(a.name for a in arrangements)], f.header)
    ws.freeze_panes(4, 2)
    _print_setup(ws, [34, 30], 2, len(arrangements), 14)  # A4 landscape, the figures' labels on every page
    for r, name in enumerate(names, start=4):
        ws.write_string(r, 0, ARRANGEMENT_LABELS[name])
        ws.write_string(r, 1, name, f.mono)
        fmt = f.number("0.000" if name.startswith("probability") else "#,##0;[Red]-#,##0")
        for c, a in enumerate(arrangements, start=2):
            value = a.figures.get(name)
            if value is None or not math.isfinite(value):
                ws.write_string(r, c, NA)
            else:
                ws.write_number(r, c, float(value), fmt)
