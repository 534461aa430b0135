"""Partnership Calculator: the model of a local partnership agreement between a host authority
and a care provider (see MODEL.md). Pure Python, numpy and pydantic; no user interface."""

from .fields import FIELDS, FieldSpec, field_label, spec
from .negotiation import Axis, SweepResult, sweep
from .outcomes import OUTCOME_NAMES, Outcome, break_even_occupancy, evaluate, evaluate_grid, gain_tolerance
from .problems import Problem
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
    warning_details,
)
from .uncertainty import SUMMARY_NAMES, most_likely_case, most_likely_point, summarize

__all__ = [
    "Axis",
    "FIELDS",
    "FieldSpec",
    "OUTCOME_NAMES",
    "Outcome",
    "Problem",
    "SUMMARY_NAMES",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "break_even_occupancy",
    "evaluate",
    "evaluate_grid",
    "field_label",
    "gain_tolerance",
    "load_scenario",
    "most_likely_case",
    "most_likely_point",
    "parse_scenario_text",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_json",
    "scenario_to_yaml",
    "scenario_warnings",
    "spec",
    "summarize",
    "sweep",
    "warning_details",
]
