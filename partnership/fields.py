"""The field registry: every scenario field described once (MODEL.md section 1).

Each entry gives a field's dotted path, its MODEL.md symbol, a plain label, its unit kind,
help text, its rules, how its default is found and its name in the formulas. The schema
(:mod:`partnership.scenario`), the formulas' inputs (:mod:`partnership.inputs`), the sweep,
the app's inputs, the exports' labels and units all read it from here: adding a field
means one entry here, one line in the schema class that holds it, and its formula.

Sharing bands are a list: their two fields are registered once with ``[i]`` standing for
any band's index (``agreement.sharing.bands[i].host_share``); :func:`spec` finds the
entry for a concrete path such as ``agreement.sharing.bands[2].host_share``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "FieldGroup",
    "FieldSpec",
    "GROUPS",
    "group_at",
    "group_of",
    "FIELDS",
    "spec",
    "field_label",
    "help_words",
    "is_fraction",
    "is_money_per_unit",
    "numeric_paths",
    "negotiable_paths",
    "is_sweepable",
    "member_index",
    "unit_text",
    "input_step",
    "path_parts",
    "value_of",
    "REQUIRED",
    "KINDS",
    "APART_GROUPS",
    "entered_apart",
    "item_label",
]

REQUIRED = object()
"""Marks a field that has no default: a scenario must give it."""

KINDS = {
    "money_year": "money a year, in the scenario's currency",
    "money_unit": "money per unit-period, in the scenario's currency",
    "fraction": "a share, 0-1 (shown to people as a percent)",
    "count": "a count (may be fractional, e.g. 2.5 places on average)",
    "integer": "a whole number",
    "text": "free text",
    "choice": "one of a few words",
    "money_once": "money once, before year 1, in the scenario's currency",
    "sources": "where each figure comes from: a field's path to its source, year and whether it is an estimate",
}


@dataclass(frozen=True)
class FieldGroup:
    """A group of fields as an agreement is discussed: ``name`` is what a field's ``group`` says, ``title`` its
    heading wherever the groups are shown (the sidebar's groups, the audit workbook's input sections)."""

    name: str
    title: str


GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup("Scenario", "The scenario"),
    FieldGroup("Service", "The service"),
    FieldGroup("Prices", "Prices"),
    FieldGroup("Agreement", "The agreement"),
    FieldGroup("Sharing", "Surplus sharing"),
    FieldGroup("Term", "The term (years)"),
    FieldGroup("Region", "The region's councils"),
    FieldGroup("Uncertainty", "Uncertainty"),
    # ---- other ways to buy, and where the figures come from (MODEL.md sections 13 and 14)
    FieldGroup("Build-up", "Where the figures come from"),
    FieldGroup("Arrangements", "Other ways to buy"),
)
"""The groups of fields, in the order an agreement is discussed: the one definition the sidebar and the workbook
read (every field's ``group`` is one of these names)."""


def group_of(name: str) -> FieldGroup:
    """The group called ``name`` (a field's ``group``)."""
    return next(g for g in GROUPS if g.name == name)


def group_at(path: str) -> str | None:
    """The name of the group holding the field at ``path``, or the fields under it (``uncertainty.occupancy``,
    ``agreement.sharing.bands``); None where there is no field (``(scenario)``, an unknown key)."""
    try:
        return spec(path).group
    except KeyError:
        generic = re.sub(r"\[\d+\]", "[i]", path)
        if generic.endswith("[i]") and generic[:-3] in _BY_PATH:  # one year's rate of a year-by-year field
            return _BY_PATH[generic[:-3]].group
        return next((f.group for f in FIELDS if f.path.startswith((generic + ".", generic + "["))), None)


@dataclass(frozen=True)
class FieldSpec:
    """One scenario field.

    ``path`` is the dotted path (``[i]`` for any band); ``symbol`` the MODEL.md symbol;
    ``label`` a person's name for it (no unit); ``kind`` one of :data:`KINDS`; ``unit`` a
    template for its unit in words, filled by :func:`unit_text` (``{currency}``, ``{unit}``,
    ``{period}``, ``{unit_period}``); ``ge``/``gt``/``le`` the schema's rules; ``default``
    the schema default (:data:`REQUIRED` when there is none, ``None`` when optional);
    ``default_from`` the field whose value an unset optional field takes; ``no_value`` what
    the formulas use when an optional field is unset and has no ``default_from``; ``term``
    the name of the value in :class:`partnership.inputs.Inputs`; ``negotiable`` whether Find
    terms offers it; ``scale_from`` the field whose magnitude sets a money field's input step;
    ``sweepable`` whether a search for terms or a goal seek may vary it (a member council's figures may not).
    """

    path: str
    symbol: str | None
    label: str
    kind: str
    help: str
    group: str
    unit: str = ""
    default: Any = REQUIRED
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    default_from: str | None = None
    no_value: float | None = None
    term: str | None = None
    negotiable: bool = False
    scale_from: str | None = None
    choices: tuple[str, ...] = ()
    unset_text: str = ""
    per_year: bool = False  # one number for every year, or a list with one for each year after the first
    most: float | None = None  # a plausibility bound: larger values are refused as typing mistakes
    why: str = ""  # the plausibility bound's reason, in the message that refuses a value past it
    sweepable: bool = True  # whether a search for terms (or a goal seek) may vary it: a member council's shares
    # add up to 100 % with the others', so one cannot move alone

    @property
    def numeric(self) -> bool:
        """Whether the field holds a number (and so may be swept)."""
        return self.kind not in ("text", "choice", "sources")

    @property
    def is_fraction(self) -> bool:
        """Whether the field is a share 0-1, entered and shown as a percent."""
        return self.kind == "fraction"


MONEY_A_YEAR_MOST = 1e10
MONEY_A_YEAR_WHY = "£10 billion a year is more than any council's whole budget"
PRICE_MOST = 1e6
PRICE_WHY = "£1 million per unit-period is far above any care price"


def _money_year(path, symbol, label, help, group, **kw) -> FieldSpec:
    kw.setdefault("most", MONEY_A_YEAR_MOST)
    kw.setdefault("why", MONEY_A_YEAR_WHY)
    return FieldSpec(path, symbol, label, "money_year", help, group, unit="{currency} per year", ge=0, **kw)


def _money_unit(path, symbol, label, help, group, unit="{currency} per {unit_period}", **kw) -> FieldSpec:
    kw.setdefault("scale_from", "prices.external")
    kw.setdefault("most", PRICE_MOST)
    kw.setdefault("why", PRICE_WHY)
    return FieldSpec(path, symbol, label, "money_unit", help, group, unit=unit, ge=0, **kw)


def _fraction(path, symbol, label, help, group, unit="fraction 0-1", **kw) -> FieldSpec:
    kw.setdefault("le", 1)
    return FieldSpec(path, symbol, label, "fraction", help, group, unit=unit, ge=0, **kw)


def _uncertainty(what: str, end: str) -> FieldSpec:
    words = {"low": "lowest", "mode": "most likely", "high": "highest"}[end]
    thing = "Occupancy" if what == "occupancy" else "Local use"
    meaning = "share of capacity in use" if what == "occupancy" else "host's share of the used capacity"
    return _fraction(
        f"uncertainty.{what}.{end}",
        None,
        f"{thing}, {words}",
        f"The {words} {thing.lower()} ({meaning}) of the triangular range.",
        "Uncertainty",
    )


FIELDS: tuple[FieldSpec, ...] = (
    # ---- the scenario's words
    FieldSpec(
        "name", None, "Scenario name", "text", "A name for this scenario.", "Scenario", default="Unnamed scenario"
    ),
    FieldSpec(
        "description",
        None,
        "Description",
        "text",
        "Free text: where the figures come from, which are estimates.",
        "Scenario",
        default=None,
    ),
    FieldSpec("unit", None, "Capacity is counted in", "text", "place, hour, bed...", "Scenario", default="place"),
    FieldSpec("period", None, "Prices are per", "text", "week, month, year...", "Scenario", default="week"),
    FieldSpec("currency", None, "Currency", "text", "A label only, e.g. £.", "Scenario", default="£"),
    # ---- the service
    FieldSpec(
        "service.capacity",
        "N",
        "Capacity",
        "count",
        "N: units available each period (places, hours, beds...).",
        "Service",
        unit="{unit}s each {period}",
        gt=0,
        most=100_000,
        why="100,000 units each period covers the largest homecare contract",
        term="capacity",
    ),
    FieldSpec(
        "service.periods_per_year",
        "W",
        "Periods per year",
        "count",
        "W: pricing periods in a year (52 for weekly prices).",
        "Service",
        unit="{period}s per year",
        default=52,
        gt=0,
        most=366,
        why="prices are at most daily",
        term="periods_per_year",
    ),
    _money_year(
        "service.fixed_cost",
        "F",
        "Fixed cost",
        "F: cost a year paid whatever the occupancy.",
        "Service",
        term="fixed_cost",
        scale_from="service.fixed_cost",
    ),
    _money_unit(
        "service.variable_cost",
        "v",
        "Variable cost",
        "v: cost per occupied unit-period.",
        "Service",
        unit="{currency} per occupied {unit_period}",
        term="variable_cost",
    ),
    # ---- prices
    _money_unit(
        "prices.host",
        "p_h",
        "Host price",
        "p_h: what the host pays per unit-period under the agreement.",
        "Prices",
        term="host_price",
        negotiable=True,
    ),
    _money_unit(
        "prices.external",
        "p_e",
        "External price",
        "p_e: what other councils pay per unit-period.",
        "Prices",
        term="external_price",
    ),
    _money_unit(
        "prices.spot",
        "p_s",
        "Spot price",
        "p_s: the provider's price without the agreement (default: the external price).",
        "Prices",
        default=None,
        default_from="prices.external",
        term="spot_price",
    ),
    _money_unit(
        "prices.host_alternative",
        "p_a",
        "Host's alternative price",
        "p_a: what the host pays elsewhere without the agreement, out-of-area costs included (default: the spot price).",
        "Prices",
        default=None,
        default_from="prices.spot",
        term="host_alternative_price",
    ),
    # ---- the agreement
    _money_year(
        "agreement.contribution",
        "C",
        "Contribution",
        "C: the host's annual contribution to the fixed cost base.",
        "Agreement",
        default=0,
        term="contribution",
        negotiable=True,
        scale_from="service.fixed_cost",
    ),
    _money_unit(
        "agreement.compensation.per_external_unit",
        "k",
        "Compensation per external unit",
        "k: the provider pays the host this for each unit-period used by another council.",
        "Agreement",
        unit="{currency} per external {unit_period}",
        default=0,
        term="per_external_unit",
        negotiable=True,
    ),
    _fraction(
        "agreement.compensation.premium_share",
        "r",
        "Share of the external premium",
        "r: the provider also pays the host this share of max(external price - host price, 0).",
        "Agreement",
        default=0,
        term="premium_share",
        negotiable=True,
    ),
    FieldSpec(
        "agreement.reservation.units",
        "R",
        "Reserved units",
        "count",
        "R: units the host reserves each period (block or soft-block places, guaranteed hours); "
        "it pays the void price for those left empty, and nothing for those another council fills.",
        "Agreement",
        unit="{unit}s each {period}",
        default=0,
        ge=0,
        term="reserved_units",
        negotiable=True,
    ),
    _money_unit(
        "agreement.reservation.void_price",
        "p_v",
        "Void price",
        "p_v: what the host pays for a reserved unit-period left empty (default: the host price).",
        "Agreement",
        default=None,
        default_from="prices.host",
        term="void_price",
        negotiable=True,
    ),
    _fraction(
        "agreement.sharing.target_margin",
        "m",
        "Target margin",
        "m: the provider keeps surplus up to this share of operating cost; surplus above it is shared.",
        "Sharing",
        unit="fraction of operating cost",
        default=0,
        le=None,
        most=10,
        why="a target margin of 1,000 % of operating cost is not a margin",
        term="target_margin",
        negotiable=True,
    ),
    FieldSpec(
        "agreement.sharing.interpolation",
        None,
        "Between band starts, the host's share",
        "choice",
        "step: the share steps up at each band; linear: it rises in a straight line between band starts.",
        "Sharing",
        unit="step or linear",
        default="step",
        term="interpolation",
        choices=("step", "linear"),
    ),
    _fraction(
        "agreement.sharing.bands[i].from_local_use",
        None,
        "starts at local use",
        "The local use from which this band's share applies.",
        "Sharing",
        term="band_starts",
    ),
    _fraction(
        "agreement.sharing.bands[i].host_share",
        None,
        "host's share",
        "The host's share of the surplus above target in this band.",
        "Sharing",
        term="band_shares",
        negotiable=True,
    ),
    _fraction(
        "agreement.sharing.loss_share",
        "ls",
        "Host's share of a deficit",
        "ls: the host's share of a deficit (pain share).",
        "Sharing",
        default=0,
        term="loss_share",
        negotiable=True,
    ),
    _money_year(
        "agreement.sharing.loss_cap",
        None,
        "Cap on the host's deficit share",
        "The most the host pays towards a deficit in a year; empty: no cap.",
        "Sharing",
        default=None,
        no_value=math.inf,
        unset_text="no cap",
        term="loss_cap",
        scale_from="service.fixed_cost",
    ),
    # ---- without the agreement
    _fraction(
        "without_agreement.local_use",
        "u0",
        "Local use the host would get anyway",
        "u0: the share of the used capacity the host would still get locally without the agreement, at the "
        "spot price; only the rest would cost the host's alternative price elsewhere.",
        "Prices",
        default=0,
        term="counterfactual_local_use",
    ),
    # ---- over the term (section 10)
    FieldSpec(
        "term.years",
        "T",
        "Years of the term",
        "integer",
        "T: how many years the agreement runs (1 to 30); 1 is a single year, as the rest of the model.",
        "Term",
        unit="years",
        default=1,
        ge=1,
        le=30,
    ),
    _fraction(
        "term.discount_rate",
        "d",
        "Discount rate",
        "d: a year; the HM Treasury Green Book rate is 3.5 %.",
        "Term",
        unit="fraction a year",
        default=0.035,
        le=None,
        most=1,
        why="a discount rate above 100 % a year discounts everything after year 1 to almost nothing",
    ),
    *(
        FieldSpec(
            f"term.indexation.{what}",
            symbol,
            label,
            "fraction",
            help,
            "Term",
            unit="growth a year",
            default=0.0,
            gt=-1,
            le=1,
            per_year=True,
        )
        for what, symbol, label, help in (
            (
                "costs",
                "g_c",
                "Cost growth",
                "g_c: fixed and variable cost grow by this each year (pay dominates: National Living Wage).",
            ),
            (
                "host_price",
                "g_h",
                "Host price uplift",
                "g_h: the agreed uplift of the host price each year; compensation per unit and the void price follow it.",
            ),
            (
                "market_prices",
                "g_m",
                "Market price growth",
                "g_m: the external, spot and host's alternative prices grow by this each year.",
            ),
            (
                "contribution",
                "g_C",
                "Contribution uplift",
                "g_C: the contribution (and any cap on the host's deficit share) grows by this each year.",
            ),
        )
    ),
    FieldSpec(
        "term.set_up.cost",
        "K",
        "Set-up cost",
        "money_once",
        "K: a one-off cost before year 1 (opening, conversion, registration), spent only because of the agreement.",
        "Term",
        unit="{currency} once, before year 1",
        default=0,
        ge=0,
        most=MONEY_A_YEAR_MOST,
        why="£10 billion is more than any council's whole budget",
        scale_from="service.fixed_cost",
    ),
    _fraction(
        "term.set_up.host_share",
        "s_K",
        "Host's share of the set-up cost",
        "s_K: the share of the set-up cost the host funds; the provider funds the rest.",
        "Term",
        default=0,
    ),
    # ---- a region of councils as the host (section 12)
    FieldSpec(
        "region.returns_split",
        None,
        "Returns divided by",
        "choice",
        "How the compensation and the host's surplus share are divided among the member councils: use, by each "
        "council's share of the host's use; contribution, by its share of the contribution.",
        "Region",
        unit="use or contribution",
        default="use",
        term="returns_split",
        choices=("use", "contribution"),
    ),
    FieldSpec(
        "region.members[i].name",
        None,
        "Council's name",
        "text",
        "The member council's name, 1-80 characters, each council named once.",
        "Region",
        sweepable=False,
    ),
    _fraction(
        "region.members[i].use_share",
        "s_i",
        "Share of the host's use",
        "s_i: the council's share of the places (or hours) the region uses; the councils' shares add up to 100 %.",
        "Region",
        term="member_use_shares",
        sweepable=False,
    ),
    _fraction(
        "region.members[i].contribution_share",
        "w_i",
        "Share of the contribution",
        "w_i: the council's share of the contribution, of the payments for empty reserved places and of the "
        "region's part of the set-up cost; the shares add up to 100 % (empty: its share of the use; give it for "
        "every council or for none).",
        "Region",
        default=None,
        default_from="region.members[i].use_share",
        term="member_contribution_shares",
        sweepable=False,
    ),
    _money_unit(
        "region.members[i].host_alternative",
        "p_a,i",
        "Council's alternative price",
        "p_a,i: what this council pays per unit-period elsewhere without the agreement, out-of-area costs "
        "included (empty: the host's alternative price).",
        "Region",
        default=None,
        default_from="prices.host_alternative",
        term="member_host_alternative_prices",
        sweepable=False,
    ),
    _fraction(
        "region.members[i].local_use_anyway",
        "u0_i",
        "Council's local use anyway",
        "u0_i: the share of the used capacity this council would still get locally without the agreement, at the "
        "spot price (empty: its share of the use times the local use the host would get anyway); all the councils' "
        "together at most 100 %.",
        "Region",
        default=None,
        unset_text="its share of the local use the host would get anyway",
        term="member_local_use_anyway",
        sweepable=False,
    ),
    # ---- uncertainty
    *(_uncertainty(what, end) for what in ("occupancy", "local_use") for end in ("low", "mode", "high")),
    # ---- where the figures come from
    FieldSpec(
        "sources",
        None,
        "Sources and estimates",
        "sources",
        "For any field (by its dotted path): where its figure comes from, the year it is for, and whether it is "
        "an estimate.",
        "Scenario",
        default=None,
    ),
)
"""Every scenario field, in MODEL.md section 1's order."""

# ----------------------------------------------------------------------------------------------
# Other ways to buy, and where the figures come from (MODEL.md sections 13 and 14): lists of items, each field
# registered once with ``[i]`` for any item's index, as the sharing bands are. An arrangement's agreement is a whole
# agreement: its fields are the agreement's own, registered again under ``arrangements[i].``.

APART_GROUPS = ("Build-up", "Arrangements")
"""The groups whose fields are entered in tables of their own (the cost build-up, the host's alternative mix, the
other arrangements), not one box each in the sidebar's groups or one row each of the workbook's input sections."""

_BUILD_UP_FIELDS: tuple[FieldSpec, ...] = (
    _money_unit(
        "cost_build_up.per_unit.pay",
        None,
        "Care worker's pay",
        "The care worker's pay for each unit-period of contact (homecare: per contact hour), before on-costs.",
        "Build-up",
        unit="{currency} per {unit_period} of contact",
    ),
    FieldSpec(
        "cost_build_up.per_unit.on_costs",
        None,
        "On-costs",
        "fraction",
        "Employer's national insurance, pension, holiday pay and training, as a share of pay.",
        "Build-up",
        unit="fraction of pay",
        default=0.0,
        ge=0,
        most=5,
        why="on-costs of more than five times pay are not on-costs",
    ),
    FieldSpec(
        "cost_build_up.per_unit.travel_minutes",
        None,
        "Paid travel time",
        "count",
        "Minutes of paid travel between visits for each unit-period of contact (homecare).",
        "Build-up",
        unit="minutes per {unit_period} of contact",
        default=0.0,
        ge=0,
        most=600,
        why="ten hours of travel for each unit of contact is not a round",
    ),
    FieldSpec(
        "cost_build_up.per_unit.mileage",
        None,
        "Miles driven",
        "count",
        "Miles driven for each unit-period of contact.",
        "Build-up",
        unit="miles per {unit_period}",
        default=0.0,
        ge=0,
        most=1000,
        why="a thousand miles for each unit of contact is not a round",
    ),
    _money_unit(
        "cost_build_up.per_unit.mileage_rate",
        None,
        "Mileage rate",
        "What each mile is paid at (HMRC's approved rate is 45p a mile).",
        "Build-up",
        unit="{currency} per mile",
        default=0.0,
    ),
    _money_unit(
        "cost_build_up.per_unit.other",
        None,
        "Other cost per unit",
        "Everything else for each unit-period delivered: protective equipment, food, activities.",
        "Build-up",
        default=0.0,
    ),
    FieldSpec(
        "cost_build_up.fixed[i].name",
        None,
        "Fixed cost item's name",
        "text",
        "What this fixed cost is (a registered manager, an office, a night rota...).",
        "Build-up",
    ),
    _money_year(
        "cost_build_up.fixed[i].amount",
        None,
        "Fixed cost item's amount",
        "The item's cost a year; or leave it empty and give a count and a cost each.",
        "Build-up",
        default=None,
    ),
    FieldSpec(
        "cost_build_up.fixed[i].count",
        None,
        "Fixed cost item's count",
        "count",
        "How many of this item (staff posts, vehicles...), each costing the cost each.",
        "Build-up",
        unit="items",
        default=None,
        ge=0,
        most=100_000,
        why="100,000 of one item is more than any care service employs",
    ),
    _money_year(
        "cost_build_up.fixed[i].each",
        None,
        "Fixed cost item's cost each",
        "What one of the item costs a year.",
        "Build-up",
        default=None,
    ),
    FieldSpec(
        "alternative_mix[i].name",
        None,
        "Alternative's name",
        "text",
        "One way the host would buy the units without the agreement (secondary providers, spot providers, hours "
        "not delivered...).",
        "Build-up",
    ),
    _fraction(
        "alternative_mix[i].share",
        None,
        "Alternative's share",
        "The share of the host's units it would buy this way without the agreement; the shares add up to 100 %.",
        "Build-up",
    ),
    _money_unit(
        "alternative_mix[i].price",
        None,
        "Alternative's price",
        "What a unit-period bought this way costs the host (for units not delivered, what going without costs it).",
        "Build-up",
    ),
    FieldSpec(
        "arrangements[i].name",
        None,
        "Arrangement's name",
        "text",
        "A name for this way of buying the same service (a soft block of two places, the present framework...).",
        "Arrangements",
    ),
    _money_unit(
        "arrangements[i].prices.host",
        None,
        "Arrangement's host price",
        "The host price under this arrangement (empty: the scenario's host price).",
        "Arrangements",
        default=None,
        unset_text="the scenario's host price",
    ),
    *(
        FieldSpec(
            f"arrangements[i].term.indexation.{what}",
            None,
            label,
            "fraction",
            help,
            "Arrangements",
            unit="growth a year",
            default=None,
            gt=-1,
            le=1,
            per_year=True,
            unset_text="the scenario's",
        )
        for what, label, help in (
            (
                "host_price",
                "Arrangement's host price uplift",
                "The uplift of this arrangement's host price each year (empty: the scenario's).",
            ),
            (
                "contribution",
                "Arrangement's contribution uplift",
                "The uplift of this arrangement's contribution each year (empty: the scenario's).",
            ),
        )
    ),
)
"""The fields of the cost build-up, the host's alternative mix and an arrangement's own prices and uplifts."""


def _arrangement_agreement(f: FieldSpec) -> FieldSpec:
    """An agreement field as a field of an arrangement's own agreement: the same rules and default, its own label."""
    return replace(
        f,
        path=f"arrangements[i].{f.path}",
        label=f"Arrangement's {f.label[:1].lower()}{f.label[1:]}",
        group="Arrangements",
        term=None,
        negotiable=False,
        default_from=None,  # the void price follows the arrangement's host price, resolved where it is built
    )


FIELDS = (
    FIELDS
    + _BUILD_UP_FIELDS[:13]
    + _BUILD_UP_FIELDS[13:14]
    + tuple(_arrangement_agreement(f) for f in FIELDS if f.path.startswith("agreement."))
    + _BUILD_UP_FIELDS[14:]
)


def entered_apart(path: str) -> bool:
    """Whether a field is entered in a table of its own (the cost build-up, the alternative mix, the arrangements):
    see :data:`APART_GROUPS`."""
    try:
        return spec(path).group in APART_GROUPS
    except KeyError:
        return False


_BY_PATH = {f.path: f for f in FIELDS}
_INDEX = re.compile(r"\[\d+\]")
_BAND = re.compile(r"agreement\.sharing\.bands\[(\d+)\]\.(from_local_use|host_share)$")
_MEMBER = re.compile(r"region\.members\[(\d+)\]\.(\w+)$")


def spec(path: str) -> FieldSpec:
    """The registry entry of a dotted path (a band's index may be any number). Raises KeyError."""
    found = _BY_PATH.get(path) or _BY_PATH.get(_INDEX.sub("[i]", path))
    if found is None:
        raise KeyError(f"{path}: not a scenario field")
    return found


def band_index(path: str) -> int | None:
    """The band number (from 0) a band field's path names, or None for other paths."""
    m = _BAND.match(path)
    return int(m.group(1)) if m else None


def member_index(path: str) -> int | None:
    """The member council's number (from 0) a member field's path names, or None for other paths.

    >>> member_index("region.members[2].use_share"), member_index("prices.host")
    (2, None)
    """
    m = _MEMBER.match(path)
    return int(m.group(1)) if m else None


def is_sweepable(path: str) -> bool:
    """Whether a search for terms or a goal seek may vary the field at ``path`` (a member council's figures may
    not: its shares add up to 100 % with the others'); False for what is not a field."""
    try:
        return spec(path).sweepable
    except KeyError:
        return False


def help_words(f: FieldSpec) -> str:
    """A field's help for a person: words first, the formulas' symbol after (the registry's help opens with it,
    as the workbook's finance officers read it).

    >>> help_words(spec("prices.host_alternative"))[:50], help_words(spec("prices.host_alternative"))[-6:]
    ('What the host pays elsewhere without the agreement', '(p_a).')
    """
    text = f.help
    if f.symbol and text.startswith(f"{f.symbol}: "):
        rest = text[len(f.symbol) + 2 :]
        return f"{rest[:1].upper()}{rest[1:].rstrip('.')} ({f.symbol})."
    return text


def field_label(path: str) -> str:
    """A person's name for a dotted path; bands by their number counted from 1.

    >>> field_label("agreement.contribution"), field_label("agreement.sharing.bands[2].host_share")
    ('Contribution', "Sharing band 3: host's share")
    """
    i = band_index(path)
    if i is not None:
        return f"Sharing band {i + 1}: {spec(path).label}"
    i = member_index(path)
    if i is not None:
        return f"Member council {i + 1}: {spec(path).label}"
    if (item := item_label(path)) is not None:
        return item
    try:
        return spec(path).label
    except KeyError:
        return path


_ITEM = re.compile(r"(arrangements|cost_build_up\.fixed|alternative_mix)\[(\d+)\](?:\.(.+))?$")
_ITEM_WORDS = {"arrangements": "Arrangement", "cost_build_up.fixed": "Fixed cost item", "alternative_mix": "Alternative"}


def item_label(path: str) -> str | None:
    """A person's name for a field of one item of the part-three lists, the item counted from 1; None for other paths.

    >>> item_label("cost_build_up.fixed[1].amount"), item_label("arrangements[0].agreement.contribution")
    ('Fixed cost item 2, amount', 'Arrangement 1, contribution')
    """
    m = _ITEM.match(path)
    if not m:
        return None
    head = f"{_ITEM_WORDS[m.group(1)]} {int(m.group(2)) + 1}"
    rest = m.group(3)
    if rest is None:
        return head
    if m.group(1) == "arrangements" and rest.startswith("agreement."):
        inner = field_label(rest)
    else:
        try:
            inner = spec(_INDEX.sub("[i]", path[: m.start(3)]) + re.sub(r"\[\d+\]$", "", rest)).label.split("'s ", 1)[1]
        except KeyError:
            inner = rest
    return f"{head}, {inner[:1].lower()}{inner[1:]}"


def is_fraction(path: str) -> bool:
    """Whether a field is a share (0-1), shown to people as a percent."""
    try:
        return spec(path).is_fraction
    except KeyError:
        return False


def is_money_per_unit(path: str) -> bool:
    """Whether a field is money per unit-period (a price), shown with pence where small."""
    try:
        return spec(path).kind == "money_unit"
    except KeyError:
        return False


def numeric_paths() -> list[str]:
    """Every numeric field's path (``[i]`` for a band's index): the fields a sweep may vary. The cost build-up's
    parts, the alternative mix and the other arrangements are not among them: sweep the variable cost, the fixed
    cost or the host's alternative price they derive instead (a sweep varies them as if they were typed)."""
    return [f.path for f in FIELDS if f.numeric and f.group not in APART_GROUPS]


def negotiable_paths(band_count: int) -> list[str]:
    """The terms Find terms offers, in registry order, with one entry per sharing band."""
    out = []
    for f in FIELDS:
        if not f.negotiable:
            continue
        if "[i]" in f.path:
            out += [f.path.replace("[i]", f"[{i}]") for i in range(band_count)]
        else:
            out.append(f.path)
    return out


def unit_text(path: str, currency: str = "£", unit: str = "place", period: str = "week") -> str:
    """A field's unit in words for a scenario's currency, unit and period.

    >>> unit_text("prices.host"), unit_text("service.variable_cost", "£", "hour", "hour")
    ('£ per place-week', '£ per occupied hour')
    """
    return spec(path).unit.format(currency=currency, unit=unit, period=period, unit_period=unit_period(unit, period))


TIME_UNITS = {"hour", "hours", "minute", "minutes", "day", "days", "night", "nights", "visit", "visits", "session"}


def unit_period(unit: str, period: str) -> str:
    """What one unit-period is called: "place-week", or just "hour" when the unit is itself time."""
    if unit.lower() in TIME_UNITS:
        return unit
    return f"{unit}-{period}"


def input_step(path: str, scale: float | None) -> float:
    """A sensible step for a field's input box, from the magnitude of the value that sets its scale
    (the field named by ``scale_from``): about a hundredth of it, rounded down to a power of ten.
    Fractions step by one percentage point (the box shows percents); counts by one.

    >>> input_step("prices.host", 27.5), input_step("prices.host", 5500), input_step("agreement.contribution", 8e5)
    (0.1, 10.0, 1000.0)
    """
    f = spec(path)
    if f.kind in ("fraction", "count", "integer"):
        return 1.0
    if not scale or not math.isfinite(scale) or scale <= 0:
        return 1.0
    return float(10 ** (math.floor(math.log10(scale)) - 2)) if scale >= 1 else 0.01


_PATH_PART = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?$")


def path_parts(path: str) -> list[str | int]:
    """A dotted path's steps, a list's index as a number: ``agreement.sharing.bands[2].host_share`` is
    ``["agreement", "sharing", "bands", 2, "host_share"]``: the one reading of a path that every walker uses.
    Raises KeyError for what is not a path. (Read once for each path: a new list each time, the caller's own.)

    >>> path_parts("agreement.sharing.bands[2].host_share")
    ['agreement', 'sharing', 'bands', 2, 'host_share']
    """
    return list(_path_parts(path))


@functools.lru_cache(maxsize=4096)
def _path_parts(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for piece in path.split("."):
        m = _PATH_PART.match(piece)
        if not m:
            raise KeyError(f"{path}: not a scenario field path")
        parts.append(m.group(1))
        if m.group(2) is not None:
            parts.append(int(m.group(2)))
    return tuple(parts)


def value_of(scenario: Any, path: str, resolved: bool = True) -> Any:
    """The value at a dotted path of a validated scenario (``bands[2].host_share`` included). With
    ``resolved``, an unset optional field takes the value of the field it defaults to (the spot price
    follows the external price), as the formulas see it; otherwise None.

    >>> from partnership.examples import example_scenario
    >>> value_of(example_scenario(), "agreement.sharing.bands[1].host_share")
    0.25
    """
    node = scenario
    for part in path_parts(path):
        if node is None:  # under an optional part left out (the cost build-up, an alternative mix): no value
            return None
        node = node[part] if isinstance(part, int) else getattr(node, part)
    if node is None and resolved and (source := spec(path).default_from):
        i = member_index(path)
        return value_of(scenario, source.replace("[i]", f"[{i}]") if i is not None else source)
    return node
