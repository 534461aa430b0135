"""Scenario text is text on the page: links and markup planted in every field a person types (the scenario's name,
description, unit, period, currency and sources, an option's and a room's name, an unknown key, an uploaded file's
name) reach Streamlit's Markdown escaped, and plotly's text escaped, in every view (AppTest reads what the page is
given; tests/end_to_end/test_e2e_markup.py looks at what Chromium renders)."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from ui.state import URL_KEY

from ..conftest import ROOT
from ..support import hostile_corpus as corpus
from ..support.markdown import as_read

PLAIN_ELEMENTS = ("Text", "Code", "PlotlyChart", "Arrow", "TextInput", "TextArea", "Json", "Image", "Selectbox")
"""Elements whose text Streamlit shows as it is, never as Markdown (a text input's label is Markdown, its value
not; a select box's options are plain): their words are not read here."""
MARKDOWN_FIELDS = ("body", "label", "help", "delta", "placeholder", "caption")


def _sources(at: AppTest) -> list[tuple[str, str]]:
    """(element type, Markdown source) of everything on the page Streamlit reads as Markdown: bodies, labels, help,
    metric values and deltas, radio options, table cells."""
    out: list[tuple[str, str]] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        kind = type(proto).__name__ if proto is not None else ""
        if proto is not None and kind not in PLAIN_ELEMENTS:
            for field, value in proto.ListFields():
                if field.name in MARKDOWN_FIELDS and isinstance(value, str):
                    out.append((kind, value))
                elif field.name == "options" and kind == "Radio":
                    out.extend((kind, str(o)) for o in value)
        if type(node).__name__ == "Table":
            out.extend(("Table", str(v)) for v in node.value.to_numpy().ravel())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def _figures(at: AppTest) -> list[str]:
    """Every string in every plotly figure on the page."""
    strings: list[str] = []

    def walk(x) -> None:
        if isinstance(x, str):
            strings.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return strings


PLOTLY_MARKUP = re.compile(r"<(?:a|b|img)\b[^>]*>\s*[A-Z]+(?:a|b)\b|<a\s+href=|%\{x\} A")
"""Planted HTML plotly would act on (a link, bold) or a planted hover placeholder, raw in a figure's text."""


PLANTED = re.compile(r"NAME|DESC|UNIT|PER|SRC|YR|KEY|FILE|OPT|ROOM|evil|£")
"""What marks a source as holding planted text (the app's own styles and words are not looked at)."""


def _found(at: AppTest, where: str) -> list[str]:
    """What planted markup reaches the page raw, as 'where: element: kind: source'."""
    assert not at.exception, at.exception
    found = [
        f"{where}: {kind}: {bad}: {source[:160]!r}"
        for kind, source in _sources(at)
        if PLANTED.search(source)
        for bad in corpus.raw_markup(source)
    ]
    found += [f"{where}: chart: {s[:100]!r}" for s in _figures(at) if PLOTLY_MARKUP.search(s)]
    return found


def _shown(at: AppTest) -> str:
    """Everything the page shows as Markdown, as a reader reads it."""
    return "\n".join(as_read(source) for _, source in _sources(at))


GROUPS = ("group_service", "group_prices", "group_agreement", "group_sharing", "group_term", "group_uncertainty")


def test_markup_planted_in_every_scenario_field_is_text_in_every_view():
    """A scenario with links, images, bold, colour, emoji, LaTeX, HTML and bare addresses planted in its name,
    description, unit, period, currency and sources: in every view, every sidebar group and the headline's
    expanders, nothing reaches Markdown or a chart raw, and the planted words read as typed."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=180)
    at.query_params[URL_KEY] = corpus.link(corpus.markup_doc())
    at.run()
    for key in (*GROUPS, "glance_words", "glance_sources", "glance_meaning", "glance_placement", "terms_settings"):
        at.session_state[key] = True
    at.run()
    found = _found(at, "first screen")
    shown = _shown(at)
    for tag in ("NAME", "UNIT"):
        assert f"{tag} [{tag}link](https://evil.example/{tag}) https://evil.example/{tag}bare" in shown, tag
    assert "**£**" in shown  # the currency as typed, stars and all
    for view in [t.label for t in at.tabs]:
        at.session_state["view"] = view
        at.run()
        found += _found(at, view)
    assert found == [], "\n".join(found)


def test_an_uploaded_files_name_and_an_unknown_key_shaped_as_links_are_text_in_the_error():
    """An uploaded file named like a Markdown link, holding an unknown key shaped as one, is refused with both named
    as typed: no link, no bold."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    at.session_state["group_files"] = True
    at.run()
    data = (corpus.example_yaml() + f"'{corpus.UNKNOWN_KEY_LINK}': 1\n").encode()
    at.file_uploader(key="upload").upload(corpus.FILE_NAME_LINK, data, "application/yaml").run()
    errors = [e.value for e in at.error]
    assert errors and _found(at, "upload") == []
    read = " ".join(as_read(e) for e in errors)
    assert corpus.UNKNOWN_KEY_LINK in read, read
    assert "is not a known field" in read


def test_option_and_room_names_are_text_in_the_room_header_notes_and_undo_button():
    """A room named with a bare address and bold, and an option named in bold, red and as a link: the room's
    header, the notes and the Undo button show them as typed."""
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    at.session_state["view"] = "Compare options"
    at.run()
    at.text_input(key="room_title").set_value(corpus.ROOM_NAME)
    at.button(key="start_room").click().run()
    at.text_input(key="option_name").set_value(corpus.OPTION_NAME)
    at.button(key="save_option").click().run()
    at.button(key="remove_option").click().run()
    undo = at.button(key="undo_remove")
    assert as_read(undo.label) == f"Undo: bring back “{corpus.OPTION_NAME}”"
    assert corpus.ROOM_NAME in _shown(at)
    assert _found(at, "room") == []
