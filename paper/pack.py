"""The paper pack: one ZIP with the scenario file(s), every chart (PNG, SVG, PDF), the tables (CSV and
Excel), the auditable workbook and a short summary document (Markdown and self-contained HTML).

The exports' orchestrator (as pvlib's modelchain): the one module of ``paper`` that calls the model's computing
functions (through ``partnership.results``), to produce the results that the charts (``charts.catalogue``),
tables, sentences, report and workbook are then made from."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from charts import catalogue
from partnership import Scenario, most_likely_point
from partnership.decisions import CURE, placement_warnings
from partnership.fields import field_label
from partnership.formats import field_value, file_stem, markdown_text, money, percent, point_percent
from partnership.negotiation import SweepResult, default_axes
from partnership.results import result
from partnership.scenario import scenario_to_yaml
from partnership.uncertainty import SUMMARY_LABELS
from partnership.viability import viable_hours_sentence

from .images import FORMATS, charts_images
from .narrative import council_sentences, region_split_sentence, sharpness_sentences
from .report import (
    Report,
    Section,
    arrangements_rows,
    assumptions,
    default_subtitle,
    headline_paragraphs,
    inputs_rows,
    sources_rows,
    to_html,
    to_markdown,
)
from .tables import (
    GRID_TABLE_STEPS,
    arrangements_table,
    councils_table,
    grid_table,
    summary_table,
    sweep_table,
    tables_to_xlsx,
    term_table,
    to_csv_bytes,
)
from .workbook import audit_workbook, workbook_points

TABLE_FILES = {
    "Outcome grid": "outcome_grid",
    "Summary": "summary",
    "Find terms": "find_terms",
    "Over the term": "over_the_term",
    "Councils": "councils",
    "Other ways to buy": "other_ways_to_buy",
}
"""Each table's file name (without .csv) in the pack."""

__all__ = [
    "scenario_charts",
    "comparison_charts",
    "scenario_tables",
    "audit_workbook_of",
    "comparison_table",
    "pack_files",
    "pack_zip",
    "export_pack",
]


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


def scenario_charts(
    s: Scenario, summary: dict, terms: SweepResult, region=None, arrangements: list | None = None
) -> list[tuple[str, str, object]]:
    """(file stem, caption, figure) for every chart of the catalogue (:mod:`charts.catalogue`) the pack holds, at
    the scenario's most likely point, each drawn from the model's results (the summary and the sweep given, a
    region's summary and the arrangements compared when given)."""
    o, u = most_likely_point(s)
    point = {"occupancy": o, "local_use": u}
    given = {"summary": summary, "sweep": terms} | ({"region": region} if region is not None else {})
    given |= {} if arrangements is None else {"arrangements": arrangements}
    out = []
    for c in catalogue.charts_for(s, in_pack=True):
        needs = [given[name] if name in given else result(name, s, **point) for name in c.needs]
        _, caption = c.texts(s, {k: point[k] for k in c.point}, point_percent)
        out.append((c.stem, caption, c.figure(s, *needs)))
    return out


def comparison_charts(options: list[tuple[str, Scenario, dict]]) -> list[tuple[str, str, object]]:
    """(file stem, caption, figure) for each chart of several options (``(name, scenario, summary)``), each
    option's result worked out at its own most likely point."""
    out = []
    for c in catalogue.COMPARISON_CHARTS:
        rows = []
        for name, s, summary in options:
            o, u = most_likely_point(s)
            rows.append(
                (name, s, summary if c.needs == ("summary",) else result(c.needs[0], s, occupancy=o, local_use=u))
            )
        out.append((c.stem, c.caption, c.figure(rows)))
    return out


def scenario_tables(
    s: Scenario, summary: dict, terms: SweepResult, region=None, arrangements: list | None = None
) -> dict:
    """The pack's tables by name, from the model's results: the outcome grid (5 % steps), the summary, the sweep,
    the other ways to buy (worked out unless given), over a term of more than one year each year at the most likely
    point, and for a region its councils."""
    tables = {
        "Outcome grid": grid_table(result("grid", s, steps=GRID_TABLE_STEPS), s),
        "Summary": summary_table(summary, s),
        "Find terms": sweep_table(terms),
        "Other ways to buy": arrangements_table(result("arrangements", s) if arrangements is None else arrangements, s),
    }
    if s.term.years > 1:
        o, u = most_likely_point(s)
        tables["Over the term"] = term_table(result("term", s, occupancy=o, local_use=u), s)
    if s.members:  # a region of councils: each council's figures
        o, u = most_likely_point(s)
        region = region if region is not None else result("region", s)
        tables["Councils"] = councils_table(region, result("members", s, occupancy=o, local_use=u), s)
    return tables


def audit_workbook_of(s: Scenario, points=None, arrangements: list | None = None) -> bytes:
    """The auditable workbook (:func:`paper.workbook.audit_workbook`) with the model's results at its points
    (by default :func:`paper.workbook.default_points`) and, over a term, at the first of them."""
    pts = workbook_points(s, points)
    o, u = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    point = result("point", s, occupancy=o, local_use=u)
    term = result("term", s, occupancy=pts[0][0], local_use=pts[0][1]) if s.term.years > 1 else None
    members = result("member_figures", s, occupancy=o, local_use=u)  # None for one host
    ways = result("arrangements", s) if arrangements is None else arrangements
    return audit_workbook(s, pts, point, term, members=members, arrangements=ways)


def comparison_table(options: list[tuple[str, Scenario, dict]], proposers: list[str] | None = None) -> pd.DataFrame:
    """Headline figures of each saved option, one row each (money per year, chances as fractions); with
    ``proposers`` (one per option, "" where none was given) a ``proposed_by`` column after the option's name."""
    rows = []
    for i, (name, s, summary) in enumerate(options):
        rows.append(
            {
                "option": name,
                **({"proposed_by": proposers[i]} if proposers is not None else {}),
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


def _comparison_rows(options, proposers: list[str] | None = None) -> list[list[str]]:
    rows = []
    for i, (name, s, summary) in enumerate(options):
        cur = s.currency
        rows.append(
            [
                name,
                *([proposers[i] or "not given"] if proposers is not None else []),
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
    cur = markdown_text(s.currency)  # Markdown: the scenario's currency as text
    return (
        f"Searching {field_label(result.x.path)} and {field_label(result.y.path)}, the balanced terms are "
        f"**{field_value(result.x.path, b['x'], cur)}** and **{field_value(result.y.path, b['y'], cur)}**: an expected provider gain of "
        f"{money(b['expected_provider_gain'], cur)} and an expected host saving of "
        f"{money(b['expected_host_saving'], cur)} a year. " + " ".join(sharpness_sentences(s, result))
    ).strip()


def pack_files(
    options: list[tuple[str, Scenario]],
    terms_axes: dict[str, tuple[tuple, tuple]] | None = None,
    formats: tuple[str, ...] = tuple(FORMATS),
    room: str | None = None,
    proposers: list[str] | None = None,
) -> dict[str, bytes]:
    """Every file of the pack by its path inside the ZIP.

    ``options`` are (name, scenario) pairs: one makes a pack for that scenario, several a comparison
    (each option in ``options/<name>/`` and the comparison at the top). ``terms_axes`` may give, per
    option name, the two terms searched ((path, start, stop, count) each); the default is the
    contribution against the top sharing band's host share. When the options come from a workshop room, ``room``
    names it and ``proposers`` gives who proposed each option (one per option, "" where nobody was named): the
    comparison's table and the summary say them."""
    if not options:
        raise ValueError("a pack needs at least one scenario")
    if proposers is not None and len(proposers) != len(options):
        raise ValueError("proposers: one per option")
    proposers = [str(p or "").strip() for p in proposers] if proposers is not None else None
    names = unique_names([n for n, _ in options])
    # one folder per option: names that differ only in case or punctuation ("Home A", "home-a") share a
    # slug, and would otherwise write over each other's files
    folders = unique_names([file_stem(n) for n in names], form="{}_{}")
    files: dict[str, bytes] = {}
    sections: list[Section] = []
    summaries = []
    drawings: list[
        tuple[str, tuple]
    ] = []  # (path without its suffix, chart): every image drawn in one batch at the end
    several = len(options) > 1
    for name, folder, (_, s) in zip(names, folders, options):
        prefix = f"options/{folder}/" if several else ""
        summary = result("summary", s)
        summaries.append((name, s, summary))
        x, y = (terms_axes or {}).get(name) or default_axes(s)
        terms = result("sweep", s, question=(x, y))
        files[f"{prefix}scenario.yaml"] = scenario_to_yaml(s).encode()
        region = result("region", s)  # None for one host
        ways = result("arrangements", s)  # worked out once for the chart, the table and the summary
        chart_list = scenario_charts(s, summary, terms, region, ways)
        drawings += [(f"{prefix}charts/{stem}", (fig, formats, s.name, "Scenario")) for stem, _, fig in chart_list]
        tables = scenario_tables(s, summary, terms, region, ways)
        for table_name, table in tables.items():
            files[f"{prefix}tables/{TABLE_FILES[table_name]}.csv"] = to_csv_bytes(table)
        files[f"{prefix}tables/tables.xlsx"] = tables_to_xlsx(tables, s)
        files[f"{prefix}audit_workbook.xlsx"] = audit_workbook_of(s, arrangements=ways)
        title = f"Option: {name}" if several else "Headline figures"
        jumps = placement_warnings(s)
        warnings = (
            [f"**Money rides on a placement decision.** {' '.join(map(markdown_text, jumps))} {CURE}"] if jumps else []
        )
        case = result("most_likely_case", s)
        likely_use = most_likely_point(s)[1]  # a service counted in hours: its break-even as hours a week
        hours = result("break_even_hours", s, local_use=likely_use)
        viable = [viable_hours_sentence(likely_use, hours)] if hours is not None else []
        sec = Section(
            title,
            paragraphs=headline_paragraphs(s, case, summary) + viable + warnings + [_balanced_sentence(s, terms)],
        )
        sec.tables.append((["Quantity", "Value", "Unit"], _summary_rows(tables["Summary"], s)))
        if region is not None:  # a region: a sentence for each council, and the split that leaves every one better off
            sec.paragraphs += [
                region_split_sentence(s, region),
                *(f"- {line}" for line in council_sentences(s, region)),
            ]
        sec.paragraphs.append(
            "**Other ways to buy.** Each side's expected figure a year and its range from P10 to P90 (the risk it "
            "carries), beside buying spot with no agreement, and each side's gain against spot:"
        )
        sec.tables.append(arrangements_rows(s, ways))
        sec.charts = [(caption, fig, f"{prefix}charts/{stem}.png") for stem, caption, fig in chart_list]
        inputs = Section(f"The scenario{': ' + name if several else ''}")
        if s.description:
            inputs.paragraphs.append(markdown_text(s.description))
        inputs.tables.append((["Input", "Value", "Unit"], inputs_rows(s)))
        if s.sources:
            inputs.paragraphs.append("**Sources and estimates.** Where each figure comes from:")
            inputs.tables.append((["Input", "Value", "Source", "Year", "Estimate"], sources_rows(s)))
        sections += [sec, inputs]
    if several:
        table = comparison_table(summaries, proposers)
        files["comparison/headline_figures.csv"] = to_csv_bytes(table)
        label = "; ".join(names)
        compared = comparison_charts(summaries)
        drawings += [(f"comparison/{stem}", (fig, formats, label, "Options compared")) for stem, _, fig in compared]
        where = f" from the workshop room {markdown_text(room.strip())}" if room and room.strip() else ""
        who = ""
        if proposers is not None and any(proposers):
            who = (
                " "
                + "; ".join(
                    f"{markdown_text(name)}: proposed by {markdown_text(by)}"
                    if by
                    else f"{markdown_text(name)}: proposer not given"
                    for name, by in zip(names, proposers)
                )
                + "."
            )
        header = (
            COMPARISON_HEADER[:1] + ["Proposed by"] + COMPARISON_HEADER[1:]
            if proposers is not None
            else COMPARISON_HEADER
        )
        compare = Section(
            "Options compared",
            paragraphs=[f"{len(options)} options{where}, each judged over its own uncertainty.{who}"],
            tables=[(header, _comparison_rows(summaries, proposers))],
            charts=[(caption, fig, f"comparison/{stem}.png") for stem, caption, fig in compared],
        )
        sections.insert(0, compare)
    sections.append(Section("Assumptions", paragraphs=[f"- {a}" for a in assumptions([s for _, s in options])]))
    report = Report(
        title=(
            ("Partnership options compared: " + ", ".join(names))
            + (f" (workshop room: {room.strip()})" if room and room.strip() else "")
            if several
            else options[0][1].name
        ),
        subtitle=default_subtitle(),
        sections=sections,
    )
    for (path, _), images in zip(drawings, charts_images([chart for _, chart in drawings])):
        for fmt, data in images.items():
            files[f"{path}.{fmt}"] = data
    files["summary.md"] = to_markdown(report).encode()
    files["summary.html"] = to_html(report).encode()
    return files


def _summary_rows(table: pd.DataFrame, s: Scenario) -> list[list[str]]:
    """The summary table in words: each figure's name as a person says it, its value, its unit in words (a chance
    has none: its percent says it)."""
    rows = []
    for _, r in table.iterrows():
        value, name = r["value"], str(r["quantity"])
        unit = str(r["unit"])
        if "probab" in unit or unit.startswith("fraction"):
            rows.append([SUMMARY_LABELS.get(name, name.replace("_", " ")), percent(value, 1), "chance"])
            continue
        words = f"{s.currency} a year" if unit.endswith("per year") else unit.replace(f"{s.currency} ", "")
        words = {"over the term, discounted": f"{s.currency} over the term, in today's money"}.get(words, words)
        rows.append([SUMMARY_LABELS.get(name, name.replace("_", " ")), money(value, s.currency), words])
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
    """Write the pack for one scenario, or a comparison of several, into a folder; returns the ZIP's path. The file
    (named after the scenario, :func:`partnership.formats.file_stem`) is opened before the pack is built, so a folder
    that cannot take it fails at once, not after every chart is drawn."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = [(s.name, s) for s in scenarios]
    stem = file_stem(scenarios[0].name) if len(scenarios) == 1 else "comparison"
    path = out / f"{stem}_paper_pack.zip"
    with path.open("wb") as file:  # opened first: a place the pack cannot be written is said before it is built
        try:
            file.write(pack_zip(options))
        except BaseException:
            file.close()
            path.unlink(missing_ok=True)
            raise
    return path
