"""Headline figures in plain sentences, the same in the app, the summary document and the command line."""

from __future__ import annotations

import math

from .labels import money, per_unit_period, percent, unit_money
from .outcomes import break_even_occupancy, evaluate
from .scenario import Scenario

__all__ = ["expected_case", "expected_case_sentences", "uncertainty_sentence"]


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def expected_case(scenario: Scenario) -> dict:
    """Section 2 and break-even at the most likely point (the modes of the uncertainty).

    Adds ``occupancy``, ``local_use``, ``break_even_with``, ``break_even_without`` (None when
    never) and ``host_alternative_unit_cost`` (None when the host uses nothing)."""
    o, u = scenario.uncertainty.occupancy.mode, scenario.uncertainty.local_use.mode
    out = evaluate(scenario, o, u).to_dict()
    be = break_even_occupancy(scenario, u)
    out["break_even_with"] = _finite(be["with_agreement"])
    out["break_even_without"] = _finite(be["without_agreement"])
    out["occupancy"], out["local_use"] = o, u
    out["host_alternative_unit_cost"] = scenario.prices.host_alternative_price if out["host_units"] > 0 else None
    return out


def expected_case_sentences(scenario: Scenario, e: dict | None = None) -> list[str]:
    """Two sentences (Markdown, key figures in bold): the provider's and the host's most likely year."""
    e = e or expected_case(scenario)
    cur, per = scenario.currency, per_unit_period(scenario)
    gain = e["provider_gain"]
    provider = (
        f"At {percent(e['occupancy'])} occupancy and {percent(e['local_use'])} local use, the provider makes "
        f"**{money(e['provider_profit'], cur)}** a year with the agreement against "
        f"{money(e['provider_profit_without_agreement'], cur)} without: "
        f"{money(abs(gain), cur)} {'better' if gain >= 0 else 'worse'} off."
    )
    be_with, be_without = e["break_even_with"], e["break_even_without"]
    if be_with is None:
        provider += " It does not break even even when full."
    else:
        without = "never without it" if be_without is None else f"{percent(be_without)} without it"
        provider += f" It breaks even at {percent(be_with)} occupancy with the agreement, {without}."
    unit_cost, alt = e["host_unit_cost"], e["host_alternative_unit_cost"]
    saving = e["host_saving"]
    if unit_cost is None or alt is None:
        host = f"The host uses no {scenario.unit}s here; its net cost is {money(e['host_net_cost'], cur)} a year."
    else:
        host = (
            f"The host pays **{unit_money(unit_cost, cur)}** {per} used, all in, against {unit_money(alt, cur)} "
            f"elsewhere: it {'saves' if saving >= 0 else 'loses'} {money(abs(saving), cur)} a year "
            f"({unit_money(abs(alt - unit_cost), cur)} {per})."
        )
    return [provider, host]


def uncertainty_sentence(scenario: Scenario, summary: dict) -> str:
    """One sentence (Markdown) on both sides' chances and expected gains over the whole uncertainty."""
    cur, unc = scenario.currency, scenario.uncertainty
    return (
        f"Over every occupancy from {percent(unc.occupancy.low)} to {percent(unc.occupancy.high)} and local use "
        f"from {percent(unc.local_use.low)} to {percent(unc.local_use.high)}, the provider is better off with the "
        f"agreement in **{percent(summary['probability_provider_better_off'])}** of outcomes (expected gain "
        f"{money(summary['expected_provider_gain'], cur)} a year; chance of a loss "
        f"{percent(summary['probability_provider_loss'])}), and the host in "
        f"**{percent(summary['probability_host_better_off'])}** (expected saving "
        f"{money(summary['expected_host_saving'], cur)} a year)."
    )
