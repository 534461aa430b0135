"""The audit workbook (paper.workbook): live formulas that LibreOffice recalculates to the model's values."""

import copy
import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from paper.pack import audit_workbook_of as audit_workbook  # the workbook with the model's results
from paper.workbook import default_points
from partnership import OUTCOME_NAMES, evaluate, load_scenario, scenario_from_dict, scenario_to_dict
from partnership.examples import EXAMPLE
from partnership.fields import spec
from partnership.inputs import INPUT_OF_PATH
from partnership.scenario import set_path
from partnership.term import TERM_NAMES, evaluate_term, index, year_inputs

from ..conftest import PRESETS, ROOT

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
_SOFFICE_FOUND = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) not found: install the Debian package libreoffice-calc-nogui to recalculate "
    "the workbook's formulas (CI installs it)",
)


def NEEDS_SOFFICE(test):  # noqa: N802 (reads as a marker)
    """LibreOffice recalculates the workbook: slow, and skipped (saying why) where it is not installed."""
    return pytest.mark.slow(pytest.mark.libreoffice(_SOFFICE_FOUND(test)))


FIRST_POINT_COLUMN = 4  # Calculations: A line item, B unit, C formula in words, then one column a point
CALC_NAMES = ["occupancy", "local_use", *OUTCOME_NAMES]

# LibreOffice never recalculates an .xlsx on load unless told to: OOXMLRecalcMode 0 = always.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _linear_capped() -> dict:
    """The worked example with linear bands and a capped pain share, so every formula branch runs."""
    doc = copy.deepcopy(EXAMPLE)
    doc["name"] = "Linear bands, capped pain share"
    doc["agreement"]["sharing"].update({"interpolation": "linear", "loss_share": 0.5, "loss_cap": 60_000})
    doc["agreement"]["sharing"]["bands"].append({"from_local_use": 0.95, "host_share": 0.6})
    return doc


def _defaults_unset() -> dict:
    """The worked example with spot and host's alternative prices left to their defaults."""
    doc = copy.deepcopy(EXAMPLE)
    doc["name"] = "Defaults unset"
    del doc["prices"]["spot"], doc["prices"]["host_alternative"]
    return doc


# points that reach every branch with the capped variant: deep deficits (cap binds), shallow ones
# (it does not), surpluses below and above the threshold, local use at, between and past band starts
BRANCH_POINTS = [
    (0.1, 0.5),
    (0.3, 0.9),
    (0.55, 0.5),
    (0.62, 0.3),
    (0.7, 0.65),
    (0.9, 0.8),
    (1.0, 0.95),
    (1.0, 0.99),
    (0.95, 0.0),
    (0.0, 0.6),
]


def _cases() -> dict:
    """name -> (scenario, points) for every workbook recalculated against the model."""
    cases = {"example": (scenario_from_dict(copy.deepcopy(EXAMPLE)), None)}
    for path in PRESETS:
        cases[path.stem] = (load_scenario(path), None)
    linear = scenario_from_dict(_linear_capped())
    cases["linear_capped"] = (linear, default_points(linear) + BRANCH_POINTS)
    cases["defaults_unset"] = (scenario_from_dict(_defaults_unset()), None)
    # MODEL.md sections 7 and 8: reserved places (void price following the host price) and what the host gets
    # anyway; points where voids are paid, where they are not, and on either side of u0
    part_two = copy.deepcopy(EXAMPLE)
    part_two["agreement"]["reservation"] = {"units": 3}
    part_two["without_agreement"] = {"local_use": 0.3}
    reserved = scenario_from_dict(part_two)
    cases["reserved_counterfactual"] = (
        reserved,
        default_points(reserved) + [(0.5, 0.2, "voids, below u0"), (0.85, 0.75, "section 11"), (1.0, 0.1, "full")],
    )
    # MODEL.md section 10: the section-11 term, and ten years of per-year indexation with reserved places and u0
    cases["term_section_11"] = (scenario_from_dict(_term_section_11()), None)
    cases["term_ten_years"] = (scenario_from_dict(_term_ten_years()), None)
    # MODEL.md section 15: three councils with their own alternative price and local use anyway, at the worked point
    region = scenario_from_dict(_region_section_15())
    cases["region_section_15"] = (region, default_points(region) + [(0.85, 0.75, "section 15")])
    # the same councils over section 11's three-year term: each council's price elsewhere grows with market prices
    region_term = _region_section_15() | {"term": _term_section_11()["term"], "name": "Region over a term"}
    cases["region_term"] = (scenario_from_dict(region_term), None)
    return cases


def _region_section_15() -> dict:
    """MODEL.md section 15's region of three councils on the section-1 scenario."""
    doc = copy.deepcopy(EXAMPLE)
    doc["region"] = {
        "members": [
            {"name": "A", "use_share": 0.5, "contribution_share": 0.4, "host_alternative": 6400},
            {"name": "B", "use_share": 0.3, "contribution_share": 0.3, "local_use_anyway": 0.1},
            {"name": "C", "use_share": 0.2, "contribution_share": 0.3},
        ]
    }
    return doc


def _term_section_11() -> dict:
    """MODEL.md section 11, last row: three years of indexation, set-up cost shared half and half."""
    doc = copy.deepcopy(EXAMPLE)
    doc["name"] = "Section 11 term"
    doc["term"] = {
        "years": 3,
        "discount_rate": 0.035,
        "indexation": {"costs": 0.05, "host_price": 0.02, "market_prices": 0.04, "contribution": 0},
        "set_up": {"cost": 100_000, "host_share": 0.5},
    }
    return doc


def _term_ten_years() -> dict:
    """Ten years, three indexations as per-year lists, reserved places and u0: the provider pays back in year 2,
    the host never does and walks away in year 1."""
    doc = copy.deepcopy(EXAMPLE)
    doc["name"] = "Ten years, per-year indexation"
    doc["agreement"]["reservation"] = {"units": 3}
    doc["without_agreement"] = {"local_use": 0.3}
    doc["term"] = {
        "years": 10,
        "discount_rate": 0.035,
        "indexation": {
            "costs": [0.06, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.02],
            "host_price": [0.02, 0.02, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01],
            "market_prices": [0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.02, 0.02, 0.02],
            "contribution": 0.01,
        },
        "set_up": {"cost": 250_000, "host_share": 0.3},
    }
    return doc


CASES = _cases()
TERM_CASES = [name for name, (scenario, _) in CASES.items() if scenario.term.years > 1]

# Inputs changed in Excel for the "live" test: (base case, {dotted path: new value})
CHANGES = {
    "example_changed": (
        "example",
        {
            "agreement.contribution": 350_000,
            "service.fixed_cost": 900_000,
            "agreement.sharing.interpolation": "linear",
            "agreement.sharing.loss_share": 0.5,
            "agreement.sharing.loss_cap": 40_000,
            "agreement.sharing.bands[1].host_share": 0.3,
            "uncertainty.occupancy.mode": 0.7,
        },
    ),
    "defaults_changed": ("defaults_unset", {"prices.external": 6_000}),
    "part_two_changed": (
        "reserved_counterfactual",
        {"agreement.reservation.units": 1.5, "without_agreement.local_use": 0.6},
    ),
}


# Term inputs changed in Excel: an indexation (one number, or one year's rate of a per-year list, written
# path[i] for the list's i-th rate, i.e. year i + 2) and the discount rate
TERM_CHANGES = {
    "term_changed": ("term_section_11", {"term.indexation.costs": 0.03, "term.discount_rate": 0.06}),
    "region_term_changed": (  # a council's own price elsewhere and local use anyway move its region's years
        "region_term",
        {
            "region.members[0].host_alternative": 7200,
            "region.members[1].local_use_anyway": 0.3,
            "term.discount_rate": 0.05,
        },
    ),
    "term_ten_years_changed": (
        "term_ten_years",
        {"term.indexation.host_price[0]": 0.1, "term.indexation.contribution": 0.05, "term.discount_rate": 0.02},
    ),
}


# A region's councils' inputs changed in Excel: the split of the contribution and of the returns, a council's price
# elsewhere and its local use anyway
REGION_CHANGES = {
    "region_changed": (
        "region_section_15",
        {
            "region.members[0].contribution_share": 0.2,
            "region.members[2].contribution_share": 0.5,
            "region.returns_split": "contribution",
            "region.members[1].host_alternative": 7000,
            "region.members[2].local_use_anyway": 0.05,
        },
    ),
}
REGION_CASES = [name for name, (scenario, _) in CASES.items() if scenario.members]


def _points_of(name: str):
    scenario, points = CASES[name]
    return [(p[0], p[1]) for p in (default_points(scenario) if points is None else points)]


def _input_cells(ws) -> dict[str, tuple[int, int]]:
    """Dotted field path -> (row, column) of its value on the Inputs sheet (bands: host_share and from_local_use)."""
    out = {}
    for row in ws.iter_rows(min_row=1):
        path = row[4].value if len(row) > 4 else None
        if not isinstance(path, str):
            continue
        if re.fullmatch(r"agreement\.sharing\.bands\[\d+\]", path):
            out[f"{path}.from_local_use"] = (row[0].row, 3)
            out[f"{path}.host_share"] = (row[0].row, 4)
        elif path != "Field":
            out[path] = (row[0].row, 3)
    return out


def _input_cell(cells, path: str) -> tuple[int, int]:
    """The Inputs cell of a dotted path; ``term.indexation.x[i]`` is the i-th rate of a per-year list (year i + 2),
    in column G onwards."""
    m = re.fullmatch(r"(term\.indexation\.\w+)\[(\d+)\]", path)
    if m:
        return cells[m.group(1)][0], 7 + int(m.group(2))
    return cells[path]


def _changed(scenario, changes: dict):
    """The scenario with the changes made in the workbook, made to its document instead."""
    doc = scenario_to_dict(scenario)
    for path, value in changes.items():
        m = re.fullmatch(r"term\.indexation\.(\w+)\[(\d+)\]", path)
        if m:
            doc["term"]["indexation"][m.group(1)][int(m.group(2))] = value
        else:
            doc = set_path(doc, path, value)
    return scenario_from_dict(doc)


def _calc_rows(ws) -> dict[str, int]:
    return {row[0].value: row[0].row for row in ws.iter_rows(min_row=1) if isinstance(row[0].value, str)}


def _strip_cached_values(data: bytes) -> bytes:
    """The same workbook saved by openpyxl, which keeps formulas but drops their cached results."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _canary() -> bytes:
    """A formula whose cached result is deliberately wrong: only a real recalculation fixes it."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("Canary")
    ws.write_number("A1", 20)
    ws.write_number("A2", 22)
    ws.write_formula("A3", "=A1+A2", None, 0)
    wb.close()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Every workbook of the module, recalculated by LibreOffice in ONE headless conversion.

    Returns name -> path of the recalculated .xlsx (read it with openpyxl ``data_only=True``).
    """
    if SOFFICE is None:
        pytest.skip(_SOFFICE_FOUND.kwargs["reason"])
    root = tmp_path_factory.mktemp("libreoffice")
    src, out, profile = root / "in", root / "out", root / "profile"
    src.mkdir()
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    files = {"canary": _canary()}
    for name, (scenario, points) in CASES.items():
        files[name] = _strip_cached_values(audit_workbook(scenario, points))
    for name, (base, changes) in (CHANGES | TERM_CHANGES | REGION_CHANGES).items():
        scenario, points = CASES[base]
        wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario, points)))
        cells = _input_cells(wb["Inputs"])
        for path, value in changes.items():
            wb["Inputs"].cell(*_input_cell(cells, path)).value = value
        buffer = io.BytesIO()
        wb.save(buffer)
        files[name] = buffer.getvalue()
    for name, data in files.items():
        (src / f"{name}.xlsx").write_bytes(data)
    command = [
        SOFFICE,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *sorted(str(p) for p in src.glob("*.xlsx")),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=root)
    paths = {name: out / f"{name}.xlsx" for name in files}
    missing = [n for n, p in paths.items() if not p.exists()]
    assert not missing, f"LibreOffice did not convert {missing}: {done.stdout}\n{done.stderr}"
    return paths


def _close(got, want: float) -> bool:
    if math.isnan(want):
        return got == "n/a"
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return abs(got - want) <= max(1e-6 * abs(want), 1e-6)


def _check_against_model(path: Path, scenario, points) -> int:
    """Every Calculations and Outputs cell of a recalculated workbook against evaluate(); returns cells checked."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Calculations"]
    rows = _calc_rows(ws)
    assert [n for n in rows if n in CALC_NAMES] == CALC_NAMES
    o = np.array([p[0] for p in points])
    u = np.array([p[1] for p in points])
    r = evaluate(scenario, o, u)
    expected = {"occupancy": o, "local_use": u} | {n: np.asarray(getattr(r, n), float) for n in OUTCOME_NAMES}
    header = [c.value for c in ws[rows["Line item"]]]
    assert [str(h).split("\n")[0] for h in header[FIRST_POINT_COLUMN - 1 :]] == [
        f"Point {j + 1}" for j in range(len(points))
    ]
    for j, h in enumerate(header[FIRST_POINT_COLUMN - 1 :]):  # each point's header says where it is
        assert str(h).split("\n")[1:] == [
            "occupancy",
            f"{round(o[j] * 100, 1):g} %",
            "local use",
            f"{round(u[j] * 100, 1):g} %",
        ]
    bad, checked = [], 0
    for name in CALC_NAMES:
        for j in range(len(points)):
            got = ws.cell(rows[name], FIRST_POINT_COLUMN + j).value
            checked += 1
            if not _close(got, float(expected[name][j])):
                bad.append(
                    f"{name} at point {j + 1} (o={o[j]}, u={u[j]}): workbook {got!r}, model {expected[name][j]!r}"
                )
    out = wb["Outputs"]
    out_rows = _calc_rows(out)
    for name in ("provider_profit", "provider_gain", "host_net_cost", "host_unit_cost", "host_saving"):
        for j in range(len(points)):
            got = out.cell(out_rows[name], 3 + j).value
            checked += 1
            if not _close(got, float(expected[name][j])):
                bad.append(f"Outputs {name} at point {j + 1}: workbook {got!r}, model {expected[name][j]!r}")
    for j in range(len(points)):
        got = out.cell(out_rows["joint_gain_check"], 3 + j).value
        scale = max(1.0, float(np.abs(expected["host_net_cost"][j])))
        if not (isinstance(got, (int, float)) and abs(got) <= 1e-6 * scale):
            bad.append(f"joint_gain_check at point {j + 1}: {got!r}")
    assert not bad, "\n".join(bad[:20])
    return checked


FIRST_YEAR_COLUMN = 4  # Years: A line item, B unit, C formula in words, then one column a year
_INDEXED_INPUTS = {
    "service.fixed_cost": "fixed_cost",
    "service.variable_cost": "variable_cost",
    "prices.host": "host_price",
    "agreement.compensation.per_external_unit": "per_external_unit",
    "agreement.reservation.void_price": "void_price",
    "prices.external": "external_price",
    "prices.spot": "spot_price",
    "prices.host_alternative": "host_alternative_price",
    "agreement.contribution": "contribution",
    "agreement.sharing.loss_cap": "loss_cap",
}


def _years_expected(scenario, o: float, u: float) -> tuple[dict[str, np.ndarray], object]:
    """Each Years row's figures by the model (a row per year: NaN is n/a, or blank in the working rows)."""
    term = scenario.term
    t = evaluate_term(scenario, o, u)
    yt = year_inputs(scenario)
    years = term.years
    per_year = lambda x: np.broadcast_to(np.asarray(x, dtype=float), (years,))  # noqa: E731
    gain, saving = per_year(t.years.provider_gain), per_year(t.years.host_saving)
    k, share = term.set_up.cost, term.set_up.host_share
    cum_gain = -(1 - share) * k + np.cumsum(t.discount * gain)
    cum_saving = -share * k + np.cumsum(t.discount * saving)
    year = np.arange(1.0, years + 1)
    out = {"year": year}
    for what in ("costs", "host_price", "market_prices", "contribution"):
        out[f"index_{what}"] = index(getattr(term.indexation, what), years)
    out |= {path: per_year(getattr(yt, name)) for path, name in _INDEXED_INPUTS.items()}
    for i, m in enumerate(scenario.members or []):  # a region's councils' prices elsewhere, indexed
        out[f"{m.name}: p_a,i"] = per_year(np.asarray(yt.member_host_alternative_prices[i]).reshape(-1))
    out |= {"occupancy": per_year(o), "local_use": per_year(u)}
    out |= {name: per_year(getattr(t.years, name)) for name in OUTCOME_NAMES}
    out |= {
        "discount_factor": t.discount,
        "discounted_provider_gain": t.discount * gain,
        "discounted_host_saving": t.discount * saving,
        "cumulative_provider_gain": cum_gain,
        "cumulative_host_saving": cum_saving,
        "provider_paid_back": np.where(cum_gain >= 0, year, np.nan),
        "host_paid_back": np.where(cum_saving >= 0, year, np.nan),
        "provider_loses": np.where(gain < 0, year, np.nan),
        "host_loses": np.where(saving < 0, year, np.nan),
    }
    return out, t


def _check_years_against_model(path: Path, scenario, point) -> int:
    """Every Years cell, and the Outputs sheet's term block, of a workbook against evaluate_term() at the
    first point; returns cells checked."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Years"]
    rows = _calc_rows(ws)
    expected, term = _years_expected(scenario, *point)
    years = scenario.term.years
    header = [c.value for c in ws[rows["Line item"]]]
    assert header[FIRST_YEAR_COLUMN - 1 :] == [f"Year {t}" for t in range(1, years + 1)]
    assert set(expected) <= set(rows), set(expected) - set(rows)
    bad, checked = [], 0
    for name, want in expected.items():
        for j in range(years):
            got = ws.cell(rows[name], FIRST_YEAR_COLUMN + j).value
            checked += 1
            w = float(want[j])
            if name == "agreement.sharing.loss_cap" and math.isinf(w):
                ok = got == "no cap"
            elif name.endswith(("_paid_back", "_loses")) and math.isnan(w):
                ok = got in ("", None)
            else:
                ok = _close(got, w)
            if not ok:
                bad.append(f"Years {name} in year {j + 1}: workbook {got!r}, model {w!r}")
    out = wb["Outputs"]
    out_rows = _calc_rows(out)
    for name in TERM_NAMES:
        want = float(getattr(term, name))
        for sheet, got in (
            ("Years", ws.cell(rows[name], FIRST_YEAR_COLUMN).value),
            ("Outputs", out.cell(out_rows[name], 3).value),
        ):
            checked += 1
            if not _close(got, want):
                bad.append(f"{sheet} {name}: workbook {got!r}, model {want!r}")
    assert not bad, "\n".join(bad[:20])
    return checked


# ----------------------------------------------------------------------------------------------
# Without LibreOffice: the workbook's structure


def _formula_cells(ws, rows, n_points):
    for name in CALC_NAMES:
        for j in range(n_points):
            yield name, ws.cell(rows[name], FIRST_POINT_COLUMN + j)


@pytest.mark.parametrize("name", list(CASES))
def test_calculations_are_formulas_of_inputs_and_cells_above(name):
    """For every preset and variant, each calculation in the audit workbook is a formula of the Inputs sheet and cells
    above it, with no number typed in but 0 and 1 (a region's host cost without the agreement: its councils' sum on
    the Members sheet)."""
    scenario, points = CASES[name]
    n = len(_points_of(name))
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario, points)))
    ws = wb["Calculations"]
    rows = _calc_rows(ws)
    ref = re.compile(r"(?:(\w+)!)?\$?[A-Z]{1,3}\$?(\d+)(?::\$?[A-Z]{1,3}\$?\d+)?")
    for item, cell in _formula_cells(ws, rows, n):
        formula = cell.value
        assert isinstance(formula, str) and formula.startswith("="), f"{item}: {formula!r}"
        found = ref.findall(formula)
        assert found, f"{item}: {formula}"
        for sheet, row in found:
            if sheet:
                councils = scenario.members and item == "host_cost_without_agreement" and sheet == "Members"
                assert sheet == "Inputs" or councils, f"{item}: {formula}"
            else:
                assert int(row) < cell.row, f"{item} refers to a cell below it: {formula}"
        # FAST: no hard-coded numbers; only structural 0 and 1 (max(x, 0), 1 - u, MATCH(..., 1), band + 1)
        literals = re.findall(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])", ref.sub("", formula))
        assert set(literals) <= {"0", "1"}, f"{item}: hard-coded {literals} in {formula}"


def test_inputs_sheet_lists_every_scenario_field_with_label_unit_and_value(example):
    """The Inputs sheet lists every scenario field, the sharing bands and the uncertainty included, with its label, unit
    and the scenario's value: no cap for an uncapped loss share, a formula for an unset default."""
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(example)))
    ws = wb["Inputs"]
    cells = _input_cells(ws)
    expected = set(INPUT_OF_PATH) | {"name", "description", "unit", "period", "currency"}
    expected |= {"agreement.sharing.interpolation"}
    expected |= {f"uncertainty.{q}.{p}" for q in ("occupancy", "local_use") for p in ("low", "mode", "high")}
    expected |= {f"agreement.sharing.bands[{i}].{k}" for i in range(3) for k in ("from_local_use", "host_share")}
    assert expected <= set(cells)
    doc = scenario_to_dict(example)
    for path, (row, col) in cells.items():
        value = ws.cell(row, col).value
        if path == "agreement.sharing.loss_cap":
            assert value == "no cap"
            continue
        want = doc
        for part in re.findall(r"\w+|\[\d+\]", path):
            want = want[int(part[1:-1])] if part.startswith("[") else want.get(part, "")
        if want == "" and spec(path).default_from:  # unset: a formula of the input it defaults to
            assert str(value).startswith("=Inputs!"), path
            continue
        assert value == want or (value is None and want == ""), path
        if path in INPUT_OF_PATH:
            assert ws.cell(row, 1).value and ws.cell(row, 2).value, path
    labels = {ws.cell(row, 1).value: ws.cell(row, 2).value for row, _ in cells.values()}
    assert labels["Fixed cost (F)"] == "£ per year"
    assert labels["Host price (p_h)"] == "£ per place-week"
    assert labels["Share of the external premium (r)"] == "fraction 0-1"


def test_unset_defaults_are_formulas_pointing_at_the_input_they_default_to():
    """An unset spot price is a formula pointing at the external price, and an unset host's alternative price one
    pointing at the spot price."""
    scenario, _ = CASES["defaults_unset"]
    ws = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario)))["Inputs"]
    cells = _input_cells(ws)
    cell = lambda path: f"$C${cells[path][0]}"  # noqa: E731
    spot = ws.cell(*cells["prices.spot"]).value
    alternative = ws.cell(*cells["prices.host_alternative"]).value
    assert spot.replace("Inputs!", "") == "=" + cell("prices.external")
    assert alternative.replace("Inputs!", "") == "=" + cell("prices.spot")


def test_cached_results_are_the_models_for_viewers_that_do_not_recalculate(tmp_path):
    """xlsxwriter stores each formula's result; they must be the model's, not zeros."""
    for name in ("example", "linear_capped", "defaults_unset"):
        scenario, points = CASES[name]
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(audit_workbook(scenario, points))
        assert _check_against_model(path, scenario, _points_of(name)) > 0


def test_default_points_include_the_modes_and_an_undefined_unit_cost(example):
    """The workbook's default points start at the most likely occupancy and local use, include one with no local use,
    where the host's unit cost is undefined, and never repeat."""
    points = default_points(example)
    assert points[0][:2] == (example.uncertainty.occupancy.mode, example.uncertainty.local_use.mode)
    assert any(u == 0 for _, u, _ in points)
    assert len({(o, u) for o, u, _ in points}) == len(points)


@pytest.mark.parametrize("points", [[(1.2, 0.5)], [(0.5, -0.1)], [(0.5,)], [], [(float("nan"), 0.5)]])
def test_points_outside_0_1_are_refused(example, points):
    """Points outside 0 to 1, a point missing its local use, a point that is not a number, or no points at all are
    refused."""
    with pytest.raises(ValueError, match="points"):
        audit_workbook(example, points)


def test_branch_points_reach_every_branch():
    """The capped linear variant really exercises each branch the formulas have."""
    scenario, _ = CASES["linear_capped"]
    o, u = np.array(BRANCH_POINTS).T
    r = evaluate(scenario, o, u)
    cap = scenario.agreement.sharing.loss_cap
    share, surplus = r.surplus_share_to_host, r.surplus_before_sharing
    assert np.any(np.isclose(share, -cap))  # the cap binds
    assert np.any((share < 0) & (share > -cap + 1))  # a deficit share below the cap
    assert np.any(share > 0)  # a share of the surplus above target
    assert np.any((surplus > 0) & (surplus < r.sharing_threshold))  # surplus under the threshold
    starts = [b.from_local_use for b in scenario.agreement.sharing.bands]
    shares = [b.host_share for b in scenario.agreement.sharing.bands]
    assert np.any(~np.isin(r.host_share_rate, shares))  # between band points
    assert np.any(u > starts[-1])  # flat after the last band
    assert np.any(np.isnan(r.host_unit_cost))


# ----------------------------------------------------------------------------------------------
# With LibreOffice: recalculated values


@NEEDS_SOFFICE
def test_libreoffice_really_recalculates_on_load(recalculated):
    """LibreOffice, as these tests run it, really recalculates a workbook on load: a formula stored with a wrong result
    comes back right."""
    wb = openpyxl.load_workbook(recalculated["canary"], data_only=True)
    assert wb["Canary"]["A3"].value == 42


@NEEDS_SOFFICE
@pytest.mark.parametrize("name", list(CASES))
def test_every_calculation_matches_the_model_after_recalculation(recalculated, name):
    """Recalculated by LibreOffice, every Calculations and Outputs cell of each workbook is the model's figure at its
    point, and the joint gain check comes to zero."""
    scenario, _ = CASES[name]
    points = _points_of(name)
    assert _check_against_model(recalculated[name], scenario, points) >= len(CALC_NAMES) * len(points)


@NEEDS_SOFFICE
@pytest.mark.parametrize("name", list(CHANGES))
def test_changing_inputs_in_the_workbook_moves_every_dependent_cell(recalculated, name):
    """Inputs changed in the workbook itself (contribution, costs, sharing, occupancy, prices, reserved places, local
    use without the agreement) carry through every dependent cell to the model's figures for the changed scenario."""
    base, changes = CHANGES[name]
    scenario, points = CASES[base]
    doc = scenario_to_dict(scenario)
    for path, value in changes.items():
        doc = set_path(doc, path, value)
    changed = scenario_from_dict(doc)
    pts = _points_of(base)
    if "uncertainty.occupancy.mode" in changes:  # the first default point follows the modes
        pts[0] = (changed.uncertainty.occupancy.mode, changed.uncertainty.local_use.mode)
    _check_against_model(recalculated[name], changed, pts)
    # and the figures did move: the original workbook's values are not the changed ones
    before = evaluate(scenario, *np.array(pts).T)
    after = evaluate(changed, *np.array(pts).T)
    assert not np.allclose(before.host_net_cost, after.host_net_cost)


@NEEDS_SOFFICE
def test_recalculated_calculations_are_still_formulas(recalculated):
    """After LibreOffice recalculates and saves the workbook, its calculations are still live formulas, not fixed
    numbers."""
    wb = openpyxl.load_workbook(recalculated["example"])
    ws = wb["Calculations"]
    rows = _calc_rows(ws)
    for item, cell in _formula_cells(ws, rows, len(_points_of("example"))):
        assert str(cell.value).startswith("="), item


# ----------------------------------------------------------------------------------------------
# Over the term (MODEL.md section 10): the Years sheet


@pytest.mark.parametrize("name", TERM_CASES)
def test_years_sheet_is_formulas_of_inputs_and_its_own_cells(name):
    """Over a term, the workbook adds a Years sheet whose every cell is a formula of the Inputs sheet and its own cells,
    with no number typed in but 0 and 1."""
    scenario, points = CASES[name]
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario, points)))
    sheets = ["Inputs", "Calculations", *(["Members"] if scenario.members else []), "Years", "Outputs"]
    assert wb.sheetnames[: len(sheets)] == sheets
    assert set(wb.sheetnames[len(sheets) :]) <= {"Build-up", "Other ways to buy"}  # the figures' sources; other ways
    ws = wb["Years"]
    ref = re.compile(r"(?:(\w+)!)?\$?[A-Z]{1,3}\$?(\d+)(?::\$?[A-Z]{1,3}\$?\d+)?")
    formulas = 0
    for row in ws.iter_rows(min_row=5, min_col=FIRST_YEAR_COLUMN):
        for cell in row:
            if cell.value is None:
                continue
            formula = cell.value
            assert isinstance(formula, str) and formula.startswith("="), f"{cell.coordinate}: {formula!r}"
            for sheet, _ in ref.findall(formula):
                assert sheet in ("", "Inputs"), f"{cell.coordinate}: {formula}"
            literals = re.findall(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])", ref.sub("", formula))
            assert set(literals) <= {"0", "1"}, f"{cell.coordinate}: hard-coded {literals} in {formula}"
            formulas += 1
    assert formulas > len(OUTCOME_NAMES) * scenario.term.years


def test_the_years_sheet_reuses_the_calculations_templates():
    """Year 1 of a term's Years sheet and Point 1 of Calculations differ only in where the indexed inputs are."""
    scenario, _ = CASES["term_section_11"]
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario)))
    years, calcs = wb["Years"], wb["Calculations"]
    y_rows, c_rows = _calc_rows(years), _calc_rows(calcs)
    for name in ("host_units", "external_units", "provider_profit", "host_unit_cost", "provider_gain", "host_saving"):
        y = re.sub(r"[A-Z]+(\d+)", "X", years.cell(y_rows[name], FIRST_YEAR_COLUMN).value)
        c = re.sub(r"[A-Z]+(\d+)", "X", calcs.cell(c_rows[name], FIRST_POINT_COLUMN).value)
        assert y == c, name


def test_no_years_sheet_for_one_year(example):
    """A one-year scenario's workbook has no Years sheet and no NPV among its outputs."""
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(example)))
    assert "Years" not in wb.sheetnames
    assert "npv_provider_gain" not in _calc_rows(wb["Outputs"])


def test_per_year_indexation_is_a_row_of_inputs_and_one_number_fills_its_row():
    """A list of indexation rates, one a year, is written as a row of inputs; a single rate is written once, the rest of
    its row formulas pointing at it."""
    scenario, _ = CASES["term_ten_years"]
    ws = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario)))["Inputs"]
    cells = _input_cells(ws)
    row = cells["term.indexation.costs"][0]
    assert [ws.cell(row, 7 + i).value for i in range(9)] == scenario.term.indexation.costs
    row, col = cells["term.indexation.contribution"]
    assert ws.cell(row, col).value == 0.01
    assert {ws.cell(row, 7 + i).value for i in range(9)} == {f"=Inputs!$C${row}"}


@pytest.mark.parametrize("name", TERM_CASES)
def test_years_cached_results_are_the_models(tmp_path, name):
    """The results stored with each Years cell and the term figures on the Outputs sheet are the model's, for viewers
    that do not recalculate."""
    scenario, points = CASES[name]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(audit_workbook(scenario, points))
    assert _check_years_against_model(path, scenario, _points_of(name)[0]) > 0


@NEEDS_SOFFICE
@pytest.mark.parametrize("name", TERM_CASES)
def test_every_years_cell_matches_the_model_after_recalculation(recalculated, name):
    """Recalculated by LibreOffice, every Years cell and every term figure is the model's over the term."""
    scenario, _ = CASES[name]
    checked = _check_years_against_model(recalculated[name], scenario, _points_of(name)[0])
    assert checked >= (len(OUTCOME_NAMES) + 20) * scenario.term.years


@NEEDS_SOFFICE
def test_the_section_11_npvs_after_recalculation(recalculated):
    """Recalculated by LibreOffice, the contract's worked three-year term gives its NPVs (provider -12,476.63, host
    182,821.93), the host paid back in year 1, the provider never, and neither side walking away."""
    out = openpyxl.load_workbook(recalculated["term_section_11"], data_only=True)["Outputs"]
    rows = _calc_rows(out)
    figures = {name: out.cell(rows[name], 3).value for name in TERM_NAMES}
    assert round(figures["npv_provider_gain"], 2) == -12_476.63
    assert round(figures["npv_host_saving"], 2) == 182_821.93
    assert figures["provider_payback_year"] == "n/a" and figures["host_payback_year"] == 1
    assert figures["provider_walk_away_year"] == "n/a" and figures["host_walk_away_year"] == "n/a"


@NEEDS_SOFFICE
@pytest.mark.parametrize("name", list(TERM_CHANGES))
def test_changing_term_inputs_in_the_workbook_moves_the_npvs(recalculated, name):
    """Indexation or the discount rate changed in the workbook itself carries through each year's figures and both NPVs
    to the model's for the changed term."""
    base, changes = TERM_CHANGES[name]
    scenario, _ = CASES[base]
    changed = _changed(scenario, changes)
    point = _points_of(base)[0]
    _check_years_against_model(recalculated[name], changed, point)
    _check_against_model(recalculated[name], changed, _points_of(base))
    before, after = evaluate_term(scenario, *point), evaluate_term(changed, *point)
    assert not np.isclose(before.npv_provider_gain, after.npv_provider_gain)
    assert not np.isclose(before.npv_host_saving, after.npv_host_saving)


PRINT_PAGES = {"childrens_home": 14, "childrens_home_new_build": 19}
"""At most so many A4 pages for each preset's workbook: LibreOffice here lays it out in DejaVu Sans, wider than
Calibri, and gives 13 and 18 (Inputs 3-4, Calculations 3 page widths x 2, Outputs 2-3, Years 2-4, Build-up 1 where
the costs are built up, Other ways to buy 1)."""

ONE_PAGE_SHEETS = ("Build-up", "Other ways to buy")
"""The sheets that print on one page: a short table each, a figure a row."""


def _pages_by_sheet(pdf) -> dict[str, int]:
    """How many pages each sheet printed on, read from the footer every page carries (its sheet's name, "Page n of
    m")."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    counts: dict[str, int] = {}
    for page in text.split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines and (m := re.match(r"\s*(\S.*?)\s+Page \d+ of \d+\s*$", lines[-1])):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Each preset of :data:`PRINT_PAGES`'s audit workbook printed to PDF by LibreOffice (private profile)."""
    if SOFFICE is None:
        pytest.skip(_SOFFICE_FOUND.kwargs["reason"])
    root = tmp_path_factory.mktemp("printed")
    (root / "profile" / "user").mkdir(parents=True)
    for name in PRINT_PAGES:
        (root / f"{name}.xlsx").write_bytes(audit_workbook(load_scenario(ROOT / "presets" / f"{name}.yaml")))
    command = [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(root / 'profile').as_uri()}"]
    command += ["--convert-to", "pdf", "--outdir", str(root), *(str(root / f"{n}.xlsx") for n in PRINT_PAGES)]
    subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=root)
    return {name: root / f"{name}.pdf" for name in PRINT_PAGES}


@NEEDS_SOFFICE
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo and pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("name", list(PRINT_PAGES))
def test_the_workbook_prints_on_a_few_a4_landscape_pages_in_readable_type(printed, name):
    """The audit workbook prints (as LibreOffice lays it out) on A4 landscape, on at most PRINT_PAGES[name] pages
    (each of the ONE_PAGE_SHEETS on one),
    and its words stand at least 10.45 points tall on the page (DejaVu Sans's box of 9-point type, 1.164 em): fitted to the page width
    without shrinking the type below 9 points."""
    pdf = printed[name]
    assert pdf.exists(), "LibreOffice did not print the workbook"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(w), round(h)) == (842, 595), f"not A4 landscape: {w} x {h} pt"
    assert 4 <= pages <= PRINT_PAGES[name], pages
    by_sheet = _pages_by_sheet(pdf)
    assert sum(by_sheet.values()) == pages, by_sheet  # every page's footer names its sheet
    assert {sheet: by_sheet.get(sheet, 1) for sheet in ONE_PAGE_SHEETS} == dict.fromkeys(ONE_PAGE_SHEETS, 1), by_sheet
    assert "Other ways to buy" in by_sheet, by_sheet
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = sorted(
        float(b) - float(a)
        for a, b in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)
    )
    assert len(heights) > 500
    assert heights[len(heights) // 10] >= 9 * 1.161, (
        f"type too small: the 10th percentile word is {heights[len(heights) // 10]:.1f} pt tall"
    )


# ---------------------------------------------------------------------------------------------
# A region of councils (MODEL.md section 12): the Members sheet


def _check_members_against_model(path: Path, scenario, points) -> dict[str, np.ndarray]:
    """Every Members cell of a recalculated workbook against the model's member figures at its points, and the sums'
    checks at zero; returns the workbook's member figures, name -> (members, points)."""
    from paper.workbook import member_rows
    from partnership.councils import member_figures
    from partnership.region import MEMBER_NAMES

    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Members"]
    o, u = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    want = member_figures(evaluate(scenario, o, u))
    rows = member_rows(len(scenario.members))
    got = {name: np.zeros((len(scenario.members), len(points))) for name in MEMBER_NAMES}
    bad = []
    for i, m in enumerate(scenario.members):
        assert ws.cell(rows[(i, "heading")] + 1, 1).value == m.name
        for name in MEMBER_NAMES:
            assert ws.cell(rows[(i, name)] + 1, 1).value == name
            for j in range(len(points)):
                value = ws.cell(rows[(i, name)] + 1, FIRST_POINT_COLUMN + j).value
                got[name][i, j] = value if isinstance(value, (int, float)) else np.nan
                if not _close(value, float(want[name][i, j])):
                    bad.append(f"{m.name} {name} at point {j + 1}: workbook {value!r}, model {want[name][i, j]!r}")
    for name in ("member_net_cost", "member_saving"):
        for j in range(len(points)):
            check = ws.cell(rows[("check", name)] + 1, FIRST_POINT_COLUMN + j).value
            if not (isinstance(check, (int, float)) and abs(check) <= 1e-6 * max(1.0, abs(want[name][:, j]).sum())):
                bad.append(f"{name}_check at point {j + 1}: {check!r}")
    assert not bad, "\n".join(bad[:20])
    return got


@NEEDS_SOFFICE
@pytest.mark.parametrize("name", REGION_CASES)
def test_every_councils_figures_match_the_model_after_recalculation(recalculated, name):
    """Recalculated by LibreOffice, every council's line items on the Members sheet are the model's at each point,
    and the councils' net costs and savings add up to the host's (the checks read 0)."""
    scenario, _ = CASES[name]
    _check_members_against_model(recalculated[name], scenario, _points_of(name))


@NEEDS_SOFFICE
def test_the_section_15_councils_after_recalculation(recalculated):
    """The worked example of a region (MODEL.md section 15, o = 0.85, u = 0.75): after LibreOffice recalculates, each
    council's net cost, cost without the agreement and saving, and the region's cost without the agreement."""
    points = _points_of("region_section_15")
    j = points.index((0.85, 0.75))
    got = _check_members_against_model(recalculated["region_section_15"], CASES["region_section_15"][0], points)
    assert got["member_net_cost"][:, j] == pytest.approx([357_380.50, 226_428.30, 170_952.20], abs=0.01)
    assert got["member_cost_without_agreement"][:, j] == pytest.approx([424_320, 234_260, 164_424], abs=0.01)
    assert got["member_saving"][:, j] == pytest.approx([66_939.50, 7_831.70, -6_528.20], abs=0.01)
    calcs = openpyxl.load_workbook(recalculated["region_section_15"], data_only=True)["Calculations"]
    row = _calc_rows(calcs)["host_cost_without_agreement"]
    assert calcs.cell(row, FIRST_POINT_COLUMN + j).value == pytest.approx(823_004, abs=0.01)


@NEEDS_SOFFICE
def test_changing_a_councils_inputs_in_the_workbook_moves_its_figures(recalculated):
    """A council's shares, price elsewhere and local use anyway, and the returns split, changed on the Inputs sheet,
    carry through the Members and Calculations sheets to the model's figures for the changed scenario."""
    base, changes = REGION_CHANGES["region_changed"]
    scenario, _ = CASES[base]
    changed = _changed(scenario, changes)
    points = _points_of(base)
    got = _check_members_against_model(recalculated["region_changed"], changed, points)
    _check_against_model(recalculated["region_changed"], changed, points)
    from partnership.councils import member_figures

    before = member_figures(evaluate(scenario, *np.array(points).T))["member_saving"]
    assert not np.allclose(got["member_saving"], before)


def test_a_one_host_workbook_has_no_members_sheet(example):
    """One host: no Members sheet, and no councils at the foot of the Inputs sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(example, None)))
    assert "Members" not in wb.sheetnames
    assert not any(c.value == "region.returns_split" for row in wb["Inputs"].iter_rows() for c in row)


def test_the_members_sheet_is_formulas_of_inputs_and_calculations():
    """Every figure on the Members sheet is a formula; each council's inputs are on the Inputs sheet under their
    dotted paths, an unset one a formula of what it defaults to."""
    from paper.workbook import member_rows
    from partnership.region import MEMBER_NAMES

    scenario, points = CASES["region_section_15"]
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook(scenario, points)))
    ws = wb["Members"]
    rows = member_rows(3)
    for i in range(3):
        for name in MEMBER_NAMES:
            value = ws.cell(rows[(i, name)] + 1, FIRST_POINT_COLUMN).value
            assert isinstance(value, str) and value.startswith("="), (i, name, value)
    cells = _input_cells(wb["Inputs"])
    assert wb["Inputs"].cell(*cells["region.members[0].host_alternative"]).value == 6400
    assert str(wb["Inputs"].cell(*cells["region.members[0].local_use_anyway"]).value).startswith("=")
    assert str(wb["Inputs"].cell(*cells["region.members[1].host_alternative"]).value).startswith("=")
