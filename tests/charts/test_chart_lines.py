"""The lines a map draws are worked out on the server (not traced by the browser): they lie where the model says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from charts.figures import outcome_heatmaps, zero_lines
from partnership import evaluate, evaluate_grid, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_straight_crossing_is_found_exactly():
    """Where a figure changes sign along a straight line, the map's break-even line lies exactly on it, from the bottom
    edge of the map to the top."""
    x, y = np.linspace(0, 100, 11), np.linspace(0, 100, 6)
    z = np.broadcast_to(x - 35.0, (y.size, x.size))
    lx, ly = zero_lines(x, y, z)
    assert lx.size >= 2
    assert np.allclose(lx[np.isfinite(lx)], 35.0)
    assert set(np.round(ly[np.isfinite(ly)], 9)) >= {0.0, 100.0}  # from the bottom edge to the top


def test_separate_lines_are_parted_by_a_gap_and_no_crossing_gives_none():
    """Two separate break-even curves are drawn as two lines parted by one gap, each on its curve; a figure that never
    changes sign draws no line."""
    x = y = np.linspace(-1, 1, 41)
    xx, yy = np.meshgrid(x, y)
    two = np.minimum((xx + 0.5) ** 2 + yy**2, (xx - 0.5) ** 2 + yy**2) - 0.3**2  # two separate circles
    lx, ly = zero_lines(x, y, two)
    finite = np.isfinite(lx)
    assert (~finite).sum() == 1  # one gap between the two lines
    r = np.minimum(np.hypot(lx[finite] + 0.5, ly[finite]), np.hypot(lx[finite] - 0.5, ly[finite]))
    assert np.allclose(r, 0.3, atol=0.01)
    empty = zero_lines(x, y, np.ones_like(two))
    assert empty[0].size == 0 and empty[1].size == 0


@pytest.mark.parametrize("preset", ["childrens_home", "homecare_rural", "regional_group"])
def test_the_maps_break_even_lines_are_where_the_models_gain_changes_sign(preset):
    """Every point of each side's break-even line lies on an edge of the map's grid; within one grid step either
    side of it along that edge, the model's own gain (evaluated afresh, not read from the map) changes sign."""
    s = load_scenario(ROOT / "presets" / f"{preset}.yaml")
    steps = 51
    fig = outcome_heatmaps(s, evaluate_grid(s, steps))
    step = 1 / (steps - 1)
    checked = 0
    for name, gain in (("Provider breaks even", "provider_gain"), ("Host breaks even", "host_saving")):
        line = next(t for t in fig.data if t.name.startswith(name))
        assert line.type == "scatter" and line.mode == "lines"
        points = np.column_stack([np.asarray(line.x, dtype=float), np.asarray(line.y, dtype=float)]) / 100
        points = points[np.isfinite(points[:, 0])]
        assert len(points), name
        for o, u in points:
            on_row = np.isclose(u / step, round(u / step), atol=1e-6)
            if on_row:  # the line crosses this row of the grid between two occupancies
                a, b = evaluate(s, max(o - step, 0.0), u), evaluate(s, min(o + step, 1.0), u)
            else:  # it crosses this column between two local uses
                a, b = evaluate(s, o, max(u - step, 0.0)), evaluate(s, o, min(u + step, 1.0))
            ga, gb = float(getattr(a, gain)), float(getattr(b, gain))
            assert ga * gb <= 0 or min(abs(ga), abs(gb)) < 1.0, (name, o, u, ga, gb)
            checked += 1
    assert checked >= 20
