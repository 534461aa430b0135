"""For the paper: every chart as PNG, SVG or PDF, the tables, the auditable workbook and the paper pack.

Downloads are built when clicked (Streamlit runs a callable ``data`` on demand), so the view stays fast."""

from __future__ import annotations

import math

import streamlit as st

from charts import catalogue
from paper import images
from paper.pack import audit_workbook_of, pack_zip
from paper.tables import (
    GRID_TABLE_STEPS,
    councils_table,
    grid_table,
    summary_table,
    sweep_table,
    tables_to_xlsx,
    term_table,
    to_csv_bytes,
)
from partnership import Scenario, most_likely_point
from partnership.formats import file_stem, point_percent
from store import StoreError

from . import compute, options, views
from .text import plain

MIME = {
    **images.FORMATS,
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _chart_list(s: Scenario) -> list[tuple[str, str, callable, str, str]]:
    """(file stem, title, figure maker, footnote name, footnote label) for every chart of the catalogue
    (:mod:`charts.catalogue`) the scenario has, each at the point its view is set to now, then the saved options'."""
    text = compute.key(s)
    sliders = views.current_points(s)
    question = compute.sweep_question(*views.current_terms(s))
    out = []
    for c in catalogue.charts_for(s):
        point = {coordinate: sliders[slider] for coordinate, slider in c.point.items()}
        at = compute.point_of(**point) + (("question", question),)
        title, _ = c.texts(s, point, point_percent)
        out.append((c.stem, title, lambda key=c.key, at=at: compute.figure(key, text, at), s.name, "Scenario"))
    pairs = options.saved_pairs()  # the options' scenarios only: their figures are worked out when a chart is made
    if pairs:
        names = "; ".join(n for n, _ in pairs)
        for c in catalogue.COMPARISON_CHARTS:
            make = lambda key=c.key: compute.comparison_figure(key, pairs)  # noqa: E731
            out.append((c.stem, c.title, make, names, "Options compared"))
    return out


def _image(make, fmt: str, name: str, label: str):
    def build() -> bytes:
        return images.chart_image(make(), fmt, name, label)

    return build


def export(s: Scenario) -> None:
    """The export view."""
    views.purpose(
        "Export: every chart, the tables, the auditable workbook and the paper pack, for the scenario on screen."
    )
    name = s.name
    stem = file_stem(name)
    if images.chromium_path() is None:
        st.warning("Chart images need Chromium on the server (Debian package 'chromium'); tables still work.")
    st.subheader("Charts")
    st.caption(
        "Each chart as PNG (print resolution, 2,800 pixels across), SVG or PDF, with a footnote naming the "
        "scenario. Charts are drawn as each view is set now (its sliders and terms)."
    )
    for chart_stem, title, make, note_name, note_label in _chart_list(s):
        c = st.columns([3, 1, 1, 1], vertical_alignment="center")
        c[0].markdown(f"**{plain(title)}**")  # a title may hold the scenario's unit: shown as text
        for col, fmt in zip(c[1:], images.FORMATS):
            col.download_button(
                fmt.upper(),
                _image(make, fmt, note_name, note_label),
                f"{stem}_{chart_stem}.{fmt}",
                MIME[fmt],
                key=f"dl_{chart_stem}_{fmt}",
                width="stretch",
            )

    st.subheader("Tables")
    x, y, g, h, b = views.current_terms(s)
    text = compute.key(s)
    likely = compute.point_of(*most_likely_point(s))
    made = {  # each table from the page's cached results
        "Outcome grid": lambda: grid_table(compute.result("grid", text, (("steps", GRID_TABLE_STEPS),)), s),
        "Summary": lambda: summary_table(compute.summary(text), s),
        "Find terms": lambda: sweep_table(compute.terms(text, x, y, g, h, b)),
        "Over the term": lambda: term_table(compute.result("term", text, likely), s),
    }
    if s.members:  # a region of councils: each council's figures
        made["Councils"] = lambda: councils_table(
            compute.result("region", text), compute.result("members", text, likely), s
        )
    tables = {
        "outcome_grid": (
            "Every outcome as a table: each of the year's figures at every occupancy and local use, in 5 % steps",
            made["Outcome grid"],
        ),
        "summary": ("Summary under the uncertainty", made["Summary"]),
        "find_terms": ("Find terms: expected gains over the two terms", made["Find terms"]),
    }
    if s.term.years > 1:
        tables["over_the_term"] = (
            f"Over the term: each of the {s.term.years} years at the most likely occupancy and local use",
            made["Over the term"],
        )
    if s.members:
        tables["councils"] = ("The region's councils: each council's saving and its share", made["Councils"])
    for key, (title, make) in tables.items():
        c = st.columns([3, 1, 1, 1], vertical_alignment="center")
        c[0].markdown(f"**{title}**")
        c[1].download_button(
            "CSV",
            lambda make=make: to_csv_bytes(make()),
            f"{stem}_{key}.csv",
            "text/csv",
            key=f"dl_{key}_csv",
            width="stretch",
        )
    c = st.columns([3, 3], vertical_alignment="center")
    c[0].download_button(
        "All tables in one Excel workbook",
        lambda: tables_to_xlsx(
            {name: make() for name, make in made.items() if name != "Over the term" or s.term.years > 1}, s
        ),
        f"{stem}_tables.xlsx",
        MIME["xlsx"],
        key="dl_tables_xlsx",
        width="stretch",
    )
    c[1].download_button(
        "Workbook a finance officer can audit (live formulas)",
        lambda: audit_workbook_of(s),
        f"{stem}_audit_workbook.xlsx",
        MIME["xlsx"],
        key="dl_audit",
        width="stretch",
    )

    st.subheader("Paper pack")
    saved = options.saved()
    choices = ["The scenario on screen"] + (["The saved options, compared"] if saved else [])
    what = st.radio("What goes in the pack", choices, key="pack_what", horizontal=True)
    if what == choices[0]:
        pack_options = [(name, s)]
        terms = {name: (x, y)}
        file_name = f"{stem}_paper_pack.zip"
    else:
        pack_options = options.saved_pairs()
        terms = None
        file_name = "comparison_paper_pack.zip"
    room, proposers = _room_and_proposers([n for n, _ in pack_options]) if what != choices[0] else (None, None)
    st.caption(
        "One ZIP: the scenario file(s), every chart in three formats, the tables as CSV and Excel, the auditable "
        "workbook and a summary document (Markdown, and HTML with the interactive charts that opens offline). "
        f"{build_time_words(len(pack_options))}"
    )
    images.warm_up()  # the chart browser starts now, so the first pack does not wait for it
    _pack_button(pack_options, terms, file_name, what, room, proposers)


PACK_SECONDS = (6.0, 3.0)
"""Measured on the 2-core machine the app is tested on, other work sharing the cores (load 5 to 9), the chart browser
already running as it is here (the view starts it): benchmarks/bench_pack.py's medians of 3 were 4.1 to 6.4 s for the
seven presets and 8.0 s for a comparison of two; the button, click to download offered, 4.7 s (median of 3). So about
6 s for one scenario and 3 s for each further option, rounded up: measure again when the pack changes."""


def build_time_words(options: int) -> str:
    """How long the pack takes to build, from :data:`PACK_SECONDS`, rounded up to whole seconds."""
    first, each = PACK_SECONDS
    seconds = math.ceil(first + each * max(0, options - 1))
    what = "a scenario" if options <= 1 else f"these {options} options"
    return f"Building it takes about {seconds} seconds for {what} (measured on the server this app is tested on)."


def _room_and_proposers(names: list[str]) -> tuple[str | None, list[str] | None]:
    """The workshop room's name and who proposed each option (in ``names``' order), for the comparison pack;
    (None, None) when the store cannot say (no room, or the store is down: the pack is built without them)."""
    db, _ = options.store()
    code = options.room_code()
    if db is None or code is None:
        return None, None
    try:
        room = db.room(code)
        by = {o.name: o.proposer for o in db.options(code)}
    except StoreError:
        return None, None
    title = None if room.personal else (room.title or "").strip() or None
    return title, [by.get(n, "") for n in names]


def _pack_button(pack_options, terms, file_name: str, what: str, room=None, proposers=None) -> None:
    """Build the pack when asked (a spinner while it runs), then offer it. A chart-browser failure is one
    line on the page (the browser is restarted for the next try), never a download that silently fails."""
    wanted = (
        file_name,
        what,
        tuple((n, compute.key(sc)) for n, sc in pack_options),
        repr(terms),
        room,
        tuple(proposers or ()),
    )
    built = st.session_state.get("_pack")
    if built is not None and built[0] != wanted:  # the scenario or the choice changed: the old pack is stale
        st.session_state.pop("_pack", None)
        built = None
    if built is None:
        if st.button("Build the paper pack", key="build_pack", type="primary"):
            with st.spinner(f"Building the paper pack. {build_time_words(len(pack_options))}"):
                try:
                    data = pack_zip(pack_options, terms_axes=terms, room=room, proposers=proposers)
                except images.ImageExportError as exc:
                    st.error(f"The paper pack could not be built: {plain(exc)}")
                    return
            st.session_state["_pack"] = built = (wanted, data)
    if built is not None:
        st.download_button(
            f"Download the paper pack ({len(built[1]) / 1e6:.1f} MB)",
            built[1],
            file_name,
            "application/zip",
            key="dl_pack",
            type="primary",
        )
