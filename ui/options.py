"""Saved options: the terms the room proposes, kept in the workshop store (nothing is lost on a reload, a
dropped connection or a server restart) and shared with everyone who has the room's link.

Every browser works in a room whose code is in the page's address (``?room=``). "Start a workshop room"
makes one to share; saving without a room makes a private one, so a reload still finds the options.
Saving under an existing name keeps the earlier version; removing hides an option, with an undo. When
the store cannot be written (read-only, locked, damaged), saving is switched off with a message and the
calculator still works."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts import catalogue
from paper.pack import comparison_table
from partnership import Scenario, ScenarioError
from partnership.formats import money, percent
from store import RoomNotFound, Store, StoreError, StoreUnavailable

from . import compute, room_link, state
from .text import plain

ROOM_KEY = "room"  # the query parameter and session key holding the room's code
REFRESH_SECONDS = 3  # how often an open Compare view looks for options others have saved


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return Store()


def store() -> tuple[Store | None, str]:
    """The workshop store, or None and a plain message saying why saving is off."""
    try:
        return _store(), ""
    except StoreUnavailable as exc:
        return None, str(exc)


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
    if db is None or code is None or problem:
        return {}
    try:
        return {o.name: o.scenario_json for o in db.options(code)}
    except StoreError:
        return {}


def saved_scenarios() -> list[tuple[str, Scenario, dict]]:
    """(name, scenario, summary) of every current option of the room."""
    return [
        (n, compute._scenario(compute.key_of_json(t)), compute.summary(compute.key_of_json(t)))
        for n, t in saved().items()
    ]


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
        name = (st.session_state.get("option_name") or "").strip() or f"Option {len(db.options(code)) + 1}"
        version = db.save_option(code, name, text, proposer=st.session_state.get("option_proposer") or "")
    except StoreError as exc:
        _note(store_words(exc), "error")
        return
    kept = f" (version {version.version}; the earlier ones are kept in the history)" if version.version > 1 else ""
    _note(f"Saved “{version.name}”{kept}.")
    st.session_state["option_name"] = f"Option {len(db.options(code)) + 1}"


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
    else:
        st.info("No options saved yet. Set the terms the room proposes, name them and save; then compare them here.")


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
def _room_options(db: Store, code: str) -> None:
    """The room's options, looked at again every few seconds: what others save appears without a reload."""
    try:
        revision = db.room_version(code)
        if st.session_state.get("room_revision") not in (None, revision):
            st.session_state["room_revision"] = revision
            st.rerun()  # the whole page: the Export view and the option picker see the new options too
        st.session_state["room_revision"] = revision
        current = db.options(code)
    except RoomNotFound:
        st.error("This workshop room no longer exists in the store.")
        return
    except StoreError as exc:
        st.warning(f"The room's options could not be read just now: {plain(exc)}")
        return
    if not current:
        st.info("No options saved yet. Set the terms the room proposes, name them and save; then compare them here.")
        _undo_button(db)
        _room_files(db, code)
        return
    options = [(o.name, compute._scenario(compute.key_of_json(o.scenario_json)), None) for o in current]
    options = [(n, sc, compute.summary(compute.key(sc))) for n, sc, _ in options]
    cur = options[0][1].currency
    table = comparison_table(options)
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
    shown.insert(1, "Proposed by", [o.proposer for o in current])
    shown.insert(2, "Version", [o.version for o in current])
    # the headline figures fit a 1280 px screen beside the sidebar; the rest are one switch away. The heading keeps
    # the table's toolbar (shown above its top right) off the Save button, and the right of its row is left empty
    # for that toolbar
    head, more, _ = st.columns([2, 2, 1], vertical_alignment="bottom")
    head.markdown("**The options side by side**")
    every = more.toggle(
        "More columns",
        key="options_more_columns",
        help="Who proposed each, its version, the host price, the chance of a provider loss and each side's P10.",
    )
    st.dataframe(shown, hide_index=True, width="stretch", column_order=None if every else HEADLINE_COLUMNS)
    from .views import chart

    pairs = [(n, sc) for n, sc, _ in options]
    for c in catalogue.COMPARISON_CHARTS:
        chart(compute.comparison_figure(c.key, pairs), f"chart_{c.widget}")
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    pick = c1.selectbox("Saved option", [o.name for o in current], key="option_pick")
    c2.button("Open it in the inputs", on_click=_open, args=(pick,), key="open_option", width="stretch")
    c3.button("Remove it", on_click=_remove, args=(db, pick), key="remove_option", width="stretch")
    _undo_button(db)
    with st.expander("History: every save, removal and return, with who and when"):
        events = db.history(code)
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
    _room_files(db, code)


def _undo_button(db: Store) -> None:
    if name := st.session_state.get("last_removed"):
        st.button(f"Undo: bring back “{plain(name)}”", on_click=_undo, args=(db, name), key="undo_remove")


def _room_files(db: Store, code: str) -> None:
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    c1.download_button(
        "Download the room (ZIP)",
        db.export_zip(code),  # built now, in this session: a callable would run where the room is not known
        "workshop_room.zip",
        "application/zip",
        key="download_options",
        width="stretch",
        help="Every option and version as YAML scenario files, and a CSV log of who saved what and when.",
    )
    c2.file_uploader(
        "Bring a room's ZIP back into this room", type=["zip"], key="import_zip", on_change=_import, args=(db,)
    )
