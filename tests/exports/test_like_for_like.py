"""The host's cost per unit is compared like for like wherever the headline and the paper set it beside "without
the agreement": what the same use would cost the host if part of it were still bought locally at the spot price."""

from __future__ import annotations

import re

import pytest

from paper.narrative import expected_case_sentences
from paper.report import assumptions, without_agreement_assumption
from partnership import load_scenario, most_likely_case
from partnership.fields import value_of
from partnership.formats import money

from ..conftest import PRESETS
from ..support.markdown import as_read


def like_for_like(s, o: float, u: float) -> tuple[float, float]:
    """(host units, the host's cost per unit without the agreement) at (o, u), straight from the contract's
    section 8 and 8a, not through the model's code."""
    n, w = float(s.service.capacity), float(s.service.periods_per_year)
    p_s, p_a = float(value_of(s, "prices.spot")), float(value_of(s, "prices.host_alternative"))
    u0 = float(s.without_agreement.local_use)
    occupied = n * w * o
    host_units = occupied * u
    cost_without = occupied * (min(u, u0) * p_s + max(u - u0, 0.0) * p_a)
    return host_units, cost_without / host_units


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_the_headline_sentence_compares_like_for_like_and_its_saving_per_unit_is_saving_over_use(path):
    """On every preset the host's sentence sets its cost per unit beside the like-for-like cost without the
    agreement (not the alternative price), and the saving per unit it states is the year's saving divided by the
    host's units."""
    s = load_scenario(path)
    e = most_likely_case(s)
    host_units, without = like_for_like(s, e["occupancy"], e["local_use"])
    assert e["host_unit_cost_without_agreement"] == pytest.approx(without, rel=1e-12)
    sentence = expected_case_sentences(s, e)[1]
    cur = s.currency
    shown_without = re.search(r"against (\S+) without the agreement", sentence).group(1)
    assert shows(shown_without, without), (shown_without, without)
    stated = re.search(r"\((\S+) per ", sentence).group(1)
    assert shows(stated, abs(e["host_saving"]) / host_units), (stated, e["host_saving"] / host_units)
    assert money(abs(e["host_saving"]), cur) in sentence


def shows(text: str, value: float) -> bool:
    """Whether money as written (``£7,182``, ``£3.46``) is ``value`` rounded to the places it shows."""
    number = text.lstrip("£$€-−").replace(",", "")
    places = len(number.partition(".")[2])
    return abs(float(number) - value) <= 0.5 * 10**-places + 1e-9 * abs(value)


def test_a_preset_where_the_host_would_place_some_locally_anyway_differs_from_the_alternative_price():
    """The default children's home keeps some of its use local without the agreement, so its like-for-like cost
    (£7,181.50 a place-week, by hand) lies below its alternative price (£7,550) and the assumptions say why."""
    s = load_scenario(next(p for p in PRESETS if p.stem == "childrens_home"))
    e = most_likely_case(s)
    assert e["host_unit_cost_without_agreement"] == pytest.approx(7181.50)
    assert float(value_of(s, "prices.host_alternative")) == 7550
    words = without_agreement_assumption(s)
    assert "would still place 33 % of the used places locally at the spot price" in words
    assert "£7,550 per place per week" in words and "£6,880 per place per week" in words
    assert words in assumptions([s])


def test_with_nothing_local_anyway_the_assumption_says_the_host_buys_all_its_use_elsewhere(example):
    """With no local use anyway, the assumption says the host buys all of its use elsewhere at its alternative
    price, and a comparison names each scenario's own assumption."""
    words = without_agreement_assumption(example)
    assert "the host buys all of its use elsewhere at its alternative price (£6,200 per place per week)" in words
    both = assumptions([example, example])
    assert sum(as_read(a).startswith(f"{example.name}: 'Without the agreement'") for a in both) == 2  # Markdown
