"""Headline figures in plain sentences (Markdown), the same in the app and the summary document, from the
model's results (the most likely case, the summary, the term, a sweep). The scenario's own words (its currency and
unit) go in as text (:func:`partnership.formats.markdown_text`), never as Markdown."""

from __future__ import annotations

from partnership import Scenario, SweepResult
from partnership.fields import field_label, spec
from partnership.formats import field_value, markdown_text, money, per_unit_period, percent, point_percent, unit_money

__all__ = [
    "expected_case_sentences",
    "uncertainty_sentence",
    "term_sentences",
    "sharpness_sentences",
    "better_off_count",
    "councils_headline",
    "council_sentences",
    "region_split_sentence",
]


def expected_case_sentences(scenario: Scenario, e: dict) -> list[str]:
    """Two sentences (Markdown, key figures in bold): the provider's and the host's most likely year, from ``e``,
    :func:`partnership.most_likely_case`'s dict."""
    cur, per = markdown_text(scenario.currency), markdown_text(per_unit_period(scenario))
    gain = e["provider_gain"]
    provider = (
        f"At {point_percent(e['occupancy'])} occupancy and {point_percent(e['local_use'])} local use, the provider makes "
        f"**{money(e['provider_profit'], cur)}** a year with the agreement against "
        f"{money(e['provider_profit_without_agreement'], cur)} without: " + _better_or_worse(gain, cur)
    )
    be_with, be_without = e["break_even_with"], e["break_even_without"]
    if be_with is None:
        provider += " It does not break even even when full."
    else:
        without = "never without it" if be_without is None else f"{percent(be_without)} without it"
        provider += f" It breaks even at {percent(be_with)} occupancy with the agreement, {without}."
    # compared like for like (MODEL.md section 8a): what the same use would cost the host without the agreement
    unit_cost, without = e["host_unit_cost"], e["host_unit_cost_without_agreement"]
    saving = e["host_saving"]
    if unit_cost is None or without is None:
        host = f"The host uses no {markdown_text(scenario.unit)}s here; its net cost is {money(e['host_net_cost'], cur)} a year."
    else:
        host = (
            f"The host pays **{unit_money(unit_cost, cur)}** {per} used, all in, against {unit_money(without, cur)} "
            "without the agreement: "
            + _saves_or_loses(saving, cur)
            + f" ({unit_money(abs(without - unit_cost), cur)} {per})."
        )
    return [provider, host]


def _saves_or_loses(saving, cur: str) -> str:
    """ "it saves £1,234 a year" or "it loses ..."; "n/a" when the figure is undefined (never an error)."""
    if saving is None:
        return "its saving a year is n/a"
    return f"it {'saves' if saving >= 0 else 'loses'} {money(abs(saving), cur)} a year"


def _better_or_worse(gain, cur: str) -> str:
    """ "£1,234 better off." or "worse off"; "n/a" when the figure is undefined (never an error)."""
    if gain is None:
        return "the difference is n/a."
    return f"{money(abs(gain), cur)} {'better' if gain >= 0 else 'worse'} off."


def uncertainty_sentence(scenario: Scenario, summary: dict) -> str:
    """One sentence (Markdown) on both sides' chances and expected gains over the whole uncertainty."""
    cur, unc = markdown_text(scenario.currency), scenario.uncertainty
    return (
        f"Over every occupancy from {percent(unc.occupancy.low)} to {percent(unc.occupancy.high)} and local use "
        f"from {percent(unc.local_use.low)} to {percent(unc.local_use.high)}, the provider is better off with the "
        f"agreement in **{percent(summary['probability_provider_better_off'])}** of outcomes (expected gain "
        f"{money(summary['expected_provider_gain'], cur)} a year; chance of a loss "
        f"{percent(summary['probability_provider_loss'])}), and the host in "
        f"**{percent(summary['probability_host_better_off'])}** (expected saving "
        f"{money(summary['expected_host_saving'], cur)} a year)."
    )


def term_sentences(scenario: Scenario, summary: dict, case: dict) -> list[str]:
    """Sentences (Markdown) on the term: each side's expected NPV and chance of a positive one, and the year
    a side walks away at the most likely point, with the host price uplift that would keep the provider.

    ``case`` is :func:`partnership.term.evaluate_term`'s dict at the most likely point, with
    ``uplift_to_stay`` (a fraction a year, or None)."""
    cur, years = markdown_text(scenario.currency), scenario.term.years
    out = [
        f"Over the {years} years, discounted at {percent(scenario.term.discount_rate, 1)} a year and after the set-up "
        f"cost, the provider expects **{money(summary['expected_npv_provider_gain'], cur)}** "
        f"(chance it is positive {percent(summary['probability_provider_npv_positive'])}) and the host "
        f"**{money(summary['expected_npv_host_saving'], cur)}** "
        f"(chance {percent(summary['probability_host_npv_positive'])})."
    ]
    walk = case.get("provider_walk_away_year")
    if walk is not None:
        uplift = case.get("uplift_to_stay")
        tail = (
            f" unless the host price rises by at least **{percent(uplift, 1)} a year**"
            if uplift is not None
            else "; no uplift of the host price up to 100 % a year keeps it in"
        )
        out.append(f"From year {walk} the provider is better off without the agreement{tail}.")
    host_walk = case.get("host_walk_away_year")
    if host_walk is not None:
        out.append(f"From year {host_walk} the host is better off without the agreement.")
    return out


def _range_words(path: str, lo: float, hi: float, currency: str) -> str:
    a, b = field_value(path, lo, currency), field_value(path, hi, currency)
    return f"{field_label(path)} {a}" if a == b else f"{field_label(path)} anywhere from {a} to {b}"


def sharpness_sentences(s: Scenario, result: SweepResult) -> list[str]:
    """Plain warnings when the balanced point is not as sharp as a star suggests: terms far from it about as good
    (the near-best region, within 1 % of its Nash product), or the point on an end of a searched range. Markdown,
    the same in the app's Find terms and the summary document."""
    lines = []
    cur = markdown_text(s.currency)
    if result.flat_optimum and result.near_best_range:
        r = result.near_best_range
        lines.append(
            "**The balanced point is not sharp.** Terms within 1 % of its product of gains are about as good "
            f"(circled on the map): {_range_words(result.x.path, *r['x'], cur)}, and "
            f"{_range_words(result.y.path, *r['y'], cur)}. The star is one of many near-equal choices: the model "
            "does not choose between them, the room does."
        )
    for axis in result.balanced_on_edge:
        ax = result.x if axis == "x" else result.y
        value = result.balanced[axis]
        f = spec(ax.path)
        low_end = value == float(ax.values.min())
        at_limit = (low_end and f.ge is not None and value <= f.ge) or (
            not low_end and f.le is not None and value >= f.le
        )
        shown = field_value(ax.path, value, cur)
        if at_limit and result.flat_optimum:  # already said: values away from the limit are about as good
            continue
        if at_limit:
            lines.append(
                f"**The balanced point is at the limit of {field_label(ax.path)} ({shown}).** It cannot go further; "
                "the best terms may need another term to move instead."
            )
        else:
            lines.append(
                f"**The balanced point is at the {'lower' if low_end else 'upper'} end of the range searched for "
                f"{field_label(ax.path)} ({shown}).** Better terms may lie beyond it: widen that range before adopting them."
            )
    return lines


# ---------------------------------------------------------------------------------------------
# A region of councils as the host (MODEL.md section 12), from a RegionSummary (partnership.councils)

BETTER_OFF_MARGIN = 0.5
"""A council whose expected saving rounds to at least nothing (to the nearest pound) is better off in expectation."""


def better_off_count(region) -> int:
    """How many of the region's councils are better off in expectation (expected saving at least zero, to the
    nearest whole unit of money)."""
    return sum(1 for e in region.expected_saving if e is not None and e >= -BETTER_OFF_MARGIN)


def councils_headline(region) -> str:
    """The Councils view's headline: "3 of 4 councils better off in expectation" ("all 4 councils" when every one
    is)."""
    n, k = len(region.names), better_off_count(region)
    return f"All {n} councils better off in expectation" if k == n else f"{k} of {n} councils better off in expectation"


def _per(region, cur: str) -> str:
    return "over the term, in today's money" if region.basis == "term" else "a year"


def council_sentences(scenario: Scenario, region) -> list[str]:
    """One sentence for each member council (Markdown, its expected saving in bold): what it pays of the
    contribution, what it saves in expectation, its P10 to P90 and its chance of being better off."""
    cur = scenario.currency
    out = []
    for i, name in enumerate(markdown_text(n) for n in region.names):  # typed by users: never markup
        e = region.expected_saving[i]
        verb = "saves" if e >= -BETTER_OFF_MARGIN else "loses"
        out.append(
            f"{name}, with {percent(region.use_shares[i], 1)} of the region's use and "
            f"{percent(region.contribution_shares[i], 1)} of the contribution, {verb} **{money(abs(e), cur)}** "
            f"{_per(region, cur)} in expectation (1 in 10 cases below {money(region.saving_p10[i], cur)}, 9 in 10 "
            f"below {money(region.saving_p90[i], cur)}) and is better off in "
            f"{percent(region.probability_better_off[i])} of cases."
        )
    return out


def _shares_words(region, shares) -> str:
    return ", ".join(f"{markdown_text(name)} {percent(w, 1)}" for name, w in zip(region.names, shares))


def region_split_sentence(scenario: Scenario, region) -> str:
    """Whether a split of the contribution leaves every council better off in expectation, and the two rules'
    splits (every council saves the same; savings follow use) where they are possible."""
    cur = scenario.currency
    head = (
        f"{councils_headline(region)}; the region as a whole saves {money(region.expected_region_saving, cur)} "
        f"{_per(region, cur)} in expectation."
    )
    if not region.everyone_better_off_possible:
        return head + " No split of the contribution leaves every council better off in expectation."
    rules = []
    for label, rule in (
        ("every council saves the same", region.equal_saving),
        ("savings follow use", region.saving_by_use),
    ):
        if rule is not None and rule["possible"]:
            rules.append(f"{label} at {_shares_words(region, rule['contribution_shares'])}")
    words = " A split of the contribution can leave every council better off"
    return head + words + (": " + "; ".join(rules) + "." if rules else ".")
