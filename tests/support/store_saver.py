"""Stands in for an app server in the kill-and-restart test: saves options into a room one after another
and prints each one's name once its save has returned, until it is killed.

Usage: python tests/support/store_saver.py DATABASE ROOM_CODE PREFIX
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(database: str, code: str, prefix: str) -> None:
    """Save ``PREFIX 0``, ``PREFIX 1``, ... for ever, printing each name after its save returned."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from store import Store
    from tests.support.store_fixtures import scenario_text

    store = Store(database)
    print("ready", flush=True)
    i = 0
    while True:
        name = f"{prefix} {i}"
        store.save_option(code, name, scenario_text(1000 + i), proposer="saver")
        print(name, flush=True)
        i += 1


if __name__ == "__main__":
    main(*sys.argv[1:4])
