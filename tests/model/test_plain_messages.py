"""Every message the app can show reads in the page's words: labels, not dotted paths; percents where the inputs are
percents; bands and years counted as people count them (from 1; the first year-by-year rate is year 2)."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from partnership import ScenarioError, load_scenario, scenario_from_dict, sweep, warning_details
from partnership.scenario import scenario_to_dict
from ui.state import plain_message

from ..conftest import ROOT

BASE = scenario_to_dict(load_scenario(ROOT / "presets" / "childrens_home.yaml"))


def _set(doc: dict, path: str, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    parts = re.findall(r"[a-z_]+|\[\d+\]", path)
    for part, nxt in zip(parts, parts[1:] + [None]):
        if nxt is None:
            break
        key = int(part[1:-1]) if part.startswith("[") else part
        if not part.startswith("[") and key not in node:
            node[key] = {}
        node = node[key]
    last = parts[-1]
    node[int(last[1:-1]) if last.startswith("[") else last] = value
    return doc


def _messages(doc: dict) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict(doc)
    return [plain_message(p) for p in exc.value.details]


CASES = [
    ("service.capacity", -4, "Capacity: must be more than 0, got -4"),
    ("prices.host", -5, "Host price: must be at least 0, got -5"),
    ("agreement.compensation.premium_share", 1.5, "Share of the external premium: must be at most 100 %, got 150 %"),
    ("agreement.sharing.bands[1].host_share", 1.5, "Sharing band 2, host's share: must be at most 100 %, got 150 %"),
    ("agreement.sharing.bands[2].host_share", None, "Sharing band 3, host's share: must be a number (it is empty)"),
    (
        "agreement.sharing.bands[1].from_local_use",
        0.9,
        "Sharing bands: each band must start at a higher local use than the one before: band 3 starts at local use "
        "75 %, not above band 2 at local use 90 %",
    ),
    (
        "agreement.sharing.bands[0].from_local_use",
        0.1,
        "Sharing bands: the first band must start at local use 0 %, got local use 10 %",
    ),
    (
        "uncertainty.occupancy",
        {"low": 0.95, "mode": 0.825, "high": 1.0},
        "Occupancy range: needs lowest ≤ most likely ≤ highest, got lowest 95 %, most likely 82.5 %, highest 100 %",
    ),
    (
        "agreement.sharing.target_margin",
        20,
        "Target margin: must be at most 1,000 %, got 2,000 % (a target margin of 1,000 % of operating cost is not "
        "a margin)",
    ),
    ("agreement.reservation.units", 10, "Reserved units: must be at most the capacity (4), got 10"),
    (
        "term",
        {"years": 3, "indexation": {"costs": [0.03, -1.5]}},
        "Cost growth, year 3: must be more than -100 %, got -150 %",
    ),
    (
        "term",
        {"years": 3, "indexation": {"costs": [0.03]}},
        "Cost growth: needs one growth rate for each year after the first: 2 for 3 years, got 1",
    ),
    ("term.years", 0, "Years of the term: must be at least 1, got 0"),
    ("uncertainty.local_use.mode", 1.2, "Local use, most likely: must be at most 100 %, got 120 %"),
]


@pytest.mark.parametrize("path, value, expected", CASES, ids=[c[0] for c in CASES])
def test_each_rule_reads_in_labels_percents_and_counts_from_one(path, value, expected):
    """Each broken rule reads on the page in labels, percents and counts from one: no dotted path, no brackets, no
    comparison signs and no "null"."""
    shown = _messages(_set(BASE, path, value))
    assert expected in shown, shown
    for line in shown:
        assert not re.search(r"\b[a-z_]+\.[a-z_]+", line), line  # no dotted path
        assert "[" not in line and "<=" not in line and ">=" not in line, line
        assert "null" not in line, line


def test_counts_and_what_is_not_a_share_are_not_shown_as_percents():
    """Only a share's bound and value read as percents: a count of bands, a value of the wrong type and a term's
    several growth-rate problems (one line for the command line) each read in their own words."""
    doc = _set(BASE, "agreement.sharing.bands", [{"from_local_use": i / 30, "host_share": 0} for i in range(25)])
    assert _messages(doc) == ["Sharing bands: at most 20 bands, got 25"]
    assert _messages(_set(BASE, "agreement.sharing.bands", 5)) == ["Sharing bands: must be a list, got 5"]
    term = {"years": 3, "indexation": {"costs": -2, "market_prices": [3, 0.1]}}
    assert _messages(_set(BASE, "term", term)) == [
        "Cost growth: must be more than -100 %, got -200 %; Market price growth, year 2: must be at most 100 %, got 300 %"
    ]


def test_every_problem_names_a_known_rule():
    """Each problem the cases above raise names a rule of partnership.problems.RULES, so both renderings know it."""
    from partnership.problems import RULES

    for path, value, _ in CASES:
        with pytest.raises(ScenarioError) as exc:
            scenario_from_dict(_set(BASE, path, value))
        assert all(p.rule in RULES and p.rule != "text" for p in exc.value.details), exc.value.details


def test_the_pages_words_are_made_from_the_problems_data_not_from_the_command_lines_words(monkeypatch):
    """Rewording the command line's lines leaves the page's words as they are: the page renders each problem from its
    data (field, rule, bound, what it got), never by reading the command line's English back."""
    from partnership import problems

    monkeypatch.setattr(problems, "file_words", lambda problem: "reworded")
    for path, value, expected in CASES:
        with pytest.raises(ScenarioError) as exc:
            scenario_from_dict(_set(BASE, path, value))
        assert set(exc.value.problems) == {"reworded"}  # the command line's words did change
        assert expected in [plain_message(p) for p in exc.value.details], path


def test_a_falling_band_warning_reads_in_percents():
    """The warning that a host's share falls as local use rises names the sharing band counted from one and gives both
    shares in percents."""
    doc = _set(BASE, "agreement.sharing.bands[2].host_share", 0.1)
    (warning,) = warning_details(scenario_from_dict(doc))
    assert plain_message(warning) == (
        "Sharing band 3, host's share: falls from 25 % to 10 % as local use rises; the host's share usually escalates "
        "with use"
    )


def _search_words(x: tuple, y: tuple) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        sweep(scenario_from_dict(BASE), x, y)
    return [plain_message(p) for p in exc.value.details]


def test_a_search_axis_message_names_the_term_not_its_path():
    """A search whose range breaks a rule, or whose axes name one field twice (or no numeric field, or a band the
    scenario lacks), is refused in labels, not in the axes' names or the fields' paths."""
    contribution = ("agreement.contribution", 0, 100_000, 3)
    assert _search_words(("agreement.sharing.bands[2].host_share", 0, 1.5, 3), contribution) == [
        "Sharing band 3, host's share: must be at most 100 %, got 150 %"
    ]
    assert _search_words(contribution, contribution) == [
        "“Contribution” is already searched on the other axis; choose two different fields"
    ]
    assert _search_words(("agreement.sharing.interpolation", 0, 1, 3), contribution) == [
        "“Between band starts, the host's share” is not a numeric scenario field (e.g. “Contribution”)"
    ]
    assert set(_search_words(("agreement.sharing.bands[7].host_share", 0, 1, 3), contribution)) == {
        "Sharing band 8, host's share: no such field in this scenario"  # once for each end of the range
    }


def test_a_store_refusal_names_fields_in_the_pages_words():
    """The store quotes the model's lines in its refusals (a scenario it will not save, a file in an archive it will
    not import); the page shows those lines in its own words, the store's words around them as they are."""
    import io
    import zipfile

    from store import archive
    from store.errors import BadArchive
    from store.rooms import InvalidScenario, normalise_scenario
    from ui.options import store_words

    with pytest.raises(InvalidScenario) as bad:
        normalise_scenario(_set(BASE, "agreement.compensation.premium_share", 1.5))
    assert str(bad.value) == "The scenario breaks a rule: agreement.compensation.premium_share: must be <= 1, got 1.5"
    assert (
        store_words(bad.value)
        == "The scenario breaks a rule: Share of the external premium: must be at most 100 %, got 150 %"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("a.yaml", yaml.safe_dump(_set(BASE, "agreement.sharing.bands[1].host_share", 1.5)))
    with pytest.raises(BadArchive) as refused:
        archive.read(data.getvalue())
    assert str(refused.value) == "In the archive, a.yaml: agreement.sharing.bands[1].host_share: must be <= 1, got 1.5"
    assert (
        store_words(refused.value)
        == "In the archive, a.yaml: Sharing band 2, host's share: must be at most 100 %, got 150 %"
    )
    assert store_words(BadArchive("The archive holds no scenario files (.yaml).")) == (
        "The archive holds no scenario files (.yaml)."
    )
