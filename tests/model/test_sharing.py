"""Sharing bands (step and linear) at and around their edges; the pain share and its cap."""

import numpy as np
import pytest

from partnership import evaluate, scenario_from_dict
from partnership.sharing import host_share_rate, surplus_share_to_host

STARTS, SHARES = (0.0, 0.5, 0.8), (0.0, 0.25, 0.5)


@pytest.mark.parametrize(
    "u, expected",
    [(0.0, 0.0), (0.4999999, 0.0), (0.5, 0.25), (0.5000001, 0.25), (0.7999999, 0.25), (0.8, 0.5), (1.0, 0.5)],
)
def test_step_takes_the_last_band_started(u, expected):
    """With step interpolation the host's share is that of the last sharing band started at or below the local use,
    exactly from each band's edge."""
    assert float(host_share_rate(u, STARTS, SHARES, "step")) == expected


@pytest.mark.parametrize(
    "u, expected",
    [(0.0, 0.0), (0.25, 0.125), (0.5, 0.25), (0.65, 0.375), (0.8, 0.5), (0.9, 0.5), (1.0, 0.5)],
)
def test_linear_joins_the_band_points_and_is_flat_after_the_last(u, expected):
    """With linear interpolation the host's share runs in straight lines between the band points and stays flat after
    the last band."""
    assert float(host_share_rate(u, STARTS, SHARES, "linear")) == pytest.approx(expected, abs=1e-12)


def test_linear_is_continuous_and_step_jumps_at_edges():
    """At a band edge the linear host's share does not jump, while the step share jumps by the whole difference between
    the bands."""
    for edge in (0.5, 0.8):
        below, above = edge - 1e-9, edge + 1e-9
        lin = host_share_rate(np.array([below, above]), STARTS, SHARES, "linear")
        step = host_share_rate(np.array([below, above]), STARTS, SHARES, "step")
        assert abs(lin[1] - lin[0]) < 1e-6
        assert step[1] - step[0] == pytest.approx(0.25)


def test_falling_bands_are_allowed():
    """A host's share that falls as local use rises is applied as given, step or linear."""
    assert float(host_share_rate(0.9, (0.0, 0.5), (0.4, 0.1), "step")) == pytest.approx(0.1)
    assert float(host_share_rate(0.25, (0.0, 0.5), (0.4, 0.1), "linear")) == pytest.approx(0.25)


def test_band_values_may_be_arrays():
    """Band shares may be arrays, as when a band's share is searched: the host's share rate comes out for every share
    and every local use at once."""
    shares = (0.0, np.array([0.1, 0.2, 0.3])[:, None], 0.5)
    rate = host_share_rate(np.array([0.6, 0.9]), STARTS, shares, "step")
    assert rate.shape == (3, 2)
    assert rate[:, 0].tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert rate[:, 1].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_no_share_below_the_target():
    """The host gets no share of a surplus below the target margin, and above it a share of only the part above the
    target."""
    assert float(surplus_share_to_host(80_000, 85_304, 0.5, 0.0, np.inf)) == 0.0
    assert float(surplus_share_to_host(95_304, 85_304, 0.5, 0.0, np.inf)) == pytest.approx(5_000)


def test_pain_share_and_cap():
    """With a pain share the host bears its share of a deficit up to the loss cap; with no pain share it bears none."""
    assert float(surplus_share_to_host(-100_000, 0, 0.5, 0.3, np.inf)) == pytest.approx(-30_000)
    assert float(surplus_share_to_host(-100_000, 0, 0.5, 0.3, 20_000)) == pytest.approx(-20_000)
    assert float(surplus_share_to_host(-10_000, 0, 0.5, 0.3, 20_000)) == pytest.approx(-3_000)
    assert float(surplus_share_to_host(-100_000, 0, 0.5, 0.0, 20_000)) == 0.0


def test_pain_share_through_the_model(example_dict):
    """In a deficit the host pays its capped pain share to the provider: it is added to provider profit and to the
    host's net cost alike."""
    example_dict["service"]["fixed_cost"] = 1_500_000
    example_dict["agreement"]["sharing"].update(loss_share=0.5, loss_cap=100_000)
    s = scenario_from_dict(example_dict)
    r = evaluate(s, 0.6, 0.75)
    assert float(r.surplus_before_sharing) < -200_000
    assert float(r.surplus_share_to_host) == pytest.approx(-100_000)
    assert float(r.provider_profit) == pytest.approx(float(r.surplus_before_sharing) + 100_000)
    assert float(r.host_net_cost) == pytest.approx(200_000 + float(r.host_fees) - float(r.compensation) + 100_000)


def test_step_vs_linear_in_the_model(example_dict):
    """Between two band starts of the worked example, linear interpolation gives the host a higher share rate (0.375,
    not 0.25) and a larger surplus share than step."""
    step = evaluate(scenario_from_dict(example_dict), 0.85, 0.65)
    example_dict["agreement"]["sharing"]["interpolation"] = "linear"
    linear = evaluate(scenario_from_dict(example_dict), 0.85, 0.65)
    assert float(step.host_share_rate) == 0.25
    assert float(linear.host_share_rate) == pytest.approx(0.375)
    assert float(linear.surplus_share_to_host) > float(step.surplus_share_to_host)
