"""Every preset validates, cites its sources, labels its estimates and gives sensible figures."""

import numpy as np
import pytest

from partnership import break_even_occupancy, load_scenario, scenario_warnings, summarize

from .conftest import PRESETS


def test_there_are_at_least_four():
    assert len(PRESETS) >= 4


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset(path):
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
