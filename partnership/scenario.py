"""The scenario: every input of a local partnership agreement, validated once (MODEL.md section 1)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .fields import REQUIRED, numeric_paths, path_parts, spec
from .problems import Problem, Quoted, ScenarioError, clip
from .reading import MAX_PROBLEMS, PlainNumber, capped, echo, precheck, read_document, read_file_bytes

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_yaml",
    "scenario_warnings",
    "warning_details",
    "set_path",
    "NUMERIC_PATHS",
]


class RuleBroken(ValueError):
    """A schema validator's finding, as a problem; a problem whose path is "" is at the place the validator checks
    (the schema's location of the error)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=False)


def _rules(path: str) -> dict:
    """The registry's bounds for a numeric field, as pydantic's ge/gt/le (a plausibility bound is an le)."""
    f = spec(path)
    le = f.le if f.le is not None else f.most
    return {k: v for k, v in (("ge", f.ge), ("gt", f.gt), ("le", le)) if v is not None and f.numeric}


def _field(path: str, **extra) -> Any:
    """A schema field with its default, rules and description taken from the field registry."""
    f = spec(path)
    rules = _rules(path)
    default = ... if f.default is REQUIRED else f.default
    description = f"{f.symbol}: {f.help}" if f.symbol and not f.help.startswith(f"{f.symbol}:") else f.help
    return Field(default, description=description, **rules, **extra)


class Service(_Strict):
    """The care service: capacity and its cost structure."""

    capacity: float = _field("service.capacity")
    periods_per_year: float = _field("service.periods_per_year")
    fixed_cost: float = _field("service.fixed_cost")
    variable_cost: float = _field("service.variable_cost")


class Prices(_Strict):
    """Prices per unit-period. ``spot`` defaults to ``external``; ``host_alternative`` to ``spot``."""

    host: float = _field("prices.host")
    external: float = _field("prices.external")
    spot: float | None = _field("prices.spot")
    host_alternative: float | None = _field("prices.host_alternative")

    @property
    def spot_price(self) -> float:
        """p_s with its default applied."""
        return self.external if self.spot is None else self.spot

    @property
    def host_alternative_price(self) -> float:
        """p_a with its default applied."""
        return self.spot_price if self.host_alternative is None else self.host_alternative


class Compensation(_Strict):
    """Provider -> host, for each external unit-period."""

    per_external_unit: float = _field("agreement.compensation.per_external_unit")
    premium_share: float = _field("agreement.compensation.premium_share")


class Band(_Strict):
    """A sharing band: from this local use on, the host's share of the surplus above target."""

    from_local_use: float = _field("agreement.sharing.bands[i].from_local_use")
    host_share: float = _field("agreement.sharing.bands[i].host_share")


class Sharing(_Strict):
    """Surplus and deficit sharing."""

    target_margin: float = _field("agreement.sharing.target_margin")
    interpolation: Literal["step", "linear"] = _field("agreement.sharing.interpolation")
    bands: list[Band] = Field(default_factory=lambda: [Band(from_local_use=0, host_share=0)])
    loss_share: float = _field("agreement.sharing.loss_share")
    loss_cap: float | None = _field("agreement.sharing.loss_cap")

    @field_validator("bands")
    @classmethod
    def _bands_rules(cls, bands: list[Band]) -> list[Band]:
        if not bands:
            raise RuleBroken(Problem("", "no_bands"))
        if bands[0].from_local_use != 0:
            raise RuleBroken(Problem("", "first_band", bound=0, got=bands[0].from_local_use))
        for i in range(1, len(bands)):
            if bands[i].from_local_use <= bands[i - 1].from_local_use:
                raise RuleBroken(
                    Problem("", "band_order", bound=bands[i - 1].from_local_use, got=bands[i].from_local_use, item=i)
                )
        return bands


class Reservation(_Strict):
    """Reserved places (block, soft block) or guaranteed hours, paid at the void price when empty (section 7)."""

    units: float = _field("agreement.reservation.units")
    void_price: float | None = _field("agreement.reservation.void_price")


class Agreement(_Strict):
    """The agreement's terms. Every term defaults to 0: no agreement beyond the host price."""

    contribution: float = _field("agreement.contribution")
    compensation: Compensation = Field(default_factory=Compensation)
    reservation: Reservation = Field(default_factory=Reservation)
    sharing: Sharing = Field(default_factory=Sharing)


class WithoutAgreement(_Strict):
    """What the host would get without the agreement (section 8)."""

    local_use: float = _field("without_agreement.local_use")


Growth = float | list[float]
"""A growth rate a year: one number for every year, or a list with one for each year after the first (its
bounds, from the registry, are checked by :class:`Term`)."""


class Indexation(_Strict):
    """How each group of money grows from year to year (section 10)."""

    costs: Growth = Field(0.0, description=spec("term.indexation.costs").help)
    host_price: Growth = Field(0.0, description=spec("term.indexation.host_price").help)
    market_prices: Growth = Field(0.0, description=spec("term.indexation.market_prices").help)
    contribution: Growth = Field(0.0, description=spec("term.indexation.contribution").help)


class SetUp(_Strict):
    """A one-off cost before year 1, and who funds it."""

    cost: float = _field("term.set_up.cost")
    host_share: float = _field("term.set_up.host_share")


class Term(_Strict):
    """The years of the agreement (section 10); one year by default."""

    years: int = _field("term.years")
    discount_rate: float = _field("term.discount_rate")
    indexation: Indexation = Field(default_factory=Indexation)
    set_up: SetUp = Field(default_factory=SetUp)

    @model_validator(mode="after")
    def _one_rate_a_year(self) -> Term:
        problems = []
        for name in Indexation.model_fields:
            path, value = f"term.indexation.{name}", getattr(self.indexation, name)
            rates = value if isinstance(value, list) else [value]
            f = spec(path)
            for i, rate in enumerate(rates):
                where = f"{path}[{i}]" if isinstance(value, list) else path
                if rate <= f.gt:
                    problems.append(Problem(where, "gt", bound=f.gt, got=rate))
                elif rate > f.le:
                    problems.append(Problem(where, "le", bound=f.le, got=rate))
            if isinstance(value, list) and len(value) != self.years - 1:
                problems.append(Problem(path, "growth_count", bound=self.years, got=len(value)))
        if len(problems) > 1:  # one line for them all, at the first one's field
            raise RuleBroken(Problem(problems[0].path, "all_of", parts=tuple(problems)))
        if problems:
            raise RuleBroken(problems[0])
        return self


MEMBER_NAME_MOST = 80
"""The longest name a member council may have, in characters."""


class Member(_Strict):
    """One council of a region that together is the host (section 12)."""

    name: str = _field("region.members[i].name")
    use_share: float = _field("region.members[i].use_share")
    contribution_share: float | None = _field("region.members[i].contribution_share")
    host_alternative: float | None = _field("region.members[i].host_alternative")
    local_use_anyway: float | None = _field("region.members[i].local_use_anyway")

    @field_validator("name")
    @classmethod
    def _name_length(cls, name: str) -> str:
        if not 1 <= len(name) <= MEMBER_NAME_MOST:
            raise RuleBroken(Problem("", "name_length", bound=MEMBER_NAME_MOST, got=len(name)))
        return name


def _shares_list(members: list[Member], values: list[float]) -> str:
    """Each council's share, as the region's rules list them: "Council A 50 %, Council B 30 %"."""
    return ", ".join(f"{clip(m.name, 40)} {round(v * 100, 1):g} %" for m, v in zip(members, values))


SHARE_TOLERANCE = 1e-9
"""How far from 100 % the members' shares may add up to (rounding in a file written by a spreadsheet)."""


class Region(_Strict):
    """A region of councils as the host (section 12): 2 to 30 members whose shares divide the host's side."""

    returns_split: Literal["use", "contribution"] = _field("region.returns_split")
    members: list[Member] = Field(default_factory=list, description="2 to 30 councils that together are the host")

    @model_validator(mode="after")
    def _members_rules(self) -> Region:
        members = self.members
        where = "region.members"
        if len(members) < 2:
            names = ", ".join(clip(m.name, 40) for m in members)
            raise RuleBroken(Problem(where, "too_few_members", got=len(members), detail=names))
        seen: dict[str, int] = {}
        for i, m in enumerate(members):
            if m.name in seen:
                raise RuleBroken(
                    Problem(f"{where}[{i}].name", "same_name", bound=i, item=seen[m.name], council=clip(m.name, 40))
                )
            seen[m.name] = i
        total = sum(m.use_share for m in members)
        if abs(total - 1) > SHARE_TOLERANCE:
            detail = _shares_list(members, [m.use_share for m in members])
            raise RuleBroken(Problem(where, "shares_total", bound="region.members[i].use_share", got=total, detail=detail))
        given = [m.contribution_share is not None for m in members]
        if any(given) and not all(given):
            without = members[given.index(False)]
            with_one = members[given.index(True)]
            raise RuleBroken(
                Problem(
                    f"{where}[{given.index(False)}].contribution_share",
                    "shares_some",
                    council=clip(without.name, 40),
                    detail=clip(with_one.name, 40),
                )
            )
        if all(given):
            total = sum(m.contribution_share for m in members)
            if abs(total - 1) > SHARE_TOLERANCE:
                detail = _shares_list(members, [m.contribution_share for m in members])
                raise RuleBroken(
                    Problem(where, "shares_total", bound="region.members[i].contribution_share", got=total, detail=detail)
                )
        return self


class Source(_Strict):
    """Where one figure comes from."""

    source: str = Field(min_length=1, description="the publication, dataset or person the figure comes from")
    year: str | None = Field(None, description="the year the figure is for, e.g. 2025-26")
    estimate: bool = Field(False, description="true when the figure is an estimate, not a sourced value")


class Triangular(_Strict):
    """A triangular distribution on [0, 1]; low = high is a fixed value."""

    low: float = Field(ge=0, le=1)
    mode: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high):
            raise RuleBroken(Problem("", "triangle", got=(self.low, self.mode, self.high)))
        return self


class Uncertainty(_Strict):
    """Independent triangular distributions of occupancy and local use."""

    occupancy: Triangular = Field(default_factory=lambda: Triangular(low=0.6, mode=0.85, high=1.0))
    local_use: Triangular = Field(default_factory=lambda: Triangular(low=0.5, mode=0.8, high=1.0))


# ----------------------------------------------------------------------------------------------
# Other ways to buy, and where the figures come from (MODEL.md sections 13 and 14)

MAX_ARRANGEMENTS = 8
MAX_FIXED_ITEMS = 50
MAX_MIX_ITEMS = 10
BUILT_IN_ARRANGEMENTS = ("Spot", "The agreement", "Block contract", "Host price only")
"""The arrangements always compared, in their order (MODEL.md section 13); a scenario's own come after them."""


class PerUnit(_Strict):
    """The variable cost's parts, per unit-period delivered (homecare: per contact hour)."""

    pay: float = _field("cost_build_up.per_unit.pay")
    on_costs: float = _field("cost_build_up.per_unit.on_costs")
    travel_minutes: float = _field("cost_build_up.per_unit.travel_minutes")
    mileage: float = _field("cost_build_up.per_unit.mileage")
    mileage_rate: float = _field("cost_build_up.per_unit.mileage_rate")
    other: float = _field("cost_build_up.per_unit.other")


class FixedItem(_Strict):
    """One item of the fixed cost: an amount a year, or a count and a cost each."""

    name: str = _field("cost_build_up.fixed[i].name", min_length=1, max_length=80)
    amount: float | None = _field("cost_build_up.fixed[i].amount")
    count: float | None = _field("cost_build_up.fixed[i].count")
    each: float | None = _field("cost_build_up.fixed[i].each")

    @model_validator(mode="after")
    def _amount_or_count_each(self) -> FixedItem:
        given = (self.amount is not None, self.count is not None, self.each is not None)
        if given == (False, False, False):
            raise RuleBroken(Problem("", "fixed_item", detail="neither"))
        if given[0] and (given[1] or given[2]):
            raise RuleBroken(Problem("", "fixed_item", detail="both"))
        if not given[0] and not (given[1] and given[2]):
            raise RuleBroken(Problem("", "fixed_item", detail="half"))
        return self


class CostBuildUp(_Strict):
    """The service's costs from their parts: ``service.variable_cost`` and ``service.fixed_cost`` are derived."""

    per_unit: PerUnit
    fixed: list[FixedItem]

    @field_validator("fixed")
    @classmethod
    def _one_to_fifty(cls, items: list[FixedItem]) -> list[FixedItem]:
        if not items:
            raise RuleBroken(Problem("", "too_few", bound=1, got=0, detail="fixed cost item"))
        if len(items) > MAX_FIXED_ITEMS:
            raise RuleBroken(Problem("", "too_many", bound=MAX_FIXED_ITEMS, got=len(items), detail="fixed cost items"))
        return items


class MixItem(_Strict):
    """One way the host would buy its units without the agreement, its share and its price."""

    name: str = _field("alternative_mix[i].name", min_length=1, max_length=80)
    share: float = _field("alternative_mix[i].share")
    price: float = _field("alternative_mix[i].price")


class ArrangementPrices(_Strict):
    """An arrangement's own host price (default: the scenario's)."""

    host: float | None = _field("arrangements[i].prices.host")


class ArrangementIndexation(_Strict):
    """An arrangement's own uplifts (default: the scenario's)."""

    host_price: Growth | None = Field(None, description=spec("arrangements[i].term.indexation.host_price").help)
    contribution: Growth | None = Field(None, description=spec("arrangements[i].term.indexation.contribution").help)


class ArrangementTerm(_Strict):
    """An arrangement's own uplifts over the term."""

    indexation: ArrangementIndexation = Field(default_factory=ArrangementIndexation)


class Arrangement(_Strict):
    """Another way to buy the same service (MODEL.md section 13): its agreement replaces the scenario's whole."""

    name: str = _field("arrangements[i].name", min_length=1, max_length=80)
    agreement: Agreement = Field(default_factory=Agreement)
    prices: ArrangementPrices = Field(default_factory=ArrangementPrices)
    term: ArrangementTerm = Field(default_factory=ArrangementTerm)


def _prefixed(problem: Problem, prefix: str) -> Problem:
    """A problem found on an arrangement's own term, at its place under the arrangement."""
    return replace(
        problem,
        path=f"{prefix}.{problem.path}" if problem.path else prefix,
        parts=tuple(_prefixed(p, prefix) for p in problem.parts),
    )


class Scenario(_Strict):
    """One local partnership agreement scenario (MODEL.md section 1)."""

    name: str = _field("name")
    description: str | None = _field("description")
    unit: str = _field("unit")
    period: str = _field("period")
    currency: str = _field("currency")
    service: Service
    prices: Prices
    agreement: Agreement = Field(default_factory=Agreement)
    without_agreement: WithoutAgreement = Field(default_factory=WithoutAgreement)
    term: Term = Field(default_factory=Term)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    region: Region | None = Field(None, description="a region of councils that together are the host; none: one host")
    # ---- other ways to buy, and where the figures come from (MODEL.md sections 13 and 14)
    cost_build_up: CostBuildUp | None = None
    alternative_mix: list[MixItem] | None = None
    arrangements: list[Arrangement] | None = None
    # ----
    sources: dict[str, Source] | None = _field("sources")

    @field_validator("sources")
    @classmethod
    def _sources_name_fields(cls, sources: dict[str, Source] | None) -> dict[str, Source] | None:
        for path in sources or {}:
            try:
                spec(path)
            except KeyError:
                raise RuleBroken(Problem("", "not_a_field", got=path)) from None
        return sources

    @model_validator(mode="after")
    def _reservation_within_capacity(self) -> Scenario:
        units = self.agreement.reservation.units
        if units > self.service.capacity:
            raise RuleBroken(Problem("agreement.reservation.units", "capacity", bound=self.service.capacity, got=units))
        return self

    @model_validator(mode="after")
    def _local_use_anyway_at_most_all(self) -> Scenario:
        members = self.region.members if self.region is not None else []
        u0 = self.without_agreement.local_use
        anyway = [m.use_share * u0 if m.local_use_anyway is None else m.local_use_anyway for m in members]
        if members and sum(anyway) > 1 + SHARE_TOLERANCE:
            raise RuleBroken(
                Problem(
                    "region.members",
                    "anyway_total",
                    bound="region.members[i].local_use_anyway",
                    got=sum(anyway),
                    detail=_shares_list(members, anyway),
                )
            )
        return self

    @property
    def members(self) -> list[Member]:
        """The region's member councils (section 12); empty when the host is one council."""
        return self.region.members if self.region is not None else []
    # ---- other ways to buy, and where the figures come from (MODEL.md sections 13 and 14)

    def model_dump(self, **kwargs) -> dict[str, Any]:
        """The schema's own dump, less the figures derived from a build-up (section 14), so a dump validates again
        (it keeps the build-up as written, and a derived figure beside it would be refused as typed)."""
        out = super().model_dump(**kwargs)
        if self.cost_build_up is not None and isinstance(out.get("service"), dict):
            out["service"].pop("variable_cost", None)
            out["service"].pop("fixed_cost", None)
        if self.alternative_mix is not None and isinstance(out.get("prices"), dict):
            out["prices"].pop("host_alternative", None)
        return out

    @model_validator(mode="before")
    @classmethod
    def _built_up_figures_left_out(cls, data: Any) -> Any:
        """A figure the scenario builds up must be left out: refused when typed beside its build-up. The service's
        two costs, required without a build-up, are held by a stand-in until :meth:`_derive_built_up` works them
        out (so a scenario with neither is still refused as missing them)."""
        if not isinstance(data, dict):
            return data
        problems = []
        service, prices = data.get("service"), data.get("prices")
        if data.get("cost_build_up") is not None and isinstance(service, dict):
            typed = [k for k in ("variable_cost", "fixed_cost") if service.get(k) is not None]
            problems += [Problem(f"service.{k}", "beside_build_up", bound="cost_build_up") for k in typed]
            if not typed:
                data = {**data, "service": {**service, "variable_cost": 0.0, "fixed_cost": 0.0}}
        if data.get("alternative_mix") is not None and isinstance(prices, dict):
            if prices.get("host_alternative") is not None:
                problems.append(Problem("prices.host_alternative", "beside_build_up", bound="alternative_mix"))
        if len(problems) > 1:
            raise RuleBroken(Problem(problems[0].path, "all_of", parts=tuple(problems)))
        if problems:
            raise RuleBroken(problems[0])
        return data

    @model_validator(mode="after")
    def _derive_built_up(self) -> Scenario:
        """v, F and p_a from their build-up (section 14), used everywhere after as if typed."""
        from .build_up import fixed_cost, host_alternative, variable_cost

        if self.cost_build_up is not None:
            parts = self.cost_build_up.per_unit
            self.service.variable_cost = variable_cost(
                parts.pay, parts.on_costs, parts.travel_minutes, parts.mileage, parts.mileage_rate, parts.other
            )
            self.service.fixed_cost = fixed_cost(self.cost_build_up.fixed)
        if self.alternative_mix is not None:
            self.prices.host_alternative = host_alternative(self.alternative_mix)
        return self

    @field_validator("alternative_mix")
    @classmethod
    def _mix_adds_up(cls, mix: list[MixItem] | None) -> list[MixItem] | None:
        if mix is None:
            return mix
        if not mix:
            raise RuleBroken(Problem("", "too_few", bound=1, got=0, detail="way the host would buy"))
        if len(mix) > MAX_MIX_ITEMS:
            raise RuleBroken(Problem("", "too_many", bound=MAX_MIX_ITEMS, got=len(mix), detail="ways of buying"))
        total = sum(item.share for item in mix)
        if abs(total - 1) > 1e-9:
            raise RuleBroken(Problem("", "mix_total", bound=1, got=round(total, 9)))
        return mix

    @field_validator("arrangements")
    @classmethod
    def _arrangements_named_once(cls, arrangements: list[Arrangement] | None) -> list[Arrangement] | None:
        if arrangements is None:
            return arrangements
        if len(arrangements) > MAX_ARRANGEMENTS:
            raise RuleBroken(
                Problem("", "too_many", bound=MAX_ARRANGEMENTS, got=len(arrangements), detail="arrangements")
            )
        seen: dict[str, int] = {}
        for i, a in enumerate(arrangements):
            key = a.name.strip().casefold()
            built_in = next((b for b in BUILT_IN_ARRANGEMENTS if b.casefold() == key), None)
            if built_in is not None:
                raise RuleBroken(Problem(f"arrangements[{i}].name", "name_twice", bound=built_in, got=a.name))
            if key in seen:
                raise RuleBroken(Problem(f"arrangements[{i}].name", "name_twice", bound=seen[key], got=a.name))
            seen[key] = i
        return arrangements

    @model_validator(mode="after")
    def _arrangements_fit(self) -> Scenario:
        """Each arrangement's reservation within the capacity, and its own uplifts one a year for the term."""
        for i, a in enumerate(self.arrangements or []):
            units = a.agreement.reservation.units
            if units > self.service.capacity:
                raise RuleBroken(
                    Problem(
                        f"arrangements[{i}].agreement.reservation.units", "capacity", bound=self.service.capacity,
                        got=units,
                    )
                )
            own = {k: v for k, v in a.term.indexation.model_dump().items() if v is not None}
            if not own:
                continue
            try:
                Term(
                    years=self.term.years,
                    discount_rate=self.term.discount_rate,
                    indexation=self.term.indexation.model_copy(update=own),
                )
            except ValidationError as exc:
                error = (exc.errors()[0].get("ctx") or {}).get("error")
                if isinstance(error, RuleBroken):
                    raise RuleBroken(_prefixed(error.problem, f"arrangements[{i}]")) from None
                raise
        return self


# ----------------------------------------------------------------------------------------------
# The schema's errors as problems


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(scenario)"


_ALLOWED = {
    "": Scenario,
    "service": Service,
    "prices": Prices,
    "agreement": Agreement,
    "agreement.compensation": Compensation,
    "agreement.reservation": Reservation,
    "without_agreement": WithoutAgreement,
    "term": Term,
    "term.indexation": Indexation,
    "term.set_up": SetUp,
    "agreement.sharing": Sharing,
    "uncertainty": Uncertainty,
    "uncertainty.occupancy": Triangular,
    "uncertainty.local_use": Triangular,
    "region": Region,
    "cost_build_up": CostBuildUp,
    "cost_build_up.per_unit": PerUnit,
    "cost_build_up.fixed[]": FixedItem,
    "alternative_mix[]": MixItem,
    "arrangements[]": Arrangement,
    "arrangements[].agreement": Agreement,
    "arrangements[].agreement.compensation": Compensation,
    "arrangements[].agreement.reservation": Reservation,
    "arrangements[].agreement.sharing": Sharing,
    "arrangements[].prices": ArrangementPrices,
    "arrangements[].term": ArrangementTerm,
    "arrangements[].term.indexation": ArrangementIndexation,
}


def _allowed_fields(parent: str) -> str:
    model = _ALLOWED.get(re.sub(r"\[\d+\]", "[]", parent))
    if model is None and parent.endswith("]"):
        model = Member if parent.startswith("region.") else Band if ".bands[" in parent else None
    if model is None:
        return ""
    return ", ".join(model.model_fields)


def _plausibility(loc: tuple, bound) -> str:
    """The reason for a plausibility bound at this location, when the bound is the registry's ``most``."""
    try:
        f = spec(_location(tuple(loc)))
    except (KeyError, TypeError):
        return ""
    return f.why if f.le is None and f.most is not None and float(bound) == float(f.most) else ""


_SAME_WORDS = {
    "finite_number": "finite",
    "int_from_float": "whole",
    "float_parsing": "number",
    "float_type": "number",
    "int_parsing": "number",
    "int_type": "number",
    "string_type": "text_type",
    "list_type": "list",
    "model_type": "mapping",
    "dict_type": "mapping",
    "model_attributes_type": "mapping",
}
"""The schema's error types that are one rule of ours, whatever the bound."""


_BOUNDS = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}
"""The schema's error types for a bound, and our rules for them (the bound is under the same name in its context)."""


def _whole_number(where: str, value, got) -> Problem:
    """A whole-number field given a number written with an exponent, or too large to be a whole number (``1e300``):
    the bound it breaks, if the registry gives one, else that it must be a whole number; never the schema's words."""
    try:
        x = float(value)
        f = spec(where)
    except (TypeError, ValueError, KeyError):
        return Problem(where, "whole", got=got)
    got = x if abs(x) < 1e30 else Quoted(f"{x:g}")
    if f.le is not None and x > f.le:
        return Problem(where, "le", bound=f.le, got=got)
    if f.ge is not None and x < f.ge:
        return Problem(where, "ge", bound=f.ge, got=got)
    return Problem(where, "whole", got=got)


def _found(err: dict, where: str) -> Problem:
    """The problem a schema error stands for, at ``where`` (its location in the document)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if not (got is None or (isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got) < 1e30)):
        got = Quoted(echo(got))  # received input is quoted briefly, never turned into text in full
    if kind in _BOUNDS:
        rule = _BOUNDS[kind]
        why = _plausibility(err.get("loc", ()), ctx[rule]) if rule == "le" else ""
        return Problem(where, rule, bound=ctx[rule], got=got, detail=why)
    if kind == "int_parsing_size" or (kind == "int_parsing" and isinstance(err.get("input"), (float, PlainNumber))):
        return _whole_number(where, err.get("input"), got)
    if kind in _SAME_WORDS:
        return Problem(where, _SAME_WORDS[kind], got=got)
    if kind == "missing":
        return Problem(where, "missing")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(_location(tuple(err["loc"][:-1])) if len(err["loc"]) > 1 else "")
        return Problem(where, "unknown", detail=allowed)
    if kind in ("string_too_long", "string_too_short"):  # a name of the build-up's, the mix's or the arrangements'
        return Problem(where, "text_length", bound=(ctx.get("min_length"), ctx.get("max_length")), got=got)
    if kind == "literal_error":
        return Problem(where, "one_of", bound=ctx.get("expected", ""), got=got)
    if kind == "value_error" and isinstance(error := ctx.get("error"), RuleBroken):
        return error.problem if error.problem.path else replace(error.problem, path=where)
    if kind == "value_error":
        return Problem(where, "text", detail=clip(str(ctx.get("error", err["msg"])), 300))
    return Problem(where, "text", detail=clip(err["msg"][0].lower() + err["msg"][1:], 300))


_BRANCH = re.compile(r"(float|int|str|bool|list\[[^\]]*\])")
"""How the schema names the branch of a field that takes one of two types (a growth rate: one number, or a list of
one a year) in an error's location."""


def _branch_at(loc: tuple) -> int | None:
    return next((i for i, part in enumerate(loc) if isinstance(part, str) and _BRANCH.fullmatch(part)), None)


def _one_branch(errors: list[dict]) -> list[dict]:
    """A field of two types fails both (``...costs.float`` and ``...costs.list[float]``): only the errors of the type
    given are kept (a list's, when a list was given; the number's otherwise), each at the field's own path, so a
    person reads one line naming the field, never the schema's type names."""
    given: dict[tuple, bool] = {}  # the field's location: whether a list was given there
    for e in errors:
        at = _branch_at(e["loc"])
        if at is not None and len(e["loc"]) == at + 1:
            given[e["loc"][:at]] = isinstance(e.get("input"), (list, tuple))
    out = []
    for e in errors:
        at = _branch_at(e["loc"])
        if at is None:
            out.append(e)
            continue
        is_list = e["loc"][at].startswith("list[")
        if is_list == given.get(e["loc"][:at], is_list):
            out.append({**e, "loc": e["loc"][:at] + e["loc"][at + 1 :]})
    return out


def _problems(exc: ValidationError, skip: frozenset[str] = frozenset()) -> tuple[list[Problem], int]:
    """The first MAX_PROBLEMS problems, and how many there are in all; problems at the paths in ``skip`` (already
    reported) are left out. Field names are quoted briefly. A rule across fields, checked on the whole scenario,
    names the field it is about itself (its problem has its own path)."""
    found: list[Problem] = []
    total = 0
    for e in _one_branch(exc.errors(include_url=False)):
        where = _location(tuple(clip(part) if isinstance(part, str) else part for part in e["loc"]))
        if where in skip:
            continue
        total += 1
        if len(found) < MAX_PROBLEMS:
            found.append(_found(e, where))
    return found, total


# ----------------------------------------------------------------------------------------------
# Loading and saving


def scenario_from_dict(data: Any) -> Scenario:
    """Validate a scenario given as a mapping (parsed YAML or JSON). Raises ScenarioError.

    Before the schema: number fields must hold numbers (not true/false, not text such as "4500"), and there may be
    at most 20 sharing bands (``reading.precheck``). At most 10 problems are listed, then a count of the rest."""
    if not isinstance(data, dict):
        raise ScenarioError([Problem("(scenario)", "mapping", got=Quoted(type(data).__name__))])
    early, stop = precheck(Scenario, data)
    early = _name_councils(early, data)
    if stop:
        raise ScenarioError(capped(early))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines, total = _problems(exc, frozenset(p.path for p in early))
        raise ScenarioError(capped(early + _name_councils(lines, data), len(early) + total)) from None
    if early:
        raise ScenarioError(capped(early))
    return scenario


_MEMBER_AT = re.compile(r"region\.members\[(\d+)\]")


def _name_councils(problems: list[Problem], data: dict) -> list[Problem]:
    """The problems, each at a member council's field naming the council (by the name the document gives it, quoted
    briefly), so a line says which council as well as which field."""
    region = data.get("region")
    members = region.get("members") if isinstance(region, dict) else None
    if not isinstance(members, list):
        return problems
    out = []
    for p in problems:
        m = _MEMBER_AT.match(p.path)
        i = int(m.group(1)) if m else -1
        if m and not p.council and i < len(members) and isinstance(members[i], dict):
            name = members[i].get("name")
            if isinstance(name, str) and name:
                p = replace(p, council=clip(name, 40))
        out.append(p)
    return out


def parse_scenario_text(text: str | bytes, source: str = "scenario") -> Scenario:
    """Validate a scenario from YAML or JSON text (JSON is YAML), read safely by ``reading.read_document``.
    Raises ScenarioError."""
    return scenario_from_dict(read_document(text, source))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (.yaml, .yml or .json). Raises ScenarioError, also for what is not a
    regular file (a folder, a device, a named pipe) and for a file over 1 MB."""
    return parse_scenario_text(read_file_bytes(path), str(path))


def scenario_to_dict(scenario: Scenario) -> dict:
    """The scenario as a plain mapping, optional fields left out when unset; a figure derived from its build-up
    (section 14) is left out too, so the document keeps the build-up as it was written."""
    out = scenario.model_dump(mode="json", exclude_none=True)
    if scenario.cost_build_up is not None:
        out["service"].pop("variable_cost", None)
        out["service"].pop("fixed_cost", None)
    if scenario.alternative_mix is not None:
        out["prices"].pop("host_alternative", None)
    return out


def document_to_vary(scenario: Scenario, *paths: str) -> dict:
    """The scenario as a mapping ready for a search to set ``paths`` in it (:func:`set_path`): where one of them is a
    figure the scenario derives (the variable or fixed cost from its build-up, the host's alternative price from its
    mix), the build-up gives way to the figures it derives, typed, so the varied figure is not refused as typed beside
    its build-up; otherwise :func:`scenario_to_dict`."""
    out = scenario_to_dict(scenario)
    if scenario.cost_build_up is not None and {"service.variable_cost", "service.fixed_cost"} & set(paths):
        del out["cost_build_up"]
        out["service"].update(variable_cost=scenario.service.variable_cost, fixed_cost=scenario.service.fixed_cost)
    if scenario.alternative_mix is not None and "prices.host_alternative" in paths:
        del out["alternative_mix"]
        out["prices"]["host_alternative"] = scenario.prices.host_alternative
    return out


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML document, fields in the order of MODEL.md."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as a JSON document."""
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False)


def warning_details(scenario: Scenario) -> list[Problem]:
    """Things allowed but probably not meant, as problems (not errors): a band's host share that falls."""
    bands = scenario.agreement.sharing.bands
    return [
        Problem(
            f"agreement.sharing.bands[{i}].host_share", "falls", bound=bands[i - 1].host_share, got=bands[i].host_share
        )
        for i in range(1, len(bands))
        if bands[i].host_share < bands[i - 1].host_share
    ]


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Things allowed but probably not meant, one plain line each (not errors), as the command line prints them."""
    return [str(p) for p in warning_details(scenario)]


# ----------------------------------------------------------------------------------------------
# Dotted paths: agreement.contribution, agreement.sharing.bands[2].host_share, ...


def set_path(data: dict, path: str, value: Any, *, copy_first: bool = True) -> dict:
    """A deep copy of a scenario mapping with the value at a dotted path replaced (created if absent); with
    ``copy_first=False``, the mapping itself, changed in place."""
    if copy_first:
        data = copy.deepcopy(data)
    parts = path_parts(path)
    node: Any = data
    for part, nxt in zip(parts[:-1], parts[1:]):
        if isinstance(part, int):
            try:
                node = node[part]
            except (IndexError, TypeError):
                raise KeyError(f"{path}: no such field in this scenario") from None
        else:
            if not isinstance(node, dict):
                raise KeyError(f"{path}: no such field in this scenario")
            node = node.setdefault(part, [] if isinstance(nxt, int) else {})
    last = parts[-1]
    try:
        node[last] = value
    except (IndexError, TypeError):
        raise KeyError(f"{path}: no such field in this scenario") from None
    return data


NUMERIC_PATHS = numeric_paths()
"""The numeric fields a sweep may vary (``[i]`` is a band's index), from the field registry."""


def is_numeric_path(path: str) -> bool:
    """Whether a dotted path names a numeric scenario field."""
    return re.sub(r"\[\d+\]", "[i]", path) in NUMERIC_PATHS
