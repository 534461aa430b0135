"""Save latency of the workshop store with 20 sessions saving into one room at once, each with its own
engine (as separate app servers would), on a SQLite file and on a throwaway PostgreSQL cluster.

Run: python benchmarks/bench_store.py [--sessions 20] [--saves 10] [--mode processes|threads] [--postgres URL]
Without --postgres it starts a cluster of Debian's PostgreSQL in a temporary folder (fsync on) and stops it
after; --no-postgres skips it. Prints the median and 95th percentile of the save latency.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import Store  # noqa: E402
from tests.support.pg_cluster import Cluster, ClusterUnavailable  # noqa: E402
from tests.support.store_load import concurrent_saves, percentiles  # noqa: E402


def report(label: str, url: str, args) -> None:
    result = concurrent_saves(url, args.sessions, args.saves, mode=args.mode)
    if result["errors"]:
        print(f"{label}: {len(result['errors'])} saves failed; first:\n{result['errors'][0]}")
    with Store(url) as store:
        kept = len(store.versions(result["room"]))
    median, p95 = percentiles(result["latencies"])
    print(
        f"{label:11} {args.sessions} sessions x {args.saves} saves ({args.mode}): median {median:7.1f} ms   "
        f"p95 {p95:7.1f} ms   all {result['elapsed']:5.2f} s   versions kept {kept}/{args.sessions * args.saves}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--saves", type=int, default=10, help="saves per session")
    parser.add_argument("--mode", choices=["processes", "threads"], default="processes")
    parser.add_argument("--postgres", metavar="URL", help="an existing PostgreSQL database to use")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", f"sqlite:///{Path(tmp) / 'workshops.sqlite3'}", args)
    if args.no_postgres:
        return
    if args.postgres:
        report("PostgreSQL", args.postgres, args)
        return
    try:
        with Cluster(fsync=True) as pg:
            report("PostgreSQL", pg.new_database(), args)
    except ClusterUnavailable as exc:
        print(f"PostgreSQL: skipped ({exc})")


if __name__ == "__main__":
    main()
