"""Command line for the workshop store: export a room's history as a ZIP, import a ZIP into a room."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from partnership.formats import file_stem

from .archive import MAX_ARCHIVE_BYTES
from .errors import StoreError
from .rooms import Store, room_code_from_link


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        """One plain line and exit status 2 (argparse would print the usage first)."""
        self.exit(2, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m store",
        description="The shared workshop store (SQLite by default; $PARTNERSHIP_DATABASE_URL for another database).",
    )
    parser.add_argument("--database", metavar="URL", help="database URL or SQLite file (default: see README)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    export = sub.add_parser("export", help="write a room's whole history as a ZIP; prints the ZIP's path")
    export.add_argument("room", metavar="ROOM_LINK_OR_CODE", help="the room's link (…?room=CODE) or its code")
    export.add_argument("--out", metavar="DIR", default=".", help="folder to write the ZIP into (default: here)")
    imp = sub.add_parser("import", help="import a ZIP into a new room (or --room); prints the room's code")
    imp.add_argument("zip", metavar="ZIP", help="a ZIP written by export (or of scenario YAML files)")
    imp.add_argument("--room", metavar="ROOM_LINK_OR_CODE", help="import into this existing room")
    imp.add_argument("--who", default="", help="who is importing (recorded in the room's history)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 with one plain line for any bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "export":
            code = room_code_from_link(args.room)
            out = Path(args.out)
            if out.exists() and not out.is_dir():
                raise StoreError(f"{out} is a file, not a folder.")
            with Store(args.database) as store:
                data = store.export_zip(code)
                title = file_stem(store.room(code).title, "room", 60) if store.room(code).title else "room"
            try:
                out.mkdir(parents=True, exist_ok=True)
                # The file's name carries the room's title and the time, never its code (the code is the secret).
                path = out / f"{title}_history_{datetime.now(UTC):%Y%m%d_%H%M%S}.zip"
                path.write_bytes(data)
            except OSError as exc:
                raise StoreError(f"Cannot write the ZIP into {out} ({exc.strerror}).") from None
            print(path)
        else:
            code = room_code_from_link(args.room) if args.room else None
            path = Path(args.zip)
            try:
                if path.stat().st_size > MAX_ARCHIVE_BYTES:
                    raise StoreError(f"{path}: the archive is refused: it is larger than 20 MB.")
                data = path.read_bytes()
            except FileNotFoundError:
                raise StoreError(f"{path}: no such file.") from None
            except IsADirectoryError:
                raise StoreError(f"{path}: is a folder, not a ZIP file.") from None
            except OSError as exc:
                raise StoreError(f"{path}: cannot be read ({exc.strerror}).") from None
            with Store(args.database) as store:
                print(store.import_zip(data, code, who=args.who))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
