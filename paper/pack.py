"""The paper pack: one ZIP with the scenario file(s), every chart (PNG, SVG, PDF), the tables (CSV and
Excel), the auditable workbook and a short summary document (Markdown and self-contained HTML)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

import charts
from partnership import Scenario, most_likely_point, summarize
from partnership.decisions import CURE, placement_warnings
from partnership.fields import field_label
from partnership.formats import field_value, money, percent, point_percent
from partnership.negotiation import SweepResult, default_axes, sweep
from partnership.scenario import scenario_to_yaml

from .images import FORMATS, chart_images
from .narrative import sharpness_sentences
from .report import (
    ASSUMPTIONS,
    Report,
    Section,
    default_subtitle,
    headline_paragraphs,
    inputs_rows,
    sources_rows,
    to_html,
    to_markdown,
)
from .tables import grid_table, summary_table, sweep_table, tables_to_xlsx, term_table, to_csv_bytes
from .workbook import audit_workbook

TABLE_FILES = {
    "Outcome grid": "outcome_grid",
    "Summary": "summary",
    "Find terms": "find_terms",
    "Over the term": "over_the_term",
}
"""Each table's file name (without .csv) in the pack."""

__all__ = ["slug", "scenario_charts", "comparison_table", "pack_files", "pack_zip", "export_pack"]


def slug(text: str) -> str:
    """A file-name-safe form of a name."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "scenario"


def unique_names(names: list[str], form: str = "{} ({})") -> list[str]:
    """The names made distinct with a counter: "A", "A (2)"; never a name already taken, so "A", "A",
    "A (2)" give "A", "A (2)", "A (2) (2)"."""
    taken: set[str] = set()
    out = []
    for n in names:
        candidate, i = n, 2
        while candidate in taken:
            candidate, i = form.format(n, i), i + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def scenario_charts(s: Scenario, summary: dict, terms: SweepResult) -> list[tuple[str, str, object]]:
    """(file stem, caption, figure) for every chart of the app, at the scenario's most likely point."""
    o, u = most_likely_point(s)
    return [
        ("every_outcome", "Each side's gain at every occupancy and local use", charts.outcome_heatmaps(s)),
        (
            "across_occupancy",
            f"Profit and host cost across occupancy at local use {point_percent(u)}",
            charts.occupancy_lines(s, u),
        ),
        (
            "where_the_money_goes",
            f"The year's money at {point_percent(o)} occupancy and {point_percent(u)} local use",
            charts.money_flows(s, o, u),
        ),
        ("risk", "Each side's gain over the whole uncertainty", charts.risk_curves(s, summary)),
        *(
            [("over_the_term", f"Each side's gain over the {s.term.years}-year term", charts.term_chart(s, o, u))]
            if s.term.years > 1
            else []
        ),
        (
            "access_value",
            f"What preferred access is worth to the host at {point_percent(o)} occupancy",
            charts.access_value(s, o),
        ),
        (
            "placement_money",
            f"Money riding on one more local placement at {point_percent(o)} occupancy",
            charts.placement_money(s, o),
        ),
        ("find_terms", "Which terms each side accepts, and the balanced terms", charts.terms_map(s, terms)),
    ]


def comparison_table(options: list[tuple[str, Scenario, dict]]) -> pd.DataFrame:
    """Headline figures of each saved option, one row each (money per year, chances as fractions)."""
    rows = []
    for name, s, summary in options:
        rows.append(
            {
                "option": name,
                "contribution": s.agreement.contribution,
                "host_price": s.prices.host,
                "expected_provider_gain": summary["expected_provider_gain"],
                "expected_host_saving": summary["expected_host_saving"],
                "probability_provider_better_off": summary["probability_provider_better_off"],
                "probability_host_better_off": summary["probability_host_better_off"],
                "probability_provider_loss": summary["probability_provider_loss"],
                "provider_gain_p10": summary["provider_gain_p10"],
                "host_saving_p10": summary["host_saving_p10"],
            }
        )
    return pd.DataFrame(rows)


def _comparison_rows(options) -> list[list[str]]:
    rows = []
    for name, s, summary in options:
        cur = s.currency
        rows.append(
            [
                name,
                money(s.agreement.contribution, cur),
                money(s.prices.host, cur, 2),
                money(summary["expected_provider_gain"], cur),
                percent(summary["probability_provider_better_off"]),
                money(summary["expected_host_saving"], cur),
                percent(summary["probability_host_better_off"]),
            ]
        )
    return rows


COMPARISON_HEADER = [
    "Option",
    "Contribution a year",
    "Host price",
    "Provider's expected gain",
    "Chance provider better off",
    "Host's expected saving",
    "Chance host better off",
]


def _balanced_sentence(s: Scenario, result: SweepResult) -> str:
    b = result.balanced
    if b is None:
        return "No pair of terms in the searched ranges is acceptable to both sides."

    return (
        f"Searching {field_label(result.x.path)} and {field_label(result.y.path)}, the balanced terms are "
        f"**{field_value(result.x.path, b['x'], s.currency)}** and **{field_value(result.y.path, b['y'], s.currency)}**: an expected provider gain of "
        f"{money(b['expected_provider_gain'], s.currency)} and an expected host saving of "
        f"{money(b['expected_host_saving'], s.currency)} a year. " + " ".join(sharpness_sentences(s, result))
    ).strip()


def pack_files(
    options: list[tuple[str, Scenario]],
    terms_axes: dict[str, tuple[tuple, tuple]] | None = None,
    formats: tuple[str, ...] = tuple(FORMATS),
) -> dict[str, bytes]:
    """Every file of the pack by its path inside the ZIP.

    ``options`` are (name, scenario) pairs: one makes a pack for that scenario, several a comparison
    (each option in ``options/<name>/`` and the comparison at the top). ``terms_axes`` may give, per
    option name, the two terms searched ((path, start, stop, count) each); the default is the
    contribution against the top sharing band's host share."""
    if not options:
        raise ValueError("a pack needs at least one scenario")
    names = unique_names([n for n, _ in options])
    # one folder per option: names that differ only in case or punctuation ("Home A", "home-a") share a
    # slug, and would otherwise write over each other's files
    folders = unique_names([slug(n) for n in names], form="{}_{}")
    files: dict[str, bytes] = {}
    sections: list[Section] = []
    summaries = []
    several = len(options) > 1
    for name, folder, (_, s) in zip(names, folders, options):
        prefix = f"options/{folder}/" if several else ""
        summary = summarize(s)
        summaries.append((name, s, summary))
        x, y = (terms_axes or {}).get(name) or default_axes(s)
        terms = sweep(s, x, y)
        files[f"{prefix}scenario.yaml"] = scenario_to_yaml(s).encode()
        chart_list = scenario_charts(s, summary, terms)
        for stem, _, fig in chart_list:
            for fmt, data in chart_images(fig, formats, s.name).items():
                files[f"{prefix}charts/{stem}.{fmt}"] = data
        tables = {"Outcome grid": grid_table(s), "Summary": summary_table(s), "Find terms": sweep_table(terms)}
        if s.term.years > 1:
            tables["Over the term"] = term_table(s)
        for table_name, table in tables.items():
            files[f"{prefix}tables/{TABLE_FILES[table_name]}.csv"] = to_csv_bytes(table)
        files[f"{prefix}tables/tables.xlsx"] = tables_to_xlsx(tables, s)
        files[f"{prefix}audit_workbook.xlsx"] = audit_workbook(s)
        title = f"Option: {name}" if several else "Headline figures"
        jumps = placement_warnings(s)
        warnings = [f"**Money rides on a placement decision.** {' '.join(jumps)} {CURE}"] if jumps else []
        sec = Section(title, paragraphs=headline_paragraphs(s, summary) + warnings + [_balanced_sentence(s, terms)])
        sec.tables.append((["Quantity", "Value", "Unit"], _summary_rows(tables["Summary"], s)))
        sec.charts = [(caption, fig, f"{prefix}charts/{stem}.png") for stem, caption, fig in chart_list]
        inputs = Section(f"The scenario{': ' + name if several else ''}")
        if s.description:
            inputs.paragraphs.append(s.description)
        inputs.tables.append((["Input", "Value", "Unit"], inputs_rows(s)))
        if s.sources:
            inputs.paragraphs.append("**Sources and estimates.** Where each figure comes from:")
            inputs.tables.append((["Input", "Value", "Source", "Year", "Estimate"], sources_rows(s)))
        sections += [sec, inputs]
    if several:
        table = comparison_table(summaries)
        files["comparison/headline_figures.csv"] = to_csv_bytes(table)
        bars, lines = charts.compare_bars(summaries), charts.compare_lines(summaries)
        label = "; ".join(names)
        for stem, fig in (("compare_gains", bars), ("compare_across_occupancy", lines)):
            for fmt, data in chart_images(fig, formats, label, "Options compared").items():
                files[f"comparison/{stem}.{fmt}"] = data
        compare = Section(
            "Options compared",
            paragraphs=[f"{len(options)} options, each judged over its own uncertainty."],
            tables=[(COMPARISON_HEADER, _comparison_rows(summaries))],
            charts=[
                ("Each side's expected gain, option by option", bars, "comparison/compare_gains.png"),
                (
                    "Each side's gain across occupancy, option by option",
                    lines,
                    "comparison/compare_across_occupancy.png",
                ),
            ],
        )
        sections.insert(0, compare)
    sections.append(Section("Assumptions", paragraphs=[f"- {a}" for a in ASSUMPTIONS]))
    report = Report(
        title=("Partnership options compared: " + ", ".join(names)) if several else options[0][1].name,
        subtitle=default_subtitle(),
        sections=sections,
    )
    files["summary.md"] = to_markdown(report).encode()
    files["summary.html"] = to_html(report).encode()
    return files


def _summary_rows(table: pd.DataFrame, s: Scenario) -> list[list[str]]:
    rows = []
    for _, r in table.iterrows():
        value = r["value"]
        unit = str(r["unit"])
        shown = percent(value, 1) if "probab" in unit or unit.startswith("fraction") else money(value, s.currency)
        rows.append([str(r["quantity"]).replace("_", " "), shown, unit])
    return rows


def pack_zip(options: list[tuple[str, Scenario]], **kwargs) -> bytes:
    """The pack as ZIP bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in pack_files(options, **kwargs).items():
            # PNG, PDF and xlsx are compressed already: store them as they are
            stored = path.endswith((".png", ".pdf", ".xlsx"))
            z.writestr(path, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def export_pack(scenarios: list[Scenario], out_dir: str | Path) -> Path:
    """Write the pack for one scenario, or a comparison of several, into a folder; returns the ZIP's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = [(s.name, s) for s in scenarios]
    stem = slug(scenarios[0].name) if len(scenarios) == 1 else "comparison"
    path = out / f"{stem}_paper_pack.zip"
    path.write_bytes(pack_zip(options))
    return path
