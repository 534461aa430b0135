"""Partnership Calculator: the model of a local partnership agreement between a host authority
and a care provider (see MODEL.md). Pure Python and numpy; no user interface."""

from .outcomes import OUTCOME_NAMES, Outcome, break_even_occupancy, evaluate
from .scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario_text,
    scenario_from_dict,
    scenario_to_dict,
    scenario_to_json,
    scenario_to_yaml,
    scenario_warnings,
)
from .uncertainty import SUMMARY_NAMES, summarize

__all__ = [
    "OUTCOME_NAMES",
    "Outcome",
    "SUMMARY_NAMES",
    "Scenario",
    "ScenarioError",
    "break_even_occupancy",
    "evaluate",
    "load_scenario",
    "parse_scenario_text",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_json",
    "scenario_to_yaml",
    "scenario_warnings",
    "summarize",
]
