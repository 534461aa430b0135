"""The scenario: every input of a local partnership agreement, validated once (MODEL.md section 1)."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .fields import REQUIRED, numeric_paths, spec
from .problems import ScenarioError
from .reading import MAX_PROBLEMS, capped, clip, echo, precheck, read_document, read_file_bytes

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_yaml",
    "scenario_warnings",
    "set_path",
    "NUMERIC_PATHS",
]


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
            raise ValueError("needs at least one band")
        if bands[0].from_local_use != 0:
            raise ValueError(f"the first band must start at local use 0, got local use {_num(bands[0].from_local_use)}")
        for i in range(1, len(bands)):
            if bands[i].from_local_use <= bands[i - 1].from_local_use:
                raise ValueError(
                    f"each band must start at a higher local use than the one before: band {i + 1} starts at local use "
                    f"{_num(bands[i].from_local_use)}, not above band {i} at local use {_num(bands[i - 1].from_local_use)}"
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
                    problems.append(f"{where}: must be > {_num(f.gt)}, got {_num(rate)}")
                elif rate > f.le:
                    problems.append(f"{where}: must be <= {_num(f.le)}, got {_num(rate)}")
            if isinstance(value, list) and len(value) != self.years - 1:
                problems.append(
                    f"{path}: needs one growth rate for each year after the first: "
                    f"{self.years - 1} for {self.years} year{'s' if self.years != 1 else ''}, got {len(value)}"
                )
        if problems:
            raise ValueError("; ".join(problems))
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
            raise ValueError(
                f"needs low <= mode <= high, got low {_num(self.low)}, mode {_num(self.mode)}, high {_num(self.high)}"
            )
        return self


class Uncertainty(_Strict):
    """Independent triangular distributions of occupancy and local use."""

    occupancy: Triangular = Field(default_factory=lambda: Triangular(low=0.6, mode=0.85, high=1.0))
    local_use: Triangular = Field(default_factory=lambda: Triangular(low=0.5, mode=0.8, high=1.0))


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
    sources: dict[str, Source] | None = _field("sources")

    @field_validator("sources")
    @classmethod
    def _sources_name_fields(cls, sources: dict[str, Source] | None) -> dict[str, Source] | None:
        for path in sources or {}:
            try:
                spec(path)
            except KeyError:
                raise ValueError(f"{path!r} is not a scenario field (give a field's dotted path)") from None
        return sources

    @model_validator(mode="after")
    def _reservation_within_capacity(self) -> Scenario:
        units = self.agreement.reservation.units
        if units > self.service.capacity:
            raise ValueError(
                f"agreement.reservation.units: must be <= the capacity ({_num(self.service.capacity)}), "
                f"got {_num(units)}"
            )
        return self


# ----------------------------------------------------------------------------------------------
# Plain-English messages


def _num(x: Any) -> str:
    """A number as a person would write it in a message (5 not 5.0)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return repr(x) if isinstance(x, str) else str(x)
    if isinstance(x, float) and math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        x = int(x)
    if isinstance(x, int) and abs(x) < 10**15:
        return f"{x:,}" if abs(x) >= 10_000 else str(x)  # 100,000 not 100000; years and prices stay plain
    if isinstance(x, float) and math.isfinite(x) and (abs(x) >= 1e15 or (x != 0 and abs(x) < 1e-4)):
        return f"{x:.6g}"  # 1e+15, not 1000000000000000.0
    return str(x)


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
}


def _allowed_fields(parent: str) -> str:
    model = _ALLOWED.get(re.sub(r"\[\d+\]", "", parent).replace(".bands", ".bands[]"))
    if model is None and parent.endswith("]"):
        model = Band
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


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if not (isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got) < 1e30):
        got = _Echoed(echo(got))  # received input is quoted briefly, never turned into text in full
    if kind == "greater_than_equal":
        return f"must be >= {_num(ctx['ge'])}, got {_num(got)}"
    if kind == "greater_than":
        return f"must be > {_num(ctx['gt'])}, got {_num(got)}"
    if kind == "less_than_equal":
        why = _plausibility(err.get("loc", ()), ctx["le"])
        return f"must be <= {_num(ctx['le'])}, got {_num(got)}" + (f" ({why})" if why else "")
    if kind == "less_than":
        return f"must be < {_num(ctx['lt'])}, got {_num(got)}"
    if kind == "finite_number":
        return f"must be a finite number, got {_num(got)}"
    if kind == "int_from_float":
        return f"must be a whole number, got {_num(got)}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"must be a number, got {_num(got)}"
    if kind in ("string_type",):
        return f"must be text, got {_num(got)}"
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(_location(tuple(err["loc"][:-1])) if len(err["loc"]) > 1 else "")
        hint = f" (allowed here: {allowed})" if allowed else ""
        return f"is not a known field; check the spelling{hint}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, got {_num(got)}"
    if kind in ("list_type",):
        return f"must be a list, got {_num(got)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a set of fields (a mapping), got {_num(got)}"
    if kind == "value_error":
        return clip(str(ctx.get("error", err["msg"])), 300)
    return clip(err["msg"][0].lower() + err["msg"][1:], 300)


_NAMES_ITS_FIELD = re.compile(r"^[a-z_]+(\.[a-z_]+|\[\d+\])+: ")


class _Echoed(str):
    """Received input already quoted by ``reading.echo``: ``_num`` shows it as it is."""

    def __repr__(self) -> str:
        return str.__str__(self)


def _problems(exc: ValidationError, skip: frozenset[str] = frozenset()) -> tuple[list[str], int]:
    """The first MAX_PROBLEMS problems as plain lines, and how many there are in all; problems at the paths in
    ``skip`` (already reported) are left out. Field names are quoted briefly. A rule across fields, checked on
    the whole scenario, names the field it is about itself."""
    lines: list[str] = []
    total = 0
    for e in exc.errors(include_url=False):
        where = _location(tuple(clip(part) if isinstance(part, str) else part for part in e["loc"]))
        if where in skip:
            continue
        total += 1
        if len(lines) < MAX_PROBLEMS:
            message = _message(e)
            own = _NAMES_ITS_FIELD.match(message) and (where == "(scenario)" or message.startswith(where + "."))
            lines.append(message if own else f"{where}: {message}")
    return lines, total


# ----------------------------------------------------------------------------------------------
# Loading and saving


def scenario_from_dict(data: Any) -> Scenario:
    """Validate a scenario given as a mapping (parsed YAML or JSON). Raises ScenarioError.

    Before the schema: number fields must hold numbers (not true/false, not text such as "4500"), and there may be
    at most 20 sharing bands (``reading.precheck``). At most 10 problems are listed, then a count of the rest."""
    if not isinstance(data, dict):
        raise ScenarioError([f"(scenario): must be a set of fields (a mapping), got {type(data).__name__}"])
    early, stop = precheck(Scenario, data)
    if stop:
        raise ScenarioError(capped(early))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines, total = _problems(exc, frozenset(p.split(": ", 1)[0] for p in early))
        raise ScenarioError(capped(early + lines, len(early) + total)) from None
    if early:
        raise ScenarioError(capped(early))
    return scenario


def parse_scenario_text(text: str | bytes, source: str = "scenario") -> Scenario:
    """Validate a scenario from YAML or JSON text (JSON is YAML), read safely by ``reading.read_document``.
    Raises ScenarioError."""
    return scenario_from_dict(read_document(text, source))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (.yaml, .yml or .json). Raises ScenarioError, also for what is not a
    regular file (a folder, a device, a named pipe) and for a file over 1 MB."""
    return parse_scenario_text(read_file_bytes(path), str(path))


def scenario_to_dict(scenario: Scenario) -> dict:
    """The scenario as a plain mapping, optional fields left out when unset."""
    return scenario.model_dump(mode="json", exclude_none=True)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML document, fields in the order of MODEL.md."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as a JSON document."""
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False)


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Things allowed but probably not meant, one plain line each (not errors)."""
    out = []
    bands = scenario.agreement.sharing.bands
    for i in range(1, len(bands)):
        if bands[i].host_share < bands[i - 1].host_share:
            out.append(
                f"agreement.sharing.bands[{i}].host_share: falls from {_num(bands[i - 1].host_share)} to "
                f"{_num(bands[i].host_share)} as local use rises; the host's share usually escalates with use"
            )
    return out


# ----------------------------------------------------------------------------------------------
# Dotted paths: agreement.contribution, agreement.sharing.bands[2].host_share, ...

_PATH_PART = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?$")


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        m = _PATH_PART.match(piece)
        if not m:
            raise KeyError(f"{path}: not a scenario field path")
        parts.append(m.group(1))
        if m.group(2) is not None:
            parts.append(int(m.group(2)))
    return parts


def set_path(data: dict, path: str, value: Any) -> dict:
    """A deep copy of a scenario mapping with the value at a dotted path replaced (created if absent)."""
    data = copy.deepcopy(data)
    parts = _split(path)
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
