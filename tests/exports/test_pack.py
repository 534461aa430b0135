"""The paper pack opens in the programs people use, and says what the model says.

Each export is opened the way a reader would open it: the ZIP with ``zipfile``, PNGs with Pillow, SVGs
with an XML parser (and laid out by Chromium, to find cut-off or colliding text), PDFs drawn by
poppler's ``pdftoppm``, CSVs with pandas, workbooks with openpyxl, the summary in Markdown and as a web
page in headless Chromium kept off the network. Figures are compared with the model, never typed in.

The single-scenario pack is the one the command line writes (``python -m paper export``), so it
is built once and the command line is tested with it; the comparison pack is built once in process.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from PIL import Image

import paper.tables as tables_module
from paper.images import chart_image
from paper.pack import pack_files, pack_zip, scenario_charts
from paper.report import assumptions
from partnership import (
    OUTCOME_NAMES,
    SUMMARY_NAMES,
    Scenario,
    evaluate,
    load_scenario,
    most_likely_point,
    parse_scenario_text,
    summarize,
)
from partnership.formats import file_stem, money, percent
from partnership.negotiation import SweepResult, default_axes, sweep
from partnership.term import evaluate_term
from partnership.uncertainty import SUMMARY_LABELS

from ..conftest import PRESETS, ROOT
from ..support.browser import ARTIFACTS, browser_page, chromium_missing_reason
from ..support.markdown import as_read

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
]  # builds real packs: charts drawn by Chromium, xlsx, HTML opened in Chromium

PRESET = {p.stem: p for p in PRESETS}
SINGLE = "presets/childrens_home.yaml"  # as a user types it, relative to the repository
COMPARED = ("homecare_urban", "regional_group")
FORMATS = ("png", "svg", "pdf")  # every chart in each
STEMS = (
    "every_outcome",
    "across_occupancy",
    "where_the_money_goes",
    "risk",
    "access_value",
    "placement_money",
    "other_ways_to_buy",
    "find_terms",
)
COMPARISON_STEMS = ("compare_gains", "compare_across_occupancy")
TABLES = ("tables/outcome_grid.csv", "tables/summary.csv", "tables/find_terms.csv", "tables/other_ways_to_buy.csv")
PROVIDER_BLUE, HOST_VERMILLION = (0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00)
PDFTOPPM = shutil.which("pdftoppm")
NEEDS_PDFTOPPM = pytest.mark.skipif(
    PDFTOPPM is None,
    reason="pdftoppm not found: install the Debian package poppler-utils to render the PDF charts (CI installs it)",
)
BROWSER_MISSING = chromium_missing_reason()
NEEDS_CHROMIUM = pytest.mark.skipif(BROWSER_MISSING is not None, reason=BROWSER_MISSING or "")
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


# ---------------------------------------------------------------------------------------------
# the packs, built once for the module


@dataclass
class Model:
    """What the model says about one scenario, for comparing with the pack."""

    scenario: Scenario
    summary: dict
    terms: SweepResult
    charts: dict[str, tuple[str, object]] = field(default_factory=dict)  # stem: (caption, figure)


def model_of(s: Scenario) -> Model:
    summary = summarize(s)
    terms = sweep(s, *default_axes(s))
    charts = {stem: (caption, fig) for stem, caption, fig in scenario_charts(s, summary, terms)}
    return Model(s, summary, terms, charts)


@dataclass
class Pack:
    zip_bytes: bytes
    files: dict[str, bytes]
    models: dict[str, Model]  # by option name
    prefixes: dict[str, str]  # option name: folder inside the ZIP ("" for a single scenario)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="module")
def cli_export(tmp_path_factory):
    """``python -m paper export presets/childrens_home.yaml --out DIR``, run once."""
    out = tmp_path_factory.mktemp("cli_pack")
    proc = subprocess.run(
        [sys.executable, "-m", "paper", "export", SINGLE, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc, out


@pytest.fixture(scope="module")
def single(cli_export) -> Pack:
    proc, _ = cli_export
    if proc.returncode != 0:
        pytest.fail(f"the export command failed with status {proc.returncode}:\n{proc.stderr[-3000:]}")
    data = Path(json.loads(proc.stdout)["pack"]).read_bytes()
    s = load_scenario(ROOT / SINGLE)
    return Pack(data, unzip(data), {s.name: model_of(s)}, {s.name: ""})


@pytest.fixture(scope="module")
def comparison() -> Pack:
    scenarios = [load_scenario(PRESET[stem]) for stem in COMPARED]
    data = pack_zip([(s.name, s) for s in scenarios])
    return Pack(
        data,
        unzip(data),
        {s.name: model_of(s) for s in scenarios},
        {s.name: f"options/{file_stem(s.name)}/" for s in scenarios},
    )


@pytest.fixture(scope="module")
def model(single) -> Model:
    return next(iter(single.models.values()))


# ---------------------------------------------------------------------------------------------
# helpers


def assert_not_blank(image: Image.Image, what: str, min_colours: int = 100) -> None:
    """Something is drawn: many distinct colours and no single colour covering nearly everything."""
    rgb = image.convert("RGB")
    pixels = rgb.width * rgb.height
    colours = rgb.getcolors(maxcolors=pixels)
    most = max(count for count, _ in colours) / pixels
    assert len(colours) >= min_colours, f"{what}: only {len(colours)} distinct colours, looks blank"
    assert most < 0.98, f"{what}: one colour covers {most:.1%} of the image, looks blank"


def svg_texts(data: bytes) -> tuple[str, list[str]]:
    root = ET.fromstring(data)
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "text"]
    return root.tag, texts


def render_pdf(data: bytes, tmp_path: Path) -> Image.Image:
    pdf = tmp_path / "chart.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.png")
    return Image.open(page)


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=["n/a"])


def markdown_links(text: str) -> list[str]:
    return IMAGE_LINK.findall(text)


# Where every piece of text of a Plotly SVG lands once laid out, with the legend's box.
LAYOUT_JS = """() => {
  const svg = document.querySelector('svg');
  const boxes = [];
  for (const t of svg.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (!t.textContent.trim() || r.width === 0) continue;
    const kind = t.closest('g.legend') ? 'legend' : 'text';
    boxes.push({text: t.textContent, kind, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  }
  const bg = svg.querySelector('g.legend rect.bg');
  const l = bg && bg.getBoundingClientRect();
  return {width: +svg.getAttribute('width'), height: +svg.getAttribute('height'), boxes,
          legend: l ? {text: 'the legend', x0: l.left, y0: l.top, x1: l.right, y1: l.bottom} : null};
}"""


def _overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["x0"] + slack < b["x1"]
        and b["x0"] + slack < a["x1"]
        and a["y0"] + slack < b["y1"]
        and b["y0"] + slack < a["y1"]
    )


def layout_problems(page, svg: Path) -> list[str]:
    """Text outside the image (cut off), text on text, text under the legend, in one laid-out SVG."""
    page.goto(svg.as_uri())
    g = page.evaluate(LAYOUT_JS)
    problems = []
    for b in g["boxes"]:
        if b["x0"] < 0 or b["y0"] < 0 or b["x1"] > g["width"] or b["y1"] > g["height"]:
            problems.append(f"{svg.name}: {b['text']!r} is cut off at the edge of the image")
    loose = [b for b in g["boxes"] if b["kind"] != "legend"]
    for i, a in enumerate(loose):
        for b in loose[i + 1 :]:
            if _overlap(a, b):
                problems.append(f"{svg.name}: {a['text']!r} overlaps {b['text']!r}")
        if g["legend"] and _overlap(a, g["legend"]):
            problems.append(f"{svg.name}: {a['text']!r} collides with the legend")
    if not any(b["text"].startswith(("Scenario: ", "Options compared: ")) for b in g["boxes"]):
        problems.append(f"{svg.name}: no footnote naming the scenario (or the options compared)")
    return problems


# ---------------------------------------------------------------------------------------------
# 1. the ZIP


def test_zip_opens_whole_and_holds_every_part(single):
    """The pack is a sound ZIP with no repeated, empty or unsafe paths, holding the scenario, the tables, both
    workbooks, the summary in Markdown and as a web page, and every chart as PNG, SVG and PDF."""
    with zipfile.ZipFile(io.BytesIO(single.zip_bytes)) as z:
        assert z.testzip() is None
        names = z.namelist()
    assert len(names) == len(set(names)), "a file is in the ZIP twice"
    for name in names:
        assert not name.startswith(("/", "\\")) and ".." not in Path(name).parts, f"unsafe path in the ZIP: {name}"
        assert single.files[name], f"{name} is empty"
    expected = {
        "scenario.yaml",
        *TABLES,
        "tables/tables.xlsx",
        "audit_workbook.xlsx",
        "summary.md",
        "summary.html",
        *(f"charts/{stem}.{fmt}" for stem in STEMS for fmt in FORMATS),
    }
    assert not expected - set(names), f"missing from the pack: {sorted(expected - set(names))}"


def test_scenario_file_loads_back_as_the_scenario(single, model):
    """The pack's scenario file reads back as the very scenario the pack was made from."""
    text = single.files["scenario.yaml"].decode("utf-8")
    assert parse_scenario_text(text) == model.scenario


# ---------------------------------------------------------------------------------------------
# 2-4. chart images


@pytest.mark.parametrize("stem", STEMS)
def test_png_is_print_resolution_and_drawn(single, stem):
    """Each chart's PNG is at least 2,800 pixels wide for print, fully opaque, and has something drawn on it."""
    image = Image.open(io.BytesIO(single.files[f"charts/{stem}.png"]))
    image.load()
    assert image.format == "PNG"
    assert image.width >= 2800, f"{stem}.png is {image.width} px wide, too few for print"
    if image.mode in ("RGBA", "LA"):
        assert image.getchannel("A").getextrema() == (255, 255), f"{stem}.png has transparent parts"
    assert_not_blank(image, f"{stem}.png")


def test_png_shows_both_parties_colours(single):
    """The chart across occupancy shows both the provider's blue and the host's vermillion."""
    image = Image.open(io.BytesIO(single.files["charts/across_occupancy.png"])).convert("RGB")
    counts = {colour: n for n, colour in image.getcolors(maxcolors=image.width * image.height)}
    assert counts.get(PROVIDER_BLUE, 0) > 500, "the provider's blue #0072B2 is missing from across_occupancy.png"
    assert counts.get(HOST_VERMILLION, 0) > 500, "the host's vermillion #D55E00 is missing from across_occupancy.png"


@pytest.mark.parametrize("stem", STEMS)
def test_svg_parses_with_title_and_scenario_footnote(single, model, stem):
    """Each chart's SVG is valid SVG carrying the chart's title and a footnote naming the scenario."""
    tag, texts = svg_texts(single.files[f"charts/{stem}.svg"])
    assert tag == "{http://www.w3.org/2000/svg}svg"
    _, fig = model.charts[stem]
    title = fig.layout.title.text
    assert title and title in texts, f"{stem}.svg lacks its title {title!r}"
    assert any(t.startswith(f"Scenario: {model.scenario.name}.") for t in texts), f"{stem}.svg lacks the footnote"


@NEEDS_PDFTOPPM
@pytest.mark.parametrize("stem", STEMS)
def test_pdf_renders_with_the_charts_proportions(single, stem, tmp_path):
    """Each chart's PDF draws a page that is not blank, with the proportions of its PNG: neither cropped nor padded."""
    data = single.files[f"charts/{stem}.pdf"]
    assert data.startswith(b"%PDF")
    page = render_pdf(data, tmp_path)
    assert_not_blank(page, f"{stem}.pdf page 1")
    png = Image.open(io.BytesIO(single.files[f"charts/{stem}.png"]))
    ratio, expected = page.width / page.height, png.width / png.height
    assert ratio == pytest.approx(expected, rel=0.02), f"{stem}.pdf is cropped or padded: {ratio:.3f} vs {expected:.3f}"


# ---------------------------------------------------------------------------------------------
# 5. CSV tables


@pytest.mark.parametrize("name", TABLES)
def test_csv_parses_and_writes_no_nan(single, name):
    """Each CSV table in the pack reads back as a table and never writes nan or inf."""
    text = single.files[name].decode("utf-8")
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), f"{name} writes 'nan'"
    assert not re.search(r"\binf\b", text, re.IGNORECASE), f"{name} writes 'inf'"
    df = read_csv(single.files[name])
    assert len(df) > 1 and len(df.columns) >= 3


def test_outcome_grid_is_the_model_at_every_point(single, model):
    """The pack's outcome grid runs occupancy and local use from 0 to 1 with every outcome as the model gives it at each
    point, the host's unit cost n/a exactly where the host uses no places."""
    df = read_csv(single.files["tables/outcome_grid.csv"])
    assert list(df.columns) == ["occupancy", "local_use", *OUTCOME_NAMES]
    for axis in ("occupancy", "local_use"):
        assert df[axis].min() == 0.0 and df[axis].max() == 1.0, f"{axis} does not run from 0 to 1"
    r = evaluate(model.scenario, df["occupancy"].to_numpy(), df["local_use"].to_numpy())
    for name in OUTCOME_NAMES:
        np.testing.assert_allclose(
            df[name].to_numpy(dtype=float),
            np.asarray(getattr(r, name), dtype=float),
            rtol=1e-9,
            atol=1e-9,
            equal_nan=True,
            err_msg=name,
        )
    # undefined exactly where the host uses nothing, written n/a
    assert (df["host_unit_cost"].isna() == (df["host_units"] == 0)).all()


def test_summary_csv_is_the_model_summary(single, model):
    """The pack's summary table lists every summary figure in the model's order with the model's value."""
    df = read_csv(single.files["tables/summary.csv"])
    assert df["quantity"].tolist() == list(SUMMARY_NAMES)
    for q, value in zip(df["quantity"], df["value"]):
        assert value == pytest.approx(model.summary[q], rel=1e-9, abs=1e-9), q


def test_find_terms_csv_is_the_sweep(single, model):
    """The pack's find-terms table holds the search for terms pair by pair, with both sides' expected gain and saving
    and whether the pair is acceptable, and marks the balanced terms, when there are any, in one row."""
    df = read_csv(single.files["tables/find_terms.csv"])
    t = model.terms
    assert list(df.columns[:2]) == [t.x.path, t.y.path]
    np.testing.assert_allclose(df["expected_provider_gain"], np.ravel(t.expected_provider_gain), rtol=1e-9)
    np.testing.assert_allclose(df["expected_host_saving"], np.ravel(t.expected_host_saving), rtol=1e-9)
    assert df["acceptable"].tolist() == np.ravel(t.acceptable).tolist()
    balanced = df[df["is_balanced"]]
    if t.balanced is None:
        assert balanced.empty
    else:
        assert len(balanced) == 1
        assert balanced.iloc[0][t.x.path] == pytest.approx(t.balanced["x"])
        assert balanced.iloc[0][t.y.path] == pytest.approx(t.balanced["y"])


# ---------------------------------------------------------------------------------------------
# 6. workbooks (their recalculation in LibreOffice is tests/exports/test_workbook.py's job)


def test_workbooks_open_in_openpyxl(single, model):
    """Both workbooks in the pack open: the tables workbook with its three sheets and the model's summary figures, the
    audit workbook with its Inputs, Calculations and Outputs sheets."""
    tables = openpyxl.load_workbook(io.BytesIO(single.files["tables/tables.xlsx"]))
    assert tables.sheetnames == ["Outcome grid", "Summary", "Find terms", "Other ways to buy"]
    sheet = tables["Summary"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] in model.summary]
    assert [r[0] for r in rows] == list(SUMMARY_NAMES), "the Summary sheet lacks the summary figures"
    for name, value, *_ in rows:
        assert value == pytest.approx(model.summary[name], rel=1e-9, abs=1e-9), name

    audit = openpyxl.load_workbook(io.BytesIO(single.files["audit_workbook.xlsx"]))
    assert {"Inputs", "Calculations", "Outputs"} <= set(audit.sheetnames)


# ---------------------------------------------------------------------------------------------
# 7. the summary in Markdown


def test_summary_md_states_the_models_figures_and_assumptions(single, model):
    """The Markdown summary states the model's figures (the most likely year's profit, gain, unit cost and saving, the
    expected gains, each side's chance of being better off, the balanced terms, every summary figure), then every
    assumption."""
    md = as_read(single.files["summary.md"].decode("utf-8"))  # as read: the scenario's words have their signs escaped
    s, summary, cur = model.scenario, model.summary, model.scenario.currency
    assert md.startswith(f"# {s.name}\n")
    o, u = s.uncertainty.occupancy.mode, s.uncertainty.local_use.mode
    e = evaluate(s, o, u)
    expected = [
        # the most likely year
        f"At {100 * o:g} % occupancy and {100 * u:g} % local use",  # the exact point, as the sliders hold it
        money(e.provider_profit, cur),
        money(e.provider_profit_without_agreement, cur),
        money(abs(e.provider_gain), cur),
        money(e.host_unit_cost, cur),
        money(abs(e.host_saving), cur),
        # the whole uncertainty
        money(summary["expected_provider_gain"], cur),
        money(summary["expected_host_saving"], cur),
        percent(summary["probability_provider_better_off"]),
        percent(summary["probability_host_better_off"]),
    ]
    if model.terms.balanced is not None:  # the balanced terms of the search
        expected += [money(model.terms.balanced[k], cur) for k in ("expected_provider_gain", "expected_host_saving")]
    for name in SUMMARY_NAMES:
        if not name.startswith("probability"):
            expected.append(f"| {SUMMARY_LABELS[name]} | {money(summary[name], cur)} |")
    missing = [text for text in expected if text not in md]
    assert not missing, f"summary.md lacks the model's figures {missing}"
    assert "## Assumptions" in md
    tail = md.split("## Assumptions", 1)[1]
    for assumption in map(as_read, assumptions([model.scenario])):  # both as read: the parts' names are escaped
        assert assumption in tail, f"summary.md lacks the assumption {assumption[:50]!r}..."


def test_summary_md_says_how_sharp_the_balanced_terms_are(single):
    """The document names the balanced terms and, as the app does, says when terms far from them are about as good."""
    from partnership import load_scenario as load
    from partnership.negotiation import default_axes, sweep

    s = load(ROOT / "presets" / "childrens_home.yaml")
    result = sweep(s, *default_axes(s))
    assert result.flat_optimum
    md = single.files["summary.md"].decode("utf-8")
    assert "The balanced point is not sharp." in md
    assert "Sharing band 3: host's share anywhere from" in md


def test_summary_md_images_are_in_the_pack(single):
    """Every chart the Markdown summary shows is in the pack, each once, with its SVG and PDF beside it."""
    links = markdown_links(single.files["summary.md"].decode("utf-8"))
    assert sorted(links) == sorted(f"charts/{stem}.png" for stem in STEMS)
    for link in links:
        for fmt in FORMATS:  # "also as SVG and PDF beside it"
            assert f"{link.rsplit('.', 1)[0]}.{fmt}" in single.files, f"{link}: no {fmt} beside it"


# ---------------------------------------------------------------------------------------------
# 8. the summary as a web page, offline


@NEEDS_CHROMIUM
def test_summary_html_opens_offline_with_every_chart(single, tmp_path):
    """The summary web page opens with the network cut off, carries Plotly within itself, draws every chart without a
    JavaScript error, and takes the scenario's name as its title."""
    page_file = tmp_path / "summary.html"
    page_file.write_bytes(single.files["summary.html"])
    charts_in_report = len(markdown_links(single.files["summary.md"].decode("utf-8")))
    assert charts_in_report == len(STEMS)
    attempted, errors = [], []
    with browser_page(width=1400, height=1000) as page:

        def only_local(route):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                attempted.append(url)
                route.abort()

        page.route("**/*", only_local)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_file.as_uri(), wait_until="load")
        rendered = "document.querySelectorAll('.js-plotly-plot svg.main-svg').length"
        try:
            page.wait_for_function(f"{rendered} >= {charts_in_report}", timeout=20_000)
        except Exception:  # the count below says how many did render
            pass
        assert page.evaluate("typeof window.Plotly") != "undefined", "plotly.js is not in the page"
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(d => d.querySelector('svg.main-svg')).length"
        )
        shots = ARTIFACTS / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "pack_summary_html.png"), full_page=True)
        assert page.title() == next(iter(single.models))
    assert attempted == [], f"the page tried to reach the network: {attempted}"
    assert errors == [], f"the page raised JavaScript errors: {errors}"
    assert drawn == charts_in_report, f"{drawn} of {charts_in_report} charts rendered"


# ---------------------------------------------------------------------------------------------
# laid out by a browser: no text cut off, on other text or under the legend


@pytest.fixture(scope="module")
def svg_page():
    """One headless Chromium page for laying out the SVG charts."""
    if BROWSER_MISSING:
        pytest.skip(BROWSER_MISSING)
    with browser_page() as page:
        yield page


def _layout_cases():
    cases = [pytest.param("single", f"charts/{stem}.svg", id=f"single-{stem}") for stem in STEMS]
    for preset in COMPARED:
        folder = f"options/{file_stem(load_scenario(PRESET[preset]).name)}/charts"
        for stem in STEMS:
            cases.append(pytest.param("comparison", f"{folder}/{stem}.svg", id=f"{preset}-{stem}"))
    cases += [pytest.param("comparison", f"comparison/{s}.svg", id=f"comparison-{s}") for s in COMPARISON_STEMS]
    return cases


@pytest.mark.parametrize(("pack", "path"), _layout_cases())
def test_chart_text_is_not_cut_off_or_overlapping(request, svg_page, pack, path, tmp_path):
    """In every chart of a single and a comparison pack, as a browser lays it out, no text is cut off at the edge, lies
    on other text or under the legend, and a footnote names the scenario or the options compared."""
    svg = tmp_path / Path(path).name
    svg.write_bytes(request.getfixturevalue(pack).files[path])
    assert layout_problems(svg_page, svg) == []


def test_a_long_scenario_name_wraps_in_the_footnote(svg_page, tmp_path):
    """A very long scenario name, with & < and > in it, is shown whole and as typed in a chart's footnote, wrapped so
    that nothing is cut off or overlaps."""
    s = load_scenario(ROOT / SINGLE)
    long_name = "Four-place children's home in the north of the county, " * 4 + "with Smith & <Sons> terms of 2026"
    s = s.model_copy(update={"name": long_name})
    summary = summarize(s)
    charts = {stem: fig for stem, _, fig in scenario_charts(s, summary, sweep(s, *default_axes(s)))}
    svg = tmp_path / "long_name.svg"
    svg.write_bytes(chart_image(charts["across_occupancy"], "svg", long_name))  # its legend runs along the bottom
    _, texts = svg_texts(svg.read_bytes())
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert squash(f"Scenario: {long_name}.") in squash("".join(texts)), "the name is not shown as typed"
    assert layout_problems(svg_page, svg) == []


# ---------------------------------------------------------------------------------------------
# 9. a comparison of two presets


def test_comparison_pack_holds_each_option_and_the_comparison(comparison):
    """A comparison pack holds each option's own files in a folder of its own, with its scenario and summary figures as
    the model has them, and the comparison charts as PNG, SVG and PDF naming every option."""
    with zipfile.ZipFile(io.BytesIO(comparison.zip_bytes)) as z:
        assert z.testzip() is None
    files = comparison.files
    assert len(set(comparison.prefixes.values())) == len(COMPARED)
    for name, prefix in comparison.prefixes.items():
        expected = {
            f"{prefix}scenario.yaml",
            *(f"{prefix}{t}" for t in TABLES),
            f"{prefix}tables/tables.xlsx",
            f"{prefix}audit_workbook.xlsx",
            *(f"{prefix}charts/{stem}.{fmt}" for stem in STEMS for fmt in FORMATS),
        }
        assert not expected - set(files), f"{name}: missing {sorted(expected - set(files))}"
        assert parse_scenario_text(files[f"{prefix}scenario.yaml"].decode()) == comparison.models[name].scenario
        summary = read_csv(files[f"{prefix}tables/summary.csv"])
        for q, value in zip(summary["quantity"], summary["value"]):
            assert value == pytest.approx(comparison.models[name].summary[q], rel=1e-9, abs=1e-9), (name, q)
    for stem in COMPARISON_STEMS:
        for fmt in FORMATS:
            assert f"comparison/{stem}.{fmt}" in files
    image = Image.open(io.BytesIO(files["comparison/compare_gains.png"]))
    assert image.width >= 2800
    assert_not_blank(image, "compare_gains.png")
    tag, texts = svg_texts(files["comparison/compare_gains.svg"])
    assert tag.endswith("}svg") and all(any(n in t for t in texts) for n in comparison.models)
    assert files["comparison/compare_gains.pdf"].startswith(b"%PDF")


@NEEDS_PDFTOPPM
def test_comparison_pdf_renders(comparison, tmp_path):
    """The comparison chart's PDF draws a page that is not blank."""
    assert_not_blank(render_pdf(comparison.files["comparison/compare_gains.pdf"], tmp_path), "compare_gains.pdf")


def test_comparison_headline_figures_are_each_options_summary(comparison):
    """The comparison's headline table has a row per option, in order, with its contribution, host price and summary
    figures as the model gives them."""
    df = read_csv(comparison.files["comparison/headline_figures.csv"])
    assert df["option"].tolist() == list(comparison.models)
    for _, row in df.iterrows():
        m = comparison.models[row["option"]]
        assert row["contribution"] == pytest.approx(m.scenario.agreement.contribution)
        assert row["host_price"] == pytest.approx(m.scenario.prices.host)
        for q in df.columns[3:]:
            assert row[q] == pytest.approx(m.summary[q], rel=1e-9, abs=1e-9), (row["option"], q)


def test_comparison_summary_names_both_options(comparison):
    """The comparison summary, in Markdown and as a web page, has a section per option with its expected gain and
    saving, and shows every chart of each option (the term chart too) and of the comparison, all in the pack."""
    md = comparison.files["summary.md"].decode("utf-8")
    page = comparison.files["summary.html"].decode("utf-8")
    for name, m in comparison.models.items():
        assert f"## Option: {name}\n" in as_read(md)
        assert f"<h2>Option: {html.escape(name)}</h2>" in page
        cur = m.scenario.currency
        assert money(m.summary["expected_provider_gain"], cur) in md
        assert money(m.summary["expected_host_saving"], cur) in md
    links = markdown_links(md)
    # each option's charts (the term chart too, for an option over several years) and the comparison's
    assert len(links) == sum(len(m.charts) for m in comparison.models.values()) + len(COMPARISON_STEMS)
    assert sum(len(m.charts) for m in comparison.models.values()) == len(STEMS) * len(COMPARED) + 1
    assert [link for link in links if link not in comparison.files] == []


def test_options_whose_names_share_a_slug_keep_their_own_files():
    """Options whose names make the same file name, or are the same name, each keep their own scenario file and their
    own heading in the summary: none overwrites another."""
    s = load_scenario(ROOT / SINGLE)
    other = s.model_copy(update={"name": "Home A", "agreement": s.agreement.model_copy(update={"contribution": 1.0})})
    options = [("Home A", s), ("home-a", other), ("Home A", other), ("Home A (2)", s)]
    files = pack_files(options, formats=())
    saved = {k: parse_scenario_text(v.decode()) for k, v in files.items() if k.endswith("scenario.yaml")}
    assert len(saved) == len(options), f"options overwrote each other's files: {sorted(saved)}"
    contributions = sorted(x.agreement.contribution for x in saved.values())
    assert contributions == sorted(x.agreement.contribution for _, x in options)
    headings = re.findall(r"^## Option: (.+)$", as_read(files["summary.md"].decode()), re.MULTILINE)
    assert len(headings) == len(set(headings)) == len(options), f"options are not told apart: {headings}"


# ---------------------------------------------------------------------------------------------
# 10. the command line


def test_cli_export_writes_the_pack_and_prints_its_path(cli_export):
    """python -m paper export writes the pack as a ZIP in the folder asked for and prints its path, no traceback."""
    proc, out = cli_export
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    path = Path(json.loads(proc.stdout)["pack"])
    assert path.is_file() and path.parent.resolve() == out.resolve()
    assert path.suffix == ".zip" and zipfile.is_zipfile(path)


def test_cli_export_of_a_bad_scenario_says_why_in_one_line(tmp_path):
    """Exporting an invalid scenario exits with status 2 and one line naming the bad field, and writes no pack."""
    doc = yaml.safe_load((ROOT / SINGLE).read_text(encoding="utf-8"))
    doc["prices"]["host"] = -5
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "paper", "export", str(bad), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prices.host:"), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not out.exists() or not any(out.iterdir()), "a bad scenario still wrote a pack"


# ---------------------------------------------------------------------------------------------
# 10. over the term


def test_a_term_pack_holds_the_years_table_and_chart_and_a_one_year_pack_does_not(single):
    """A scenario over several years adds the table of years (the model's provider gain each year, the host's cumulative
    saving after set-up ending at its NPV), the term chart and an Over the term sheet; a one-year pack has no table of
    years."""
    s = load_scenario(PRESET["childrens_home_new_build"])
    files = pack_files([(s.name, s)], formats=("svg",))
    df = read_csv(files["tables/over_the_term.csv"])
    expected = tables_module.term_table(evaluate_term(s, *most_likely_point(s)), s)
    assert df["year"].tolist() == list(range(1, s.term.years + 1))
    np.testing.assert_allclose(df["provider_gain"], expected["provider_gain"], rtol=1e-12)
    assert df["cumulative_host_saving_after_set_up"].iloc[-1] == pytest.approx(
        expected.attrs["npvs"]["npv_host_saving"]
    )
    assert "charts/over_the_term.svg" in files
    book = openpyxl.load_workbook(io.BytesIO(files["tables/tables.xlsx"]))
    assert book.sheetnames == ["Outcome grid", "Summary", "Find terms", "Other ways to buy", "Over the term"]
    assert "tables/over_the_term.csv" not in single.files


def test_the_summary_gives_an_hourly_services_break_even_in_hours_a_week():
    """For homecare, counted in hours, the summary says from how many hours a week the provider is viable without the
    agreement and with it at the most likely local use, the model's figures, beside the 500 hours a week the
    Herefordshire minutes cite (in the Markdown and the HTML); a children's home, counted in place-weeks, has no such
    line."""
    from partnership.viability import break_even_hours_a_week

    s = load_scenario(ROOT / "presets" / "homecare_rural.yaml")
    files = pack_files([(s.name, s)], formats=())
    md, page = as_read(files["summary.md"].decode()), files["summary.html"].decode()
    hours = break_even_hours_a_week(s, most_likely_point(s)[1])
    for side in ("without_agreement", "with_agreement"):
        assert f"{hours[side]:,.0f} hours a week" in md, side
        assert f"<strong>{hours[side]:,.0f} hours a week</strong>" in page, side
    assert "viable from" in md and "about 500 hours a week" in md
    home = load_scenario(ROOT / "presets" / "childrens_home.yaml")
    assert "hours a week" not in pack_files([(home.name, home)], formats=())["summary.md"].decode()
