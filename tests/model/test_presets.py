"""Every preset validates, cites its sources, labels its estimates and gives sensible figures; and no
preset's words contradict its own figures."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import yaml

from partnership import break_even_occupancy, load_scenario, scenario_from_dict, scenario_warnings, summarize
from partnership.fields import FIELDS, spec, value_of

from ..conftest import PRESETS

PRICE_YEAR = "2025-26"
MONEY_KINDS = ("money_year", "money_unit", "money_once")


def test_there_are_at_least_four():
    """At least four presets ship as starting points."""
    assert len(PRESETS) >= 4


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset(path):
    """Every preset loads without warnings, names its estimates and a source in its description; both sides gain in
    expectation, and the agreement lowers break-even occupancy at the most likely local use."""
    s = load_scenario(path)
    assert scenario_warnings(s) == []
    assert s.description and "ESTIMATE" in s.description
    assert any(src in s.description for src in ("NAO", "Ofsted", "Homecare Association", "seed 003", "CMA"))
    summary = summarize(s)
    assert all(np.isfinite(v) for v in summary.values())
    # a preset is a workable starting point: both sides gain in expectation
    assert summary["expected_provider_gain"] > 0
    assert summary["expected_host_saving"] > 0
    be = break_even_occupancy(s, s.uncertainty.local_use.mode)
    assert 0 <= float(be["with_agreement"]) < float(be["without_agreement"]) <= 1


# ----------------------------------------------------------------------------------------------
# Words against figures: a description or a source that states a figure for one of the preset's
# own fields must state that field's value.

SYNONYMS: dict[str, tuple[str, ...]] = {
    "host price": ("prices.host",),
    "price for the host": ("prices.host",),
    "host's price": ("prices.host",),
    "host rate": ("prices.host",),
    "external price": ("prices.external",),
    "external and spot price": ("prices.external", "prices.spot"),
    "external and spot prices": ("prices.external", "prices.spot"),
    "spot price": ("prices.spot",),
    "host's alternative": ("prices.host_alternative",),
    "host alternative": ("prices.host_alternative",),
    "alternative price": ("prices.host_alternative",),
    "fixed cost": ("service.fixed_cost",),
    "fixed costs": ("service.fixed_cost",),
    "variable cost": ("service.variable_cost",),
    "contribution": ("agreement.contribution",),
    "capacity": ("service.capacity",),
    "compensation": ("agreement.compensation.per_external_unit",),
    "void price": ("agreement.reservation.void_price",),
    "reserved": ("agreement.reservation.units",),
    "reserves": ("agreement.reservation.units",),
    "guaranteed hours": ("agreement.reservation.units",),
    "target margin": ("agreement.sharing.target_margin",),
    "pain share": ("agreement.sharing.loss_share",),
    "capped at": ("agreement.sharing.loss_cap",),
    "loss cap": ("agreement.sharing.loss_cap",),
    "most likely occupancy": ("uncertainty.occupancy.mode",),
    "most likely local use": ("uncertainty.local_use.mode",),
}
"""Common ways of naming a field in prose, besides its registry label."""


def _phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase that names a numeric field (lower case) -> the field paths it may name."""
    out: dict[str, tuple[str, ...]] = {}
    for f in FIELDS:
        if f.numeric:
            out[f.label.lower()] = out.get(f.label.lower(), ()) + (f.path,)
    for phrase, paths in SYNONYMS.items():
        out[phrase] = tuple(dict.fromkeys(out.get(phrase, ()) + paths))
    return out


PHRASES = _phrases()
WINDOW_WORDS = 8
MONEY = re.compile(r"(?:£|GBP)\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?(bn|m|k)\b)?")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
SCALE = {None: 1, "k": 1e3, "m": 1e6, "bn": 1e9}


def _label_matches(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, paths) of every field phrase in the text; where phrases overlap, the longest wins
    ("host's share of a deficit" is not also "host's share")."""
    low = text.lower().replace("\u2019", "'")
    found = []
    for phrase, paths in PHRASES.items():
        for m in re.finditer(r"(?<![\w'])" + re.escape(phrase) + r"(?![\w'])", low):
            found.append((m.start(), m.end(), paths))
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[tuple[int, int, tuple[str, ...]]] = []
    for start, end, paths in found:
        if any(s <= start and end <= e for s, e, _ in kept):
            continue
        kept.append((start, end, paths))
    return kept


def _window(text: str, end: int) -> str:
    """The few words after a phrase, up to the end of its sentence or clause."""
    rest = re.split(r"(?:[.;](?:\s|$))", text[end:], maxsplit=1)[0]
    return " ".join(rest.split()[:WINDOW_WORDS])


def _paths(template: str, scenario) -> list[str]:
    """Concrete paths for a registry path: one per item of its list (a sharing band, a fixed cost item, an
    arrangement...) for a field of a list's items; none when the scenario has no such list."""
    if "[i]" not in template:
        return [template]
    head, rest = template.split("[i]", 1)
    items = value_of(scenario, head) or []
    return [p for i in range(len(items)) for p in _paths(f"{head}[{i}]{rest}", scenario)]


def _stated(kind: str, window: str, scenario, path: str) -> tuple[float, int, str] | None:
    """The first figure of a field's kind in the window: (value, decimals shown, text), or None.
    Money is a currency figure, shares a percent, counts a number followed by the scenario's unit."""
    if kind in MONEY_KINDS:
        m = MONEY.search(window)
        if m:
            value = float(m.group(1).replace(",", "") + (m.group(2) or "")) * SCALE[m.group(3)]
            return value, 2, m.group(0)
    elif kind == "fraction":
        m = PERCENT.search(window)
        if m:
            decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
            return float(m.group(1)) / 100, decimals + 2, m.group(0)
    elif kind in ("count", "integer"):
        word = scenario.period if path == "service.periods_per_year" else scenario.unit
        m = re.search(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s+" + re.escape(word.lower()) + r"s?\b", window.lower())
        if m:
            text = m.group(1).replace(",", "")
            return float(text), len(text.split(".")[1]) if "." in text else 0, m.group(0)
    return None


def figure_contradictions(text: str, scenario, where: str) -> list[str]:
    """One line for each figure the text states for a field of the scenario that is not the field's value
    (money to the penny; a percent to the decimals it shows; a count of units as shown)."""
    problems = []
    norm = text.replace("\u2019", "'")
    for _, end, templates in _label_matches(norm):
        window = _window(norm, end)
        for template in templates:
            kind = spec(template).kind
            paths = _paths(template, scenario)
            if not paths:
                continue
            stated = _stated(kind, window, scenario, paths[0])
            if stated is None:
                continue
            figure, decimals, shown = stated
            values = [value_of(scenario, p) for p in paths]
            # a growth rate given year by year is stated truly by any one of its years
            each = [x for v in values for x in (v if isinstance(v, list) else [v])]
            if not any(v is not None and round(v, decimals) == round(figure, decimals) for v in each):
                have = ", ".join(f"{p} = {v}" for p, v in zip(paths, values))
                problems.append(f"{where}: states {shown!r} in {window!r}, but {have}")
    return problems


def _numeric(path: str) -> bool:
    """Whether a dotted path names a numeric field of the registry, those of the build-up's, the mix's and the
    arrangements' lists too (which a sweep does not vary)."""
    try:
        return spec(path).numeric
    except KeyError:
        return False


def _set_paths(node, prefix: str = "") -> dict[str, float | list[float]]:
    """Every numeric field the document gives a value to, by dotted path."""
    out: dict[str, float] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if not prefix and key == "sources":
                continue
            out.update(_set_paths(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(node, list) and _numeric(prefix):
        out[prefix] = node  # a growth rate a year given year by year: one field, one source
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.update(_set_paths(value, f"{prefix}[{i}]"))
    elif isinstance(node, int | float) and not isinstance(node, bool) and _numeric(prefix):
        out[prefix] = node
    return out


def preset_problems(data: dict) -> list[str]:
    """Everything wrong with a preset's words and sources, one line each (empty when it is sound)."""
    scenario = scenario_from_dict(copy.deepcopy(data))
    problems = figure_contradictions(scenario.description or "", scenario, "description")
    sources = scenario.sources or {}
    for path, source in sources.items():
        problems += figure_contradictions(source.source, scenario, f"sources[{path}]")
    given = _set_paths(data)
    for path in given:
        if path not in sources:
            problems.append(f"{path}: the preset sets it but gives no source")
    for path, source in sources.items():
        if path not in given and "default" not in source.source.lower():
            problems.append(f"sources[{path}]: the preset neither sets this field nor explains relying on its default")
        if spec(path).kind in MONEY_KINDS and source.year is not None and source.year != PRICE_YEAR:
            problems.append(f"sources[{path}]: money at {source.year} prices; the presets use {PRICE_YEAR} throughout")
    if any(source.estimate for source in sources.values()) and "ESTIMATE" not in (scenario.description or ""):
        problems.append("description: some figures are estimates but it names none in capitals (ESTIMATE)")
    return problems


def _load(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_words_agree_with_its_figures(path):
    """No preset's description or sources state a figure for one of its fields other than that field's value, and every
    field a preset sets has a source."""
    data = _load(path)
    assert data.get("sources"), "every preset gives the sources of its figures"
    assert preset_problems(data) == []


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_is_priced_in_one_year(path):
    """Every preset's money is at 2025-26 prices, so presets compare like with like."""
    sources = _load(path)["sources"]
    money = [p for p in sources if spec(p).kind in MONEY_KINDS]
    assert money and all(sources[p].get("year") == PRICE_YEAR for p in money)


# The checker must catch what it is for: plant contradictions in a copy of a preset.

RURAL = next(p for p in PRESETS if p.stem == "homecare_rural")
HOME = next(p for p in PRESETS if p.stem == "childrens_home")

OLD_RURAL_WORDS = (
    "One provider's homecare in a rural zone, counted in hours a week. Host price GBP 24.10 an hour, the council "
    "average paid in 2025-26 (Homecare Association). ESTIMATES, not sourced: the terms."
)


def test_checker_catches_the_old_host_price_sentence():
    """The words-against-figures check catches a description that quotes an out-of-date host price."""
    data = _load(RURAL)
    data["description"] = OLD_RURAL_WORDS
    problems = preset_problems(data)
    assert any("prices.host = " in p and "24.10" in p for p in problems), problems


def test_checker_accepts_the_true_figure_and_catches_a_changed_one():
    """The check passes a description that states the host price truly, and fails it once the price moves by a penny."""
    data = _load(RURAL)
    host = data["prices"]["host"]
    data["description"] = f"The host price of £{host:,.2f} an hour is an ESTIMATE."
    assert preset_problems(data) == []
    data["prices"]["host"] = host + 0.01
    assert any("prices.host" in p for p in preset_problems(data))


@pytest.mark.parametrize(
    ("sentence", "field"),
    [
        ("External and spot price GBP 1.00 a week, an ESTIMATE.", "prices.spot"),
        ("A fixed cost of £123,456 a year, an ESTIMATE.", "service.fixed_cost"),
        ("The contribution is £1m a year, an ESTIMATE.", "agreement.contribution"),
        ("The target margin is 15 % of operating cost, an ESTIMATE.", "agreement.sharing.target_margin"),
        ("A capacity of 9 places, an ESTIMATE.", "service.capacity"),
        ("The host's share rises to 40 % at high use, an ESTIMATE.", "agreement.sharing.bands[2].host_share"),
        ("The void price, GBP 5, is an ESTIMATE.", "agreement.reservation.void_price"),
    ],
)
def test_checker_catches_planted_contradictions(sentence, field):
    """A wrong figure planted in a preset's description is caught for the field it names: money, a share or a count of
    places, by label, synonym or band."""
    data = _load(HOME)
    data["description"] = sentence
    problems = preset_problems(data)
    assert any(field in p for p in problems), problems


def test_checker_reads_sources_and_the_rules_of_sources():
    """The check reads the sources too: a wrong figure in a source, money at another year's prices, a field set without
    a source, and a source for a field neither set nor explained as a default."""
    data = _load(HOME)
    data["sources"]["prices.host"]["source"] = "Negotiated: host price £1.00 a week"
    data["sources"]["prices.external"]["year"] = "2023-24"
    del data["sources"]["service.capacity"]
    del data["sources"]["cost_build_up.fixed[2].each"]  # a build-up's part is a field set like any other
    data["sources"]["agreement.sharing.loss_cap"] = {"source": "none", "year": PRICE_YEAR, "estimate": True}
    problems = "\n".join(preset_problems(data))
    assert "sources[prices.host]: states" in problems
    assert "sources[prices.external]: money at 2023-24 prices" in problems
    assert "service.capacity: the preset sets it but gives no source" in problems
    assert "cost_build_up.fixed[2].each: the preset sets it but gives no source" in problems
    assert "sources[agreement.sharing.loss_cap]: the preset neither sets" in problems


def test_checker_keeps_the_longest_phrase():
    """Where field names overlap in prose the longest wins: "host's share of a deficit" is read as the pain share, not a
    band's host share."""
    data = _load(HOME)
    share = data["agreement"]["sharing"]["loss_share"]
    data["description"] = f"The host's share of a deficit is {share * 100:.0f} %, an ESTIMATE."
    assert preset_problems(data) == []
