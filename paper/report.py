"""The short summary document of a paper pack, in Markdown and in self-contained HTML (interactive
charts included, opening offline)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import plotly.io as pio

from partnership import Scenario
from partnership.fields import APART_GROUPS, FIELDS, field_label, spec, value_of
from partnership.formats import field_unit, markdown_text, money, percent

from .narrative import expected_case_sentences, uncertainty_sentence

__all__ = [
    "Section",
    "Report",
    "inputs_rows",
    "sources_rows",
    "ASSUMPTIONS",
    "assumptions",
    "without_agreement_assumption",
    "to_markdown",
    "to_html",
]

ASSUMPTIONS = [
    "Every figure follows the model's formulas (the audit workbook's Calculations sheet writes each out): fees, "
    "operating cost, compensation, the surplus above the target margin shared by local-use band, and any deficit "
    "share.",
    "Money is a year's worth in the scenario's currency; prices are per unit-period.",
    "Occupancy and local use follow independent triangular distributions (lowest, most likely, highest); "
    "expectations, chances and percentiles are integrated over them, not sampled at random.",
    "The search for terms judges each pair of terms on the expected gains over that uncertainty; the "
    "balanced point maximises the product of the two expected gains (Nash bargaining).",
    "Figures marked as estimates in the scenario's description are not sourced and should be replaced with "
    "the parties' own before any decision.",
]
"""The assumptions that hold for every scenario; :func:`assumptions` adds each scenario's own comparison."""


def without_agreement_assumption(s: Scenario) -> str:
    """What 'without the agreement' means for this scenario, from its own figures: the same occupancy and host
    use; other councils buy at the spot price; the host buys locally what it would get anyway, at the spot price,
    and the rest elsewhere at its alternative price."""
    cur, unit = markdown_text(s.currency), markdown_text(s.unit)  # Markdown: the scenario's words as text
    per = f"per {unit} per {markdown_text(s.period)}"
    spot = money(value_of(s, "prices.spot"), cur)
    alternative = money(value_of(s, "prices.host_alternative"), cur)
    anyway = float(s.without_agreement.local_use)
    text = (
        "'Without the agreement' is like for like: the same occupancy and the same use by the host; other councils "
        f"buy from the provider at the spot price ({spot} {per})"
    )
    if anyway > 0:
        return text + (
            f"; the host would still place {percent(anyway)} of the used {unit}s locally at the spot price and buy "
            f"the rest of its use elsewhere at its alternative price ({alternative} {per}). Its cost per {unit} "
            "without the agreement blends the two."
        )
    return text + f"; the host buys all of its use elsewhere at its alternative price ({alternative} {per})."


def assumptions(scenarios: list[Scenario]) -> list[str]:
    """The pack's assumptions: the general ones and, for each scenario (named when there are several), what
    'without the agreement' means for it."""
    own = [
        (f"{markdown_text(s.name)}: " if len(scenarios) > 1 else "") + text
        for s in scenarios
        for text in [without_agreement_assumption(s), *build_up_assumption(s)]
    ]
    return ASSUMPTIONS[:2] + own + ASSUMPTIONS[2:]


@dataclass
class Section:
    """A titled part of the report: paragraphs (Markdown), tables and charts (with their image paths)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    charts: list[tuple[str, go.Figure, str]] = field(default_factory=list)  # (caption, figure, image path)


@dataclass
class Report:
    """A whole summary document."""

    title: str
    subtitle: str
    sections: list[Section]


def _shown(path: str, value, s: Scenario) -> str:
    """A field's value as the report prints it: shares as percents, prices with pence, counts plainly."""
    f = spec(path)
    if value is None:
        return f.unset_text or "not set"
    if isinstance(value, list):  # a rate for each year after the first
        return ", ".join(_shown(path, v, s) for v in value) + " (years 2 on)"
    if f.kind == "fraction":
        return percent(value, 1)
    if f.kind in ("count", "integer"):
        return f"{value:,.6g}"
    return money(value, s.currency, 2 if f.kind == "money_unit" else 0)


def inputs_rows(s: Scenario) -> list[list[str]]:
    """Every scenario input as (field, value, unit) rows in MODEL.md order, defaults applied, fractions
    as percents; the sharing bands one row each."""
    rows = []
    for f in FIELDS:
        if f.path in ("name", "description", "currency") or f.path.endswith("from_local_use") or f.kind == "sources":
            continue
        if f.group in APART_GROUPS:
            continue  # the cost build-up, the alternative mix and the arrangements have tables of their own  # the title and description are shown apart; band starts go with their shares; sources below
        if f.group == "Term" and s.term.years == 1 and f.path != "term.years":
            continue  # a single year: no growth, discounting or set-up to report
        if f.group == "Region":
            continue  # a region's member councils are not yet reported here
        if f.kind == "text":
            rows.append([f.label, value_of(s, f.path), ""])
        elif f.kind == "choice":
            words = {"step": "steps", "linear": "straight lines"}
            rows.append([f.label, words.get(value_of(s, f.path), value_of(s, f.path)), ""])
        elif "[i]" in f.path:
            for i, b in enumerate(s.agreement.sharing.bands):
                rows.append(
                    [
                        field_label(f.path.replace("[i]", f"[{i}]")),
                        f"{percent(b.host_share, 1)} from local use {percent(b.from_local_use, 1)}",
                        "",
                    ]
                )
        else:
            rows.append(
                [f.label, _shown(f.path, value_of(s, f.path), s), "" if f.is_fraction else field_unit(f.path, s)]
            )
    return rows


def sources_rows(s: Scenario) -> list[list[str]]:
    """The scenario's sources as (input, value, source, year, estimate) rows, in the scenario's order."""
    return [
        [
            field_label(path),
            _shown(path, value_of(s, path), s),
            src.source,
            src.year or "",
            "ESTIMATE" if src.estimate else "",
        ]
        for path, src in (s.sources or {}).items()
    ]


def headline_paragraphs(s: Scenario, case: dict, summary: dict) -> list[str]:
    """The plain sentences of the headline figures, from the most likely case (:func:`partnership.most_likely_case`)
    and the summary (:func:`partnership.summarize`)."""
    return [" ".join(expected_case_sentences(s, case)), uncertainty_sentence(s, summary)]


def default_subtitle() -> str:
    """The date line under the title."""
    return f"Prepared with Partnership Calculator on {date.today():%d %B %Y}."


# ---------------------------------------------------------------------------------------------
# Markdown


_FIGURE = re.compile(r"-?[£$€]?-?[\d,.]+(?: %)?")
"""A figure the report writes itself (-£1,234, 12.5 %): no Markdown in it, so written as it is."""


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def esc(cell) -> str:  # a cell's text as text: its Markdown signs, the table's bars included, escaped
        text = str(cell)
        return text if _FIGURE.fullmatch(text) else markdown_text(text)

    lines = ["| " + " | ".join(map(esc, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(lines)


def to_markdown(report: Report) -> str:
    """The report as Markdown, charts as links to their PNG files in the pack."""
    out = [f"# {markdown_text(report.title)}", "", f"_{report.subtitle}_", ""]
    for sec in report.sections:
        out += [f"## {markdown_text(sec.title)}", ""]
        for p in sec.paragraphs:
            out += [p, ""]
        for header, rows in sec.tables:
            out += [_md_table(header, rows), ""]
        for caption, _, path in sec.charts:
            out += [
                f"![{markdown_text(caption)}]({path})",
                "",
                f"_{markdown_text(caption)}_ (also as SVG and PDF beside it)",
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# HTML


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A Markdown backslash escape: the sign after it is text (:func:`partnership.formats.markdown_text`)."""
_KEPT = "\ue000"  # a private-use character standing for an escaped sign while bold and italics are found


def _inline(text: str) -> str:
    """Markdown bold and italics to HTML, everything else escaped; an escaped sign (``\\*``) stays the sign as
    text, so the scenario's words never become markup."""
    signs = _ESCAPED.findall(text)
    t = html.escape(_ESCAPED.sub(_KEPT, text.replace(_KEPT, "")))
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    t = re.sub(r"(?<![\w*])_(.+?)_(?![\w*])", r"<em>\1</em>", t)
    kept = iter(signs)
    return re.sub(_KEPT, lambda _: html.escape(next(kept)), t)


STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; max-width: 1180px; margin: 2rem auto;
       padding: 0 1.5rem; line-height: 1.5; font-size: 17px; }
h1 { font-size: 2rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #0072B2; }
.subtitle { color: #555; font-style: italic; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 15px; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; } figcaption { color: #555; font-size: 15px; }
@media print { .plot { page-break-inside: avoid; } }
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(v):
        cls = ' class="num"' if re.match(r"^-?[£$€]?-?[\d,.]+( %)?$", str(v)) else ""
        return f"<td{cls}>{html.escape(str(v))}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: Report) -> str:
    """The report as one self-contained HTML file: plotly.js is inlined once, so the interactive
    charts open offline."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(report.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1><p class='subtitle'>{html.escape(report.subtitle)}</p>",
    ]
    first = True
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 3}}
    for sec in report.sections:
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        parts += [f"<p>{_inline(p)}</p>" for p in sec.paragraphs]
        parts += [_html_table(h, r) for h, r in sec.tables]
        for caption, fig, _ in sec.charts:
            div = pio.to_html(fig, full_html=False, include_plotlyjs=first, config=config, default_width="100%")
            first = False
            parts.append(f"<figure class='plot'>{div}<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------
# Other ways to buy and where the figures come from (MODEL.md sections 13 and 14)


def arrangements_rows(s: Scenario, arrangements: list) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the other ways to buy for the summary: each side's expected figure a year with its P10-P90
    range and its gain against spot, and over a term each side's expected NPV."""
    cur = s.currency
    header = [
        "Arrangement",
        "Provider's profit (P10 to P90)",
        "Provider's gain",
        "Host's net cost (P10 to P90)",
        "Host's saving",
    ]
    term = s.term.years > 1
    if term:
        header += [f"Provider's NPV ({s.term.years} years)", f"Host's NPV ({s.term.years} years)"]
    rows = []
    for a in arrangements:
        f = a.figures
        row = [
            a.name,
            f"{money(f['expected_provider_profit'], cur)} ({money(f['provider_profit_p10'], cur)} to "
            f"{money(f['provider_profit_p90'], cur)})",
            "spot: the reference" if a.kind == "spot" else money(f["expected_provider_gain"], cur),
            f"{money(f['expected_host_net_cost'], cur)} ({money(f['host_net_cost_p10'], cur)} to "
            f"{money(f['host_net_cost_p90'], cur)})",
            "spot: the reference" if a.kind == "spot" else money(f["expected_host_saving"], cur),
        ]
        if term:
            row += [money(f["expected_npv_provider_gain"], cur), money(f["expected_npv_host_saving"], cur)]
        rows.append(row)
    return header, rows


def build_up_assumption(s: Scenario) -> list[str]:
    """Where the scenario's variable cost, fixed cost and host's alternative price come from, when they are built
    up from their parts (MODEL.md section 14): each derived figure beside its parts; none when all are typed."""
    from partnership.build_up import fixed_item_amount

    cur, unit = markdown_text(s.currency), markdown_text(s.unit)  # Markdown: the scenario's words as text
    per = f"per {unit}-{markdown_text(s.period)}" if s.period else f"per {unit}"
    out = []
    if (b := s.cost_build_up) is not None:
        p = b.per_unit
        out.append(
            f"The variable cost ({money(s.service.variable_cost, cur, 2)} {per}) is built up from its parts: pay "
            f"{money(p.pay, cur, 2)} plus on-costs of {percent(p.on_costs, 1)}, times one plus {p.travel_minutes:g} "
            f"minutes of paid travel an hour, plus {p.mileage:g} miles at {money(p.mileage_rate, cur, 2)} a mile and "
            f"{money(p.other, cur, 2)} of other costs."
        )
        items = "; ".join(f"{markdown_text(item.name)} {money(fixed_item_amount(item), cur)}" for item in b.fixed)
        out.append(f"The fixed cost ({money(s.service.fixed_cost, cur)} a year) is the sum of its items: {items}.")
    if s.alternative_mix is not None:
        mix = "; ".join(f"{markdown_text(m.name)} {percent(m.share, 1)} at {money(m.price, cur, 2)}" for m in s.alternative_mix)
        out.append(
            f"The host's alternative price ({money(s.prices.host_alternative, cur, 2)} {per}) is the average of the "
            f"ways it would buy without the agreement, by their shares: {mix}."
        )
    return out
