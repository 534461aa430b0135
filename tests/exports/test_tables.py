"""Tables for a committee paper (paper.tables): the grid, summary and sweep as DataFrames, CSV and Excel."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import paper.tables as tables
from partnership import OUTCOME_NAMES, SUMMARY_NAMES, evaluate, evaluate_grid, load_scenario, summarize
from partnership.negotiation import sweep

from ..conftest import PRESETS


def grid_table(scenario, steps=tables.GRID_TABLE_STEPS):
    """The outcome grid table, made (as the exports make it) from the model's grid."""
    return tables.grid_table(evaluate_grid(scenario, steps), scenario)


def summary_table(scenario):
    return tables.summary_table(summarize(scenario), scenario)


X = ("agreement.contribution", 0, 400_000, 5)
Y = ("agreement.sharing.bands[2].host_share", 0, 1, 3)


def _assert_matches_model(scenario, df):
    """Every outcome column equals evaluate() at the row's own occupancy and local use."""
    r = evaluate(scenario, df["occupancy"].to_numpy(float), df["local_use"].to_numpy(float))
    for name in OUTCOME_NAMES:
        expected = np.asarray(getattr(r, name), dtype=float)
        np.testing.assert_allclose(df[name].to_numpy(float), expected, rtol=1e-12, atol=1e-9, err_msg=name)


def test_grid_has_every_pair_and_every_outcome_in_model_order(example):
    """The outcome grid table has a row for each of the 21 by 21 pairs of occupancy and local use from 0 to 1 and a
    column for every outcome, in the model's order."""
    df = grid_table(example)
    assert list(df.columns) == ["occupancy", "local_use", *OUTCOME_NAMES]
    assert len(df) == 21 * 21
    axis = np.linspace(0, 1, 21)
    pairs = set(zip(df["occupancy"].round(12), df["local_use"].round(12)))
    assert pairs == {(round(o, 12), round(u, 12)) for o in axis for u in axis}
    assert df["occupancy"].min() == 0 and df["occupancy"].max() == 1


def test_grid_values_are_the_models_point_by_point(example):
    """Every figure of the outcome grid table is the model's at its row's occupancy and local use, and empty where the
    model leaves it undefined."""
    df = grid_table(example, steps=5)
    assert len(df) == 25
    for row in df.itertuples(index=False):
        point = evaluate(example, row.occupancy, row.local_use).to_dict()
        for name in OUTCOME_NAMES:
            got = getattr(row, name)
            if point[name] is None:
                assert np.isnan(got), name
            else:
                assert got == pytest.approx(point[name], rel=1e-12, abs=1e-9), name


def test_grid_table_shows_the_grid_it_is_given_and_works_nothing_out(example):
    """Results in, table out: a figure planted in the model's grid is what the table shows, in its place."""
    from dataclasses import replace

    grid = evaluate_grid(example, 11)
    planted = np.array(grid.provider_gain, dtype=float)
    planted[3, 7] = 123.456  # local use 0.3 (row 3), occupancy 0.7 (column 7)
    df = tables.grid_table(replace(grid, provider_gain=planted), example)
    row = df[(df["occupancy"].round(9) == 0.7) & (df["local_use"].round(9) == 0.3)]
    assert row["provider_gain"].tolist() == [123.456]
    assert (df["provider_gain"] == 123.456).sum() == 1


@pytest.mark.parametrize("steps", [1, 0, 2.5])
def test_grid_needs_at_least_two_steps(example, steps):
    """An outcome grid of fewer than two steps, or of a fractional number of steps, is refused."""
    with pytest.raises(ValueError, match="steps"):
        grid_table(example, steps=steps)  # the model's grid refuses them


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_grid_csv_parses_back_to_the_models_values(path):
    """For every preset, the outcome grid written as CSV reads back to the model's values with no nan, the host's unit
    cost written n/a exactly where the host uses no places."""
    scenario = load_scenario(path)
    df = grid_table(scenario, steps=11)
    data = tables.to_csv_bytes(df)
    text = data.decode("utf-8")
    assert "nan" not in text.lower()
    back = pd.read_csv(io.BytesIO(data))
    assert list(back.columns) == ["occupancy", "local_use", *OUTCOME_NAMES]
    assert len(back) == len(df)
    _assert_matches_model(scenario, back)
    # host_unit_cost is written n/a exactly where the host uses nothing
    undefined = back["host_unit_cost"].isna().to_numpy()
    assert undefined.any()
    np.testing.assert_array_equal(undefined, back["host_units"].to_numpy() == 0)
    lines = text.splitlines()
    column = lines[0].split(",").index("host_unit_cost")
    assert lines[1 + int(np.argmax(undefined))].split(",")[column] == "n/a"


def test_csv_is_utf8_with_the_currency_sign(example):
    """Tables are written as UTF-8 CSV under a plain header row, the pound sign in their units intact."""
    data = tables.to_csv_bytes(summary_table(example))
    assert "£ per year".encode() in data
    assert data.decode("utf-8").splitlines()[0] == "quantity,value,unit"


def test_summary_table_is_the_models_summary(example):
    """The summary table gives every summary figure in the model's order with the model's value and its unit (a
    probability 0-1 or pounds per year), and keeps the values when written as CSV."""
    df = summary_table(example)
    assert list(df.columns) == ["quantity", "value", "unit"]
    assert df["quantity"].tolist() == SUMMARY_NAMES
    expected = summarize(example)
    for row in df.itertuples(index=False):
        assert row.value == pytest.approx(expected[row.quantity], rel=1e-12, abs=1e-12)
        if row.quantity.startswith("probability"):
            assert row.unit == "probability 0-1"
        else:
            assert row.unit == "£ per year"
    back = pd.read_csv(io.BytesIO(tables.to_csv_bytes(df)))
    np.testing.assert_allclose(back["value"], [expected[k] for k in SUMMARY_NAMES], rtol=1e-12)


def test_sweep_table_is_long_format_of_the_sweep(example):
    """The search table has one row per pair of terms with both sides' expected gain and saving and whether the pair is
    acceptable, as the search found them, one row marked as the balanced terms, and comes back whole from CSV."""
    result = sweep(example, X, Y)
    df = tables.sweep_table(result)
    assert list(df.columns) == [
        X[0],
        Y[0],
        "expected_provider_gain",
        "expected_host_saving",
        "acceptable",
        "is_balanced",
    ]
    assert len(df) == X[3] * Y[3]
    for iy, yv in enumerate(result.y.values):
        for ix, xv in enumerate(result.x.values):
            row = df[(df[X[0]] == xv) & (df[Y[0]] == yv)]
            assert len(row) == 1
            row = row.iloc[0]
            assert row["expected_provider_gain"] == result.expected_provider_gain[iy, ix]
            assert row["expected_host_saving"] == result.expected_host_saving[iy, ix]
            assert bool(row["acceptable"]) == bool(result.acceptable[iy, ix])
    balanced = df[df["is_balanced"]]
    assert len(balanced) == 1
    assert balanced.iloc[0][X[0]] == result.balanced["x"]
    assert balanced.iloc[0][Y[0]] == result.balanced["y"]
    assert balanced.iloc[0]["expected_provider_gain"] == pytest.approx(result.balanced["expected_provider_gain"])
    back = pd.read_csv(io.BytesIO(tables.to_csv_bytes(df)))
    assert list(back.columns) == list(df.columns)
    np.testing.assert_allclose(back["expected_host_saving"], df["expected_host_saving"], rtol=1e-12)
    assert back["is_balanced"].tolist() == df["is_balanced"].tolist()


def test_sweep_table_without_acceptable_pairs_has_no_balanced_row(example):
    """When no pair of terms is acceptable, the search table marks none acceptable and none balanced."""
    result = sweep(example, X, Y, min_provider_gain=1e9)
    df = tables.sweep_table(result)
    assert result.balanced is None
    assert not df["acceptable"].any() and not df["is_balanced"].any()


def _sheet_table(ws, first_header: str):
    """(header row number, header names, data rows) of a sheet written by tables_to_xlsx."""
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == first_header)
    header = [c.value for c in ws[header_row] if c.value is not None]
    data = [
        [c.value for c in row[: len(header)]]
        for row in ws.iter_rows(min_row=header_row + 1)
        if row[0].value is not None
    ]
    return header_row, header, data


def test_xlsx_holds_the_same_numbers(example):
    """The tables workbook has a sheet per table, headed by the scenario's name, a bold frozen header with units above
    it, money formatted as money, n/a where the host's unit cost is undefined, and the model's numbers."""
    grid = grid_table(example, steps=6)
    summary = summary_table(example)
    swept = tables.sweep_table(sweep(example, X, Y))
    data = tables.tables_to_xlsx({"Grid": grid, "Summary": summary, "Sweep": swept}, example)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Grid", "Summary", "Sweep"]
    for ws in wb.worksheets:
        assert example.name in str(ws["A1"].value)

    ws = wb["Grid"]
    header_row, header, rows = _sheet_table(ws, "occupancy")
    assert header == ["occupancy", "local_use", *OUTCOME_NAMES]
    assert ws.cell(header_row, 1).font.b
    assert ws.freeze_panes == f"A{header_row + 1}"
    units = [
        ws.cell(header_row - 1, header.index(name) + 1).value for name in ("occupancy", "host_fees", "host_unit_cost")
    ]
    assert units == ["fraction 0-1", "£ per year", "£ per place-week"]
    assert ws.cell(header_row - 1, header.index("void_units") + 1).value == "place-weeks per year"
    assert len(rows) == len(grid)
    back = pd.DataFrame(rows, columns=header).replace("n/a", np.nan).astype(float)
    _assert_matches_model(example, back)
    undefined = back["host_unit_cost"].isna()
    assert undefined.any()
    assert all(r[header.index("host_unit_cost")] == "n/a" for r, u in zip(rows, undefined) if u)
    money_cell = ws.cell(header_row + 1, header.index("operating_cost") + 1)
    assert "#,##0" in money_cell.number_format

    ws = wb["Summary"]
    _, header, rows = _sheet_table(ws, "quantity")
    assert header == ["quantity", "value", "unit"]
    expected = summarize(example)
    assert [r[0] for r in rows] == SUMMARY_NAMES
    for name, value, _unit in rows:
        assert value == pytest.approx(expected[name], rel=1e-12, abs=1e-12)

    ws = wb["Sweep"]
    _, header, rows = _sheet_table(ws, X[0])
    assert header == list(swept.columns)
    assert len(rows) == len(swept)
    for got, want in zip(rows, swept.itertuples(index=False)):
        assert got[:4] == pytest.approx(list(want[:4]), rel=1e-12)
        assert got[4:] == [bool(want[4]), bool(want[5])]


def test_xlsx_sheet_names_are_made_valid_and_unique(example):
    """Table names Excel cannot take as sheet names (too long, with brackets, colons, slashes, stars or question marks,
    or differing only in case) become valid sheet names, all different."""
    df = summary_table(example)
    data = tables.tables_to_xlsx({"a/b: [summary]?" + "x" * 40: df, "A/B: [SUMMARY]?" + "x" * 40: df}, example)
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len({n.lower() for n in names}) == 2
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


# ---------------------------------------------------------------------------------------------
# over the term (MODEL.md section 10)

NEW_BUILD = next(p for p in PRESETS if p.stem == "childrens_home_new_build")


def test_term_table_is_each_year_of_the_model():
    """Over a term, the table has a row per year with the model's outcomes and discount factor, its last cumulative
    figures are each side's NPV, the provider's gain ends lower than it starts as costs outrun the contribution, and CSV
    keeps it whole."""
    from partnership.term import evaluate_term

    s = load_scenario(NEW_BUILD)
    r = evaluate_term(s, 0.8, 0.6)
    df = tables.term_table(r, s)
    assert df["year"].tolist() == list(range(1, s.term.years + 1))
    for name in OUTCOME_NAMES:
        np.testing.assert_allclose(df[name], np.asarray(getattr(r.years, name), dtype=float), rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(df["discount_factor"], (1 + s.term.discount_rate) ** -df["year"].to_numpy(float))
    # the last cumulative row is each side's NPV (section 10)
    assert df["cumulative_provider_gain_after_set_up"].iloc[-1] == pytest.approx(float(r.npv_provider_gain), abs=1e-6)
    assert df["cumulative_host_saving_after_set_up"].iloc[-1] == pytest.approx(float(r.npv_host_saving), abs=1e-6)
    assert df.attrs["npvs"] == {k: v for k, v in r.to_dict().items() if k != "years"}
    # years become worse for the provider as the contribution trails costs: the table shows the fall
    assert df["provider_gain"].iloc[-1] < df["provider_gain"].iloc[0]
    back = pd.read_csv(io.BytesIO(tables.to_csv_bytes(df)))
    np.testing.assert_allclose(back["provider_gain"], df["provider_gain"], rtol=1e-12)
    assert not back.isna().any().any()


def test_term_table_at_the_most_likely_point_and_one_year_is_todays_model(example):
    """A one-year table at the most likely occupancy and local use is a single row with today's model figures."""
    from partnership import most_likely_point
    from partnership.term import evaluate_term

    o, u = most_likely_point(example)
    df = tables.term_table(evaluate_term(example, o, u), example)
    assert len(df) == 1 and df["occupancy"].iloc[0] == pytest.approx(o) and df["local_use"].iloc[0] == pytest.approx(u)
    r = evaluate(example, o, u)
    for name in OUTCOME_NAMES:
        x = float(np.asarray(getattr(r, name), dtype=float))
        if np.isfinite(x):
            assert df[name].iloc[0] == x, name


def test_summary_table_over_a_term_adds_the_npv_names():
    """Over a term, the summary table adds the NPV figures after the yearly ones, with the model's values and money over
    the term, discounted, as their unit."""
    from partnership.uncertainty import TERM_SUMMARY_NAMES

    s = load_scenario(NEW_BUILD)
    df = summary_table(s)
    assert df["quantity"].tolist() == SUMMARY_NAMES + TERM_SUMMARY_NAMES
    expected = summarize(s)
    for row in df.itertuples(index=False):
        assert row.value == pytest.approx(expected[row.quantity], rel=1e-12, abs=1e-12)
        if "npv" in row.quantity and not row.quantity.startswith("probability"):
            assert row.unit == "£ over the term, discounted"


def test_term_table_names_the_point_as_exactly_as_the_views():
    """The year-by-year table's title names the point as the sliders hold it (82.5 % occupancy, not 82 % or 83 %)."""
    from partnership.term import evaluate_term

    s = load_scenario(NEW_BUILD)
    df = tables.term_table(evaluate_term(s, 0.825, 0.6), s)
    assert "at 82.5 % occupancy and 60 % local use" in df.attrs["title"]
