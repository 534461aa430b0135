"""The audit workbook's Build-up sheet (MODEL.md section 14) and its Other ways to buy sheet (section 13): the
parts as inputs, v, F and p_a live formulas the rest of the workbook uses, recalculated by LibreOffice to the
model's figures with a build-up and a mix, also after a part is changed in the workbook."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pytest

from paper.pack import audit_workbook_of
from paper.workbook import ARRANGEMENTS_SHEET, BUILD_UP_SHEET, default_points
from partnership import load_scenario
from partnership.arrangements import arrangements
from partnership.scenario import scenario_from_dict, scenario_to_dict

from ..conftest import ROOT
from .test_workbook import (
    NEEDS_SOFFICE,
    RECALC_ALWAYS,
    SOFFICE,
    _check_against_model,
    _input_cells,
    _strip_cached_values,
)

ZONE = ROOT / "presets" / "homecare_zone_framework.yaml"  # costs built up from their parts and a mix
DERIVED = ("service.variable_cost", "service.fixed_cost", "prices.host_alternative")


def _fields(ws) -> dict[str, int]:
    """Field path (column E) -> row, on a sheet."""
    return {r[4].value: r[0].row for r in ws.iter_rows(min_row=1) if len(r) > 4 and isinstance(r[4].value, str)}


def _changed_workbook(s) -> tuple[bytes, object]:
    """The zone's workbook with its pay raised by 1 and its first mix price by 2 on the Build-up sheet, and the
    scenario with the same changes made to its document."""
    wb = openpyxl.load_workbook(io.BytesIO(audit_workbook_of(s, arrangements=[])))
    ws = wb[BUILD_UP_SHEET]
    rows = _fields(ws)
    ws.cell(rows["cost_build_up.per_unit.pay"], 3).value = s.cost_build_up.per_unit.pay + 1
    ws.cell(rows["alternative_mix[0]"], 3).value = s.alternative_mix[0].price + 2
    buffer = io.BytesIO()
    wb.save(buffer)
    doc = scenario_to_dict(s)
    doc["cost_build_up"]["per_unit"]["pay"] += 1
    doc["alternative_mix"][0]["price"] += 2
    return buffer.getvalue(), scenario_from_dict(doc)


def test_the_inputs_v_f_and_p_a_link_to_the_build_up_sheets_formulas():
    """The Inputs sheet's v, F and p_a are formulas pointing at the Build-up sheet, whose own are formulas of its
    yellow parts, cached at the model's derived values."""
    s = load_scenario(ZONE)
    data = audit_workbook_of(s, arrangements=[])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = _input_cells(wb["Inputs"])
    built = _fields(wb[BUILD_UP_SHEET])
    for path in DERIVED:
        formula = wb["Inputs"].cell(*cells[path]).value
        assert isinstance(formula, str) and formula.startswith(f"='{BUILD_UP_SHEET}'!"), (path, formula)
        assert str(wb[BUILD_UP_SHEET].cell(built[path], 3).value).startswith("="), path
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    for path, want in zip(DERIVED, (s.service.variable_cost, s.service.fixed_cost, s.prices.host_alternative)):
        assert cached[BUILD_UP_SHEET].cell(built[path], 3).value == pytest.approx(want)


def test_the_other_ways_to_buy_sheet_holds_every_arrangements_figures():
    """The sheet lists every arrangement in the model's order (a column each) with its figures by their section-13
    names (a row each)."""
    s = load_scenario(ZONE)
    ways = arrangements(s)
    ws = openpyxl.load_workbook(io.BytesIO(audit_workbook_of(s, arrangements=ways)))[ARRANGEMENTS_SHEET]
    assert [c.value for c in ws[4]][2:] == [a.name for a in ways]
    names = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert set(names) == set(ways[0].figures)  # every figure the model works out, once
    for c, a in enumerate(ways, start=3):
        for r, name in enumerate(names, start=5):
            want = a.figures[name]
            assert ws.cell(r, c).value == ("n/a" if want is None else pytest.approx(want)), (a.name, name)


@NEEDS_SOFFICE
def test_libreoffice_recalculates_the_build_up_and_the_mix_to_the_model(tmp_path):
    """Recalculated by LibreOffice, the zone preset's workbook (costs built up, alternative from a mix) equals the
    model in every Calculations and Outputs cell, as it does after its pay and a mix price are changed on the
    Build-up sheet (the model given the same changes)."""
    s = load_scenario(ZONE)
    changed, changed_scenario = _changed_workbook(s)
    src, out, profile = tmp_path / "in", tmp_path / "out", tmp_path / "profile"
    src.mkdir()
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    (src / "zone.xlsx").write_bytes(_strip_cached_values(audit_workbook_of(s, arrangements=[])))
    (src / "changed.xlsx").write_bytes(changed)
    command = [
        SOFFICE,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(src / "changed.xlsx"),
        str(src / "zone.xlsx"),
    ]
    subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    points = [(p[0], p[1]) for p in default_points(s)]
    assert _check_against_model(out / "zone.xlsx", s, points) > 0
    assert changed_scenario.service.variable_cost != pytest.approx(s.service.variable_cost)
    assert _check_against_model(out / "changed.xlsx", changed_scenario, points) > 0
    wb = openpyxl.load_workbook(out / "changed.xlsx", data_only=True)
    built = _fields(wb[BUILD_UP_SHEET])
    assert wb[BUILD_UP_SHEET].cell(built["service.variable_cost"], 3).value == pytest.approx(
        changed_scenario.service.variable_cost
    )
    assert wb[BUILD_UP_SHEET].cell(built["prices.host_alternative"], 3).value == pytest.approx(
        changed_scenario.prices.host_alternative
    )
