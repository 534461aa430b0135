"""A scenario's problems as data, and their words for each audience (MODEL.md section 5).

The model finds a rule broken and says so once, as a :class:`Problem`: where (the field's dotted path), which rule,
the rule's bound and what it got. The words are made from that data, once per audience:

- :func:`file_words`, the command line's and the files' line, naming the field by its path as MODEL.md section 5
  fixes it (``prices.host: must be >= 0, got -5``); ``str(problem)`` is this line;
- :func:`page_words`, the app's line, naming the field by its label, shares in percent as they are entered, bands
  and years counted as people count them (``Host price: must be at least 0, got -5``).

A :class:`ScenarioError` carries both: ``details`` (the problems) and ``problems`` (their command-line lines).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .fields import FIELDS, item_label, spec

__all__ = [
    "RULES",
    "Problem",
    "ScenarioError",
    "Quoted",
    "clip",
    "file_words",
    "label_of",
    "number_words",
    "page_words",
]


class Quoted(str):
    """Received input already quoted briefly (``reading.echo``): shown as it is, never as a number."""

    def __repr__(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Problem:
    """One rule broken, as data.

    ``path`` is where: a field's dotted path (``agreement.sharing.bands[2].host_share``), a group of fields
    (``uncertainty.occupancy``), ``(scenario)`` for the whole document, the name of the document the reader was
    given (``upload.yaml``), a search's axis (``x``, ``y``) or argument (``beta``), or ``""`` when the problem is
    about nothing in particular. ``rule`` names the rule (see :data:`RULES`). ``bound`` is the rule's limit (the
    0 of "must be >= 0", the choices in words, the line a key is given again on); ``got`` what was received (a
    number, a :class:`Quoted` text, or None for an empty value). ``item`` is the band (from 0) a rule about the
    bands' order is at; ``detail`` holds free words: a plausibility bound's reason, the fields allowed at a place,
    the reader's own words. ``parts`` holds the problems of a rule checked across several fields and reported as
    one line (the growth rates of a term). ``council`` is the name of the member council a problem at a member's
    field is about (``region.members[2].use_share``), so both renderings name the council as well as the field."""

    path: str
    rule: str
    bound: Any = None
    got: Any = None
    item: int | None = None
    detail: str = ""
    parts: tuple[Problem, ...] = ()
    council: str = ""

    def __str__(self) -> str:
        return file_words(self)


class ScenarioError(ValueError):
    """A scenario that breaks a rule. ``details`` holds the problems as data (:class:`Problem`); ``problems`` one
    plain-English line for each, as the command line prints it, starting with the dotted name of the field
    (``prices.host: must be >= 0, got -5``). Lines given as text are problems of free words (rule ``text``)."""

    def __init__(self, problems: list[Problem | str]):
        self.details = [p if isinstance(p, Problem) else Problem("", "text", detail=str(p)) for p in problems]
        self.problems = [file_words(p) for p in self.details]
        super().__init__("\n".join(self.problems))


def clip(text: str, limit: int = 80) -> str:
    """Text cut to at most ``limit`` characters, "..." marking the cut (for field names and parser messages).

    >>> clip("premium_share"), clip("k" * 200)[-5:]
    ('premium_share', 'kk...')
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


def number_words(x: Any) -> str:
    """A number as a person would write it in a message (5 not 5.0; 100,000; 1e+15); received text as quoted.

    >>> number_words(5.0), number_words(250000.0), number_words(0.25), number_words(Quoted("'cheap'"))
    ('5', '250,000', '0.25', "'cheap'")
    """
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return repr(x) if isinstance(x, str) else str(x)
    if isinstance(x, float) and math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        x = int(x)
    if isinstance(x, int) and abs(x) < 10**15:
        return f"{x:,}" if abs(x) >= 10_000 else str(x)  # 100,000 not 100000; years and prices stay plain
    if isinstance(x, float) and math.isfinite(x) and (abs(x) >= 1e15 or (x != 0 and abs(x) < 1e-4)):
        return f"{x:.6g}"  # 1e+15, not 1000000000000000.0
    return str(x)


def _got(x: Any) -> str:
    return "null" if x is None else number_words(x)


# ----------------------------------------------------------------------------------------------
# The command line's and the files' words: fields by their dotted paths

_VALIDATOR_RULES = ("no_bands", "first_band", "band_order", "triangle", "not_a_field")
"""Rules a schema validator checks: their words are cut at 300 characters, as any validator's are."""


def _file_rest(p: Problem) -> str:
    """What follows the path in the command line's line."""
    r, b, g = p.rule, p.bound, p.got
    if r in ("ge", "gt", "le", "lt"):
        sign = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}[r]
        return f"must be {sign} {number_words(b)}, got {_got(g)}" + (f" ({p.detail})" if p.detail else "")
    if r == "capacity":
        return f"must be <= the capacity ({number_words(b)}), got {_got(g)}"
    if r == "finite":
        return f"must be a finite number, got {_got(g)}"
    if r == "whole":
        return f"must be a whole number, got {_got(g)}"
    if r == "number":
        return f"must be a number, got {_got(g)}" + (f" ({p.detail})" if p.detail else "")
    if r == "text_type":
        return f"must be text, got {_got(g)}"
    if r == "list":
        return f"must be a list, got {_got(g)}"
    if r == "mapping":
        return f"must be a set of fields (a mapping), got {_got(g)}"
    if r == "one_of":
        return f"must be one of {b}, got {_got(g)}"
    if r == "missing":
        return "is required but missing"
    if r == "unknown":
        return "is not a known field; check the spelling" + (f" (allowed here: {p.detail})" if p.detail else "")
    if r == "no_bands":
        return "needs at least one band"
    if r == "first_band":
        return f"the first band must start at local use {number_words(b)}, got local use {_got(g)}"
    if r == "band_order":
        return (
            f"each band must start at a higher local use than the one before: band {p.item + 1} starts at local use "
            f"{number_words(g)}, not above band {p.item} at local use {number_words(b)}"
        )
    if r == "triangle":
        low, mode, high = (number_words(v) for v in g)
        return f"needs low <= mode <= high, got low {low}, mode {mode}, high {high}"
    if r == "growth_count":
        return (
            f"needs one growth rate for each year after the first: {b - 1} for {b} year{'s' if b != 1 else ''}, got {g}"
        )
    if r == "too_many":
        return f"at most {b} {p.detail}, got {g:,}"
    if r in _BUY_RULES:
        return _buy_words(p, file=True)
    if r == "falls":
        return (
            f"falls from {number_words(b)} to {number_words(g)} as local use rises; the host's share usually "
            "escalates with use"
        )
    if r == "not_a_field":
        return f"{g!r} is not a scenario field (give a field's dotted path)"
    if r == "not_numeric":
        return f"{g} is not a numeric scenario field (e.g. agreement.contribution)"
    if r == "same_axis":
        return f"{g} is already searched on the other axis; choose two different fields"
    if r == "years_with_list":
        return (
            f"term.years cannot be searched while {g} is given year by year (a list fits one length of term); give "
            "one rate for every year to search the term's length"
        )
    if r == "no_such_field":
        return f"{g}: {p.detail}"
    if r in _REGION_RULES:
        return _region_rest(p, lambda path: f"{spec(path).label} ({path.rsplit('.', 1)[-1]})")
    if r == "not_sweepable":
        return (
            f"{g} is a member council's figure and cannot be searched (the councils' shares add up to 100 %); "
            "python -m partnership region works out the split of the contribution instead"
        )
    if r == "no_members":
        return "the scenario names no member councils"
    if r == "not_a_figure":
        where = (
            "at a point (one of the figures evaluate reports, e.g. provider_profit)"
            if b == "point"
            else ("in expectation (one of the figures summary reports, e.g. expected_provider_gain)")
        )
        return f"{_got(g)} is not a figure {where}" + (f": {p.detail}" if p.detail else "")
    return p.detail  # "text": the problem's own words


_REGION_RULES = ("shares_total", "too_few_members", "same_name", "shares_some", "anyway_total", "name_length")
"""The rules of a region's member councils (MODEL.md section 12): each names the councils it is about."""


def _percent(x: Any) -> str:
    """A share as a percent, as the region's rules state totals: 0.9 -> "90 %", 0.333 -> "33.3 %"."""
    return f"{round(float(x) * 100, 1):g} %"


def _region_rest(p: Problem, name_of) -> str:
    """The words of a region rule after the place it is at; ``name_of(template_path)`` names a member field in the
    audience's words (its label; on the command line, with its key)."""
    r, b, g = p.rule, p.bound, p.got
    if r == "shares_total":
        return f"{name_of(b)} adds up to {_percent(g)} over the councils, not 100 %: {p.detail}"
    if r == "anyway_total":
        return f"{name_of(b)} adds up to {_percent(g)} over the councils, more than 100 %: {p.detail}"
    if r == "too_few_members":
        names = f" ({p.detail})" if p.detail else ""
        return f"a region needs at least 2 member councils, got {g}{names}"
    if r == "same_name":
        return f"{p.council} is named twice (councils {p.item + 1} and {b + 1}); give each council its own name"
    if r == "shares_some":
        return (
            f"{p.council} has no {name_of('region.members[i].contribution_share')} while {p.detail} has one; give "
            "one for every council or for none"
        )
    if r == "name_length":
        return f"a council's name must be 1-{b} characters, got {g:,}"
# ---- other ways to buy, and where the figures come from (MODEL.md sections 13 and 14)

_BUY_RULES = ("beside_build_up", "mix_total", "fixed_item", "name_twice", "too_few", "text_length")
_FIXED_ITEM_WORDS = {
    "neither": "needs an amount a year, or a count and a cost each; it has neither",
    "both": "needs an amount a year or a count and a cost each, not both",
    "half": "needs both a count and a cost each (or an amount a year instead)",
}


def _buy_words(p: Problem, file: bool) -> str:
    """The words of the rules of the cost build-up, the alternative mix and the arrangements, after the field's name:
    the command line's (``file``) or the page's."""
    r, b, g = p.rule, p.bound, p.got
    if r == "beside_build_up":
        source = b if file else f"the {label_of(b)[0][:1].lower()}{label_of(b)[0][1:]}"
        return f"is given and also worked out from {source}; leave one of the two out"
    if r == "mix_total":
        total = number_words(g) if file else _value(g, True)
        return f"the shares must add up to {'1' if file else '100 %'}, got {total}"
    if r == "fixed_item":
        return _FIXED_ITEM_WORDS[p.detail]
    if r == "name_twice":
        if isinstance(b, str):
            return f"{g!r} is the name of an arrangement always compared; choose another name"
        return f"{g!r} is already the name of arrangement {b + 1}; each arrangement needs a name of its own"
    if r == "too_few":
        return f"needs at least {b} {p.detail}"
    if r == "text_length":
        if b[1] is not None:
            return f"must be at most {b[1]} characters"
        return "must not be empty"
    return p.detail


def file_words(p: Problem) -> str:
    """The problem's line for the command line and files, naming the field by its dotted path (and a member
    council's field by the council's name too: ``region.members[2].use_share (Council C): must be <= 1, got 1.5``).

    >>> file_words(Problem("prices.host", "ge", bound=0, got=-5.0))
    'prices.host: must be >= 0, got -5'
    """
    if p.rule == "all_of":
        return clip("; ".join(file_words(part) for part in p.parts), 300)
    if p.rule == "more":
        return f"... and {p.got:,} more problem{'s' if p.got != 1 else ''}"
    if p.rule == "twice":
        return f"{p.path} appears twice (line {p.bound})"
    rest = _file_rest(p)
    if p.rule in _VALIDATOR_RULES or p.rule in _REGION_RULES:
        rest = clip(rest, 300)
    where = f"{p.path} ({p.council})" if p.council and p.rule not in ("same_name", "shares_some") else p.path
    line = f"{where}: {rest}" if where else rest
    return clip(line, 299) if p.rule == "unknown" else line  # a long key beside the long list of the top's fields


# ----------------------------------------------------------------------------------------------
# The page's words: fields by their labels, shares in percent, bands and years counted from 1

_GROUP_LABELS = {
    "agreement.sharing.bands": "Sharing bands",
    "region.members": "Member councils",
    "cost_build_up": "Cost build-up",
    "cost_build_up.fixed": "Fixed cost items",
    "alternative_mix": "Host's alternative mix",
    "arrangements": "Other arrangements",
    "uncertainty.occupancy": "Occupancy range",
    "uncertainty.local_use": "Local use range",
}
_PER_YEAR = {f.path for f in FIELDS if f.per_year}
_BAND = re.compile(r"agreement\.sharing\.bands\[(\d+)\](?:\.(from_local_use|host_share))?")
_YEAR = re.compile(r"(term\.indexation\.\w+)\[(\d+)\]")
_MEMBER = re.compile(r"region\.members\[(\d+)\](?:\.(\w+))?")


def label_of(path: str) -> tuple[str, bool]:
    """A person's name for the place a problem is at, and whether its values are shares (shown as percents):
    "Sharing band 3, host's share" for ``agreement.sharing.bands[2].host_share``, "Cost growth, year 3" for the
    second of the costs' year-by-year rates; a path that names no field is its own name."""
    if path in _GROUP_LABELS:
        return _GROUP_LABELS[path], True
    if m := _BAND.fullmatch(path):
        band = f"Sharing band {int(m.group(1)) + 1}"
        return (f"{band}, {spec(path).label}" if m.group(2) else band), True
    if m := _MEMBER.fullmatch(path):
        council = f"Member council {int(m.group(1)) + 1}"
        try:
            return (f"{council}, {spec(path).label}" if m.group(2) else council), bool(
                m.group(2) and spec(path).is_fraction
            )
        except KeyError:
            return path, False
    if (m := _YEAR.fullmatch(path)) and m.group(1) in _PER_YEAR:  # a rate given year by year: [0] is year 2
        return f"{spec(m.group(1)).label}, year {int(m.group(2)) + 2}", True
    if path == "(scenario)":
        return "The scenario", False
    if (item := item_label(path)) is not None:  # an item of the build-up's, the mix's or the arrangements' lists
        try:
            return item, spec(path).is_fraction
        except KeyError:
            return item, False
    try:
        return spec(path).label, spec(path).is_fraction
    except KeyError:
        return path, False


def _quoted_label(path: str) -> str:
    label, _ = label_of(path)
    return path if label == path else f"“{label}”"


def _number(x: Any) -> float | None:
    """A received value as a finite number, if it is one (a number typed as ``1e300`` arrives quoted as text)."""
    if isinstance(x, bool):
        return None
    if isinstance(x, str):
        try:
            x = float(x.replace(",", ""))
        except ValueError:
            return None
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def _value(x: Any, share: bool) -> str:
    """A bound or a received value in the page's words: a share as a percent (0.25 -> 25 %)."""
    n = _number(x) if share else None
    if n is None:
        return number_words(x)
    return f"{float(number_words(n).replace(',', '')) * 100:,g} %"


def _got_page(x: Any, share: bool) -> str:
    """ ", got 150 %"; " (it is empty)" for an empty value."""
    return " (it is empty)" if x is None else f", got {_value(x, share)}"


def _page_rest(p: Problem, share: bool) -> str:
    r, b, g = p.rule, p.bound, p.got
    if r in ("ge", "gt", "le", "lt"):
        words = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}[r]
        why = f" ({p.detail})" if p.detail else ""
        return f"must be {words} {_value(b, share)}{_got_page(g, share)}{why}"
    if r == "capacity":
        return f"must be at most the capacity ({number_words(b)}){_got_page(g, False)}"
    if r in ("finite", "whole", "number", "text_type", "list", "mapping", "one_of"):
        what = {
            "finite": "a finite number",
            "whole": "a whole number",
            "number": "a number",
            "text_type": "text",
            "list": "a list",
            "mapping": "a set of fields (a mapping)",
            "one_of": f"one of {b}",
        }[r]
        shown = share and r in ("finite", "whole")  # the value itself, which a wrong type is not
        return f"must be {what}{_got_page(g, shown)}" + (f" ({p.detail})" if p.detail else "")
    if r == "first_band":
        return f"the first band must start at local use {_value(b, True)}, got local use {_value(g, True)}"
    if r == "band_order":
        return (
            f"each band must start at a higher local use than the one before: band {p.item + 1} starts at local use "
            f"{_value(g, True)}, not above band {p.item} at local use {_value(b, True)}"
        )
    if r == "triangle":
        low, mode, high = (_value(v, True) for v in g)
        return f"needs lowest ≤ most likely ≤ highest, got lowest {low}, most likely {mode}, highest {high}"
    if r == "falls":
        return (
            f"falls from {_value(b, share)} to {_value(g, share)} as local use rises; the host's share usually "
            "escalates with use"
        )
    if r in _BUY_RULES:
        return _buy_words(p, file=False)
    if r == "not_numeric":
        return f"{_quoted_label(g)} is not a numeric scenario field (e.g. {_quoted_label('agreement.contribution')})"
    if r == "same_axis":
        return f"{_quoted_label(g)} is already searched on the other axis; choose two different fields"
    if r == "years_with_list":
        return (
            f"{_quoted_label('term.years')} cannot be searched while {_quoted_label(g)} is given year by year (a list "
            "fits one length of term); give one rate for every year to search the term's length"
        )
    rest = _file_rest(p)
    return clip(rest, 300) if r in _VALIDATOR_RULES else rest


def page_words(p: Problem) -> str:
    """The problem's line for the app: the field's label for its dotted path, "at least" for ">=", shares in percent
    as they are entered, bands counted from 1 and a year-by-year rate by its year.

    >>> page_words(Problem("agreement.compensation.premium_share", "le", bound=1, got=1.5))
    'Share of the external premium: must be at most 100 %, got 150 %'
    """
    if p.rule == "all_of":
        return "; ".join(page_words(part) for part in p.parts)
    if p.rule == "more":
        return file_words(p)
    if p.rule == "twice":
        return f"{_quoted_label(p.path)} appears twice (line {p.bound})"
    if p.rule in ("not_numeric", "same_axis", "years_with_list"):  # a search's axis: the field it names is what matters
        rest = _page_rest(p, False)
        return rest[:1].upper() + rest[1:]
    if p.rule == "no_such_field":
        return f"{label_of(p.got)[0]}: {p.detail}"
    if p.rule in _REGION_RULES:
        rest = clip(_region_rest(p, lambda path: f"“{spec(path).label}”"), 300)
        label = label_of(p.path)[0]
        if p.rule in ("same_name", "shares_some"):  # the council is named in the words
            label = spec(p.path).label
        elif p.council and _MEMBER.fullmatch(p.path):
            label = f"{p.council}, {spec(p.path).label}"
        return f"{label}: {rest}"
    if p.rule == "not_sweepable":
        what = f"“{p.council}, {spec(p.got).label}”" if p.council else _quoted_label(p.got)
        return (
            f"{what} is a member council's figure and cannot be searched (the councils' shares add up to 100 %); the "
            "region's split of the contribution answers that question"
        )
    if p.rule == "no_members":
        return "The scenario names no member councils"
    if not p.path:
        return _page_rest(p, False)
    label, share = label_of(p.path)
    m = _MEMBER.fullmatch(p.path)
    if p.council and m and m.group(2) and label != p.path:  # a member's field: the council by name, the field by label
        label = f"{p.council}, {spec(p.path).label}"
    elif p.council and m:
        label = f"{p.council}, {p.path.rsplit('.', 1)[-1]}"
    return f"{label}: {_page_rest(p, share)}"


RULES = {
    "ge": "at least the bound",
    "gt": "more than the bound",
    "le": "at most the bound (``detail``: why, for a plausibility bound)",
    "lt": "less than the bound",
    "capacity": "at most the capacity (the bound)",
    "finite": "a finite number",
    "whole": "a whole number",
    "number": "a number (``detail`` 'text' when text was given)",
    "text_type": "text",
    "list": "a list",
    "mapping": "a set of fields",
    "one_of": "one of the choices (the bound, in words)",
    "missing": "required",
    "unknown": "not a known field (``detail``: the fields allowed there)",
    "no_bands": "at least one sharing band",
    "first_band": "the first band starts at local use 0 (the bound)",
    "band_order": "band ``item`` + 1 starts above the band before it (bound: that band's start)",
    "triangle": "low <= mode <= high (got: the three)",
    "growth_count": "one growth rate for each year after the first (bound: the years; got: the rates given)",
    "all_of": "several problems reported as one line (``parts``)",
    "too_many": "at most the bound of a list's items (``detail``: what they are)",
    "twice": "a key given twice (bound: the line it is given again on)",
    "more": "the count of problems not listed (got)",
    "falls": "a warning: a band's host share falls from the band before's (bound) to this (got)",
    "not_a_field": "a sources entry names no scenario field (got: the name)",
    "not_numeric": "a search's axis names no numeric field (got: the name)",
    "same_axis": "both axes of a search name the same field (got)",
    "years_with_list": "the term's length searched while a growth rate (got) is given year by year",
    "no_such_field": "a search's axis names a field the scenario lacks (got; ``detail``: the reason)",
    "not_a_figure": "a goal seek's figure is not a name it can reach where it is asked for (got: the name; bound: "
    "``point`` or ``expected``; ``detail``: where the name is a figure, if it is one)",
    "shares_total": "the member councils' shares of one kind (bound: the share's field, ``[i]`` for any council) "
    "add up to 100 % (got: their total; ``detail``: each council's share)",
    "anyway_total": "the member councils' local use anyway (bound: its field) adds up to at most 100 % (got: the "
    "total; ``detail``: each council's)",
    "too_few_members": "a region has at least 2 member councils (got: how many; ``detail``: their names)",
    "same_name": "each member council named once (``council``: the name; ``item``: the first council with it, from "
    "0; bound: this one)",
    "shares_some": "contribution shares given for every member council or for none (``council``: one without; "
    "``detail``: one with)",
    "name_length": "a member council's name of 1 to the bound's characters (got: its length)",
    "not_sweepable": "a search's axis or a goal seek's field names a member council's figure (got: the path)",
    "no_members": "the region's figures asked for a scenario that names no member councils",
    "beside_build_up": "a figure typed beside the build-up that works it out (bound: the build-up's path)",
    "mix_total": "the alternative mix's shares add up to 1 (got: their total)",
    "fixed_item": "a fixed cost item has an amount, or a count and a cost each (``detail``: neither, both or half)",
    "name_twice": "an arrangement's name is its own (bound: the other arrangement's index, or a built-in's name)",
    "too_few": "at least the bound of a list's items (``detail``: what they are)",
    "text_length": "a name of 1 to 80 characters (bound: the least and the most characters)",
    "text": "free words (``detail``), at ``path`` if there is one",
}
"""Every rule a :class:`Problem` may name, with what it asks for."""
