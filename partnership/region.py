"""A region of councils as the host (MODEL.md section 12): each member council's figures, and the split of the
shared payments that leaves every council better off. Each formula once, under its MODEL.md name, vectorised: a
member's value (its share, its alternative price) broadcasts against the region's figures, so members stacked on a
leading axis give every council's figures at every point in one call.

Pure numpy: the region's figures at a point, over a term and under the uncertainty are worked out from these by
:mod:`partnership.councils`.
"""

from __future__ import annotations

import numpy as np

MEMBER_NAMES = [
    "member_host_units",
    "member_host_fees",
    "member_contribution",
    "member_void_payments",
    "member_returns",
    "member_net_cost",
    "member_cost_without_agreement",
    "member_saving",
]
"""The section-12 names of one member council's figures at a point, in MODEL.md order (each the name of the
function here that works it out)."""

__all__ = [
    "MEMBER_NAMES",
    *MEMBER_NAMES,
    "return_shares",
    "region_cost_without_agreement",
    "shared_payments",
    "share_intercepts",
    "everyone_better_off_possible",
    "contribution_share_range",
    "equal_saving",
    "saving_by_use",
]


def member_host_units(use_share, host_units):
    """``s_i * host_units``: the unit-periods a year the council uses (its share of the host's).

    >>> round(float(member_host_units(0.5, 132.6)), 6)
    66.3
    """
    return np.multiply(use_share, host_units)


def member_host_fees(member_host_units, host_price):
    """``member_host_units_i * p_h``: what the council pays the provider for its use, currency a year.

    >>> round(float(member_host_fees(66.3, 4500)), 2)
    298350.0
    """
    return np.multiply(member_host_units, host_price)


def member_contribution(contribution_share, contribution):
    """``w_i * C``: the council's part of the contribution, currency a year.

    >>> float(member_contribution(0.4, 200000))
    80000.0
    """
    return np.multiply(contribution_share, contribution)


def member_void_payments(contribution_share, void_payments):
    """``w_i * void_payments``: the council's part of the payments for empty reserved units, currency a year."""
    return np.multiply(contribution_share, void_payments)


def return_shares(use_shares, contribution_shares, returns_split: str):
    """``q_i``: each council's share of the returns: its use share (``returns_split`` "use") or its contribution
    share ("contribution").

    >>> return_shares((0.5, 0.5), (0.4, 0.6), "contribution")
    (0.4, 0.6)
    """
    return contribution_shares if returns_split == "contribution" else use_shares


def member_returns(return_share, compensation, surplus_share_to_host):
    """``q_i * (compensation + surplus_share_to_host)``: the council's part of what the provider pays the region,
    currency a year (negative when the region pays towards a deficit).

    >>> round(float(member_returns(0.5, 22100, 19839)), 2)
    20969.5
    """
    return np.multiply(return_share, np.add(compensation, surplus_share_to_host))


def member_net_cost(member_contribution, member_host_fees, member_void_payments, member_returns):
    """``member_contribution_i + member_host_fees_i + member_void_payments_i - member_returns_i``: what the agreement
    costs the council, currency a year.

    >>> round(float(member_net_cost(80000, 298350, 0, 20969.5)), 2)
    357380.5
    """
    return member_contribution + member_host_fees + member_void_payments - member_returns


def member_cost_without_agreement(occupied_units, local_use, use_share, local_use_anyway, spot_price, alternative_price):
    """What the council would pay for the same use without the agreement: what it would get locally anyway at the
    spot price, the rest elsewhere at its own alternative price:
    ``occupied_units * (min(s_i * u, u0_i) * p_s + max(s_i * u - u0_i, 0) * p_a,i)``, currency a year.

    >>> round(float(member_cost_without_agreement(176.8, 0.75, 0.3, 0.1, 5500, 6200)), 2)
    234260.0
    """
    use = np.multiply(use_share, local_use)
    anyway = np.minimum(use, local_use_anyway)  # max(s_i * u - u0_i, 0) is what is left of s_i * u after this
    alternative_price = np.asarray(alternative_price, dtype=float)
    # (min * p_s + (s_i * u - min) * p_a,i), as two products and a sum over the whole grid of councils and points
    per_unit = np.multiply(use, alternative_price)
    per_unit = per_unit + np.multiply(anyway, np.subtract(spot_price, alternative_price))
    return np.multiply(occupied_units, per_unit)


def member_saving(member_cost_without_agreement, member_net_cost):
    """``member_cost_without_agreement_i - member_net_cost_i``: what the agreement saves the council, currency a year.

    >>> round(float(member_saving(164424, 170952.2)), 2)
    -6528.2
    """
    return np.subtract(member_cost_without_agreement, member_net_cost)


def region_cost_without_agreement(occupied_units, local_use, use_shares, local_use_anyway, spot_price, alternative_prices):
    """The host's cost without the agreement when the host is a region: ``sum_i member_cost_without_agreement_i``
    (section 12; section 8's formula when every member takes its defaults), currency a year.

    >>> round(float(region_cost_without_agreement(176.8, 0.75, (0.5, 0.3, 0.2), (0, 0.1, 0), 5500, (6400, 6200, 6200))))
    823004
    """
    total = 0.0
    for s, u0, p_a in zip(use_shares, local_use_anyway, alternative_prices):
        total = total + member_cost_without_agreement(occupied_units, local_use, s, u0, spot_price, p_a)
    return total


# ----------------------------------------------------------------------------------------------
# The split of the shared payments that leaves every council better off


def shared_payments(expected_contribution, expected_void_payments, host_set_up=0.0, expected_returns=None):
    """``X``: the expected shared payments, ``C + void_payments`` (each discounted over a term, with the host's set-up
    share ``s_K * K``), less the returns when they are divided by contribution (``expected_returns``; None when
    divided by use), currency.

    >>> shared_payments(200000.0, 0.0)
    200000.0
    """
    x = float(expected_contribution) + float(expected_void_payments) + float(host_set_up)
    return x - float(expected_returns) if expected_returns is not None else x


def share_intercepts(expected_savings, contribution_shares, shared):
    """``A_i = E[saving_i] + w_i * X``: each council's expected saving were it to pay none of the shared payments
    (its expected saving is ``A_i - w_i * X``, affine in its share), currency.

    >>> [round(a, 2) for a in share_intercepts([100.0, -50.0], [0.5, 0.5], 200.0)]
    [200.0, 50.0]
    """
    return [float(e) + float(w) * float(shared) for e, w in zip(expected_savings, contribution_shares)]


def everyone_better_off_possible(intercepts, shared) -> bool:
    """Whether some contribution shares (each in [0, 1], adding up to 1) leave every council's expected saving at
    least 0: with ``X > 0`` when every ``A_i >= 0`` and ``sum_i A_i >= X``; with ``X < 0`` when
    ``sum_i max(0, A_i / X) <= 1``; with ``X = 0`` when every ``A_i >= 0``.

    >>> everyone_better_off_possible([150.0, 80.0], 200.0), everyone_better_off_possible([150.0, 30.0], 200.0)
    (True, False)
    """
    a = np.asarray(intercepts, dtype=float)
    x = float(shared)
    if x > 0:
        return bool(np.all(a >= 0) and a.sum() >= x)
    if x < 0:
        return bool(np.sum(np.maximum(0.0, a / x)) <= 1)
    return bool(np.all(a >= 0))


def contribution_share_range(intercepts, shared) -> list[tuple[float, float] | None]:
    """Each council's range of contribution shares within which the others' shares can be set so that every council
    is better off in expectation: with ``X > 0``, ``[max(0, 1 - sum_(j != i) c_j), c_i]``, ``c_j = min(1, max(0,
    A_j / X))``; with ``X < 0``, ``[l_i, min(1, 1 - sum_(j != i) l_j)]``, ``l_j = max(0, A_j / X)``; with ``X = 0``,
    ``[0, 1]``; None for every council when nobody-worse-off is impossible.

    >>> [(round(lo, 6), round(hi, 6)) for lo, hi in contribution_share_range([150.0, 80.0], 200.0)]
    [(0.6, 0.75), (0.25, 0.4)]
    """
    a = np.asarray(intercepts, dtype=float)
    x = float(shared)
    if not everyone_better_off_possible(a, x):
        return [None] * len(a)
    if x == 0:
        return [(0.0, 1.0)] * len(a)
    if x > 0:
        c = np.minimum(1.0, np.maximum(0.0, a / x))
        return [(float(max(0.0, 1.0 - (c.sum() - c[i]))), float(c[i])) for i in range(len(a))]
    low = np.maximum(0.0, a / x)
    return [(float(low[i]), float(min(1.0, 1.0 - (low.sum() - low[i])))) for i in range(len(a))]


def _rule(shares, shared) -> dict | None:
    if float(shared) == 0:
        return None
    shares = [float(w) for w in shares]
    return {"contribution_shares": shares, "possible": bool(all(0.0 <= w <= 1.0 for w in shares))}


def equal_saving(intercepts, shared) -> dict | None:
    """The contribution shares at which every council saves the same in expectation (the Nash point with equal
    weights): ``(A_i - G / n) / X`` with ``G = sum_i A_i - X`` the region's expected saving, as
    ``{contribution_shares, possible}``, possible when every share is within [0, 1]; None when ``X = 0``.

    >>> equal_saving([150.0, 80.0], 200.0)
    {'contribution_shares': [0.675, 0.325], 'possible': True}
    """
    a = np.asarray(intercepts, dtype=float)
    x = float(shared)
    if x == 0:
        return None
    g = a.sum() - x
    return _rule((a - g / len(a)) / x, x)


def saving_by_use(intercepts, use_shares, shared) -> dict | None:
    """The contribution shares at which each council's expected saving is in proportion to its use (weights
    ``s_i``): ``(A_i - s_i * G) / X``, as ``{contribution_shares, possible}``; None when ``X = 0``.

    >>> saving_by_use([150.0, 80.0], [0.5, 0.5], 200.0)
    {'contribution_shares': [0.675, 0.325], 'possible': True}
    """
    a = np.asarray(intercepts, dtype=float)
    x = float(shared)
    if x == 0:
        return None
    g = a.sum() - x
    return _rule((a - np.asarray(use_shares, dtype=float) * g) / x, x)
