"""The page's cache finds Find terms' search already done when only a term the search sets itself has changed."""

from __future__ import annotations

import numpy as np

from partnership import scenario_from_dict, sweep
from partnership.negotiation import default_axes
from partnership.scenario import scenario_to_dict, set_path
from ui import compute


def _variant(scenario, path, value):
    return scenario_from_dict(set_path(scenario_to_dict(scenario), path, value))


def test_an_edit_to_a_searched_term_asks_the_same_question(example):
    """Changing the contribution or the top band's share, the two terms searched first, gives the same cache key;
    changing another input (the fixed cost) does not."""
    x, y = default_axes(example)
    key = compute.sweep_key(compute.key(example), x[0], y[0])
    for path, value in ((x[0], 123_456.0), (y[0], 0.9)):
        assert compute.sweep_key(compute.key(_variant(example, path, value)), x[0], y[0]) == key, path
    other = _variant(example, "service.fixed_cost", 900_000.0)
    assert compute.sweep_key(compute.key(other), x[0], y[0]) != key


def test_the_reused_search_is_the_search(example):
    """The search on the scenario the cache keys it by gives exactly the figures of the search on the scenario as
    it stands, for each term the key sets aside."""
    for path in sorted(compute.SWEEP_BLIND):
        other = "agreement.sharing.bands[2].host_share"
        x, y = (path, 0.5 * 5_000, 1.5 * 5_000, 5), (other, 0.0, 1.0, 4)
        if path == "agreement.contribution":
            x = (path, 0.0, 400_000.0, 5)
        s = _variant(example, path, x[1] * 1.1 + 1)
        keyed = compute._scenario(compute.sweep_key(compute.key(s), x[0], y[0]))
        assert compute.key(keyed) != compute.key(s)
        a, b = sweep(s, x, y), sweep(keyed, x, y)
        assert np.array_equal(a.expected_provider_gain, b.expected_provider_gain), path
        assert np.array_equal(a.expected_host_saving, b.expected_host_saving), path
        assert a.balanced == b.balanced, path


def test_linear_bands_keep_their_shares_in_the_key(example_dict):
    """With linear bands a band's share shapes the integration, so the key keeps the scenario's own share."""
    example_dict["agreement"]["sharing"]["interpolation"] = "linear"
    s = scenario_from_dict(example_dict)
    x, y = default_axes(s)
    key = compute.sweep_key(compute.key(s), x[0], y[0])
    assert compute.sweep_key(compute.key(_variant(s, y[0], 0.9)), x[0], y[0]) != key


def test_the_headline_is_read_from_the_summary_where_the_open_view_shows_it(monkeypatch):
    """On the Risk view, whose curves and table take the whole summary, the headline's figures come from that summary
    (the headline's own smaller evaluation is never asked for); on Every outcome from the headline's own; the six
    figures are the same on both."""
    from streamlit.testing.v1 import AppTest

    from ..conftest import ROOT

    asked = []
    headline = compute.headline
    monkeypatch.setattr(compute, "headline", lambda text: asked.append(text) or headline(text))
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.run()
    first = [(m.label, m.value) for m in at.metric]
    assert asked and len(first) == 6
    asked.clear()
    at.session_state["view"] = "Risk"
    at.run()
    assert not at.exception
    assert asked == []
    assert [(m.label, m.value) for m in at.metric] == first


def test_a_shared_result_is_worked_out_once_for_every_session():
    """ui.memo.shared: two sessions' threads asking for the same new key get one evaluation and the same object; the
    cache keeps only its most recent keys; a failure is not kept; a default given or left out is one key."""
    import threading
    import time

    from ui.memo import shared

    calls, release = [], threading.Event()

    @shared(maxsize=2)
    def work(key: str, scale: int = 1):
        calls.append(key)
        if key == "slow":
            release.wait(5)
        if key == "fails" and calls.count("fails") == 1:
            raise ValueError("first time")
        return [key] * scale

    got = []
    threads = [threading.Thread(target=lambda: got.append(work("slow"))) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.2)  # both asking: one working it out, the other waiting for it
    release.set()
    for t in threads:
        t.join(5)
    assert calls == ["slow"] and len(got) == 2 and got[0] is got[1]
    assert work("slow", 1) is got[0] and work("slow", scale=1) is got[0]  # the default, given or not: one key
    work("a"), work("b")  # two more: "slow" is the oldest and goes
    assert work("slow") is not got[0] and calls.count("slow") == 2
    try:
        work("fails")
    except ValueError:
        pass
    assert work("fails") == ["fails"] and calls.count("fails") == 2
