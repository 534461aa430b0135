"""The paper pack of a region of councils: the councils' table (CSV and Excel), their charts, a sentence for each
council in the summary, and the workbook's Members sheet; a one-host pack has none of them."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest

from paper.pack import pack_files, scenario_tables
from partnership import evaluate, load_scenario, most_likely_point, summarize
from partnership.councils import members_at, region_summary
from partnership.formats import money, percent
from partnership.negotiation import default_axes, sweep

from ..conftest import ROOT
from ..support.browser import chromium_missing_reason

REGION = ROOT / "presets" / "regional_councils.yaml"
ONE_HOST = ROOT / "presets" / "childrens_home.yaml"

BROWSER_MISSING = chromium_missing_reason()


@pytest.fixture(scope="module")
def region_pack() -> dict[str, bytes]:
    """The region preset's pack (SVG charts only, to keep it quick)."""
    if BROWSER_MISSING:
        pytest.skip(BROWSER_MISSING)
    s = load_scenario(REGION)
    return pack_files([(s.name, s)], formats=("svg",))


def test_the_councils_table_is_the_models_councils():
    """The councils' table holds each council's expected saving, chance, P10/P50/P90, range of shares and the rules'
    shares as the model's region summary has them, and its figures at the most likely point as the model's; the
    councils' savings there add up to the host's."""
    s = load_scenario(REGION)
    region = region_summary(s)
    o, u = most_likely_point(s)
    df = scenario_tables(s, summarize(s), sweep(s, *default_axes(s)), region)["Councils"]
    assert df["name"].tolist() == region.names
    for column in ("expected_saving", "probability_better_off", "saving_p10", "saving_p50", "saving_p90"):
        assert df[column].tolist() == pytest.approx(getattr(region, column))
    assert df["contribution_share_low"].tolist() == pytest.approx([r[0] for r in region.contribution_share_range])
    assert df["saving_by_use_share"].tolist() == pytest.approx(region.saving_by_use["contribution_shares"])
    at = members_at(s, o, u)
    assert df["member_saving"].tolist() == pytest.approx([m["member_saving"] for m in at])
    assert df["member_saving"].sum() == pytest.approx(float(evaluate(s, o, u).host_saving))
    assert df.attrs["units"]["expected_saving"] == "£ per year"


def test_a_one_host_scenario_has_no_councils_table():
    """One host: the pack's tables hold no councils."""
    s = load_scenario(ONE_HOST)
    tables = scenario_tables(s, summarize(s), sweep(s, *default_axes(s)))
    assert "Councils" not in tables


@pytest.mark.slow
@pytest.mark.browser
def test_the_region_pack_holds_the_councils_table_charts_and_a_sentence_for_each(region_pack):
    """The region's pack holds the councils' table as CSV and as a sheet of the tables' workbook, both councils'
    charts, the workbook's Members sheet, and in its summary the count of councils better off and one sentence for
    each council stating its expected saving and its chance of being better off."""
    files = region_pack
    s = load_scenario(REGION)
    region = region_summary(s)
    df = pd.read_csv(io.BytesIO(files["tables/councils.csv"]))
    assert df["name"].tolist() == region.names
    assert df["expected_saving"].tolist() == pytest.approx(region.expected_saving)
    book = openpyxl.load_workbook(io.BytesIO(files["tables/tables.xlsx"]))
    assert "Councils" in book.sheetnames
    assert {"charts/councils_savings.svg", "charts/councils_contribution_shares.svg"} <= set(files)
    assert "Members" in openpyxl.load_workbook(io.BytesIO(files["audit_workbook.xlsx"])).sheetnames
    md = files["summary.md"].decode("utf-8")
    better = sum(e >= -0.5 for e in region.expected_saving)
    assert f"{better} of {len(region.names)} councils better off in expectation" in md
    for name, e, p in zip(region.names, region.expected_saving, region.probability_better_off):
        line = next((x for x in md.splitlines() if x.startswith(f"- {name}, with ")), None)
        assert line is not None, name
        assert f"**{money(abs(e), '£')}**" in line and f"better off in {percent(p)} of cases" in line, line
    assert re.search(r"savings follow use at Derby 20(\.0)? %", md)
    assert "charts/councils_savings.png" in md
