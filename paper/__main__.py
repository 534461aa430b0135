"""``python -m paper export FILE [FILE...] --out DIR``: write the paper pack from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from partnership import ScenarioError, load_scenario, scenario_warnings
from partnership.memory import keep_freed_memory

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m paper",
        description="Partnership Calculator exports: the paper pack for a committee paper or business case.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    x = sub.add_parser(
        "export",
        help="write the paper pack (charts, tables, workbook, summary) for one or several scenarios",
        description="Write the paper pack (charts, tables, workbook, summary) for one scenario, or a "
        "comparison of several, as one ZIP in DIR.",
    )
    x.add_argument("files", nargs="+", metavar="FILE", help="scenario files (YAML or JSON); several make a comparison")
    x.add_argument("--out", required=True, metavar="DIR", help="folder to write the pack into")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the export command line (prints ``{"pack": PATH}`` as JSON); returns the exit status (0 ok, 2 for a bad scenario, argument or a
    missing chart browser), with one plain line per problem on stderr and no traceback."""
    args = _parser().parse_args(argv)
    keep_freed_memory()  # the model's large arrays from a kept heap (partnership.memory): the same figures, sooner
    try:
        scenarios = [load_scenario(f) for f in args.files]
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    for s in scenarios:
        for line in scenario_warnings(s):
            print(f"warning: {line}", file=sys.stderr)
    try:
        from .images import ImageExportError, warm_up

        warm_up()  # the chart browser starts while the pack's modules load and the model works
        from .pack import export_pack
    except ImportError as exc:  # an export library is missing from this installation
        print(f"The paper pack needs {exc.name}: pip install -r requirements.txt", file=sys.stderr)
        return 2
    try:
        path = export_pack(scenarios, args.out)
    except ImageExportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.out}: cannot write the pack there ({exc.strerror})", file=sys.stderr)
        return 2
    print(json.dumps({"pack": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
