"""A room's history as a ZIP of YAML scenario files plus a CSV log, and the checks on a ZIP given to import."""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from partnership import ScenarioError, parse_scenario_text, scenario_to_yaml
from partnership.formats import file_stem, spreadsheet_text

from .errors import BadArchive
from .limits import MAX_ARCHIVE_BYTES, MAX_FILE_BYTES, MAX_FILES, MAX_NAME
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


def _text(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    try:
        with z.open(info) as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise BadArchive(f"In the archive, {info.filename}: cannot be read ({exc}).") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BadArchive(f"The archive is refused: “{info.filename}” is larger than it claims.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadArchive(f"In the archive, {info.filename}: is not UTF-8 text.") from None


def _time(value: str, row: int) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadArchive(f"In the archive, {LOG} line {row}: “{value[:40]}” is not a time.") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _log_steps(log_text: str, texts: dict[str, str]) -> tuple[list[Step], set[str]]:
    reader = csv.reader(io.StringIO(log_text))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[: len(LOG_COLUMNS)]] != LOG_COLUMNS:
        raise BadArchive(f"In the archive, {LOG}: the first line must be: {','.join(LOG_COLUMNS)}.")
    steps, used = [], set()
    for row_number, row in enumerate(reader, start=2):
        if not row:
            continue
        row = (row + [""] * len(LOG_COLUMNS))[: len(LOG_COLUMNS)]
        at, who, action, name, _version, file = (c.strip() for c in row)
        action = action.lower()
        if action not in ACTIONS:
            raise BadArchive(f"In the archive, {LOG} line {row_number}: unknown action “{action[:20]}”.")
        if action == "import":
            continue
        step = Step(action, _csv_unsafe(name), _csv_unsafe(who), _time(at, row_number))
        if action == "save":
            if file not in texts:
                raise BadArchive(f"In the archive, {LOG} line {row_number}: names a file that is not in it.")
            step.file, step.text = file, texts[file]
            used.add(file)
        steps.append(step)
    return steps, used


def read(data: bytes) -> list[Step]:
    """Check a ZIP given to import and return what to replay, in order: the log's saves, removes and
    restores (with their files' scenario texts), then any YAML file the log does not name, saved under its
    scenario's name. BadArchive for anything refused: more than 20 MB, over 2,000 entries, a file over
    1 MB, a member that is not YAML (or log.csv), a path that leaves the archive, a link, a scenario
    that is not valid (naming the file and the model's own message: ``partnership.parse_scenario_text`` also
    refuses YAML aliases, deep nesting and what is too large, so nothing here parses YAML itself)."""
    if not isinstance(data, bytes | bytearray):
        raise BadArchive("The archive must be given as the bytes of a ZIP file.")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise BadArchive(f"The archive is refused: it is larger than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB.")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise BadArchive("That file is not a ZIP archive (or it is damaged).") from None
    with z:
        if len(infos) > MAX_FILES:
            raise BadArchive(f"The archive is refused: it holds more than {MAX_FILES:,} files.")
        seen: set[str] = set()
        total = 0
        for info in infos:
            _check_member(info)
            if info.filename in seen:
                raise BadArchive(f"The archive is refused: it holds “{info.filename}” twice.")
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
        texts: dict[str, str] = {}
        for info in files:
            if info not in logs:
                texts[info.filename] = _text(z, info)
        log_text = _text(z, logs[0]) if logs else None
    if not texts:
        raise BadArchive("The archive holds no scenario files (.yaml).")
    scenarios = {}
    for file, text in texts.items():  # every file must be a valid scenario, named in the message if not
        try:  # the model's reader also refuses YAML aliases, deep nesting and too many values, fast
            scenarios[file] = parse_scenario_text(text, file)
        except ScenarioError as exc:
            problems = [p if p.startswith(f"{file}:") else f"{file}: {p}" for p in exc.problems]
            raise BadArchive("In the archive, " + "; ".join(problems)) from None
    steps, used = _log_steps(log_text, texts) if log_text is not None else ([], set())
    for file in sorted(set(texts) - used):
        name = scenarios[file].name.strip() or PurePosixPath(file).stem
        steps.append(Step("save", name[:MAX_NAME], "", None, texts[file], file))
    return steps
