"""Numbers as people write them (money, percents, prices per unit-period, n/a): the same in messages, the
command line, the app, charts and exports."""

from __future__ import annotations

import hashlib
import math
import re

from . import fields
from .scenario import Scenario

__all__ = [
    "NA",
    "file_stem",
    "FILE_STEM_CHARS",
    "markdown_text",
    "markup_text",
    "spreadsheet_text",
    "FORMULA_STARTS",
    "money",
    "percent",
    "unit_money",
    "field_value",
    "field_unit",
    "outcome_unit",
    "unit_period",
    "per_unit_period",
]

NA = "n/a"


def unit_period(scenario: Scenario) -> str:
    """What one unit-period is called: "place-week", or just "hour" when the unit is itself time."""
    return fields.unit_period(scenario.unit, scenario.period)


def field_unit(path: str, scenario: Scenario) -> str:
    """A scenario field's unit in words for this scenario (e.g. "£ per place-week"), from the registry."""
    return fields.unit_text(path, scenario.currency, scenario.unit, scenario.period)


def per_unit_period(scenario: Scenario) -> str:
    """ "per place per week", or "per hour" when the unit is itself time."""
    if scenario.unit.lower() in fields.TIME_UNITS:
        return f"per {scenario.unit}"
    return f"per {scenario.unit} per {scenario.period}"


def money(value, currency: str = "£", decimals: int = 0) -> str:
    """Money as people write it: £1,234 or -£1,234; n/a for undefined values; a sum of a thousand million million
    or more (only ever a target typed as such) in powers of ten, not in hundreds of digits.

    >>> money(-1234.4), money(-1e300)
    ('-£1,234', '-£1e+300')
    """
    if value is None:
        return NA
    x = float(value)
    if not math.isfinite(x):
        return NA
    text = f"{currency}{abs(x):,.{decimals}f}" if abs(x) < 1e15 else f"{currency}{abs(x):.4g}"
    return f"-{text}" if round(x, decimals) < 0 else text


def percent(value, decimals: int = 0) -> str:
    """A fraction as a percent, halves rounded up as people do: 0.853 -> 85 %, 0.825 -> 83 %; n/a for
    undefined values.

    >>> percent(0.825), percent(0.5), percent(None)
    ('83 %', '50 %', 'n/a')
    """
    if value is None:
        return NA
    x = float(value)
    if not math.isfinite(x):
        return NA
    scaled = round(100 * x * 10**decimals, 9)  # float noise off first: 0.825 is 82.49999999999999 %
    rounded = math.floor(scaled + 0.5) / 10**decimals
    return f"{rounded:.{decimals}f} %"


def point_percent(value) -> str:
    """A point's occupancy or local use as a percent, with a decimal only when it has one (82.5 %, 60 %),
    so a sentence names the same point as the half-percent sliders.

    >>> point_percent(0.825), point_percent(0.6)
    ('82.5 %', '60 %')
    """
    if value is None or not math.isfinite(float(value)):
        return NA
    whole = abs(round(100 * float(value), 6) - round(100 * float(value))) < 1e-6
    return percent(value, 0 if whole else 1)


def field_value(path: str, value, currency: str = "£") -> str:
    """A scenario field's value as people read it: shares as percents, prices per unit-period with pence
    where small, other money in whole units.

    A growth rate given year by year reads as its list of percents; counts and whole numbers as numbers.

    >>> field_value("agreement.sharing.bands[2].host_share", 0.375), field_value("prices.host", 26.5)
    ('37.5 %', '£26.50')
    >>> field_value("term.indexation.costs", [0.041, 0.035]), field_value("term.years", 5)
    ('4.1 %, 3.5 % (years 2 to 3)', '5')
    """
    if isinstance(value, (list, tuple)):
        items = ", ".join(field_value(path, v, currency) for v in value)
        return f"{items} (years 2 to {len(value) + 1})" if value else NA
    if value is None:
        return NA
    try:
        kind = fields.spec(path).kind
    except KeyError:
        kind = None
    if kind in ("count", "integer"):
        x = float(value)
        return NA if not math.isfinite(x) else (f"{x:,.0f}" if x == round(x) else f"{x:,g}")
    if fields.is_fraction(path):
        return percent(value, 1)
    if fields.is_money_per_unit(path):
        return unit_money(value, currency)
    return money(value, currency)


def unit_money(value, currency: str = "£") -> str:
    """A price per unit-period: pence shown below 100 (£26.50 an hour), whole pounds above (£6,290 a week)."""
    if value is None or not math.isfinite(float(value)):
        return NA
    return money(value, currency, 2 if abs(float(value)) < 100 else 0)


UNIT_COUNTS = ("occupied_units", "host_units", "external_units", "void_units")
FRACTIONS = ("occupancy", "local_use", "host_share_rate")
UNIT_PRICES = ("host_unit_cost", "host_unit_cost_without_agreement")
"""The section-2 (and 8a) quantities in currency per unit-period, not per year."""


def outcome_unit(name: str, scenario: Scenario) -> str:
    """The unit of a section-2 quantity (or of ``occupancy`` / ``local_use``) in words.

    >>> from partnership.examples import example_scenario
    >>> s = example_scenario()
    >>> outcome_unit("host_fees", s), outcome_unit("host_unit_cost", s), outcome_unit("host_units", s)
    ('£ per year', '£ per place-week', 'place-weeks per year')
    """
    if name in FRACTIONS:
        return "fraction 0-1"
    if name in UNIT_COUNTS:
        return f"{unit_period(scenario)}s per year"
    if name in UNIT_PRICES:
        return f"{scenario.currency} per {unit_period(scenario)}"
    return f"{scenario.currency} per year"


FILE_STEM_CHARS = 80
"""The most characters a file name's stem takes from a name (a scenario's, an option's, a room's): with the longest
suffix added (``_paper_pack.zip``, a chart's name and format) a file name stays well under the 255 characters file
systems allow, and a path inside a ZIP or a folder under Windows' 260."""
_WINDOWS_RESERVED = re.compile(r"con|prn|aux|nul|com[0-9]|lpt[0-9]")


def file_stem(name: str, fallback: str = "scenario", limit: int | None = FILE_STEM_CHARS) -> str:
    """A name as the stem of a file name, the same everywhere a file is named after a scenario, an option or a room:
    lower-case letters and digits, each run of anything else one underscore, at most ``limit`` characters;
    ``fallback`` when nothing is left. A longer name is cut and ends in eight characters of its own digest, so two
    long names that start alike still name two files, and the same name always the same file. A name Windows keeps
    for a device (``con``, ``nul``, ``com1``...) gets an underscore after it.

    >>> file_stem("Four-place children's home")
    'four_place_children_s_home'
    >>> file_stem("***", "option"), file_stem("CON")
    ('option', 'con_')
    >>> long = "a home " * 100
    >>> len(file_stem(long)), file_stem(long) == file_stem(long), file_stem(long) != file_stem(long + "!")
    (80, True, True)
    """
    stem = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or fallback
    if limit and len(stem) > limit:
        digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        stem = stem[: max(1, limit - 9)].rstrip("_") + "_" + digest
    if _WINDOWS_RESERVED.fullmatch(stem):
        stem += "_"
    return stem


# ---------------------------------------------------------------------------------------------
# User text shown as text: in Markdown (the page), in plotly's and HTML's markup (charts, SVG, summary.html) and in
# spreadsheet cells (CSV). Scenario text (its name, description, unit, period, currency and sources), option and
# room names, file names and echoed input pass through one of these wherever it is shown.

_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&\"])")
_JOINER = "\u2060"  # WORD JOINER: invisible, never a line break; it splits what a renderer would turn into a link
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=\S)|(?<=\bwww)(?=\.)|(?<=@)")


def markdown_text(text) -> str:
    """User text made safe to pass to Markdown (Streamlit's, with its HTML, maths, colour directives, emoji and
    icon shortcodes and links): every Markdown sign is escaped, so ``**bold**`` and ``[sign in](http://x)`` show as
    typed, and what a renderer would link by itself (``https://...``, ``www.``, an e-mail address) is split by an
    invisible word joiner, so it shows as typed and links nowhere. Ordinary words read as before.

    >>> markdown_text("Budget [sign in](http://x.example)")
    'Budget \\\\[sign in\\\\]\\\\(http\\\\:\\u2060//x\\\\.example\\\\)'
    >>> markdown_text("Children's home")
    "Children's home"
    """
    joined = _AUTOLINK.sub(_JOINER, str(text))
    return _MARKDOWN_SIGNS.sub(r"\\\1", joined)


def markup_text(text) -> str:
    """User text made safe to put into plotly's text (titles, axis titles and ticks, hover, legends, annotations,
    which read a subset of HTML: ``<a>``, ``<b>``, ``<br>``) or into an HTML page: ``&``, ``<`` and ``>`` escaped (plotly
    shows ``&lt;`` as ``<``), and a ``%{`` that a hover template would fill in split by a word joiner.

    >>> markup_text("<a href='http://x'>A & B</a>")
    "&lt;a href='http://x'&gt;A &amp; B&lt;/a&gt;"
    """
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("%{", "%" + _JOINER + "{")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet cell starts when a spreadsheet would read it as a formula (or as the start of one)."""
_NUMBER_TEXT = re.compile(r"^[+-]?(?:[£$€¥]|[A-Z]{3} ?)?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?(?: ?%)?$", re.I)


def spreadsheet_text(value):
    """A CSV cell a spreadsheet will not run as a formula: text that starts as a formula does (``=``, ``+``, ``-``,
    ``@``, a tab, a carriage return) gets a leading quote mark, as spreadsheets themselves mark text; a number, or
    text that is a number as people write it (``-5``, ``-£1,234``, ``-12.5 %``), is left as it is.

    >>> spreadsheet_text('=HYPERLINK("http://x","Click")'), spreadsheet_text("-£1,234"), spreadsheet_text(-5)
    ('\\'=HYPERLINK("http://x","Click")', '-£1,234', -5)
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _NUMBER_TEXT.match(value):
        return value
    return "'" + value
