"""Saved options: the terms the room proposes, kept in the workshop store (nothing is lost on a reload, a
dropped connection or a server restart) and shared with everyone who has the room's link.

Every browser works in a room whose code is in the page's address (``?room=``). "Start a workshop room"
makes one to share; saving without a room makes a private one, so a reload still finds the options.
Saving under an existing name keeps the earlier version; removing hides an option, with an undo. When
the store cannot be written (read-only, locked, damaged), saving is switched off with a message and the
calculator still works."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import charts
from charts import catalogue
from paper.pack import comparison_table
from partnership import Scenario, ScenarioError
from partnership.formats import money, percent
from store import Event, OptionVersion, RoomNotFound, Store, StoreError, StoreUnavailable, archive

from . import compute, room_link, state
from .text import plain

ROOM_KEY = "room"  # the query parameter and session key holding the room's code
REFRESH_SECONDS = 3  # how often an open Compare view looks for options others have saved
COMPARED_MOST = 40  # options tabled and charted side by side at once (a room may hold 500: the rest one choice away)
MEMORY_KEY = "room_memory"  # the session's last reading of its room, shown if the store is lost


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return Store()


def store() -> tuple[Store | None, str]:
    """The workshop store, or None and a plain message saying why saving is off (it cannot be opened, or its database
    file was lost while the app ran)."""
    try:
        db = _store()
    except StoreUnavailable as exc:
        return None, str(exc)
    return (None, db.problem) if db.problem else (db, "")


@dataclass(frozen=True)
class RoomReading:
    """One reading of a room at one revision: its current options and its history. Kept (per revision, for every
    session) so a page redrawn with nothing changed reads nothing but the revision, and kept by each session as
    its memory of the room, drawn from if the store is lost."""

    code: str
    revision: int
    current: tuple[OptionVersion, ...]
    log: tuple[Event, ...]

    def zip(self) -> bytes:
        """The room's options as they stand, as a room's ZIP (one file for each current option and a log of their
        saves) that imports back into a room."""
        saves = [Event(o.saved_at, o.proposer, "save", o.name, o.version) for o in self.current]
        return archive.build(list(self.current), saves)


@st.cache_resource(max_entries=16, show_spinner=False)
def _reading(_db: Store, url: str, code: str, revision: int) -> RoomReading:
    """The room at ``revision``, read once for every session (the store's url keeps two stores apart)."""
    found, current, log = _db.snapshot(code)
    return RoomReading(code, found, tuple(current), tuple(log))


def read_room(db: Store, code: str) -> RoomReading:
    """The room as it is now: one cheap query for its revision, then the reading kept for that revision (read only
    when something changed); remembered by the session. StoreError when the store cannot say."""
    reading = _reading(db, db.url, code, db.room_version(code))
    st.session_state[MEMORY_KEY] = reading
    return reading


def remembered(code: str | None) -> RoomReading | None:
    """The session's last reading of room ``code``, if it has one."""
    memory = st.session_state.get(MEMORY_KEY)
    return memory if code is not None and memory is not None and memory.code == code else None


def room_code() -> str | None:
    """The room this page works in (from the address), or None."""
    code = st.query_params.get(ROOM_KEY)
    return code or None


def _current_room(db: Store | None) -> tuple[str | None, str]:
    """The room's code if it exists, and a plain message when the link's room cannot be found."""
    code = room_code()
    if code is None or db is None:
        return code, ""
    try:
        if db.room_exists(code):
            return code, ""
    except StoreError as exc:
        return None, str(exc)
    return None, (
        "This page's workshop room link is not one the store knows (it may be mistyped or cut short). "
        "Start a new room, or ask for the link again."
    )


def saved() -> dict[str, str]:
    """The room's current options, name -> scenario JSON text, in the order first saved ({} without a room)."""
    db, _ = store()
    code, problem = _current_room(db)
    if db is None:  # the store lost: what this session last read of its room
        memory = remembered(room_code())
        return {o.name: o.scenario_json for o in memory.current} if memory else {}
    if code is None or problem:
        return {}
    try:
        return {o.name: o.scenario_json for o in read_room(db, code).current}
    except StoreError:
        memory = remembered(code)
        return {o.name: o.scenario_json for o in memory.current} if memory else {}


def saved_pairs() -> list[tuple[str, Scenario]]:
    """(name, scenario) of every current option of the room: nothing worked out (a full room's 500 summaries would
    take the server a quarter of a minute)."""
    return [(n, compute._scenario(compute.key_of_json(t))) for n, t in saved().items()]


def _note(text: str, kind: str = "success") -> None:
    st.session_state["options_note"] = (kind, text)


def _model_error(exc: BaseException) -> ScenarioError | None:
    """The model's refusal a store error was raised on (its cause or context), if there is one."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ScenarioError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def store_words(exc: StoreError) -> str:
    """A store's refusal in the page's words: the model's problems inside it (an invalid scenario, or a file in an
    imported archive) each in :func:`ui.state.plain_message`'s words, so they read in labels and percents; the
    store's own words around them stay as they are."""
    text = str(exc)
    model = _model_error(exc)
    if model is None:
        return text
    out, at = [], 0
    for line, problem in zip(model.problems, model.details):  # the store quotes the model's lines in order
        found = text.find(line, at)
        if found >= 0:
            out += [text[at:found], state.plain_message(problem)]
            at = found + len(line)
    return "".join(out) + text[at:]


def _start_room(db: Store) -> None:
    try:
        code = db.create_room(st.session_state.get("room_title") or "")
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    st.query_params[ROOM_KEY] = code
    _note("Workshop room started: everyone with the room's link, above, sees the options saved here.")


def _save(db: Store, text: str) -> None:
    code = room_code()
    try:
        if code is None or not db.room_exists(code):
            code = db.create_room("", personal=True)
            st.query_params[ROOM_KEY] = code
        name = (st.session_state.get("option_name") or "").strip() or f"Option {len(read_room(db, code).current) + 1}"
        version = db.save_option(code, name, text, proposer=st.session_state.get("option_proposer") or "")
        count = len(read_room(db, code).current)
    except StoreUnavailable as exc:
        _note(store_words(exc) + " This option was not saved; the room's options are still shown below.", "error")
        return
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    kept = f" (version {version.version}; the earlier ones are kept in the history)" if version.version > 1 else ""
    _note(f"Saved “{version.name}”{kept}.")
    st.session_state["option_name"] = f"Option {count + 1}"


def _remove(db: Store, name: str) -> None:
    try:
        db.remove_option(room_code(), name, who=st.session_state.get("option_proposer") or "")
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    st.session_state["last_removed"] = name
    _note(f"Removed “{name}”. It is kept in the history; Undo brings it back.", "info")


def _undo(db: Store, name: str) -> None:
    try:
        db.undo_remove(room_code(), name, who=st.session_state.get("option_proposer") or "")
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    st.session_state.pop("last_removed", None)
    _note(f"“{name}” is back.")


def _open(name: str) -> None:
    state.load_into_state(compute._scenario(compute.key_of_json(saved()[name])))
    _note(f"Opened “{name}”: the inputs now show its terms.")


def _import(db: Store) -> None:
    uploaded = st.session_state.get("import_zip")
    if uploaded is None:
        return
    try:
        code = db.import_zip(uploaded.getvalue(), room_code(), who=st.session_state.get("option_proposer") or "")
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    st.query_params[ROOM_KEY] = code
    _note("The ZIP's options and history are in this room now.")


HEADLINE_COLUMNS = [
    "Option",
    "Contribution a year",
    "Provider's expected gain",
    "Host's expected saving",
    "Chance provider better off",
    "Chance host better off",
]
"""The comparison table's columns shown at first (the rest behind "More columns")."""


def compare_options(s: Scenario) -> None:
    """Save the scenario on screen as an option of the room; see the room's options side by side."""
    from .views import purpose

    purpose(
        "Compare options: save the terms the room proposes under names and see their figures side by side; "
        "everyone with the room's link sees the same options."
    )
    db, problem = store()
    if db is None:
        st.warning(f"Saving is switched off: {plain(problem)} The calculator still works; options cannot be saved.")
    code, link_problem = _current_room(db)
    if link_problem:
        st.error(plain(link_problem))
    _room_header(db, code)
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    st.session_state.setdefault("option_name", "Option 1")
    c1.text_input("Name this option", key="option_name", max_chars=80, help="e.g. 'Council proposal'")
    c2.text_input("Proposed by", key="option_proposer", max_chars=40, help="e.g. 'Council' or 'Provider'")
    c3.button(
        "Save this option",
        type="primary",
        on_click=_save,
        args=(db, compute.key(s)),
        disabled=db is None,
        key="save_option",
        width="stretch",
    )
    if note := st.session_state.pop("options_note", None):
        getattr(st, note[0])(plain(note[1]))
    if db is not None and code is not None and not link_problem:
        _room_options(db, code)
    elif db is None and (memory := remembered(room_code())) is not None:
        _from_memory(memory)
    else:
        st.info("No options saved yet. Set the terms the room proposes, name them and save; then compare them here.")


def _from_memory(memory: RoomReading) -> None:
    """The room as this page last read it, when the store is lost: nothing the room decided is lost, and its file
    can be taken away."""
    st.warning(
        "The room's options are shown as this page last read them, and cannot be changed. Download the room's file "
        "to keep them: it opens as a new room once saving works again."
    )
    _draw_room(None, memory)


def _room_header(db: Store | None, code: str | None) -> None:
    if db is None:
        return
    if code is None:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.caption(
            "Options you save are kept safe under a private link (this page's address). To share them with the "
            "room, start a workshop room and give everyone its link."
        )
        c1.text_input("Room name (optional)", key="room_title", max_chars=80)
        c2.button("Start a workshop room", on_click=_start_room, args=(db,), key="start_room", width="stretch")
        st.file_uploader(
            "Or open a room's ZIP (a backup or another workshop's download)",
            type=["zip"],
            key="import_zip",
            on_change=_import,
            args=(db,),
        )
        return
    try:
        room = db.room(code)
    except StoreError:
        return
    what = "Your private room" if room.personal else f"Workshop room {plain(room.title) if room.title else ''}".strip()
    base = room_link.current_base(st.context.url)
    address = room_link.room_link(base.base, code, ROOM_KEY)
    c1, c2 = st.columns([3, 2] if not room.personal and base.shareable else [3, 1], vertical_alignment="top")
    c1.markdown(f"**{what}.** Everyone with this link sees the options saved here, within a few seconds:")
    c1.code(address, language=None)
    if not base.shareable:
        c1.warning(plain(base.warning), icon=":material/warning:")
        c1.code(base.command, language=None)
    elif base.warning:
        c1.info(plain(base.warning))
    if base.others:
        c1.caption(
            plain(
                "If the link does not open on another laptop, try this machine's other addresses: "
                + ", ".join(base.others)
            )
        )
    if room.personal:
        c2.button("Start a workshop room", on_click=_start_room, args=(db,), key="start_room", width="stretch")
    elif base.shareable:
        # for the projector: large enough to scan from the back of a room (a phone reads it from about ten times
        # its width away)
        c2.image(
            room_link.qr_png(address), caption="Scan to open the room's link", width="stretch", output_format="PNG"
        )


@st.fragment(run_every=REFRESH_SECONDS)
def _watch(db: Store, code: str, revision: int) -> None:
    """Every few seconds, one cheap question to the store: has the room changed since the page was drawn? Only then
    is the whole page drawn again (the Export view and the option picker see the new options too)."""
    try:
        now = db.room_version(code)
    except StoreError:
        now = None  # gone or lost: the page says so when drawn again
    if now != revision:
        st.rerun()


def _room_options(db: Store, code: str) -> None:
    """The room's options, drawn from the reading kept for the room's revision; what others save appears within a
    few seconds (:func:`_watch`)."""
    try:
        reading = read_room(db, code)
    except RoomNotFound:
        st.error("This workshop room no longer exists in the store.")
        return
    except StoreError as exc:
        memory = remembered(code)
        if memory is None:
            st.warning(f"The room's options could not be read just now: {plain(exc)}")
            return
        st.warning(f"Saving is switched off: {plain(exc)}")
        _from_memory(memory)
        return
    _watch(db, code, reading.revision)
    _draw_room(db, reading)


def _compared(current: tuple[OptionVersion, ...]) -> list[OptionVersion]:
    """The options tabled and charted: all of them up to :data:`COMPARED_MOST`; beyond that the ones chosen (at
    first the latest saved), in the order first saved."""
    if len(current) <= COMPARED_MOST:
        return list(current)
    names = [o.name for o in current]
    latest = [o.name for o in sorted(current, key=lambda o: o.saved_at, reverse=True)[:COMPARED_MOST]]
    kept = [n for n in st.session_state.get("options_compared") or [] if n in set(names)]
    st.session_state["options_compared"] = kept or [n for n in names if n in set(latest)]
    chosen = st.multiselect(
        f"Options compared (at most {COMPARED_MOST} at once)",
        names,
        key="options_compared",
        max_selections=COMPARED_MOST,
        help="Which of the room's options the table and the charts show side by side.",
    )
    st.caption(
        f"Showing {len(chosen)} of {len(current)} options (at first the {COMPARED_MOST} saved last); "
        "choose which above."
    )
    chosen = set(chosen)
    return [o for o in current if o.name in chosen]


@st.cache_resource(max_entries=16, show_spinner=False)
def _comparison(options: tuple[tuple[str, str, str, int], ...], wide: bool):
    """The comparison table (as shown) and the comparison charts (laid out for the page) of ``options``: (name,
    scenario JSON, proposer, version) each. Built once for every session and kept: never changed after it is made."""
    scenarios = [(n, compute._scenario(compute.key_of_json(t))) for n, t, _, _ in options]
    rows = [(n, sc, compute.summary(compute.key(sc))) for n, sc in scenarios]
    cur = rows[0][1].currency
    table = comparison_table(rows)
    shown = table.assign(
        contribution=[money(v, cur) for v in table["contribution"]],
        host_price=[money(v, cur, 2) for v in table["host_price"]],
        expected_provider_gain=[money(v, cur) for v in table["expected_provider_gain"]],
        expected_host_saving=[money(v, cur) for v in table["expected_host_saving"]],
        probability_provider_better_off=[percent(v) for v in table["probability_provider_better_off"]],
        probability_host_better_off=[percent(v) for v in table["probability_host_better_off"]],
        probability_provider_loss=[percent(v) for v in table["probability_provider_loss"]],
        provider_gain_p10=[money(v, cur) for v in table["provider_gain_p10"]],
        host_saving_p10=[money(v, cur) for v in table["host_saving_p10"]],
    ).rename(
        columns={
            "option": "Option",
            "contribution": "Contribution a year",
            "host_price": "Host price",
            "expected_provider_gain": "Provider's expected gain",
            "expected_host_saving": "Host's expected saving",
            "probability_provider_better_off": "Chance provider better off",
            "probability_host_better_off": "Chance host better off",
            "probability_provider_loss": "Chance of a provider loss",
            "provider_gain_p10": "Provider gain, P10",
            "host_saving_p10": "Host saving, P10",
        }
    )
    shown.insert(1, "Proposed by", [p for _, _, p, _ in options])
    shown.insert(2, "Version", [v for _, _, _, v in options])
    figures = [
        charts.for_screen(compute.comparison_figure(c.key, scenarios), **compute.screen_layout(wide))
        for c in catalogue.COMPARISON_CHARTS
    ]
    return shown, figures


def _draw_room(db: Store | None, reading: RoomReading) -> None:
    """The room's options side by side, its charts, the picker, the history and the room's file; ``db`` None: drawn
    from memory, nothing to change."""
    current = reading.current
    if not current:
        st.info("No options saved yet. Set the terms the room proposes, name them and save; then compare them here.")
        if db is not None:
            _undo_button(db)
        _room_files(db, reading)
        return
    from .views import chart, presenting

    compared = _compared(current)
    if compared:
        shown, figures = _comparison(
            tuple((o.name, o.scenario_json, o.proposer, o.version) for o in compared), presenting()
        )
        # the headline figures fit a 1280 px screen beside the sidebar; the rest are one switch away. The heading
        # keeps the table's toolbar (shown above its top right) off the Save button, and the right of its row is left
        # empty for that toolbar
        head, more, _ = st.columns([2, 2, 1], vertical_alignment="bottom")
        head.markdown("**The options side by side**")
        every = more.toggle(
            "More columns",
            key="options_more_columns",
            help="Who proposed each, its version, the host price, the chance of a provider loss and each side's P10.",
        )
        st.dataframe(shown, hide_index=True, width="stretch", column_order=None if every else HEADLINE_COLUMNS)
        for c, fig in zip(catalogue.COMPARISON_CHARTS, figures):
            chart(fig, f"chart_{c.widget}", laid_out=True)
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    pick = c1.selectbox("Saved option", [o.name for o in current], key="option_pick")
    c2.button("Open it in the inputs", on_click=_open, args=(pick,), key="open_option", width="stretch")
    if db is not None:
        c3.button("Remove it", on_click=_remove, args=(db, pick), key="remove_option", width="stretch")
        _undo_button(db)
    with st.expander("History: every save, removal and return, with who and when"):
        events = reading.log
        st.dataframe(
            pd.DataFrame(
                {
                    "When (UTC)": [e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") for e in events],
                    "Who": [e.who for e in events],
                    "What": [e.action for e in events],
                    "Option": [e.option_name for e in events],
                    "Version": ["" if e.version is None else str(e.version) for e in events],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    _room_files(db, reading)


def _undo_button(db: Store) -> None:
    if name := st.session_state.get("last_removed"):
        st.button(f"Undo: bring back “{plain(name)}”", on_click=_undo, args=(db, name), key="undo_remove")


def room_file(db: Store | None, reading: RoomReading):
    """What the room's download gives, made only when it is asked for: the room's whole history from the store, or
    (the store lost, or failing just then) the room's options as this page last read them."""

    def build() -> bytes:
        if db is not None:
            try:
                return db.export_zip(reading.code)
            except StoreError:
                pass
        return reading.zip()

    return build


def _room_files(db: Store | None, reading: RoomReading) -> None:
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    c1.download_button(
        "Download the room (ZIP)",
        room_file(db, reading),  # built when clicked, not on every redraw (a full room's takes seconds)
        "workshop_room.zip",
        "application/zip",
        key="download_options",
        width="stretch",
        on_click="ignore",
        help="Every option and version as YAML scenario files, and a CSV log of who saved what and when."
        if db is not None
        else "The room's options as this page last read them, as YAML scenario files, and a CSV log of their saves.",
    )
    if db is not None:
        c2.file_uploader(
            "Bring a room's ZIP back into this room", type=["zip"], key="import_zip", on_change=_import, args=(db,)
        )
