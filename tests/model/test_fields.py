"""The field registry is the one description of every scenario field: the schema, the formulas' terms, the
sweep, the app's inputs and the exports all agree with it."""

from __future__ import annotations

import copy
import types
import typing

import pytest
from pydantic import BaseModel

from partnership import FIELDS, Scenario, ScenarioError, evaluate, scenario_from_dict, spec
from partnership.fields import (
    KINDS,
    REQUIRED,
    field_label,
    input_step,
    negotiable_paths,
    numeric_paths,
    unit_text,
    value_of,
)
from partnership.formats import field_value
from partnership.inputs import INPUT_OF_PATH, Inputs, inputs_of


def schema_leaves(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, object]:
    """Every leaf field of the pydantic schema by dotted path (``[i]`` for list items), with its FieldInfo."""
    out = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = info.annotation
        arms = [a for a in typing.get_args(ann) if a is not type(None)]
        if typing.get_origin(ann) in (typing.Union, types.UnionType) and len(arms) == 1:
            ann = arms[0]  # an optional part (the cost build-up, a list of items): its fields are the leaves
        args = typing.get_args(ann)
        inner = args[0] if typing.get_origin(ann) is list else ann
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out.update(schema_leaves(inner, f"{path}[i]." if typing.get_origin(ann) is list else f"{path}."))
        else:
            out[path] = info
    return out


def test_every_schema_field_is_registered_and_every_registered_field_is_in_the_schema():
    """The field registry and the scenario schema hold exactly the same fields: none is missing from either."""
    assert set(schema_leaves()) == {f.path for f in FIELDS}


def rules_of(info) -> dict[str, float]:
    """The ge/gt/le rules pydantic holds for a field."""
    return {r: getattr(m, r) for m in info.metadata for r in ("ge", "gt", "le") if hasattr(m, r)}


def test_schema_rules_and_defaults_are_the_registrys():
    """Validation's bounds, required fields and defaults are the registry's (a plausibility bound serving as the upper
    rule), so a scenario is refused or filled in exactly as the registry says."""
    leaves = schema_leaves()
    for f in FIELDS:
        info = leaves[f.path]
        if f.path.startswith("uncertainty."):
            continue  # one Triangular class serves both distributions; its bounds are checked below
        if f.per_year:
            continue  # one rate or a list of rates: the Term validator applies the bounds (checked below)
        assert info.is_required() == (f.default is REQUIRED), f.path
        if f.default is not REQUIRED:
            assert info.default == f.default, f.path
        rules = rules_of(info)
        for rule in ("ge", "gt", "le"):
            expected = getattr(f, rule) if f.numeric else None
            if rule == "le" and f.numeric and f.le is None:
                expected = f.most  # a plausibility bound is the schema's upper rule
            assert rules.get(rule) == expected, (f.path, rule, rules)
    for end in ("low", "mode", "high"):
        assert rules_of(leaves[f"uncertainty.occupancy.{end}"]) == {
            "ge": spec(f"uncertainty.occupancy.{end}").ge,
            "le": spec(f"uncertainty.occupancy.{end}").le,
        }


def test_every_entry_is_complete_and_labels_are_unique():
    """Every registered field has a known kind, a label no other field uses, help text and a group, and a unit when it
    is numeric; a default taken from another field comes from a numeric one."""
    labels = [f.label for f in FIELDS]
    assert len(labels) == len(set(labels))
    for f in FIELDS:
        assert f.kind in KINDS and f.label and f.help and f.group, f.path
        if f.numeric:
            assert f.unit, f.path
        if f.default_from:
            assert spec(f.default_from).numeric and f.default is None, f.path


def test_every_numeric_field_the_formulas_use_is_a_term():
    """Every input the formulas use comes from a registered field, and every numeric field with a term reaches its
    input, so nothing enters the formulas unregistered."""
    terms = {t for t in Inputs.__dataclass_fields__}
    named = {f.term for f in FIELDS if f.term}
    assert named == terms
    assert set(INPUT_OF_PATH) == {f.path for f in FIELDS if f.term and f.numeric and "[i]" not in f.path}


def test_terms_resolve_defaults_as_the_registry_says(example_dict):
    """A spot price and host alternative left out follow the external price, even while the external price is varied;
    read unresolved, the unset host alternative is empty."""
    del example_dict["prices"]["spot"], example_dict["prices"]["host_alternative"]
    s = scenario_from_dict(example_dict)
    t = inputs_of(s, {"prices.external": 6000.0})
    assert t.spot_price == 6000.0 and t.host_alternative_price == 6000.0  # both follow the varied external price
    assert value_of(s, "prices.host_alternative") == s.prices.external
    assert value_of(s, "prices.host_alternative", resolved=False) is None


def test_band_paths_are_labelled_from_1_and_are_negotiable(example):
    """Sharing bands are labelled counting from 1, any band number resolves to the registry's band entry, and each
    band's host share is negotiable like the contribution, while the capacity is not."""
    assert field_label("agreement.sharing.bands[0].host_share") == "Sharing band 1: host's share"
    assert spec("agreement.sharing.bands[7].from_local_use").path == "agreement.sharing.bands[i].from_local_use"
    paths = negotiable_paths(len(example.agreement.sharing.bands))
    assert [p for p in paths if "bands" in p] == [f"agreement.sharing.bands[{i}].host_share" for i in range(3)]
    assert "agreement.contribution" in paths and "service.capacity" not in paths
    assert set(p.replace("[0]", "[i]") for p in paths if "[1]" not in p and "[2]" not in p) <= set(numeric_paths())


def test_unknown_paths_are_refused_plainly():
    """A misspelt field path is refused as "not a scenario field", never guessed at."""
    with pytest.raises(KeyError, match="not a scenario field"):
        spec("agreement.contribtion")


@pytest.mark.parametrize(
    "path, unit, period, expected",
    [
        ("prices.host", "place", "week", "£ per place-week"),
        ("prices.host", "hour", "hour", "£ per hour"),
        ("service.capacity", "place", "week", "places each week"),
        ("agreement.compensation.per_external_unit", "place", "week", "£ per external place-week"),
        ("agreement.sharing.target_margin", "place", "week", "fraction of operating cost"),
        ("agreement.contribution", "bed", "night", "£ per year"),
    ],
)
def test_units_in_words(path, unit, period, expected):
    """Each field's unit reads in words from the scenario's currency, unit and period, such as "£ per place-week",
    "places each week" or "£ per year"."""
    assert unit_text(path, "£", unit, period) == expected


@pytest.mark.parametrize(
    "path, scale, step",
    [
        ("prices.host", 26.5, 0.1),  # homecare: pence matter
        ("prices.host", 5500.0, 10.0),  # a children's home's weekly price
        ("agreement.contribution", 800_000.0, 1000.0),
        ("service.fixed_cost", 120_000.0, 1000.0),
        ("agreement.compensation.premium_share", None, 1.0),  # a percentage point
        ("service.capacity", None, 1.0),
        ("prices.host", None, 1.0),
    ],
)
def test_input_steps_follow_the_magnitude(path, scale, step):
    """The app's input step follows the size of the figure: pence for an hourly price, tens for a weekly one, thousands
    for yearly sums, one percentage point for a share."""
    assert input_step(path, scale) == pytest.approx(step)


def test_values_are_shown_by_kind():
    """A field's value is shown by its kind: a unit price in pounds and pence, a yearly sum in whole pounds, a share as
    a percent."""
    assert field_value("prices.host", 26.5) == "£26.50"
    assert field_value("agreement.contribution", 120_000) == "£120,000"
    assert field_value("agreement.sharing.bands[1].host_share", 0.25) == "25.0 %"


def test_a_field_read_through_the_registry_reaches_the_formulas(example):
    """Value at a path, term and formula agree: doubling the contribution through its path moves
    provider profit by exactly the difference."""
    r0 = evaluate(example, 0.85, 0.75)
    doc = example.model_dump(mode="json")
    doc["agreement"]["contribution"] *= 2
    r1 = evaluate(scenario_from_dict(doc), 0.85, 0.75)
    c = value_of(example, "agreement.contribution")
    assert float(r1.surplus_before_sharing - r0.surplus_before_sharing) == pytest.approx(c)


def test_per_year_rates_keep_the_registrys_bounds(example_dict):
    """A year-by-year growth rate, given once or as a list, is accepted up to the registry's upper bound and refused
    outside its bounds, the message naming the field."""
    for f in (f for f in FIELDS if f.per_year):
        group = f.path.split(".")[-1]
        own = f.path.startswith("arrangements[i].")  # an arrangement's own uplift, checked against the term's years
        for value, ok in ((f.gt, False), (f.le, True), (f.le + 0.01, False), ([f.le, f.gt], False)):
            doc = copy.deepcopy(example_dict)
            doc["term"] = {"years": 3, "indexation": {} if own else {group: value}}
            if own:
                doc["arrangements"] = [{"name": "Its own uplift", "term": {"indexation": {group: value}}}]
            try:
                scenario_from_dict(doc)
                accepted = True
            except ScenarioError as exc:
                accepted = False
                assert exc.problems[0].startswith(f.path.replace("[i]", "[0]")), exc.problems
            assert accepted == ok, (f.path, value)


def test_every_field_belongs_to_one_of_the_registrys_groups_and_the_sidebar_shows_each_group():
    """The groups of fields are defined once, in the registry: every field names one of them, the sidebar's groups
    are the registry's (the scenario's own fields sit with the service) and each field's input is in its group."""
    from partnership.fields import GROUPS
    from ui.sidebar import GROUPS as SIDEBAR_GROUPS
    from ui.sidebar import group_key

    names = [g.name for g in GROUPS]
    assert len(set(names)) == len(names)
    assert {f.group for f in FIELDS} == set(names)
    assert [g.name for g in SIDEBAR_GROUPS.values()] == [n for n in names if n != "Scenario"]
    for f in FIELDS:
        key = group_key(f.path.replace("[i]", "[0]"))
        assert SIDEBAR_GROUPS[key].name == ("Service" if f.group == "Scenario" else f.group), f.path
    assert group_key("uncertainty.occupancy") == "group_uncertainty"  # a rule across fields opens their group
    assert group_key("term.indexation.costs[3]") == "group_term"  # one year's rate
    assert group_key("(scenario)") is None
