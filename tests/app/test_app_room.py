"""The workshop room in the app, driven by Streamlit's AppTest: hostile room ZIPs uploaded, a room of more options
than are compared at once, redraws that read nothing when nothing changed, the room's file built only when asked
for, and the store's database file deleted while the app runs."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store import Store

from ..conftest import ROOT
from ..support import hostile_corpus as corpus
from ..support.store_fixtures import scenario_text

LIMIT_S = 2.0  # processor seconds an upload's refusal may cost the server, beyond an ordinary page run


def _session(code: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    if code:
        at.query_params["room"] = code
    at.run()
    at.session_state["view"] = "Compare options"
    return at.run()


def _shown(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.error, *at.warning, *at.info, *at.success, *at.caption])


def _table(at: AppTest):
    return next(d.value for d in at.dataframe if "Option" in d.value.columns)


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    """The app's store on a database file of this test's own (the app keeps one store for the process)."""
    from ui import options

    path = tmp_path / "workshops.sqlite3"
    monkeypatch.setenv("PARTNERSHIP_DATABASE_URL", f"sqlite:///{path}")
    options._store.clear()
    yield path
    monkeypatch.undo()
    options._store.clear()


@pytest.mark.parametrize("name", list(corpus.ROOM_ZIPS))
def test_a_hostile_room_zip_uploaded_is_refused_in_one_plain_line(name):
    """Every hostile room ZIP uploaded to Compare options is refused in one plain line saying why, never Streamlit's
    error box or a traceback, fast; no room is made from it."""
    make, words = corpus.ROOM_ZIPS[name]
    data = make()
    at = _session()
    baseline = time.process_time()
    at.run()
    ordinary = time.process_time() - baseline  # a page run with nothing uploaded, on this machine now
    t0 = time.process_time()
    at.file_uploader(key="import_zip").upload("room.zip", data, "application/zip").run()
    seconds = time.process_time() - t0
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and words in errors[0] and "\n" not in errors[0], errors
    assert "room" not in at.query_params  # nothing imported
    assert seconds < ordinary + LIMIT_S, (seconds, ordinary)


def test_a_room_of_more_options_than_are_compared_shows_the_latest_and_lets_the_room_choose(own_store, monkeypatch):
    """A room holding more options than are compared at once tables and charts the latest saved, says how many of how
    many it shows, and shows the ones the room chooses instead; every option stays in the picker."""
    from ui import options

    monkeypatch.setattr(options, "COMPARED_MOST", 3)
    with Store(str(own_store)) as store:
        code = store.create_room("Big room")
        for i in range(5):
            store.save_option(code, f"Option {i + 1}", scenario_text(100_000 + 1_000 * i))
    at = _session(code)
    assert not at.exception, at.exception
    assert list(_table(at)["Option"]) == ["Option 3", "Option 4", "Option 5"]
    assert "Showing 3 of 5 options" in _shown(at)
    bars = next(c for c in at.get("plotly_chart") if "expected gain" in c.proto.spec)
    assert "Option 1" not in bars.proto.spec and "Option 5" in bars.proto.spec
    assert at.selectbox(key="option_pick").options == [f"Option {i + 1}" for i in range(5)]
    at.multiselect(key="options_compared").set_value(["Option 1", "Option 5"]).run()
    assert list(_table(at)["Option"]) == ["Option 1", "Option 5"] and "Showing 2 of 5" in _shown(at)


def test_a_redraw_with_nothing_changed_reads_only_the_rooms_revision(own_store, monkeypatch):
    """Drawn again with nothing changed, Compare options reads the room's revision and nothing else: not its options,
    not its history, and never its ZIP (built only when the download is clicked); a save from another laptop is read
    at the next redraw."""
    calls: list[str] = []
    for method in ("snapshot", "options", "history", "versions", "export_zip"):
        real = getattr(Store, method)
        monkeypatch.setattr(
            Store, method, lambda self, *a, _real=real, _name=method, **k: calls.append(_name) or _real(self, *a, **k)
        )
    with Store(str(own_store)) as store:
        code = store.create_room("Room")
        store.save_option(code, "A", scenario_text(100_000))
        at = _session(code)
        assert list(_table(at)["Option"]) == ["A"] and calls.count("snapshot") == 1
        calls.clear()
        at.run()
        at.run()
        assert calls == []  # the revision alone (room_version), asked each time
        store.save_option(code, "B", scenario_text(120_000))  # another laptop
        at.run()
        assert list(_table(at)["Option"]) == ["A", "B"] and calls == ["snapshot"]
        assert at.get("download_button")  # offered, and not built


def test_the_rooms_file_is_built_when_asked_for_and_imports_back(own_store):
    """The room's download is made only when called for: the room's whole history from the store, which imports back
    into a room with the same options."""
    from ui import options

    with Store(str(own_store)) as store:
        code = store.create_room("Room")
        store.save_option(code, "A", scenario_text(100_000))
        store.save_option(code, "A", scenario_text(110_000))
        reading = options._reading(store, store.url, code, store.room_version(code))
        data = options.room_file(store, reading)()
        assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == ["a_v1.yaml", "a_v2_current.yaml", "log.csv"]
        again = store.import_zip(data)
        assert [(o.name, o.version) for o in store.options(again)] == [("A", 2)]
        remembered = options.room_file(None, reading)()  # the store lost: the options as last read
        assert sorted(zipfile.ZipFile(io.BytesIO(remembered)).namelist()) == ["a_v2_current.yaml", "log.csv"]
        assert [o.scenario_json for o in store.options(store.import_zip(remembered))] == [scenario_text(110_000)]


def test_the_database_file_deleted_while_the_app_runs_switches_saving_off_and_keeps_the_options(own_store):
    """The store's database file deleted while the app runs: the next save is refused and not acknowledged, saving is
    switched off with a message, and the room's options are still shown (from the page's memory) with the room's file
    to download."""
    at = _session()
    at.button(key="start_room").click().run()
    for name in ("Council proposal", "Provider offer"):
        at.text_input(key="option_name").set_value(name)
        at.button(key="save_option").click().run()
    assert list(_table(at)["Option"]) == ["Council proposal", "Provider offer"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{own_store}{suffix}").unlink(missing_ok=True)
    at.text_input(key="option_name").set_value("After the deletion")
    at.button(key="save_option").click().run()
    assert not at.exception, at.exception
    shown = _shown(at)
    assert "Saved “After the deletion”" not in shown
    assert "lost its database file" in shown and "This option was not saved" in shown
    at.run()
    assert any("Saving is switched off" in w.value for w in at.warning), _shown(at)
    assert at.button(key="save_option").disabled
    assert list(_table(at)["Option"]) == ["Council proposal", "Provider offer"]  # nothing the room decided is lost
    assert "as this page last read them" in _shown(at) and at.get("download_button")
