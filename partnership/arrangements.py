"""Other ways to buy the same service (MODEL.md section 13): the agreement beside spot purchasing, a block contract, a
fixed-price framework at the host price, and the scenario's own arrangements, each under the same uncertainty.

Every arrangement but spot is the scenario with another agreement (and perhaps its own host price and uplifts):
:func:`arrangement_scenarios` builds them, so any view can evaluate one at a point as it evaluates the scenario.
Spot is no agreement: its figures are the scenario's "without the agreement" ones (sections 2 and 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inputs import inputs_of
from .outcomes import evaluate_inputs
from .scenario import BUILT_IN_ARRANGEMENTS, Agreement, Arrangement, Reservation, Scenario
from .uncertainty import SUMMARY_RESOLUTION, quadrature, summarize, weighted_percentile

__all__ = [
    "ARRANGEMENT_NAMES",
    "ARRANGEMENT_TERM_NAMES",
    "ARRANGEMENT_LABELS",
    "BUILT_IN_ARRANGEMENTS",
    "ArrangementResult",
    "arrangement_scenarios",
    "arrangement_scenario",
    "block_contract_agreement",
    "provider_risk",
    "host_risk",
    "arrangements",
]

ARRANGEMENT_NAMES = [
    "expected_provider_profit",
    "expected_host_net_cost",
    "provider_profit_p10",
    "provider_profit_p90",
    "host_net_cost_p10",
    "host_net_cost_p90",
    "expected_provider_gain",
    "expected_host_saving",
    "probability_provider_better_off",
    "probability_host_better_off",
    "provider_risk",
    "host_risk",
]
"""The figures of each arrangement (section 13), year 1's money; the probabilities are None (null) for spot."""

ARRANGEMENT_TERM_NAMES = ["expected_npv_provider_gain", "expected_npv_host_saving"]
"""The figures each arrangement adds when the term runs more than one year (0 for spot)."""

ARRANGEMENT_LABELS = {
    "expected_provider_profit": "Provider's expected profit",
    "expected_host_net_cost": "Host's expected net cost",
    "provider_profit_p10": "Provider's profit, P10",
    "provider_profit_p90": "Provider's profit, P90",
    "host_net_cost_p10": "Host's net cost, P10",
    "host_net_cost_p90": "Host's net cost, P90",
    "expected_provider_gain": "Provider's expected gain",
    "expected_host_saving": "Host's expected saving",
    "probability_provider_better_off": "Chance the provider is better off",
    "probability_host_better_off": "Chance the host is better off",
    "provider_risk": "Provider's risk (P90 less P10 of its profit)",
    "host_risk": "Host's risk (P90 less P10 of its net cost)",
    "expected_npv_provider_gain": "Provider's expected NPV",
    "expected_npv_host_saving": "Host's expected NPV",
}
"""A person's name for each arrangement figure, for tables and exports."""

SPOT, AGREEMENT, BLOCK, PRICE_ONLY = BUILT_IN_ARRANGEMENTS


def block_contract_agreement(scenario: Scenario) -> Agreement:
    """The block contract's agreement: ``{reservation: {units: N, void_price: p_h}}`` and nothing else. N is the
    capacity (MODEL.md's N): the host reserves every place (every hour) and pays the host price for each one left
    empty, so the provider carries no occupancy risk; on section 1's scenario this gives the expected provider
    profit of about 127,500 that section 15 gives (a reservation of the agreement's own units would not)."""
    return Agreement(reservation=Reservation(units=scenario.service.capacity, void_price=scenario.prices.host))


def _with(scenario: Scenario, agreement: Agreement, own: Arrangement | None = None) -> Scenario:
    """The scenario with another agreement, and an arrangement's own host price and uplifts where it gives them."""
    out = scenario.model_copy(deep=True)
    out.agreement = agreement.model_copy(deep=True)
    out.arrangements = None
    if own is not None:
        if own.prices.host is not None:
            out.prices.host = own.prices.host
        for name in ("host_price", "contribution"):
            rate = getattr(own.term.indexation, name)
            if rate is not None:
                setattr(out.term.indexation, name, rate)
    return out


def arrangement_scenarios(scenario: Scenario) -> list[tuple[str, Scenario | None]]:
    """Every arrangement compared, in section 13's order: ``(name, its scenario)``, the scenario None for spot (no
    agreement: its figures are the "without the agreement" ones). The agreement's is the scenario itself."""
    out: list[tuple[str, Scenario | None]] = [
        (SPOT, None),
        (AGREEMENT, scenario),
        (BLOCK, _with(scenario, block_contract_agreement(scenario))),
        (PRICE_ONLY, _with(scenario, Agreement())),
    ]
    out += [(a.name, _with(scenario, a.agreement, a)) for a in scenario.arrangements or []]
    return out


def arrangement_scenario(scenario: Scenario, name: str) -> Scenario | None:
    """The scenario of the arrangement called ``name`` (None for spot). Raises KeyError for a name not compared."""
    for found, s in arrangement_scenarios(scenario):
        if found == name:
            return s
    raise KeyError(f"{name}: no such arrangement")


def provider_risk(provider_profit_p10: float, provider_profit_p90: float) -> float:
    """``provider_risk = provider_profit_p90 - provider_profit_p10``: the spread of the provider's profit."""
    return provider_profit_p90 - provider_profit_p10


def host_risk(host_net_cost_p10: float, host_net_cost_p90: float) -> float:
    """``host_risk = host_net_cost_p90 - host_net_cost_p10``: the spread of the host's net cost."""
    return host_net_cost_p90 - host_net_cost_p10


@dataclass(frozen=True)
class ArrangementResult:
    """One arrangement's figures under the uncertainty: ``figures`` keyed by :data:`ARRANGEMENT_NAMES` (and, over a
    term, :data:`ARRANGEMENT_TERM_NAMES`), floats or None; ``kind`` is ``spot``, ``agreement``, ``block``,
    ``price_only`` or ``own`` (one of the scenario's own)."""

    name: str
    kind: str
    figures: dict

    def to_dict(self) -> dict:
        """``{name, every figure}``, as the command line prints it."""
        return {"name": self.name, **self.figures}


def _spread(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    p10, p90 = weighted_percentile(values, weights, [0.1, 0.9])
    return float(p10), float(p90)


def _figures(profit, cost, weights, summary: dict | None, years: int) -> dict:
    """The section-13 figures from the profit and net cost at the quadrature's points and, but for spot, the
    arrangement's section-3 (and section-10) summary."""
    pp10, pp90 = _spread(profit, weights)
    hc10, hc90 = _spread(cost, weights)
    out = {
        "expected_provider_profit": float(weights @ profit),
        "expected_host_net_cost": float(weights @ cost),
        "provider_profit_p10": pp10,
        "provider_profit_p90": pp90,
        "host_net_cost_p10": hc10,
        "host_net_cost_p90": hc90,
        "expected_provider_gain": 0.0 if summary is None else summary["expected_provider_gain"],
        "expected_host_saving": 0.0 if summary is None else summary["expected_host_saving"],
        "probability_provider_better_off": None if summary is None else summary["probability_provider_better_off"],
        "probability_host_better_off": None if summary is None else summary["probability_host_better_off"],
        "provider_risk": provider_risk(pp10, pp90),
        "host_risk": host_risk(hc10, hc90),
    }
    if years > 1:
        for name in ARRANGEMENT_TERM_NAMES:
            out[name] = 0.0 if summary is None else summary[name]
    return out


_KINDS = {SPOT: "spot", AGREEMENT: "agreement", BLOCK: "block", PRICE_ONLY: "price_only"}


def arrangements(scenario: Scenario, cells: int = SUMMARY_RESOLUTION) -> list[ArrangementResult]:
    """Section 13: Spot, The agreement, Block contract, Host price only, then the scenario's own arrangements, each
    with :data:`ARRANGEMENT_NAMES` under the scenario's uncertainty (year 1's money), and over a term of more than
    one year the expected NPVs of each side's gain (0 for spot).

    >>> from partnership.examples import example_scenario
    >>> [(a.name, round(a.figures["expected_provider_profit"], -2)) for a in arrangements(example_scenario())][:3]
    [('Spot', 83300.0), ('The agreement', 114800.0), ('Block contract', 127500.0)]
    """
    out = []
    years = scenario.term.years
    for name, s in arrangement_scenarios(scenario):
        base = scenario if s is None else s
        o, u, w = quadrature(base, cells).flat
        r = evaluate_inputs(inputs_of(base), o, u)
        if s is None:
            figures = _figures(r.provider_profit_without_agreement, r.host_cost_without_agreement, w, None, years)
        else:
            figures = _figures(r.provider_profit, r.host_net_cost, w, summarize(s, cells), years)
        out.append(ArrangementResult(name, _KINDS.get(name, "own"), figures))
    return out
