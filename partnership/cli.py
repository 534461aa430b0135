"""The command line: ``python -m partnership evaluate | summary | sweep | term | solve | region | arrangements``
(MODEL.md sections 5, 10, 12, 13 and 16).

The paper pack is written by the export layer: ``python -m paper export`` (see :mod:`paper.__main__`)."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence

from .arrangements import ARRANGEMENT_LABELS, ARRANGEMENT_NAMES, ARRANGEMENT_TERM_NAMES, arrangements
from .build_up import DERIVED_PATHS, derived
from .councils import MEMBER_LABELS, MEMBER_SUMMARY_LABELS, MEMBER_SUMMARY_NAMES, members_at, members_over_term
from .decisions import CURE, placement_warnings
from .fields import field_label, unit_text
from .formats import field_value, money, outcome_unit, percent, point_percent
from .memory import keep_freed_memory
from .outcomes import OUTCOME_NAMES, break_even_occupancy, evaluate
from .problems import Problem, ScenarioError
from .scenario import load_scenario, scenario_warnings
from .term import TERM_NAMES, evaluate_term
from .uncertainty import SUMMARY_LABELS, SUMMARY_NAMES, TERM_SUMMARY_NAMES, summarize
from .viability import break_even_hours_a_week

__all__ = ["main"]


def _json_safe(value):
    """Floats that are NaN or infinite become None (JSON null), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):
        return _json_safe(value.item())
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}") from None
    if not (0.0 <= value <= 1.0):
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def _cmd_evaluate(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario  # the table's heading and units
    r = evaluate(scenario, args.occupancy, args.local_use)
    out = r.to_dict()
    be = break_even_occupancy(scenario, args.local_use)
    out["break_even_occupancy"] = {k: float(v) for k, v in be.items()}
    if scenario.members:  # a region: each member council's figures (section 12)
        out["members"] = members_at(scenario, args.occupancy, args.local_use, outcome=r)
    out["derived"] = derived(scenario)  # section 14: the figures worked out from a build-up, null where typed
    return out


def _cmd_term(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario
    out = evaluate_term(scenario, args.occupancy, args.local_use).to_dict()
    if scenario.members:  # a region: each member council's figures year by year, and its NPV (section 12)
        out["members"] = members_over_term(scenario, args.occupancy, args.local_use)
    return out


def _cmd_region(args) -> dict:
    from .councils import region_summary

    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario
    return region_summary(scenario).to_dict()


def _region_table(out: dict, scenario) -> str:
    """The region's councils under the uncertainty and the split, as a person reads it: each council's figures by
    their labels, money in whole pounds, chances and shares as percents."""
    cur = scenario.currency
    unit = "over the term" if out["basis"] == "term" else "a year"
    rows = []
    ranges = out["contribution_share_range"]
    for m, span in zip(out["members"], ranges):
        rows.append((m["name"], None, ""))
        rows.append(("  Share of the host's use", percent(m["use_share"], 1), ""))
        rows.append(("  Share of the contribution", percent(m["contribution_share"], 1), ""))
        for name in MEMBER_SUMMARY_NAMES:
            shown = percent(m[name], 1) if name.startswith("probability") else money(m[name], cur)
            rows.append((f"  {MEMBER_SUMMARY_LABELS[name]}", shown, "" if name.startswith("probability") else unit))
        shown = "n/a" if span is None else f"{percent(span[0], 1)} to {percent(span[1], 1)}"
        rows.append(("  Its share of the contribution leaving every council better off", shown, ""))
    rows.append(("The split of the shared payments", None, ""))
    rows.append(("shared_payments", money(out["shared_payments"], cur), unit))
    rows.append(("everyone_better_off_possible", "yes" if out["everyone_better_off_possible"] else "no", ""))
    for key, words in (("equal_saving", "every council saves the same"), ("saving_by_use", "savings in proportion to use")):
        rule = out[key]
        if rule is None:
            rows.append((f"{key} ({words})", "n/a", "no shared payments to split"))
            continue
        shares = ", ".join(percent(x, 1) for x in rule["contribution_shares"])
        rows.append((f"{key} ({words})", shares, "possible" if rule["possible"] else "not possible: a share outside 0-100 %"))
    title = f"{scenario.name}: the region's councils under the uncertainty"
    return _rows_table(title, rows, "Shares of the contribution in the order of the councils above.")


def _members_rows(members: list[dict], scenario) -> list[tuple[str, str, str]]:
    """Each member council's figures at a point as table rows: the council's name as a subheading, then its figures
    by their formula names with their units."""
    rows = [("The region's councils", None, "")]
    for m in members:
        rows.append((m["name"], None, ""))
        for name in MEMBER_LABELS:
            value = m[name]
            if name == "member_host_units":
                rows.append((f"  {name}", "n/a" if value is None else f"{value:,.2f}", f"{scenario.unit}-{scenario.period}s a year"))
            else:
                rows.append((f"  {name}", money(value, scenario.currency, 2), "a year"))
    return rows


# ---- other ways to buy (MODEL.md section 13)


def _cmd_arrangements(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario
    return {"arrangements": [a.to_dict() for a in arrangements(scenario)]}


def _arrangements_table(out: dict, scenario) -> str:
    """Each arrangement as a block of rows: its name as a heading, then each figure by its label; money without pence,
    chances as percents, "n/a" where a chance has no meaning (spot)."""
    cur = scenario.currency
    rows = []
    for a in out["arrangements"]:
        rows.append((a["name"], None, None))
        for k in ARRANGEMENT_NAMES + ARRANGEMENT_TERM_NAMES:
            if k not in a:
                continue
            v = a[k]
            if k.startswith("probability"):
                rows.append((f"  {ARRANGEMENT_LABELS[k]}", "n/a" if v is None else percent(v, 1), ""))
            else:
                rows.append((f"  {ARRANGEMENT_LABELS[k]}", money(v, cur), "over the term" if "npv" in k else "a year"))
    return _rows_table(f"{scenario.name}: other ways to buy, under the uncertainty", rows)


# ----


def _cmd_summary(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario  # the table's heading and units
    return summarize(scenario)


def _summary_table(out: dict, scenario) -> str:
    """The summary as a person reads it: the scenario's name as a heading, then each figure by its label with its
    unit, money with thousands separators and no pence, chances as percents, grouped as section 3 groups them."""
    cur = scenario.currency
    groups = [
        ("Expected: the average over every occupancy and local use in the ranges", SUMMARY_NAMES[:4], "a year"),
        ("Chances", SUMMARY_NAMES[4:7], ""),
        ("Percentiles of each side's gain", SUMMARY_NAMES[7:], "a year"),
    ]
    if scenario.term.years > 1:
        groups += [
            (
                f"Over the term ({scenario.term.years} years, discounted at {percent(scenario.term.discount_rate, 1)})",
                TERM_SUMMARY_NAMES,
                "over the term",
            )
        ]
    rows = []
    for heading, names, unit in groups:
        present = [k for k in names if k in out]
        if not present:
            continue
        rows.append((heading, None, None))
        for k in present:
            v = out[k]
            shown = percent(v, 1) if k.startswith("probability") else money(v, cur)
            rows.append((f"  {SUMMARY_LABELS[k]}", shown, "" if k.startswith("probability") else unit))
    return _rows_table(f"{scenario.name}: summary under the uncertainty", rows)


def _cmd_sweep(args) -> dict:
    from .negotiation import parse_axis, sweep

    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario
    axes = []
    for flag, text in (("--x", args.x), ("--y", args.y)):
        try:
            axes.append(parse_axis(text))
        except ValueError as exc:
            raise ScenarioError([Problem(flag, "text", detail=str(exc))]) from None
    result = sweep(
        scenario,
        axes[0],
        axes[1],
        min_provider_gain=args.min_provider_gain,
        min_host_saving=args.min_host_saving,
        beta=args.beta,
    )
    return result.to_dict()


def _cmd_solve(args) -> dict:
    from .solve import solve

    scenario = load_scenario(args.file)
    _warn(args, scenario)
    args.scenario = scenario
    point = (args.occupancy, args.local_use)
    if args.expected and any(x is not None for x in point):
        raise ScenarioError([Problem("--expected", "text", detail="give either --expected or a point, not both")])
    if not args.expected and any(x is None for x in point):
        detail = "give a point (--occupancy O --local-use U) or --expected"
        raise ScenarioError([Problem("--occupancy" if point[0] is None else "--local-use", "text", detail=detail)])
    at = "expected" if args.expected else point
    args.result = solve(scenario, args.field, args.figure, args.target, args.low, args.high, at, member=args.member)
    return args.result.to_dict()


def _solve_table(result, scenario) -> str:
    """The goal seek as a person reads it: the question, the range searched, the answer with its unit, and the
    answer in one sentence."""
    from .solve import figure_noun, figure_value, in_words, range_words, where_words

    cur = scenario.currency
    rows = [
        ("term", field_label(result.field), f"({result.field})"),
        ("figure", f"{result.member}'s saving" if result.member else figure_noun(result.figure), f"({result.figure})"),
        ("target", figure_value(scenario, result.figure, result.target), ""),
        ("where", where_words(result.at), ""),
        ("range searched", range_words(scenario, result)[1].removeprefix("from "), ""),
        ("answer", "not reached in the range" if result.value is None else _exact(result.field, result.value, cur), ""),
    ]  # fmt: skip
    title = f"{scenario.name}: what would it take?"
    return _rows_table(title, rows) + "\n\n" + in_words(scenario, result)


def _exact(path: str, value: float, currency: str) -> str:
    """A solved value to the precision a person checks it at: money to the penny, shares to a hundredth of a
    percent, counts to two decimals."""
    from .fields import spec

    kind = spec(path).kind
    if kind.startswith("money"):
        return money(value, currency, 2)
    if kind == "fraction":
        return percent(value, 2)
    return f"{value:,.2f}" if kind == "count" else f"{value:g}"


def _warn(args, scenario) -> None:
    """Hold the scenario's warnings (allowed, but check) until the command has succeeded: a refused
    command's stderr is its problems alone, one line each."""
    lines = [f"warning: {line}" for line in scenario_warnings(scenario)]
    jumps = placement_warnings(scenario)
    lines += [f"warning: money rides on a placement decision: {line}" for line in jumps]
    lines += [f"warning: {CURE}"] if jumps else []
    args.warnings = lines


def _aligned(rows: list[tuple[str, str, str]]) -> list[str]:
    """(name, value, unit) rows as lines, names padded and values right-aligned; a row with value None is a
    subheading after a blank line."""
    width = max(len(r[0]) for r in rows)
    value_width = max((len(r[1]) for r in rows if r[1] is not None), default=0)
    lines = []
    for name, value, unit in rows:
        if value is None:
            lines += ["", name]
        else:
            lines.append(f"{name.ljust(width)}  {value:>{value_width}}  {unit}".rstrip())
    return lines


def _rows_table(title: str, rows: list[tuple[str, str, str]], note: str = "") -> str:
    """A titled table of (name, value, unit) rows (:func:`_aligned`), with an optional note under the title."""
    return "\n".join([title, "=" * len(title)] + ([note] if note else []) + _aligned(rows))


def _outcome_cell(name: str, value, scenario) -> tuple[str, str]:
    """A section-2 quantity as it is read: money to the penny with its unit, shares as percents, counts of units."""
    unit = outcome_unit(name, scenario).replace("per year", "a year")
    if unit == "fraction 0-1":
        return percent(value, 1), ""
    if name.endswith("_units"):
        return ("n/a" if value is None else f"{value:,.2f}"), unit
    return money(value, scenario.currency, 2), unit.removeprefix(f"{scenario.currency} ")


def _evaluate_table(out: dict, scenario, occupancy: float, local_use: float) -> str:
    cur = scenario.currency
    rows = [("The model's figures, in the order of its formulas", None, "")]
    rows += [(name, *_outcome_cell(name, out[name], scenario)) for name in OUTCOME_NAMES]
    rows += [("Money riding on a placement", None, "")]
    for jump in out["sharing_jumps"]:
        rows.append(
            (
                f"sharing jump at local use {percent(jump['from_local_use'], 1)}",
                money(jump["to_host"], cur, 2),
                "to the host",
            )
        )
    rows.append(
        ("marginal_host_saving", money(out["marginal_host_saving"], cur, 2), "a year, one more local placement")
    )
    be = _json_safe(out["break_even_occupancy"])
    rows += [("Break-even occupancy at this local use", None, "")]
    rows += [
        ("with the agreement", percent(be["with_agreement"], 1), ""),
        ("without it", percent(be["without_agreement"], 1), ""),
    ]
    if out.get("members"):
        rows += _members_rows(out["members"], scenario)
    hours = break_even_hours_a_week(scenario, local_use)
    if hours is not None:
        rows += [("Break-even in hours a week at this local use", None, "")]
        rows += [
            (label, "n/a" if hours[k] is None else f"{hours[k]:,.0f}", "hours a week")
            for label, k in (("with the agreement", "with_agreement"), ("without it", "without_agreement"))
        ]
    built = {k: v for k, v in (out.get("derived") or {}).items() if v is not None}
    if built:
        rows += [("Worked out from their parts", None, "")]
        rows += [(DERIVED_PATHS[k], *_outcome_cell_of(DERIVED_PATHS[k], v, scenario)) for k, v in built.items()]
    title = f"{scenario.name}: one year at {point_percent(occupancy)} occupancy, {point_percent(local_use)} local use"
    return _rows_table(title, rows, "Names are the model's formula names; n/a where a figure is undefined.")


def _outcome_cell_of(path: str, value: float, scenario) -> tuple[str, str]:
    """A derived input's value and unit, as the scenario's own fields are shown."""
    return field_value(path, value, scenario.currency), unit_text(path, scenario.currency, scenario.unit, scenario.period)


YEAR_COLUMNS = ["provider_gain", "host_saving", "provider_profit", "host_net_cost", "operating_cost", "void_payments"]
"""The section-2 lines a reader checks first, year by year."""


def _term_table(out: dict, scenario, occupancy: float, local_use: float) -> str:
    cur = scenario.currency
    title = (
        f"{scenario.name}: the term of {scenario.term.years} year{'s' if scenario.term.years != 1 else ''} at "
        f"{point_percent(occupancy)} occupancy, "
        f"{point_percent(local_use)} local use"
    )
    cells = [[money(row[n], cur, 2) for n in YEAR_COLUMNS] for row in out["years"]]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(YEAR_COLUMNS)]
    grid = ["year  " + "  ".join(n.rjust(w) for n, w in zip(YEAR_COLUMNS, widths))]
    for row, line in zip(out["years"], cells):
        grid.append(f"{row['year']:>4}  " + "  ".join(c.rjust(w) for c, w in zip(line, widths)))
    rows = [
        (f"Over the term (discounted at {percent(scenario.term.discount_rate, 1)} to the start of year 1)", None, "")
    ]
    for name in TERM_NAMES:
        value = out[name]
        if name.startswith("npv"):
            rows.append((name, money(value, cur, 2), ""))
        else:
            rows.append((name, "never" if value is None else f"year {int(value)}", ""))
    for m in out.get("members", []):
        rows.append((f"npv_member_saving: {m['name']}", money(m["npv_member_saving"], cur, 2), ""))
    head = [
        title,
        "=" * len(title),
        "Names are the model's formula names; each year's money in that year's pounds, a year.",
        "",
    ]
    return "\n".join(head + grid + _aligned(rows))


def _sweep_table(out: dict, scenario) -> str:
    cur = scenario.currency
    x, y = out["x"]["path"], out["y"]["path"]
    acceptable = sum(sum(r) for r in out["acceptable"])
    total = len(out["acceptable"]) * len(out["acceptable"][0])
    rows = [
        ("across (x)", field_label(x), f"({x})"),
        ("up (y)", field_label(y), f"({y})"),
        ("acceptable pairs", f"{acceptable} of {total}", ""),
    ]
    b = out["balanced"]
    if b is None:
        rows.append(("balanced point", "none", "no pair is acceptable to both"))
    else:
        rows += [("Balanced point (Nash)", None, "")]
        rows += [(field_label(x), field_value(x, b["x"], cur), ""), (field_label(y), field_value(y, b["y"], cur), "")]
        rows += [("expected_provider_gain", money(b["expected_provider_gain"], cur), "a year")]
        rows += [("expected_host_saving", money(b["expected_host_saving"], cur), "a year")]
        r = out["near_best_range"]
        rows += [("How sharp it is", None, "")]
        for axis, path in (("x", x), ("y", y)):
            span = f"{field_value(path, r[axis][0], cur)} to {field_value(path, r[axis][1], cur)}"
            rows += [(f"within 1 % of the best: {field_label(path)}", span, "")]
        edges = ", ".join(field_label(out[a]["path"]) for a in out["balanced_on_edge"]) or "none"
        rows += [("balanced point on the end of a range", edges, "")]
        rows += [("not sharp (near-best region wide)", "yes" if out["flat_optimum"] else "no", "")]
    return _rows_table(f"{scenario.name}: terms both sides accept", rows)


def _print(out: dict, fmt: str, command: str, scenario=None, args=None) -> None:
    if fmt == "json":
        print(json.dumps(_json_safe(out), indent=2, allow_nan=False))
        return
    if command == "evaluate":
        print(_evaluate_table(_json_safe(out), scenario, args.occupancy, args.local_use))
    elif command == "summary":
        print(_summary_table(_json_safe(out), scenario))
    elif command == "term":
        print(_term_table(_json_safe(out), scenario, args.occupancy, args.local_use))
    elif command == "sweep":
        print(_sweep_table(_json_safe(out), scenario))
    elif command == "solve":
        print(_solve_table(args.result, scenario))
    elif command == "region":
        print(_region_table(_json_safe(out), scenario))
    elif command == "arrangements":
        print(_arrangements_table(_json_safe(out), scenario))


_NEGATIVE = re.compile(r"^-(?:(?:\d[\d_]*\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)$", re.IGNORECASE)
"""A negative number as it may be typed after an option: -5, -.5, -1e300, -1.5E+3 (and -inf or -nan, which the
option's own check then refuses in plain words)."""


class _Parser(argparse.ArgumentParser):
    """argparse, reading a negative number in any notation (``--min-host-saving -1e300``) as the option's value: on
    its own, argparse takes ``-1e300`` for an option it does not know. Its commands' parsers are of this class too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m partnership",
        description="Partnership Calculator: what a host authority and a care provider each win or lose "
        "under a local partnership agreement.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, help_text):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("file", metavar="FILE", help="scenario file (YAML or JSON)")
        sp.add_argument("--format", choices=["json", "table"], default="json", help="output format (default json)")
        return sp

    e = add("evaluate", "every figure of the model at one occupancy and local use")
    e.add_argument("--occupancy", type=_fraction, required=True, metavar="O", help="share of capacity in use, 0-1")
    e.add_argument("--local-use", type=_fraction, required=True, metavar="U", help="host's share of used capacity, 0-1")
    add("summary", "expectations, probabilities and percentiles under the scenario's uncertainty")
    t = add(
        "term",
        "every year of the term at one occupancy and local use: every figure of the model, NPVs, payback, walk-away",
    )
    t.add_argument("--occupancy", type=_fraction, required=True, metavar="O", help="share of capacity in use, 0-1")
    t.add_argument("--local-use", type=_fraction, required=True, metavar="U", help="host's share of used capacity, 0-1")
    s = add("sweep", "expected gains over two agreement terms, acceptable pairs and the balanced point")
    s.add_argument("--x", required=True, metavar="PATH:START:STOP:COUNT")
    s.add_argument("--y", required=True, metavar="PATH:START:STOP:COUNT")
    s.add_argument("--min-provider-gain", type=_number, default=0.0, metavar="G")
    s.add_argument("--min-host-saving", type=_number, default=0.0, metavar="S")
    s.add_argument("--beta", type=_number, default=0.5, metavar="B", help="bargaining weight of the provider, 0-1")
    v = add("solve", "what it would take: the value of one term at which a figure reaches a target")
    v.add_argument("--field", required=True, metavar="PATH", help="the term to solve for, e.g. agreement.contribution")
    v.add_argument(
        "--figure",
        required=True,
        metavar="NAME",
        help="a figure: one of evaluate's names at a point (e.g. provider_profit), or of summary's with --expected",
    )
    v.add_argument("--target", type=_number, default=0.0, metavar="T", help="the figure's target (default 0)")
    v.add_argument("--occupancy", type=_fraction, metavar="O", help="share of capacity in use, 0-1")
    v.add_argument("--local-use", type=_fraction, metavar="U", help="host's share of used capacity, 0-1")
    v.add_argument("--expected", action="store_true", help="the figure in expectation over the uncertainty")
    v.add_argument(
        "--low", type=_number, metavar="L", help="the bottom of the range (default: the field's plausible range)"
    )
    v.add_argument("--high", type=_number, metavar="H", help="the top of the range")
    v.add_argument("--member", metavar="NAME", help="the member council whose member_saving is the figure (a region)")
    add("region", "each member council's saving under the uncertainty, and the split of the contribution that leaves every council better off")
    add("arrangements", "the agreement beside spot, a block contract, the host price only and the file's own ways to buy")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 for a bad scenario or argument)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"]:
        print("The paper pack is written by: python -m paper export FILE [FILE...] --out DIR", file=sys.stderr)
        return 2
    args = _parser().parse_args(argv)
    keep_freed_memory()  # the model's large arrays from a kept heap (partnership.memory): the same figures, sooner
    commands = {
        "evaluate": _cmd_evaluate,
        "summary": _cmd_summary,
        "sweep": _cmd_sweep,
        "term": _cmd_term,
        "solve": _cmd_solve,
        "region": _cmd_region,
        "arrangements": _cmd_arrangements,
    }
    try:
        out = commands[args.command](args)
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    for line in getattr(args, "warnings", []):
        print(line, file=sys.stderr)
    _print(out, getattr(args, "format", "json"), args.command, getattr(args, "scenario", None), args)
    return 0
