"""Command line for the workshop store: export a room's history as a ZIP, import a ZIP into a room."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

from partnership.formats import file_stem

from . import archive
from .errors import StoreError
from .limits import MAX_ARCHIVE_BYTES
from .rooms import Store, room_code_from_link


def read_zip_file(path: Path) -> bytes:
    """The bytes of a ZIP file to import, refusing at once what is not a regular file (a folder, a device such as
    /dev/zero, a named pipe: opened without blocking and checked before reading) and reading at most 20 MB and one
    byte. StoreError in one plain line."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise StoreError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a ZIP file.") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a folder"
                if stat.S_ISDIR(info.st_mode)
                else "a named pipe"
                if stat.S_ISFIFO(info.st_mode)
                else "a device"
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a socket"
                if stat.S_ISSOCK(info.st_mode)
                else "not a regular file"
            )
            raise StoreError(f"{path}: is {kind}, not a ZIP file.")
        too_large = StoreError(f"{path}: the archive is refused: it is larger than {MAX_ARCHIVE_BYTES // 2**20} MB.")
        if info.st_size > MAX_ARCHIVE_BYTES:
            raise too_large
        chunks, left = [], MAX_ARCHIVE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror}).") from None
    finally:
        os.close(fd)
    if left <= 0:
        raise too_large  # it grew while being read
    return b"".join(chunks)


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
            plan = archive.read(read_zip_file(Path(args.zip)))  # checked before the database is opened
            with Store(args.database) as store:
                print(store.import_steps(plan, code, who=args.who))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
