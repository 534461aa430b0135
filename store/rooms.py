"""Rooms and their options: create a room, save versions, remove and restore, read the history (the Store)."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Connection, LargeBinary, cast, func, insert, select, update

from partnership import Scenario, ScenarioError, parse_scenario_text, scenario_from_dict, scenario_to_json

from . import archive, db
from .errors import BadArchive, RoomNotFound, StoreError, StoreLimit, StoreUnavailable
from .limits import MAX_NAME, MAX_OPTIONS, MAX_ROOM_BYTES, MAX_SCENARIO_BYTES, MAX_TITLE, MAX_VERSIONS, MAX_WHO
from .models import events, options, rooms, versions
from .records import Event, OptionVersion, Room

CODE_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")  # >= 128 bits of base64url; codes made here have 32 characters
_FORBIDDEN = {"Cc", "Cs", "Zl", "Zp", "Co", "Cn"}  # control, surrogate, line/paragraph separators, unassigned


# ----------------------------------------------------------------------------------------------
# Checking what comes in


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: every time stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _bad_characters(text: str) -> bool:
    """Control characters, line breaks, broken Unicode, and the direction overrides that can make a name
    display as another."""
    return any(unicodedata.category(ch) in _FORBIDDEN or ch in _BIDI_CONTROLS for ch in text)


def _clean_text(value: Any, what: str, most: int, required: bool) -> str:
    """``value`` stripped; StoreLimit unless it is text of at most ``most`` characters without control
    characters (and not empty, if ``required``)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise StoreLimit(f"{what} must be text.")
    value = value.strip()
    if required and not value:
        raise StoreLimit(f"{what} cannot be empty.")
    if len(value) > most:
        raise StoreLimit(f"{what} can have at most {most} characters; this one has {len(value)}.")
    if _bad_characters(value):
        raise StoreLimit(f"{what} cannot contain control characters, line breaks or text-direction marks.")
    return value


def clean_name(name: Any) -> str:
    """An option's name, stripped; StoreLimit unless it has 1 to 80 characters and no control characters."""
    return _clean_text(name, "An option's name", MAX_NAME, required=True)


def clean_who(who: Any, what: str = "The proposer's name") -> str:
    """A proposer's (or actor's) name, stripped; StoreLimit unless it has at most 40 characters and no
    control characters. Empty is allowed."""
    return _clean_text(who, what, MAX_WHO, required=False)


def clean_title(title: Any) -> str:
    """A room's title, stripped; StoreLimit unless it has at most 80 characters and no control characters."""
    return _clean_text(title, "A room's title", MAX_TITLE, required=False)


class InvalidScenario(StoreLimit):
    """The scenario breaks the model's rules; ``problems`` holds the model's own plain lines."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


def normalise_scenario(scenario: Scenario | dict | str, source: str = "The scenario") -> str:
    """The scenario's JSON text as ``scenario_to_json`` writes it, after validating it with the model.
    Accepts a Scenario, a mapping, or YAML/JSON text. InvalidScenario names the model's problems;
    StoreLimit if the text is too large or cannot be stored."""
    try:
        if isinstance(scenario, Scenario):
            parsed = scenario
        elif isinstance(scenario, dict):
            parsed = scenario_from_dict(scenario)
        elif isinstance(scenario, str):
            if len(scenario.encode("utf-8", "surrogatepass")) > 4 * MAX_SCENARIO_BYTES:
                raise StoreLimit(f"{source} is too large to save (at most {MAX_SCENARIO_BYTES // 1024} KB).")
            try:  # JSON (what the app sends) parses far faster as JSON than as YAML
                data = json.loads(scenario)
            except ValueError:
                parsed = parse_scenario_text(scenario, source)
            else:
                parsed = scenario_from_dict(data) if isinstance(data, dict) else parse_scenario_text(scenario, source)
        else:
            raise StoreLimit(f"{source} must be a scenario, a mapping or YAML/JSON text.")
    except ScenarioError as exc:
        raise InvalidScenario(f"{source} breaks a rule: " + "; ".join(exc.problems), exc.problems) from None
    text = scenario_to_json(parsed)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise StoreLimit(f"{source} contains characters that cannot be stored (broken Unicode).") from None
    if size > MAX_SCENARIO_BYTES:
        raise StoreLimit(f"{source} is too large to save ({size // 1024} KB; at most {MAX_SCENARIO_BYTES // 1024} KB).")
    return text


def check_code(code: Any) -> str:
    """The room code, stripped; RoomNotFound if it cannot be a room code."""
    if not isinstance(code, str) or not CODE_RE.fullmatch(code.strip()):
        raise RoomNotFound(
            "That is not a valid room code: a room code is a long string of letters, digits, '-' and '_' "
            "(copy the whole room link)."
        )
    return code.strip()


def room_code_from_link(text: str) -> str:
    """The room code in a room link (``http://host/?room=CODE``, any other query parameters kept apart) or a
    bare code. RoomNotFound if there is none or it is malformed."""
    text = (text or "").strip()
    if "?" in text or "://" in text or "room=" in text:
        query = urlsplit(text).query or text.split("?", 1)[-1]
        found = parse_qs(query).get("room")
        if not found:
            raise RoomNotFound("That link has no room in it (expected '...?room=CODE').")
        text = found[0]
    return check_code(text)


def new_code() -> str:
    """A fresh, unguessable room code: 24 random bytes (192 bits), URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


# ----------------------------------------------------------------------------------------------
# Operations on one connection (inside a transaction): shared by the Store and the archive import


def _room_row(conn: Connection, code: str, *, touch: bool, at: datetime | None = None):
    """The room's id and revision; with ``touch``, bump the revision first (which also locks the room's row
    on PostgreSQL, so writes to one room queue)."""
    if touch:
        row = conn.execute(
            update(rooms)
            .where(rooms.c.code == code)
            .values(revision=rooms.c.revision + 1, last_active_at=at or now())
            .returning(rooms.c.id, rooms.c.revision)
        ).first()
    else:
        row = conn.execute(select(rooms.c.id, rooms.c.revision).where(rooms.c.code == code)).first()
    if row is None:
        raise RoomNotFound("There is no room with that code: check the room link, or start a new room.")
    return row


def _insert_room(conn: Connection, title: str, personal: bool) -> str:
    code = new_code()
    at = now()
    conn.execute(
        insert(rooms).values(code=code, title=title, created_at=at, revision=0, personal=personal, last_active_at=at)
    )
    return code


def _event(conn: Connection, room_id: int, at: datetime, who: str, action: str, name: str = "", version=None):
    conn.execute(
        insert(events).values(room_id=room_id, at=at, who=who, action=action, option_name=name, version=version)
    )


def _check_room_fits(conn: Connection, room_id: int, new_options: int, new_versions: int, new_bytes: int) -> None:
    """StoreLimit unless the room can take ``new_options`` more options, ``new_versions`` more versions and
    ``new_bytes`` more bytes of scenario text: three counts, one query each, however many are added."""
    if new_options:
        count = conn.execute(select(func.count()).select_from(options).where(options.c.room_id == room_id)).scalar()
        if count + new_options > MAX_OPTIONS:
            raise StoreLimit(
                f"This room already holds {MAX_OPTIONS} options, the most a room can hold: save under an existing "
                "name to add a version, or export this room and start a new one."
                if count >= MAX_OPTIONS
                else f"This room holds {count} options and this would add {new_options:,} more: a room can hold at "
                f"most {MAX_OPTIONS}. Export this room and start a new one."
            )
    if conn.dialect.name == "sqlite":  # bytes, not characters: the archive's limit is in bytes
        size = func.length(cast(versions.c.scenario_json, LargeBinary))
    else:
        size = func.octet_length(versions.c.scenario_json)
    n_versions, n_bytes = conn.execute(
        select(func.count(versions.c.id), func.coalesce(func.sum(size), 0))
        .join(options, versions.c.option_id == options.c.id)
        .where(options.c.room_id == room_id)
    ).one()
    if n_versions + new_versions > MAX_VERSIONS:
        raise StoreLimit(
            f"This room already holds {MAX_VERSIONS} saved versions, the most a room can keep: "
            "export this room and start a new one."
            if n_versions >= MAX_VERSIONS
            else f"This room holds {n_versions:,} saved versions and this would add {new_versions:,} more: a room "
            f"can keep at most {MAX_VERSIONS:,}. Export this room and start a new one."
        )
    if n_bytes + new_bytes > MAX_ROOM_BYTES:
        raise StoreLimit(
            f"This room's saved scenarios already fill its {MAX_ROOM_BYTES // (1024 * 1024)} MB: "
            "export this room and start a new one."
        )


def _save(
    conn: Connection, room_id: int, name: str, text: str, proposer: str, at: datetime, checked: bool = False
) -> OptionVersion:
    """Add a version of option ``name`` (made visible again if it was removed); limits checked, unless ``checked``
    (the caller has checked them for everything it adds, with :func:`_check_room_fits`)."""
    opt = conn.execute(
        select(options.c.id, options.c.removed).where(options.c.room_id == room_id, options.c.name == name)
    ).first()
    if opt is None:
        if not checked:
            _check_room_fits(conn, room_id, 1, 0, 0)
        option_id = conn.execute(
            insert(options).values(room_id=room_id, name=name, removed=False, created_at=at).returning(options.c.id)
        ).scalar_one()
    else:
        option_id = opt.id
        if opt.removed:
            conn.execute(update(options).where(options.c.id == option_id).values(removed=False))
    if not checked:
        _check_room_fits(conn, room_id, 0, 1, len(text.encode("utf-8")))
    number = conn.execute(
        select(func.coalesce(func.max(versions.c.number), 0) + 1).where(versions.c.option_id == option_id)
    ).scalar_one()
    conn.execute(
        insert(versions).values(option_id=option_id, number=number, scenario_json=text, proposer=proposer, saved_at=at)
    )
    _event(conn, room_id, at, proposer, "save", name, number)
    return OptionVersion(name, number, text, proposer, at, False)


def _set_removed(conn: Connection, room_id: int, name: str, removed: bool, who: str, at: datetime) -> bool:
    opt = conn.execute(
        select(options.c.id, options.c.removed).where(options.c.room_id == room_id, options.c.name == name)
    ).first()
    if opt is None:
        raise StoreError(f"This room has no option called “{name}”.")
    if opt.removed == removed:
        return False
    conn.execute(update(options).where(options.c.id == opt.id).values(removed=removed))
    _event(conn, room_id, at, who, "remove" if removed else "restore", name)
    return True


_VERSION_COLUMNS = (
    options.c.name,
    versions.c.number,
    versions.c.scenario_json,
    versions.c.proposer,
    versions.c.saved_at,
    options.c.removed,
)


def _version(row) -> OptionVersion:
    return OptionVersion(row.name, row.number, row.scenario_json, row.proposer, _utc(row.saved_at), bool(row.removed))


def _all_versions(conn: Connection, room_id: int) -> list[OptionVersion]:
    rows = conn.execute(
        select(*_VERSION_COLUMNS)
        .join(options, versions.c.option_id == options.c.id)
        .where(options.c.room_id == room_id)
        .order_by(options.c.id, versions.c.number)
    )
    return [_version(r) for r in rows]


def _current(conn: Connection, room_id: int, include_removed: bool) -> list[OptionVersion]:
    latest = (
        select(versions.c.option_id, func.max(versions.c.number).label("number"))
        .group_by(versions.c.option_id)
        .subquery()
    )
    query = (
        select(*_VERSION_COLUMNS)
        .join(options, versions.c.option_id == options.c.id)
        .join(latest, (latest.c.option_id == versions.c.option_id) & (latest.c.number == versions.c.number))
        .where(options.c.room_id == room_id)
        .order_by(options.c.id)
    )
    if not include_removed:
        query = query.where(options.c.removed.is_(False))
    return [_version(r) for r in conn.execute(query)]


def _history(conn: Connection, room_id: int) -> list[Event]:
    rows = conn.execute(
        select(events.c.at, events.c.who, events.c.action, events.c.option_name, events.c.version)
        .where(events.c.room_id == room_id)
        .order_by(events.c.id)
    )
    return [Event(_utc(r.at), r.who, r.action, r.option_name, r.version) for r in rows]


# ----------------------------------------------------------------------------------------------
# The store


class Store:
    """The shared workshop store: rooms of named options, every save kept as a version.

    ``Store()`` opens the SQLite file at ``DEFAULT_DATABASE_PATH``, or the database in
    $PARTNERSHIP_DATABASE_URL, or ``url`` (a SQLAlchemy URL such as ``postgresql+psycopg://user@host/db``,
    or a plain path to a SQLite file), and brings its schema up to date (Alembic). Several app servers may
    open the same database at once; each should hold one Store (one engine and its connection pool) and
    may share it between threads. Every method is synchronous and runs in one transaction.

    Without a room, the UI has two choices, and this API supports both: (1) a *personal room* made once
    for a browser, ``create_room(personal=True)``, whose code the UI keeps in the page's address (``?room=``)
    so a reload finds the same options, and which becomes a shared room the moment its link is shared; or
    (2) keeping options in the browser session only, as before. A personal room is an ordinary room with
    a flag; its code is as unguessable as any other.

    Every failure raises a StoreError subclass with a plain-English message: RoomNotFound (bad or unknown
    code), StoreLimit (a name, proposer, scenario or room over its limit; InvalidScenario for a scenario
    that breaks the model's rules), BadArchive (a refused ZIP), StoreUnavailable (the database cannot be
    used: the UI should switch saving off and keep going).
    """

    def __init__(self, url: str | None = None, *, busy_timeout: float = db.BUSY_TIMEOUT, migrate: bool = True):
        """Open the store at ``url`` (see the class docstring) and migrate it to the newest schema; SQLite
        waits up to ``busy_timeout`` seconds for another writer. Raises StoreUnavailable."""
        self._url = db.resolve_url(url)
        self._engine = db.make_engine(self._url, busy_timeout)
        # SQLite lets one writer in at a time and others poll for the lock; threads of this process (the
        # app's sessions) queue here instead, so their waits are short and fair. Other processes still
        # wait on SQLite's busy timeout.
        self._write_lock = threading.Lock() if db.is_sqlite(self._engine) else contextlib.nullcontext()
        self._queue = db.WriterQueue(self._engine.url.database, busy_timeout) if db.is_sqlite(self._engine) else None
        if migrate:
            try:
                db.upgrade(self._engine, self._url)
            except BaseException:
                self._engine.dispose()
                raise
        # The SQLite file this store writes: a save is acknowledged only while that very file is still at its path
        # (deleted while the app runs, the open connections would go on writing to a file nobody can open again).
        self._file = self._engine.url.database if db.is_sqlite(self._engine) else None
        self._identity = db.file_identity(self._file) if self._file else None
        self._lost: StoreUnavailable | None = None

    @property
    def url(self) -> str:
        """The database's address, password hidden."""
        return db.describe(self._url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Close the store's connections."""
        self._engine.dispose()
        if self._queue is not None:
            self._queue.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def problem(self) -> str:
        """Why the store can no longer be used (its SQLite file was deleted or replaced while it was open), or ""."""
        return str(self._lost) if self._lost else ""

    def _check_file(self) -> None:
        """StoreUnavailable (from then on, for every call) once the SQLite file is no longer the one opened."""
        if self._file is None:
            return
        if self._lost is None:
            now_there = db.file_identity(self._file)
            if self._identity is None:  # not made yet when the store was opened (migrate=False)
                self._identity = now_there
            elif now_there != self._identity:
                self._lost = db.file_gone(self._file)
        if self._lost is not None:
            raise db.file_gone(self._file)

    def _write(self, work: Callable[[Connection], Any]) -> Any:
        self._check_file()

        def checked(conn: Connection) -> Any:
            result = work(conn)
            self._check_file()  # before the commit: a file gone by now rolls the change back
            return result

        with self._write_lock, self._queue.turn() if self._queue else contextlib.nullcontext():
            result = db.run_write(self._engine, self._url, checked)
        self._check_file()  # and after it: a change is never acknowledged unless it is in the file at the path
        return result

    def _read(self, work: Callable[[Connection], Any]) -> Any:
        self._check_file()  # a new connection would make an empty file there, and read a room that is not in it
        return db.run_read(self._engine, self._url, work)

    # Rooms

    def create_room(self, title: str = "", personal: bool = False) -> str:
        """Make a room and return its code (32 URL-safe characters, 192 random bits): the UI puts it in the
        room's link as ``?room=CODE``. ``personal`` marks a private room made for one browser."""
        title = clean_title(title)
        return self._write(lambda conn: _insert_room(conn, title, bool(personal)))

    def room_exists(self, code: str) -> bool:
        """Whether a room has this code (False for a malformed code)."""
        try:
            self.room(code)
        except RoomNotFound:
            return False
        return True

    def room(self, code: str) -> Room:
        """The room's title, personal flag, creation time and revision. RoomNotFound for a bad code."""
        code = check_code(code)

        def work(conn):
            row = conn.execute(
                select(rooms.c.code, rooms.c.title, rooms.c.personal, rooms.c.created_at, rooms.c.revision).where(
                    rooms.c.code == code
                )
            ).first()
            if row is None:
                _room_row(conn, code, touch=False)  # raises RoomNotFound
            return Room(row.code, row.title, bool(row.personal), _utc(row.created_at), row.revision)

        return self._read(work)

    def room_version(self, code: str) -> int:
        """A counter that grows with every change to the room (save, remove, restore, import): cheap enough
        for the UI to poll every few seconds and reload the options only when it has moved."""
        code = check_code(code)
        return self._read(lambda conn: _room_row(conn, code, touch=False).revision)

    # Options

    def save_option(
        self, code: str, name: str, scenario_json: str | dict | Scenario, proposer: str = ""
    ) -> OptionVersion:
        """Save a scenario as option ``name`` in the room: a new option, or a new version of an existing one
        (earlier versions are kept; a removed option comes back). ``scenario_json`` is the JSON (or YAML)
        text of a scenario, or a Scenario or mapping; it is validated by the model and stored as
        ``scenario_to_json`` writes it. Returns the version saved. Raises RoomNotFound, StoreLimit
        (InvalidScenario), StoreUnavailable."""
        code = check_code(code)
        name = clean_name(name)
        proposer = clean_who(proposer)
        text = normalise_scenario(scenario_json)

        def work(conn):
            at = now()
            room_id = _room_row(conn, code, touch=True, at=at).id
            return _save(conn, room_id, name, text, proposer, at)

        return self._write(work)

    def options(self, code: str, include_removed: bool = False) -> list[OptionVersion]:
        """The current (latest) version of each option in the room, in the order the options were first
        saved; removed options only with ``include_removed``."""
        code = check_code(code)
        return self._read(lambda conn: _current(conn, _room_row(conn, code, touch=False).id, include_removed))

    def snapshot(self, code: str) -> tuple[int, list[OptionVersion], list[Event]]:
        """The room's revision, current options (as :meth:`options`) and history (as :meth:`history`), read in one
        transaction so the three agree: what the UI keeps, by revision, to draw the room from."""
        code = check_code(code)

        def work(conn):
            row = _room_row(conn, code, touch=False)
            return row.revision, _current(conn, row.id, False), _history(conn, row.id)

        return self._read(work)

    def versions(self, code: str, name: str | None = None) -> list[OptionVersion]:
        """Every saved version in the room (of option ``name`` only, if given), oldest first per option."""
        code = check_code(code)
        found = self._read(lambda conn: _all_versions(conn, _room_row(conn, code, touch=False).id))
        if name is not None:
            name = clean_name(name)
            found = [v for v in found if v.name == name]
        return found

    def history(self, code: str) -> list[Event]:
        """The room's log, oldest first: every save, remove, restore and import, with who and when."""
        code = check_code(code)
        return self._read(lambda conn: _history(conn, _room_row(conn, code, touch=False).id))

    def remove_option(self, code: str, name: str, who: str = "") -> bool:
        """Hide option ``name`` (its versions are kept; undo_remove brings it back), recorded in the history.
        Returns False if it was already removed; StoreError if the room has no such option."""
        return self._set_removed(code, name, True, who)

    def undo_remove(self, code: str, name: str, who: str = "") -> bool:
        """Show a removed option again, recorded in the history. Returns False if it was not removed."""
        return self._set_removed(code, name, False, who)

    def _set_removed(self, code: str, name: str, removed: bool, who: str) -> bool:
        code = check_code(code)
        name = clean_name(name)
        who = clean_who(who, "The name of who removes or restores it")

        def work(conn):
            at = now()
            room_id = _room_row(conn, code, touch=True, at=at).id
            return _set_removed(conn, room_id, name, removed, who, at)

        return self._write(work)

    # Archives

    def export_zip(self, code: str) -> bytes:
        """The room's whole history as a ZIP: one YAML scenario file per saved version (the current version
        of each option named ``..._current.yaml``, of a removed option ``..._removed.yaml``) and ``log.csv``
        (time, who, action, option, version, file)."""
        code = check_code(code)

        def work(conn):
            room_id = _room_row(conn, code, touch=False).id
            return _all_versions(conn, room_id), _history(conn, room_id)

        all_versions, log = self._read(work)
        return archive.build(all_versions, log)

    def import_zip(self, data: bytes, code: str | None = None, who: str = "") -> str:
        """Import a ZIP (as export_zip writes, or any ZIP of scenario YAML files) into room ``code``, or into a
        new room when ``code`` is None; returns the room's code. Versions are added after the room's own
        (nothing is overwritten), with their original proposers and times when the archive has its log.
        All or nothing: BadArchive (naming the file and the problem) or StoreLimit leave the room as it
        was."""
        return self.import_steps(archive.read(data), code, who)

    def import_steps(self, plan: list[archive.Step], code: str | None = None, who: str = "") -> str:
        """Import what :func:`store.archive.read` found in a ZIP (so a caller can check an archive before it opens
        the store, as the command line does): as :meth:`import_zip`, whose checks apply."""
        code = check_code(code) if code is not None else None
        who = clean_who(who, "The importer's name")
        normalised: dict[str, str] = {}  # one text per file, however many saves name it
        for step in plan:  # check names and scenarios before touching the database
            if step.action == "save":
                step.name = _archive_name(step.name, step.file)
                step.who = _archive_who(step.who, step.file)
                if step.file not in normalised:
                    try:
                        normalised[step.file] = normalise_scenario(step.scenario or step.text, step.file)
                    except StoreLimit as exc:
                        raise BadArchive(f"In the archive, {exc}") from None
                step.text = normalised[step.file]
            else:
                step.name = _archive_name(step.name, archive.LOG)
                step.who = _archive_who(step.who, archive.LOG)
        saves = [step for step in plan if step.action == "save"]
        sizes = {file: len(text.encode("utf-8")) for file, text in normalised.items()}
        new_bytes = sum(sizes[step.file] for step in saves)
        if new_bytes > MAX_ROOM_BYTES:
            raise StoreLimit(
                f"The archive's scenarios come to {new_bytes / 2**20:,.1f} MB once saved; a room keeps at most "
                f"{MAX_ROOM_BYTES // (1024 * 1024)} MB."
            )
        names = {step.name for step in saves}

        def work(conn):
            at = now()
            target = code if code is not None else _insert_room(conn, "", False)
            room_id = _room_row(conn, target, touch=True, at=at).id
            known = set(conn.execute(select(options.c.name).where(options.c.room_id == room_id)).scalars())
            _check_room_fits(conn, room_id, len(names - known), len(saves), new_bytes)  # once, for the whole import
            _replay(conn, room_id, plan, at)
            _event(conn, room_id, at, who, "import", "", None)
            return target

        return self._write(work)


def _replay(conn: Connection, room_id: int, plan: list[archive.Step], at: datetime) -> None:
    """Add an import's saves, removes and restores to the room, in order, as :func:`_save` and :func:`_set_removed`
    would one by one (limits checked by the caller), in a few statements: the room's options and version numbers
    read once, the versions and events written in one batch each."""
    found = conn.execute(select(options.c.id, options.c.name, options.c.removed).where(options.c.room_id == room_id))
    state = {r.name: [r.id, bool(r.removed)] for r in found}  # name -> [option id, removed]
    was_removed = {name: removed for name, (_, removed) in state.items()}
    numbers = dict(
        conn.execute(
            select(versions.c.option_id, func.max(versions.c.number))
            .join(options, versions.c.option_id == options.c.id)
            .where(options.c.room_id == room_id)
            .group_by(versions.c.option_id)
        ).all()
    )
    new_versions, new_events = [], []
    for step in plan:
        when = step.at or at
        if step.action == "save":
            if step.name not in state:
                option_id = conn.execute(
                    insert(options)
                    .values(room_id=room_id, name=step.name, removed=False, created_at=when)
                    .returning(options.c.id)
                ).scalar_one()
                state[step.name] = [option_id, False]
            option_id = state[step.name][0]
            state[step.name][1] = False
            number = numbers[option_id] = numbers.get(option_id, 0) + 1
            new_versions.append(
                {"option_id": option_id, "number": number, "scenario_json": step.text, "proposer": step.who}
                | {"saved_at": when}
            )
            new_events.append(
                {"at": when, "who": step.who, "action": "save", "option_name": step.name, "version": number}
            )
        elif step.action in ("remove", "restore"):
            if step.name not in state:
                raise BadArchive(f"In the archive, {archive.LOG}: “{step.name}” is {step.action}d before it is saved.")
            removed = step.action == "remove"
            if state[step.name][1] != removed:  # a remove of a removed option changes nothing, and is not logged
                state[step.name][1] = removed
                new_events.append({"at": when, "who": step.who, "action": step.action, "option_name": step.name})
    if new_versions:
        conn.execute(insert(versions), new_versions)
    if new_events:
        conn.execute(insert(events), [{"room_id": room_id, "version": None} | e for e in new_events])
    for name, (option_id, removed) in state.items():
        if removed != was_removed.get(name, False):
            conn.execute(update(options).where(options.c.id == option_id).values(removed=removed))


def _archive_name(name: str, file: str) -> str:
    try:
        return clean_name(name)
    except StoreLimit as exc:
        raise BadArchive(f"In the archive, {file}: {exc}") from None


def _archive_who(who: str, file: str) -> str:
    try:
        return clean_who(who)
    except StoreLimit as exc:
        raise BadArchive(f"In the archive, {file}: {exc}") from None
