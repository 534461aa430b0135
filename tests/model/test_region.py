"""A region of councils as the host (MODEL.md section 12): the member table of section 15 to the penny, the figures
under the uncertainty and the split to section 3's accuracy, the rules refused in plain words, and the identities as
properties over random regions."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership import evaluate, load_scenario, scenario_from_dict, summarize
from partnership.councils import member_figures, members_at, members_over_term, region_summary
from partnership.inputs import inputs_of
from partnership.negotiation import sweep
from partnership.outcomes import evaluate_inputs, gain_tolerance
from partnership.problems import page_words
from partnership.region import MEMBER_NAMES
from partnership.scenario import ScenarioError
from partnership.term import evaluate_term, joint_gain

from ..conftest import PRESETS, scenarios
from .test_cli import run
from .test_summary import _quantile_grid, _weighted_quantile

MEMBERS = [
    {"name": "Council A", "use_share": 0.5, "contribution_share": 0.4, "host_alternative": 6400},
    {"name": "Council B", "use_share": 0.3, "contribution_share": 0.3, "local_use_anyway": 0.1},
    {"name": "Council C", "use_share": 0.2, "contribution_share": 0.3},
]
"""The members of MODEL.md section 15."""

# MODEL.md section 15: host units, fees, contribution, returns, net cost, cost without, saving
TABLE = {
    "Council A": (66.3, 298_350, 80_000, 20_969.50, 357_380.50, 424_320, 66_939.50),
    "Council B": (39.78, 179_010, 60_000, 12_581.70, 226_428.30, 234_260, 7_831.70),
    "Council C": (26.52, 119_340, 60_000, 8_387.80, 170_952.20, 164_424, -6_528.20),
}
COLUMNS = (
    "member_host_units",
    "member_host_fees",
    "member_contribution",
    "member_returns",
    "member_net_cost",
    "member_cost_without_agreement",
    "member_saving",
)


def region_doc(example_dict, members=None, **region):
    """The section-1 scenario with a region of members (section 15's by default)."""
    doc = copy.deepcopy(example_dict)
    doc["region"] = {"members": copy.deepcopy(MEMBERS if members is None else members), **region}
    return doc


@pytest.fixture
def region(example_dict):
    return scenario_from_dict(region_doc(example_dict))


def test_the_member_table_of_section_15_to_the_penny(region):
    """At o = 0.85, u = 0.75 each council's host units, fees, contribution, void payments, returns, net cost, cost
    without the agreement and saving are MODEL.md section 15's to the penny, and the region's totals are 823,004,
    754,761 and 68,243."""
    rows = {m["name"]: m for m in members_at(region, 0.85, 0.75)}
    assert list(rows) == ["Council A", "Council B", "Council C"]
    for name, want in TABLE.items():
        for column, value in zip(COLUMNS, want):
            assert rows[name][column] == pytest.approx(value, abs=0.005), (name, column)
        assert rows[name]["member_void_payments"] == pytest.approx(0.0, abs=0.005)
    r = evaluate(region, 0.85, 0.75)
    assert float(r.host_cost_without_agreement) == pytest.approx(823_004, abs=0.005)
    assert float(r.host_net_cost) == pytest.approx(754_761, abs=0.005)
    assert float(r.host_saving) == pytest.approx(68_243, abs=0.005)


def test_a_scenario_without_a_region_gives_section_6s_figures(example):
    """Without members the host's cost without the agreement is section 8's: section 6's 822,120 and 67,359."""
    r = evaluate(example, 0.85, 0.75)
    assert float(r.host_cost_without_agreement) == pytest.approx(822_120, abs=0.005)
    assert float(r.host_saving) == pytest.approx(67_359, abs=0.005)
    assert members_at(example, 0.85, 0.75) == []


def test_members_taking_their_defaults_give_section_8s_cost_without_the_agreement(example_dict):
    """With u0 = 0.3 and every member on its defaults the region's cost without the agreement is section 11's
    784,992, the same as one host's, and so is the summary."""
    example_dict["without_agreement"] = {"local_use": 0.3}
    plain = scenario_from_dict(copy.deepcopy(example_dict))
    members = [{"name": m["name"], "use_share": m["use_share"]} for m in MEMBERS]
    s = scenario_from_dict(region_doc(example_dict, members))
    assert float(evaluate(s, 0.85, 0.75).host_cost_without_agreement) == pytest.approx(784_992, abs=0.005)
    one, many = summarize(plain), summarize(s)
    for name, value in one.items():
        assert many[name] == pytest.approx(value, rel=1e-9, abs=1e-6), name


# ----------------------------------------------------------------------------------------------
# Under the uncertainty, and the split


def member_reference(s, n: int = 1200):
    """Each member's saving on an independent fine midpoint grid in quantile space, written out from section 12's
    formulas: ``(expected savings, chances of >= 0, P10/P50/P90, expected shared payments)``."""
    unc = s.uncertainty
    o, wo = _quantile_grid(unc.occupancy, n)
    edges = [b.from_local_use for b in s.agreement.sharing.bands] + [s.without_agreement.local_use]
    edges += [m.local_use_anyway / m.use_share for m in s.members if m.local_use_anyway and m.use_share]
    u, wu = _quantile_grid(unc.local_use, n, edges)
    t = inputs_of(s)
    r = evaluate_inputs(t, o[None, :], u[:, None])
    w = (wu[:, None] * wo[None, :]).ravel()
    tol = gain_tolerance(t)
    q = t.member_contribution_shares if t.returns_split == "contribution" else t.member_use_shares
    out = []
    for s_i, w_i, q_i, u0_i, p_a in zip(
        t.member_use_shares, t.member_contribution_shares, q, t.member_local_use_anyway, t.member_host_alternative_prices
    ):
        use = s_i * r.local_use
        without = r.occupied_units * (np.minimum(use, u0_i) * t.spot_price + np.maximum(use - u0_i, 0) * p_a)
        net = w_i * (t.contribution + r.void_payments) + s_i * r.host_fees - q_i * (
            r.compensation + r.surplus_share_to_host
        )
        saving = (without - net).ravel()
        out.append((w @ saving, w @ (saving >= -tol), [_weighted_quantile(saving, w, p) for p in (0.1, 0.5, 0.9)]))
    shared = t.contribution + w @ r.void_payments.ravel()
    if t.returns_split == "contribution":
        shared -= w @ (r.compensation + r.surplus_share_to_host).ravel()
    return out, float(shared)


def _full_cost(s) -> float:
    t = inputs_of(s)
    return float(t.fixed_cost + t.capacity * t.periods_per_year * t.variable_cost)


def assert_region_accurate(s):
    """Each member's figures under the uncertainty against :func:`member_reference`, to section 3's accuracy:
    expectations within 0.02 % of the operating cost at full occupancy, chances within 0.005, percentiles within
    0.5 % of the range of the member's saving."""
    summary = region_summary(s)
    ref, shared = member_reference(s)
    scale = 2e-4 * _full_cost(s) + 0.01
    for i, (expected, chance, percentiles) in enumerate(ref):
        assert summary.expected_saving[i] == pytest.approx(expected, abs=scale), i
        assert summary.probability_better_off[i] == pytest.approx(chance, abs=0.005), i
        spread = abs(percentiles[2] - percentiles[0]) + 1.0
        for got, want in zip((summary.saving_p10[i], summary.saving_p50[i], summary.saving_p90[i]), percentiles):
            assert got == pytest.approx(want, abs=0.01 * spread), i
    assert summary.shared_payments == pytest.approx(shared, abs=scale)
    return summary


def test_section_15s_figures_under_the_uncertainty(region):
    """The members' expected savings are section 15's (about 61,600 / 5,420 / -8,460), Council C is better off in
    about 19 % of cases, and every figure matches an independent fine-grid integration to section 3's accuracy."""
    summary = assert_region_accurate(region)
    assert summary.basis == "year"
    assert summary.expected_saving == pytest.approx([61_600, 5_420, -8_460], abs=50)
    assert summary.probability_better_off[2] == pytest.approx(0.19, abs=0.005)
    assert sum(summary.expected_saving) == pytest.approx(summarize(region)["expected_host_saving"], abs=0.01)


def test_section_15s_split(region):
    """Everyone can be better off: C's share of the contribution within about 0 to 25.8 %, B's 3.4 to 32.7 %, A's
    41.5 to 70.8 %; equal saving at about 61.0 / 23.0 / 16.0 %, saving by use at 56.2 / 23.9 / 19.9 % (MODEL.md
    section 15, to its decimals and section 3's accuracy)."""
    summary = region_summary(region)
    assert summary.shared_payments == pytest.approx(200_000, abs=0.01)
    assert summary.everyone_better_off_possible is True
    # section 3's accuracy on an expectation (0.02 % of 862,400) moves a share by at most about 0.0009
    tol = 0.0005 + 2 * 2e-4 * _full_cost(region) / summary.shared_payments
    want = [(0.415, 0.708), (0.034, 0.327), (0.0, 0.258)]
    for got, (lo, hi) in zip(summary.contribution_share_range, want):
        assert got[0] == pytest.approx(lo, abs=tol) and got[1] == pytest.approx(hi, abs=tol)
    assert summary.equal_saving["contribution_shares"] == pytest.approx([0.610, 0.230, 0.160], abs=tol)
    assert summary.saving_by_use["contribution_shares"] == pytest.approx([0.562, 0.239, 0.199], abs=tol)
    assert summary.equal_saving["possible"] and summary.saving_by_use["possible"]


def test_the_regional_preset_is_accurate_too():
    """The four councils' preset: each council's figures under the uncertainty to section 3's accuracy."""
    preset = next(p for p in PRESETS if p.stem == "regional_councils")
    assert_region_accurate(load_scenario(preset))


def test_over_a_term_the_members_figures_are_npvs(example_dict):
    """Over a term of three years each member's figures are NPVs: the expectations add up to the expected NPV of the
    host's saving, and at a point each member's NPV is its discounted savings less its share of the host's set-up
    part, its alternative price growing with market prices."""
    doc = region_doc(example_dict)
    doc["term"] = {
        "years": 3,
        "indexation": {"costs": 0.05, "host_price": 0.02, "market_prices": 0.04, "contribution": 0},
        "set_up": {"cost": 100_000, "host_share": 0.5},
    }
    s = scenario_from_dict(doc)
    summary = region_summary(s, cells=60)
    assert summary.basis == "term"
    assert sum(summary.expected_saving) == pytest.approx(summarize(s, cells=60)["expected_npv_host_saving"], abs=0.01)
    members = members_over_term(s, 0.85, 0.75)
    d = (1.035) ** -np.arange(1, 4)
    for m, w in zip(members, (0.4, 0.3, 0.3)):
        savings = [y["member_saving"] for y in m["years"]]
        assert m["npv_member_saving"] == pytest.approx(float(d @ savings) - w * 0.5 * 100_000, abs=0.005)
    a_year_3 = members[0]["years"][2]
    assert a_year_3["member_cost_without_agreement"] == pytest.approx(176.8 * 0.375 * 6400 * 1.04**2, abs=0.005)
    term = evaluate_term(s, 0.85, 0.75)
    assert sum(m["npv_member_saving"] for m in members) == pytest.approx(float(term.npv_host_saving), abs=0.005)


def _split(x: float, intercepts: list[float]) -> dict:
    """A stand-in for a region's summary with given X and A_i."""
    from partnership import region as formulas

    return {
        "possible": formulas.everyone_better_off_possible(intercepts, x),
        "range": formulas.contribution_share_range(intercepts, x),
        "equal": formulas.equal_saving(intercepts, x),
    }


def test_the_split_when_the_shared_payments_are_negative_or_nothing():
    """With X < 0 (returns by contribution exceeding the payments) a larger share is a larger saving: each council's
    range starts at the least it must take; with X = 0 every share in [0, 1] does and the rules are null; and when
    nobody-worse-off is impossible every range is null."""
    neg = _split(-100.0, [-30.0, 20.0])
    assert neg["possible"] is True
    assert neg["range"] == [(pytest.approx(0.3), pytest.approx(1.0)), (0.0, pytest.approx(0.7))]
    assert _split(-100.0, [-60.0, -50.0])["possible"] is False  # each must take over half
    zero = _split(0.0, [5.0, 0.0])
    assert zero["possible"] and zero["range"] == [(0.0, 1.0), (0.0, 1.0)] and zero["equal"] is None
    assert _split(0.0, [5.0, -1.0])["range"] == [None, None]
    assert _split(100.0, [120.0, -1.0])["range"] == [None, None]


def test_returns_divided_by_contribution(example_dict):
    """With ``returns_split: contribution`` each council's returns follow its contribution share and the shared
    payments are the contribution less the expected returns."""
    s = scenario_from_dict(region_doc(example_dict, returns_split="contribution"))
    rows = {m["name"]: m for m in members_at(s, 0.85, 0.75)}
    assert rows["Council A"]["member_returns"] == pytest.approx(0.4 * 41_939, abs=0.005)
    summary = assert_region_accurate(s)
    r = region_summary(s)
    assert r.shared_payments < 200_000 and summary.shared_payments == pytest.approx(r.shared_payments)


# ----------------------------------------------------------------------------------------------
# The rules, each refused in one plain line naming the council and the field


def _refused(doc) -> tuple[list[str], list[str]]:
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict(doc)
    return exc.value.problems, [page_words(p) for p in exc.value.details]


def _members(**changes):
    members = copy.deepcopy(MEMBERS)
    for key, value in changes.items():
        i, field = key.split("__")
        i = int(i[1:])
        if value is None:
            members[i].pop(field, None)
        else:
            members[i][field] = value
    return members


@pytest.mark.parametrize(
    "members, file_line, page_line",
    [
        (
            _members(m2__use_share=0.1),
            "region.members: Share of the host's use (use_share) adds up to 90 % over the councils, not 100 %: "
            "Council A 50 %, Council B 30 %, Council C 10 %",
            "Member councils: “Share of the host's use” adds up to 90 % over the councils, not 100 %: Council A 50 %, "
            "Council B 30 %, Council C 10 %",
        ),
        (
            MEMBERS[:1],
            "region.members: a region needs at least 2 member councils, got 1 (Council A)",
            "Member councils: a region needs at least 2 member councils, got 1 (Council A)",
        ),
        (
            [{"name": f"Council {i + 1}", "use_share": 1 / 31} for i in range(31)],
            "region.members: at most 30 member councils, got 31",
            "Member councils: at most 30 member councils, got 31",
        ),
        (
            _members(m2__name="Council A"),
            "region.members[2].name: Council A is named twice (councils 1 and 3); give each council its own name",
            "Council's name: Council A is named twice (councils 1 and 3); give each council its own name",
        ),
        (
            _members(m1__contribution_share=None),
            "region.members[1].contribution_share: Council B has no Share of the contribution (contribution_share) "
            "while Council A has one; give one for every council or for none",
            "Share of the contribution: Council B has no “Share of the contribution” while Council A has one; give "
            "one for every council or for none",
        ),
        (
            _members(m0__local_use_anyway=0.7, m2__local_use_anyway=0.5),
            "region.members: Council's local use anyway (local_use_anyway) adds up to 130 % over the councils, more "
            "than 100 %: Council A 70 %, Council B 10 %, Council C 50 %",
            "Member councils: “Council's local use anyway” adds up to 130 % over the councils, more than 100 %: "
            "Council A 70 %, Council B 10 %, Council C 50 %",
        ),
        (
            _members(m0__name="N" * 10_000),
            f"region.members[0].name ({'N' * 37}...): a council's name must be 1-80 characters, got 10,000",
            f"{'N' * 37}..., Council's name: a council's name must be 1-80 characters, got 10,000",
        ),
        (
            _members(m1__use_share=1.5),
            "region.members[1].use_share (Council B): must be <= 1, got 1.5",
            "Council B, Share of the host's use: must be at most 100 %, got 150 %",
        ),
    ],
    ids=["shares", "one", "thirty-one", "twice", "some", "anyway", "long-name", "range"],
)
def test_each_rule_is_refused_in_one_plain_line(example_dict, members, file_line, page_line):
    """Each region rule is refused in one line, on the command line by the field's path and on the page by its label,
    naming the council (or councils) it is about, totals as percents."""
    file_lines, page_lines = _refused(region_doc(example_dict, members))
    assert file_lines == [file_line]
    assert page_lines == [page_line]


def test_a_members_figures_cannot_be_swept(region):
    """A search for terms refuses a member council's share in plain words, pointing to the split."""
    with pytest.raises(ScenarioError) as exc:
        sweep(region, ("region.members[0].use_share", 0, 1, 3), ("agreement.contribution", 0, 1000, 2))
    assert "is a member council's figure and cannot be searched" in exc.value.problems[0]
    assert page_words(exc.value.details[0]).startswith(
        "“Council A, Share of the host's use” is a member council's figure and cannot be searched"
    )


# ----------------------------------------------------------------------------------------------
# The identities, over random regions


@st.composite
def regions(draw):
    """Random valid scenarios with a region of 2 to 8 members, their optional figures sometimes given."""
    doc = draw(scenarios())
    n = draw(st.integers(2, 8))
    raw = [draw(st.floats(0.0, 1.0)) for _ in range(n)]
    total = sum(raw) or 1.0
    shares = [x / total for x in raw] if sum(raw) else [1.0 / n] * n
    shares[-1] = 1.0 - sum(shares[:-1])
    if shares[-1] < 0:
        shares = [1.0 / n] * n
        shares[-1] = 1.0 - sum(shares[:-1])
    members = [{"name": f"Council {i + 1}", "use_share": shares[i]} for i in range(n)]
    if draw(st.booleans()):
        raw = [draw(st.floats(0.0, 1.0)) for _ in range(n)]
        weights = [x / sum(raw) for x in raw] if sum(raw) > 0 else [1.0 / n] * n
        weights[-1] = max(0.0, 1.0 - sum(weights[:-1]))
        for m, w in zip(members, weights):
            m["contribution_share"] = w
    u0 = doc.get("without_agreement", {}).get("local_use", 0.0)
    for m in members:
        if draw(st.booleans()):
            m["host_alternative"] = draw(st.floats(0, 20_000))
        if draw(st.booleans()):
            m["local_use_anyway"] = draw(st.floats(0.0, 1.0)) / n
    if sum(m.get("local_use_anyway", m["use_share"] * u0) for m in members) > 1:
        for m in members:
            m.pop("local_use_anyway", None)
    doc["region"] = {"members": members, "returns_split": draw(st.sampled_from(["use", "contribution"]))}
    return doc


def _scale(s) -> float:
    t = inputs_of(s)
    prices = max(t.host_price, t.external_price, t.spot_price, t.host_alternative_price, *t.member_host_alternative_prices)
    return 1.0 + t.contribution + t.fixed_cost + t.capacity * t.periods_per_year * (prices + t.variable_cost)


POINTS = np.linspace(0.0, 1.0, 6)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(regions())
def test_the_members_add_up_to_the_host(doc):
    """At every point of a grid: the members' net costs add up to the host's, their savings to the host's saving,
    their costs without the agreement to the host's, and the identity of section 8 holds for the region."""
    try:
        s = scenario_from_dict(doc)
    except ScenarioError:
        return
    r = evaluate(s, POINTS[None, :], POINTS[:, None])
    figures = member_figures(r)
    tol = 1e-9 * _scale(s)
    assert set(figures) == set(MEMBER_NAMES)
    assert np.all(np.abs(figures["member_net_cost"].sum(axis=0) - r.host_net_cost) <= tol)
    assert np.all(np.abs(figures["member_saving"].sum(axis=0) - r.host_saving) <= tol)
    assert np.all(np.abs(figures["member_cost_without_agreement"].sum(axis=0) - r.host_cost_without_agreement) <= tol)
    assert np.all(np.abs(r.provider_gain + r.host_saving - joint_gain(r.inputs, r)) <= tol)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(regions())
def test_members_on_their_defaults_reproduce_section_8(doc):
    """Members that take every default give section 8's cost without the agreement, at every point."""
    for m in doc["region"]["members"]:
        m.pop("host_alternative", None)
        m.pop("local_use_anyway", None)
    try:
        s = scenario_from_dict(doc)
    except ScenarioError:
        return
    plain = copy.deepcopy(doc)
    del plain["region"]
    r = evaluate(s, POINTS[None, :], POINTS[:, None])
    r0 = evaluate(scenario_from_dict(plain), POINTS[None, :], POINTS[:, None])
    assert np.all(np.abs(r.host_cost_without_agreement - r0.host_cost_without_agreement) <= 1e-9 * _scale(s))


def _with_shares(doc: dict, shares) -> dict:
    """The document with the members' contribution shares replaced, the last taking what makes them add up to 1."""
    doc = copy.deepcopy(doc)
    shares = [float(min(max(w, 0.0), 1.0)) for w in shares]
    shares[-1] = 1.0 - sum(shares[:-1])
    for m, w in zip(doc["region"]["members"], shares):
        m["contribution_share"] = w
    return doc


CELLS = 24  # the identities hold on any quadrature: a coarse one keeps the properties quick


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(regions(), st.data())
def test_the_rules_and_the_ranges_do_what_they_say(doc, data):
    """Re-running the summary with a rule's shares (when possible) gives equal expected savings (equal saving) or
    savings in proportion to use (saving by use); and a share anywhere in a council's range, with the others set
    inside theirs, leaves every council's expected saving at least 0."""
    try:
        s = scenario_from_dict(doc)
    except ScenarioError:
        return
    base = region_summary(s, CELLS)
    x, g = base.shared_payments, base.expected_region_saving
    tol = 1e-7 * _scale(s)
    for rule, check in (("equal_saving", "equal"), ("saving_by_use", "use")):
        found = getattr(base, rule)
        if found is None or not found["possible"] or abs(x) < 1e-6 * _scale(s):
            continue
        try:
            again = region_summary(scenario_from_dict(_with_shares(doc, found["contribution_shares"])), CELLS)
        except ScenarioError:
            continue  # shares on the edge of [0, 1] that rounding pushed outside
        want = [g / len(base.names)] * len(base.names) if check == "equal" else [s_i * g for s_i in base.use_shares]
        assert again.expected_saving == pytest.approx(want, abs=tol), rule
    if not base.everyone_better_off_possible or x == 0:
        return
    i = data.draw(st.integers(0, len(base.names) - 1))
    lo, hi = base.contribution_share_range[i]
    w_i = data.draw(st.floats(lo, hi)) if hi > lo else lo
    others = [j for j in range(len(base.names)) if j != i]
    shares = [0.0] * len(base.names)
    shares[i] = w_i
    a = base.intercepts
    if x > 0:  # each other council takes at most A_j / X, filling what is left
        left = 1.0 - w_i
        for j in others:
            shares[j] = min(left, min(1.0, max(0.0, a[j] / x)))
            left -= shares[j]
    else:  # each other council takes at least max(0, A_j / X); the first takes what is left
        for j in others:
            shares[j] = max(0.0, a[j] / x)
        shares[others[0]] += 1.0 - sum(shares)
    order = others + [i]  # the member whose share absorbs the rounding is the one drawn
    doc = copy.deepcopy(doc)
    members = doc["region"]["members"]
    doc["region"]["members"] = [members[j] for j in order]
    try:
        again = region_summary(scenario_from_dict(_with_shares(doc, [shares[j] for j in order])), CELLS)
    except ScenarioError:
        return
    assert min(again.expected_saving) >= -tol * 10


# ----------------------------------------------------------------------------------------------
# The command line


@pytest.fixture
def region_file(tmp_path, example_dict):
    path = tmp_path / "region.json"
    path.write_text(json.dumps(region_doc(example_dict)))
    return path


def test_the_region_command_prints_section_12s_json(region_file):
    """``python -m partnership region FILE`` prints section 12's JSON: the basis, each member's figures under the
    uncertainty, the shared payments, whether everyone can be better off, the ranges and the two rules."""
    r = run("region", region_file)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {
        "basis",
        "members",
        "shared_payments",
        "everyone_better_off_possible",
        "contribution_share_range",
        "equal_saving",
        "saving_by_use",
    }
    assert [m["name"] for m in out["members"]] == ["Council A", "Council B", "Council C"]
    assert set(out["members"][0]) == {
        "name",
        "use_share",
        "contribution_share",
        "expected_saving",
        "probability_better_off",
        "saving_p10",
        "saving_p50",
        "saving_p90",
    }
    assert out["members"][2]["expected_saving"] == pytest.approx(-8_460, abs=50)
    assert out["contribution_share_range"][2][1] == pytest.approx(0.258, abs=0.002)
    assert set(out["equal_saving"]) == {"contribution_shares", "possible"}


def test_the_region_command_refuses_a_scenario_without_members(tmp_path, example_dict):
    """A scenario without member councils exits 2 with "the scenario names no member councils"."""
    path = tmp_path / "one_host.json"
    path.write_text(json.dumps(example_dict))
    r = run("region", path)
    assert r.returncode == 2
    assert r.stderr.strip() == "the scenario names no member councils"


def test_evaluate_and_term_add_the_members(region_file):
    """``evaluate`` adds each member's section-12 figures, ``term`` each member's figures year by year and its NPV;
    the table views show the councils by name."""
    r = run("evaluate", region_file, "--occupancy", 0.85, "--local-use", 0.75)
    members = json.loads(r.stdout)["members"]
    assert [set(m) for m in members] == [{"name", *MEMBER_NAMES}] * 3
    assert members[2]["member_saving"] == pytest.approx(-6_528.20, abs=0.005)
    term = json.loads(run("term", region_file, "--occupancy", 0.85, "--local-use", 0.75).stdout)
    assert term["members"][0]["years"][0]["member_net_cost"] == pytest.approx(357_380.50, abs=0.005)
    table = run("evaluate", region_file, "--occupancy", 0.85, "--local-use", 0.75, "--format", "table").stdout
    assert "The region's councils" in table and "Council C" in table and "-£6,528.20" in table
    table = run("region", region_file, "--format", "table").stdout
    assert "Council B" in table and "3.4 % to 32.7 %" in table and "61.0 %, 23.0 %, 16.0 %" in table


def test_solve_reaches_a_named_members_saving_at_a_point(region):
    """The goal seek reaches a named council's saving at a point: Council C is no worse off at a contribution of
    173,887.20 (its saving falls by its 30 % of each pound less its 20 % of the host's 25 % surplus share of it, from
    -6,528.20 at 200,000); a council the region lacks, or no council named, is refused in plain words."""
    from partnership.solve import solve

    r = solve(region, "agreement.contribution", "member_saving", 0, at=(0.85, 0.75), member="Council C")
    assert r.value == pytest.approx(200_000 - 6_528.20 / (0.3 - 0.2 * 0.25), abs=0.01)
    assert r.to_dict()["member"] == "Council C"
    for member, words in ((None, "name the council"), ("Council Z", "is not one of the region's councils")):
        with pytest.raises(ScenarioError, match=words):
            solve(region, "agreement.contribution", "member_saving", 0, at=(0.85, 0.75), member=member)
