"""A room's history as a ZIP of YAML scenario files plus a CSV log, and the checks on a ZIP given to import."""

from __future__ import annotations

import csv
import io
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from partnership import Scenario, ScenarioError, parse_scenario_text, scenario_to_yaml
from partnership.formats import file_stem, spreadsheet_text

from .errors import BadArchive
from .limits import (
    MAX_ARCHIVE_BYTES,
    MAX_DIRECTORY_BYTES,
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_LOG_ROWS,
    MAX_NAME,
    MAX_VERSIONS,
)
from .records import Event, OptionVersion

LOG = "log.csv"
LOG_COLUMNS = ["time", "who", "action", "option", "version", "file"]
ACTIONS = {"save", "remove", "restore", "import"}

__all__ = ["BadArchive", "Step", "build", "read"]


def _csv_safe(value: str) -> str:
    """Text a spreadsheet will not run as a formula: :func:`partnership.formats.spreadsheet_text`, the one rule every
    CSV export follows."""
    return spreadsheet_text(value)


def _csv_unsafe(value: str) -> str:
    """The text :func:`_csv_safe` was given (its quote mark taken off again)."""
    return value[1:] if value[:1] == "'" and spreadsheet_text(value[1:]) == value else value


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def build(all_versions: list[OptionVersion], log: list[Event]) -> bytes:
    """The ZIP of a room: ``<option>_v<N>.yaml`` for each version (``_current`` or ``_removed`` added to each
    option's latest) and ``log.csv``, whose save lines name the file they saved."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for v in all_versions:  # one distinct file stem per option, in the order first saved
        if v.name not in stems:
            base, i = file_stem(v.name, "option", 60), 2
            stem = base
            while stem in taken:
                stem, i = f"{base}_{i}", i + 1
            taken.add(stem)
            stems[v.name] = stem
    latest = {v.name: v.version for v in all_versions}
    files: dict[tuple[str, int], str] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for v in all_versions:
            state = ("_removed" if v.removed else "_current") if latest[v.name] == v.version else ""
            file = f"{stems[v.name]}_v{v.version}{state}.yaml"
            files[(v.name, v.version)] = file
            who = f" by {v.proposer}" if v.proposer else ""
            status = {"_current": " (current)", "_removed": " (latest; the option is removed)", "": ""}[state]
            header = f"# Option “{v.name}”, version {v.version}{status}, saved{who} at {_stamp(v.saved_at)}\n"
            z.writestr(file, header + scenario_to_yaml(v.scenario()))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(LOG_COLUMNS)
        for e in log:
            file = files.get((e.option_name, e.version), "") if e.action == "save" else ""
            version = "" if e.version is None else str(e.version)
            writer.writerow([_stamp(e.at), _csv_safe(e.who), e.action, _csv_safe(e.option_name), version, file])
        z.writestr(LOG, out.getvalue())
    return buffer.getvalue()


@dataclass
class Step:
    """One thing to replay on import: a save (name, scenario text, who, when, file) or a remove/restore."""

    action: str
    name: str
    who: str = ""
    at: datetime | None = None
    text: str = ""
    file: str = ""
    scenario: Scenario | None = None
    """The file's scenario, read once by the model's reader (shared by every save of the same file)."""


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    path = PurePosixPath(name)
    if (
        "\\" in name
        or name.startswith("/")
        or ":" in name
        or any(part in ("..", ".") for part in path.parts)
        or any(ord(ch) < 32 for ch in name)
    ):
        raise BadArchive(f"The archive is refused: “{name[:100]}” points outside the archive.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise BadArchive(f"The archive is refused: “{name}” is a link, not a file.")
    if info.flag_bits & 0x1:
        raise BadArchive(f"The archive is refused: “{name}” is encrypted.")
    if info.is_dir():
        return
    if path.name != LOG and path.suffix.lower() not in (".yaml", ".yml"):
        raise BadArchive(f"The archive is refused: “{name}” is not a YAML scenario file (nor {LOG}).")
    if info.file_size > MAX_FILE_BYTES:
        raise BadArchive(f"The archive is refused: “{name}” is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")


def _text(z: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> tuple[str, int]:
    """The member's text, read (decompressed) to at most its limit or ``room`` bytes, whichever is less: a member
    that unpacks to more than it claims is refused when its bytes show it, not from its header. Returns the text
    and the number of bytes it unpacked to."""
    cap = min(MAX_FILE_BYTES, room)
    try:
        with z.open(info) as f:
            raw = f.read(cap + 1)
    except zipfile.BadZipFile:  # zipfile reads no further than the header claims, then finds the checksum wrong
        raise BadArchive(
            f"In the archive, {info.filename[:100]}: is damaged (what it holds does not match its header)."
        ) from None
    except (OSError, EOFError, NotImplementedError, ValueError, RuntimeError, zlib.error) as exc:
        why = str(exc)[:80] or type(exc).__name__
        raise BadArchive(f"In the archive, {info.filename[:100]}: cannot be read ({why}).") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BadArchive(f"The archive is refused: “{info.filename[:100]}” is larger than it claims.")
    if len(raw) > cap:
        raise BadArchive(
            f"The archive is refused: its files unpack to more than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB."
        )
    try:
        return raw.decode("utf-8-sig"), len(raw)
    except UnicodeDecodeError:
        raise BadArchive(f"In the archive, {info.filename}: is not UTF-8 text.") from None


EARLIEST_YEAR, LATEST_YEAR = 1970, 9998
"""The years a time in a room's log may fall in, once in UTC (a room's history starts after 1970; the last year
leaves room for any time zone's offset)."""


def _time(value: str, row: int) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except ValueError:
        raise BadArchive(f"In the archive, {LOG} line {row}: “{value[:40]}” is not a time.") from None
    except OverflowError:  # year 1 or 9999 with an offset: UTC falls outside what a date can hold
        at = None
    if at is None or not EARLIEST_YEAR <= at.year <= LATEST_YEAR:
        raise BadArchive(
            f"In the archive, {LOG} line {row}: “{value[:40]}” is not a time between {EARLIEST_YEAR} and {LATEST_YEAR}."
        )
    return at


def _log_rows(log_text: str) -> list[tuple[int, list[str]]]:
    """The log's rows after its header (line number, six fields), with their count and the length of every field
    checked as they are read: more than MAX_LOG_ROWS rows, or a field over MAX_FIELD_CHARS characters, is refused
    at once, before anything is copied or parsed."""
    reader = csv.reader(io.StringIO(log_text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[: len(LOG_COLUMNS)]] != LOG_COLUMNS:
            raise BadArchive(f"In the archive, {LOG}: the first line must be: {','.join(LOG_COLUMNS)}.")
        for row in reader:
            if not row:
                continue
            if len(rows) >= MAX_LOG_ROWS:
                raise BadArchive(
                    f"The archive is refused: its {LOG} has more than {MAX_LOG_ROWS:,} lines; a room's log has fewer."
                )
            if len(row) > 2 * len(LOG_COLUMNS) or any(len(field) > MAX_FIELD_CHARS for field in row):
                raise BadArchive(
                    f"In the archive, {LOG} line {reader.line_num}: a field is longer than {MAX_FIELD_CHARS:,} "
                    "characters (or the line has too many fields)."
                )
            rows.append((reader.line_num, (row + [""] * len(LOG_COLUMNS))[: len(LOG_COLUMNS)]))
    except csv.Error as exc:  # a field over csv.field_size_limit(), a NUL, a stray quote...
        why = str(exc)
        if "field larger than field limit" in why:
            why = f"a field is longer than {csv.field_size_limit():,} characters"
        raise BadArchive(f"In the archive, {LOG} line {reader.line_num}: cannot be read as CSV ({why[:80]}).") from None
    return rows


def _log_steps(rows: list[tuple[int, list[str]]], files: set[str]) -> tuple[list[Step], set[str]]:
    """The steps the log's rows replay (saves not yet given their texts) and the files its saves name."""
    steps, used = [], set()
    saves = 0
    for row_number, row in rows:
        at, who, action, name, _version, file = (c.strip() for c in row)
        action = action.lower()
        if action not in ACTIONS:
            raise BadArchive(f"In the archive, {LOG} line {row_number}: unknown action “{action[:20]}”.")
        if action == "import":
            continue
        if action == "save":
            saves += 1
            if saves > MAX_VERSIONS:
                raise BadArchive(
                    f"The archive is refused: its {LOG} saves more than {MAX_VERSIONS:,} versions, the most a room "
                    "can keep."
                )
            if file not in files:
                raise BadArchive(f"In the archive, {LOG} line {row_number}: names a file that is not in it.")
        step = Step(action, _csv_unsafe(name), _csv_unsafe(who), _time(at, row_number))
        if action == "save":
            step.file = file
            used.add(file)
        steps.append(step)
    return steps, used


_EOCD = struct.Struct("<4s4H2LH")  # the ZIP's end record: signature, disks, entries (here, total), sizes, comment


def _directory_problem(data: bytes) -> str | None:
    """What is wrong with the ZIP's table of contents, read from its end record before any entry is parsed: more
    entries than MAX_FILES, or a table larger than MAX_DIRECTORY_BYTES (zipfile would parse every entry of it,
    whatever count the record gives). None when it looks like a room's archive, or is not a ZIP at all (zipfile
    says so after)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - (_EOCD.size + 65_535)))
    if at < 0 or at + _EOCD.size > len(data):
        return None
    _sig, _disk, _start, _here, entries, directory_size, _offset, _comment = _EOCD.unpack_from(data, at)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        return "it uses ZIP64 records, which a room's archive never needs"
    if entries > MAX_FILES:
        return f"it holds more than {MAX_FILES:,} files"
    if directory_size > MAX_DIRECTORY_BYTES:
        return f"its table of contents is larger than {MAX_DIRECTORY_BYTES // 1024 // 1024} MB"
    return None


def read(data: bytes) -> list[Step]:
    """Check a ZIP given to import and return what to replay, in order: the log's saves, removes and
    restores (with their files' scenario texts), then any YAML file the log does not name, saved under its
    scenario's name. BadArchive for anything refused: more than 20 MB, over 2,000 entries, a file over
    1 MB, a member that is not YAML (or log.csv), a path that leaves the archive, a link, a scenario
    that is not valid (naming the file and the model's own message: ``partnership.parse_scenario_text`` also
    refuses YAML aliases, deep nesting and what is too large, so nothing here parses YAML itself).

    The cheap checks come first, each on what the archive really holds rather than what it claims: the count of
    entries (from the ZIP's end record, before its table is parsed), each member's size as it unpacks (read to
    its limit and no further), the total, then the log's rows (at most MAX_LOG_ROWS, saving at most MAX_VERSIONS
    versions, every field short); only then is each scenario file read, once, by the model's reader."""
    if not isinstance(data, bytes | bytearray):
        raise BadArchive("The archive must be given as the bytes of a ZIP file.")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise BadArchive(f"The archive is refused: it is larger than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB.")
    if problem := _directory_problem(bytes(data[-(_EOCD.size + 65_535) :])):
        raise BadArchive(f"The archive is refused: {problem}.")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error):
        raise BadArchive("That file is not a ZIP archive (or it is damaged).") from None
    with z:
        if len(infos) > MAX_FILES:
            raise BadArchive(f"The archive is refused: it holds more than {MAX_FILES:,} files.")
        seen: set[str] = set()
        total = 0
        for info in infos:
            _check_member(info)
            if info.filename in seen:
                raise BadArchive(f"The archive is refused: it holds “{info.filename[:100]}” twice.")
            seen.add(info.filename)
            total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise BadArchive(
                f"The archive is refused: its files come to more than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB."
            )
        files = [i for i in infos if not i.is_dir()]
        logs = [i for i in files if PurePosixPath(i.filename).name == LOG]
        if len(logs) > 1:
            raise BadArchive(f"The archive is refused: it holds more than one {LOG}.")
        members = [i for i in files if i not in logs]
        if not members:
            raise BadArchive("The archive holds no scenario files (.yaml).")
        room = MAX_ARCHIVE_BYTES  # what the members may still unpack to, counted as they really unpack
        steps: list[Step] = []
        used: set[str] = set()
        if logs:  # the log first: its rows are counted and checked before any scenario is read
            log_text, size = _text(z, logs[0], room)
            room -= size
            steps, used = _log_steps(_log_rows(log_text), {i.filename for i in members})
            del log_text
        unnamed = sorted({i.filename for i in members} - used)
        if sum(s.action == "save" for s in steps) + len(unnamed) > MAX_VERSIONS:
            raise BadArchive(
                f"The archive is refused: it saves more than {MAX_VERSIONS:,} versions, the most a room can keep."
            )
        texts: dict[str, str] = {}
        scenarios: dict[str, Scenario] = {}
        for info in members:  # then each file, read and checked by the model's reader in turn: the first bad one stops
            file = info.filename
            texts[file], size = _text(z, info, room)
            room -= size
            try:  # the model's reader also refuses YAML aliases, deep nesting and too many values, fast
                scenarios[file] = parse_scenario_text(texts[file], file)
            except ScenarioError as exc:
                problems = [p if p.startswith(f"{file}:") else f"{file}: {p}" for p in exc.problems]
                raise BadArchive("In the archive, " + "; ".join(problems)) from None
    for step in steps:
        if step.action == "save":
            step.text, step.scenario = texts[step.file], scenarios[step.file]
    for file in unnamed:
        name = scenarios[file].name.strip() or PurePosixPath(file).stem
        steps.append(Step("save", name[:MAX_NAME], "", None, texts[file], file, scenarios[file]))
    return steps
