"""Every MODEL.md section-1 rule, asserted by its plain-English message naming the field."""

import json

import pytest

from partnership import ScenarioError, load_scenario, scenario_from_dict, scenario_warnings
from partnership.scenario import parse_scenario_text, scenario_to_yaml


def problems(doc):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(doc)
    return info.value.problems


def with_value(doc, path, value):
    from partnership.scenario import set_path

    return set_path(doc, path, value)


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("service.capacity", 0, "service.capacity: must be > 0, got 0"),
        ("service.capacity", -4, "service.capacity: must be > 0, got -4"),
        ("service.periods_per_year", 0, "service.periods_per_year: must be > 0, got 0"),
        ("service.fixed_cost", -1, "service.fixed_cost: must be >= 0, got -1"),
        ("service.variable_cost", -0.5, "service.variable_cost: must be >= 0, got -0.5"),
        ("prices.host", -5, "prices.host: must be >= 0, got -5"),
        ("prices.external", -5, "prices.external: must be >= 0, got -5"),
        ("prices.spot", -5, "prices.spot: must be >= 0, got -5"),
        ("prices.host_alternative", -5, "prices.host_alternative: must be >= 0, got -5"),
        ("agreement.contribution", -1, "agreement.contribution: must be >= 0, got -1"),
        ("agreement.compensation.per_external_unit", -1, "agreement.compensation.per_external_unit: must be >= 0"),
        ("agreement.compensation.premium_share", 1.5, "agreement.compensation.premium_share: must be <= 1, got 1.5"),
        ("agreement.compensation.premium_share", -0.1, "agreement.compensation.premium_share: must be >= 0"),
        ("agreement.sharing.target_margin", -0.1, "agreement.sharing.target_margin: must be >= 0, got -0.1"),
        ("agreement.sharing.loss_share", 2, "agreement.sharing.loss_share: must be <= 1, got 2"),
        ("agreement.sharing.loss_cap", -1, "agreement.sharing.loss_cap: must be >= 0, got -1"),
        ("agreement.sharing.interpolation", "smooth", "agreement.sharing.interpolation: must be one of 'step' or"),
        ("agreement.sharing.bands[1].host_share", 1.2, "agreement.sharing.bands[1].host_share: must be <= 1, got 1.2"),
        ("agreement.sharing.bands[1].host_share", -0.2, "agreement.sharing.bands[1].host_share: must be >= 0"),
        ("agreement.sharing.bands[2].from_local_use", 1.1, "agreement.sharing.bands[2].from_local_use: must be <= 1"),
        ("agreement.sharing.bands[0].from_local_use", 0.1, "agreement.sharing.bands: the first band must start at"),
        (
            "agreement.sharing.bands[2].from_local_use",
            0.5,
            "agreement.sharing.bands: each band must start at a higher local use than the one before",
        ),
        (
            "agreement.sharing.bands[2].from_local_use",
            0.3,
            "agreement.sharing.bands: each band must start at a higher local use than the one before",
        ),
        ("agreement.sharing.bands", [], "agreement.sharing.bands: needs at least one band"),
        ("uncertainty.occupancy.low", 0.9, "uncertainty.occupancy: needs low <= mode <= high, got low 0.9"),
        ("uncertainty.local_use.high", 0.6, "uncertainty.local_use: needs low <= mode <= high"),
        ("uncertainty.occupancy.high", 1.2, "uncertainty.occupancy.high: must be <= 1, got 1.2"),
        ("uncertainty.local_use.low", -0.1, "uncertainty.local_use.low: must be >= 0, got -0.1"),
        ("service.fixed_cost", float("nan"), "service.fixed_cost: must be a finite number, got nan"),
        ("prices.host", float("inf"), "prices.host: must be a finite number, got inf"),
        ("prices.host", "cheap", "prices.host: must be a number, got 'cheap'"),
        ("service.capacity", None, "service.capacity: must be a number"),
        ("name", 5, "name: must be text, got 5"),
    ],
)
def test_rule_message_names_the_field(example_dict, path, value, message):
    """Every scenario rule, when broken, is reported by a plain message that starts with the field's path and says what
    the rule asks for."""
    found = problems(with_value(example_dict, path, value))
    assert any(p.startswith(message) for p in found), found


def test_unknown_fields_are_errors_with_the_allowed_names(example_dict):
    """An unknown field, such as a typo, is an error naming it and the allowed names, the intended one among them."""
    example_dict["agreement"]["compensation"]["premium_shar"] = 0.3
    example_dict["colour"] = "red"
    found = problems(example_dict)
    assert any(
        p.startswith("agreement.compensation.premium_shar: is not a known field") and "premium_share" in p
        for p in found
    ), found
    assert any(p.startswith("colour: is not a known field") for p in found), found


def test_missing_required_fields(example_dict):
    """A missing required field or section is reported by its path as required but missing."""
    del example_dict["service"]["capacity"]
    del example_dict["prices"]
    found = problems(example_dict)
    assert "service.capacity: is required but missing" in found
    assert "prices: is required but missing" in found


def test_every_problem_is_reported_at_once(example_dict):
    """Every problem in a scenario is reported at once, not just the first."""
    example_dict["prices"]["host"] = -5
    example_dict["service"]["capacity"] = 0
    assert len(problems(example_dict)) == 2


def test_defaults(example_dict):
    """Fields left out take the stated defaults: 52 periods, £, spot at the external price, host alternative at spot, no
    contribution, one band with no host share, step, no loss cap and the default ranges."""
    doc = {"service": {"capacity": 4, "fixed_cost": 1, "variable_cost": 1}, "prices": {"host": 10, "external": 12}}
    s = scenario_from_dict(doc)
    assert s.service.periods_per_year == 52 and s.currency == "£"
    assert s.prices.spot_price == 12 and s.prices.host_alternative_price == 12
    assert s.agreement.contribution == 0 and s.agreement.sharing.interpolation == "step"
    assert [(b.from_local_use, b.host_share) for b in s.agreement.sharing.bands] == [(0, 0)]
    assert s.agreement.sharing.loss_cap is None
    occ, use = s.uncertainty.occupancy, s.uncertainty.local_use
    assert (occ.low, occ.mode, occ.high) == (0.6, 0.85, 1.0)
    assert (use.low, use.mode, use.high) == (0.5, 0.8, 1.0)
    doc["prices"]["spot"] = 11
    assert scenario_from_dict(doc).prices.host_alternative_price == 11


def test_falling_bands_warn_but_load(example_dict):
    """A host's share that falls as local use rises still loads, with one warning naming that band's share."""
    example_dict["agreement"]["sharing"]["bands"][2]["host_share"] = 0.1
    s = scenario_from_dict(example_dict)
    warnings = scenario_warnings(s)
    assert len(warnings) == 1 and warnings[0].startswith("agreement.sharing.bands[2].host_share: falls")


def test_escalating_bands_do_not_warn(example):
    """Sharing bands whose host share escalates with local use, as in the worked example, raise no warning."""
    assert scenario_warnings(example) == []


def test_fixed_value_uncertainty_is_valid(example_dict):
    """A range whose lowest, most likely and highest are equal (a fixed value) is valid."""
    example_dict["uncertainty"]["occupancy"] = {"low": 0.7, "mode": 0.7, "high": 0.7}
    scenario_from_dict(example_dict)


def test_files_yaml_json_and_their_errors(tmp_path, example):
    """A scenario reads the same from YAML and JSON; a missing file, bad YAML (with its line), an empty file or one that
    is not a set of fields is refused plainly."""
    yaml_path = tmp_path / "s.yaml"
    yaml_path.write_text(scenario_to_yaml(example), encoding="utf-8")
    json_path = tmp_path / "s.json"
    json_path.write_text(json.dumps(example.model_dump(mode="json")), encoding="utf-8")
    assert load_scenario(yaml_path) == example == load_scenario(json_path)
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: [1, 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"not valid YAML or JSON \(line 2"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="the file is empty"):
        parse_scenario_text("", "x.yaml")
    with pytest.raises(ScenarioError, match="must be a set of fields"):
        parse_scenario_text("- 1\n- 2\n", "x.yaml")
