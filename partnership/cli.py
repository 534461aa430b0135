"""The command line: ``python -m partnership evaluate | summary | sweep | term`` (MODEL.md sections 5 and 10).

The paper pack is written by the export layer: ``python -m paper export`` (see :mod:`paper.__main__`)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from .decisions import CURE, placement_warnings
from .formats import money, percent
from .outcomes import OUTCOME_NAMES, break_even_occupancy, evaluate
from .scenario import ScenarioError, load_scenario, scenario_warnings
from .term import TERM_NAMES, evaluate_term
from .uncertainty import SUMMARY_LABELS, SUMMARY_NAMES, TERM_SUMMARY_NAMES, summarize

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


def _table(rows: list[tuple[str, object]]) -> str:
    """A two-column text table; numbers with thousands separators, None as n/a."""

    def fmt(v):
        if v is None:
            return "n/a"
        if isinstance(v, float):
            if abs(v) < 10 and v != int(v):
                return f"{v:,.4f}"
            return f"{v:,.2f}"
        return str(v)

    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {fmt(v):>18}" for k, v in rows)


def _cmd_evaluate(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    out = evaluate(scenario, args.occupancy, args.local_use).to_dict()
    be = break_even_occupancy(scenario, args.local_use)
    out["break_even_occupancy"] = {k: float(v) for k, v in be.items()}
    return out


def _cmd_term(args) -> dict:
    scenario = load_scenario(args.file)
    _warn(args, scenario)
    return evaluate_term(scenario, args.occupancy, args.local_use).to_dict()


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
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows if r[1] is not None)
    title = f"{scenario.name}: summary under the uncertainty"
    lines = [title, "=" * len(title)]
    for label, shown, unit in rows:
        if shown is None:
            lines += ["", label]
        else:
            lines.append(f"{label.ljust(width)}  {shown:>{value_width}}  {unit}".rstrip())
    return "\n".join(lines)


def _cmd_sweep(args) -> dict:
    from .negotiation import parse_axis, sweep

    scenario = load_scenario(args.file)
    _warn(args, scenario)
    axes = []
    for flag, text in (("--x", args.x), ("--y", args.y)):
        try:
            axes.append(parse_axis(text))
        except ValueError as exc:
            raise ScenarioError([f"{flag}: {exc}"]) from None
    result = sweep(
        scenario,
        axes[0],
        axes[1],
        min_provider_gain=args.min_provider_gain,
        min_host_saving=args.min_host_saving,
        beta=args.beta,
    )
    return result.to_dict()


def _warn(args, scenario) -> None:
    """Hold the scenario's warnings (allowed, but check) until the command has succeeded: a refused
    command's stderr is its problems alone, one line each."""
    lines = [f"warning: {line}" for line in scenario_warnings(scenario)]
    jumps = placement_warnings(scenario)
    lines += [f"warning: money rides on a placement decision: {line}" for line in jumps]
    lines += [f"warning: {CURE}"] if jumps else []
    args.warnings = lines


def _print(out: dict, fmt: str, command: str, scenario=None) -> None:
    if fmt == "json":
        print(json.dumps(_json_safe(out), indent=2, allow_nan=False))
        return
    if command == "evaluate":
        rows = [(k, out[k]) for k in OUTCOME_NAMES]
        rows += [(f"sharing_jumps (at local use {j['from_local_use']:g})", j["to_host"]) for j in out["sharing_jumps"]]
        rows += [("marginal_host_saving", out["marginal_host_saving"])]
        be = out["break_even_occupancy"]
        rows += [("break_even_occupancy (with)", _json_safe(be["with_agreement"]))]
        rows += [("break_even_occupancy (without)", _json_safe(be["without_agreement"]))]
    elif command == "summary":
        print(_summary_table(_json_safe(out), scenario))
        return
    elif command == "term":
        print(_year_table(out))
        rows = [(k, out[k]) for k in TERM_NAMES]
    elif command == "sweep":
        b = out["balanced"]
        acceptable = sum(sum(r) for r in out["acceptable"])
        total = len(out["acceptable"]) * len(out["acceptable"][0])
        rows = [("x", out["x"]["path"]), ("y", out["y"]["path"]), ("acceptable pairs", f"{acceptable} of {total}")]
        if b is None:
            rows.append(("balanced point", "none: no pair is acceptable to both"))
        else:
            rows += [(f"balanced {out['x']['path']}", b["x"]), (f"balanced {out['y']['path']}", b["y"])]
            rows += [("expected_provider_gain", b["expected_provider_gain"])]
            rows += [("expected_host_saving", b["expected_host_saving"])]
            r = out["near_best_range"]
            for axis in ("x", "y"):
                rows += [(f"within 1 % of the best: {out[axis]['path']}", f"{r[axis][0]:,.6g} to {r[axis][1]:,.6g}")]
            edges = ", ".join(out[a]["path"] for a in out["balanced_on_edge"]) or "none"
            rows += [("balanced point on the end of a range", edges)]
            rows += [("not sharp (near-best region wide)", "yes" if out["flat_optimum"] else "no")]
    else:
        rows = list(out.items())
    print(_table([(k, _json_safe(v)) for k, v in rows]))


def _year_table(out: dict) -> str:
    """One row per year: the year, each side's gain and the section-2 lines a reader checks first."""
    names = ["provider_gain", "host_saving", "provider_profit", "host_net_cost", "operating_cost", "void_payments"]
    head = "year  " + "  ".join(f"{n:>18}" for n in names)
    lines = [head]
    for row in out["years"]:
        cells = "  ".join(f"{'n/a' if row[n] is None else f'{row[n]:,.2f}':>18}" for n in names)
        lines.append(f"{row['year']:>4}  {cells}")
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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

    e = add("evaluate", "every section-2 figure at one occupancy and local use")
    e.add_argument("--occupancy", type=_fraction, required=True, metavar="O", help="share of capacity in use, 0-1")
    e.add_argument("--local-use", type=_fraction, required=True, metavar="U", help="host's share of used capacity, 0-1")
    add("summary", "expectations, probabilities and percentiles under the scenario's uncertainty")
    t = add(
        "term", "every year of the term at one occupancy and local use: section-2 figures, NPVs, payback, walk-away"
    )
    t.add_argument("--occupancy", type=_fraction, required=True, metavar="O", help="share of capacity in use, 0-1")
    t.add_argument("--local-use", type=_fraction, required=True, metavar="U", help="host's share of used capacity, 0-1")
    s = add("sweep", "expected gains over two agreement terms, acceptable pairs and the balanced point")
    s.add_argument("--x", required=True, metavar="PATH:START:STOP:COUNT")
    s.add_argument("--y", required=True, metavar="PATH:START:STOP:COUNT")
    s.add_argument("--min-provider-gain", type=_number, default=0.0, metavar="G")
    s.add_argument("--min-host-saving", type=_number, default=0.0, metavar="S")
    s.add_argument("--beta", type=_number, default=0.5, metavar="B", help="bargaining weight of the provider, 0-1")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 for a bad scenario or argument)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"]:
        print("The paper pack is written by: python -m paper export FILE [FILE...] --out DIR", file=sys.stderr)
        return 2
    args = _parser().parse_args(argv)
    commands = {"evaluate": _cmd_evaluate, "summary": _cmd_summary, "sweep": _cmd_sweep, "term": _cmd_term}
    try:
        out = commands[args.command](args)
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    for line in getattr(args, "warnings", []):
        print(line, file=sys.stderr)
    _print(out, getattr(args, "format", "json"), args.command, getattr(args, "scenario", None))
    return 0
