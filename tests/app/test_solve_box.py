"""The "What would it take?" box under the headline, driven by Streamlit's AppTest: the question, the answer in one
sentence, and Adopt."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from partnership import evaluate, load_scenario, most_likely_point, scenario_from_dict, summarize
from partnership.scenario import scenario_to_dict, set_path
from partnership.solve import solve

from ..conftest import ROOT
from ..support.markdown import as_read
from .test_app import metric, money

CHILDRENS_HOME = ROOT / "presets" / "childrens_home.yaml"


def start() -> AppTest:
    """The page on the default preset, with the box open (it is worked out only while open)."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.session_state["glance_solve"] = True
    return at.run()


def answer(at: AppTest) -> str:
    return " ".join(as_read(s.value) for s in at.success) or " ".join(as_read(i.value) for i in at.info)


def test_the_contribution_that_keeps_the_provider_from_losing_money_at_70_percent_and_adopting_it():
    """On the children's home, the box offers the contribution first; the contribution at which the provider's profit
    is 0 at 70 % occupancy and the most likely local use (60 %) is £19,485 (£19,484.80 exactly, as the model says),
    said in one sentence; Adopt puts it in the contribution's input and the headline's profit at the most likely case
    moves to the adopted scenario's."""
    scenario = load_scenario(CHILDRENS_HOME)
    o, u = most_likely_point(scenario)
    expected = solve(scenario, "agreement.contribution", "provider_profit", 0, at=(0.7, u))
    assert expected.value == pytest.approx(19_484.80, abs=0.005)

    at = start()
    assert not at.exception, at.exception
    before = metric(at, "Provider's profit a year")
    assert at.selectbox(key="solve_field").value == "agreement.contribution"  # the term asked about first
    at.selectbox(key="solve_figure").set_value("provider_profit")
    at.radio(key="solve_where").set_value("point").run()
    assert at.number_input(key="solve_local_use").value == pytest.approx(100 * u)  # starts at the most likely point
    at.number_input(key="solve_occupancy").set_value(70.0).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert answer(at) == (
        "A contribution of £19,485 a year keeps the provider from losing money at 70 % occupancy and 60 % local use; "
        "any less does not."
    )

    at.button(key="solve_adopt").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.number_input(key="agreement.contribution").value == pytest.approx(expected.value, abs=1e-5)
    adopted = scenario_from_dict(set_path(scenario_to_dict(scenario), "agreement.contribution", expected.value))
    after = metric(at, "Provider's profit a year")
    assert after != before
    assert money(after) == pytest.approx(float(evaluate(adopted, o, u).provider_profit), abs=0.5)
    assert "Adopted: Contribution set to £19,485." in " ".join(as_read(i.value) for i in at.info)


def test_in_expectation_and_at_the_most_likely_case_each_answer_as_the_model_does():
    """In expectation the host's saving reaches 0 at the host price the model's goal seek gives for
    expected_host_saving; at the most likely case the answer is the model's at the modes; a target out of reach says
    so plainly with nothing to adopt."""
    scenario = load_scenario(CHILDRENS_HOME)
    at = start()
    at.selectbox(key="solve_field").set_value("prices.host")
    at.selectbox(key="solve_figure").set_value("host_saving")
    at.radio(key="solve_where").set_value("expected").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    r = solve(scenario, "prices.host", "expected_host_saving", 0, at="expected")
    assert "on average over the whole uncertainty" in answer(at)
    assert f"£{r.value:,.0f}" in answer(at)
    at.button(key="solve_adopt").click().run()
    adopted = summarize(scenario_from_dict(set_path(scenario_to_dict(scenario), "prices.host", r.value)))
    assert money(metric(at, "Host's expected saving a year")) == pytest.approx(adopted["expected_host_saving"], abs=0.5)

    at = start()
    at.selectbox(key="solve_field").set_value("agreement.contribution")
    at.selectbox(key="solve_figure").set_value("provider_gain").run()
    r = solve(scenario, "agreement.contribution", "provider_gain", 0, at=most_likely_point(scenario))
    assert f"£{r.value:,.0f} a year" in answer(at) and "at 82.5 % occupancy and 60 % local use" in answer(at)

    at.number_input(key="solve_target").set_value(2e10).run()
    assert not at.success and "No contribution from £0 to £10,000,000,000 a year" in answer(at)
    assert not [b for b in at.button if b.key == "solve_adopt"]


def test_the_box_is_not_worked_out_while_closed():
    """Closed, the box draws nothing inside it (no inputs, no answer): it costs the page nothing on each change."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    assert not at.exception
    assert not [w for w in at.selectbox if w.key == "solve_field"]


def test_the_box_is_not_on_the_projectors_screen():
    """In presentation mode the box is not drawn at all, so the open chart keeps the first screen."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.session_state["presentation"] = True
    at.session_state["glance_solve"] = True
    at.run()
    assert not at.exception
    assert not [e for e in at.expander if e.label == "What would it take?"]
