"""The page's views: at a glance, the chart catalogue's views (every outcome, across occupancy, money flows, risk,
access and placements, over the term), find terms."""

from __future__ import annotations

import streamlit as st

import charts
from charts import catalogue
from paper.narrative import expected_case_sentences, sharpness_sentences, term_sentences, uncertainty_sentence
from partnership import Scenario, decisions, most_likely_point
from partnership.fields import band_index, field_label, input_step, is_fraction, negotiable_paths, value_of
from partnership.formats import (
    NA,
    field_value,
    money,
    per_unit_period,
    percent,
    point_percent,
    unit_money,
    unit_period,
)
from partnership.negotiation import default_axes, default_range
from partnership.viability import viable_hours_sentence

from . import arrangements, compute, councils, sidebar, state
from .text import plain

CHART_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def chart(fig, key: str, laid_out: bool = False) -> None:
    """A plotly chart at full width, laid out for the screen (unless ``laid_out`` already, as by
    :func:`compute.on_screen`), with the print-quality download button."""
    fig = fig if laid_out else charts.for_screen(fig, **compute.screen_layout(presenting()))
    st.plotly_chart(fig, width="stretch", config=CHART_CONFIG, key=key, theme=None)


def presenting() -> bool:
    """Whether the page is in presentation mode (the switch above the title): charts across the whole window."""
    return bool(st.session_state.get("presentation"))


def _signed(value, currency: str) -> str:
    if value is None:
        return NA
    return ("+" if value >= 0.5 else "") + money(value, currency)


def at_a_glance(s: Scenario) -> None:
    """The headline as one compact strip: a one-line note when a placement decision moves material money, the six
    headline figures in one row (the most likely case, then the expected gains over the whole uncertainty with each
    side's chance of being better off), and the longer words folded into a row of expanders."""
    text = compute.key(s)
    e = compute.most_likely_case(text)
    summary = _headline(text)
    cur, per = plain(s.currency), plain(per_unit_period(s))  # every figure and label here is Markdown
    without_unit = e["host_unit_cost_without_agreement"]  # like for like (MODEL.md section 8a), not p_a

    material, threshold = compute.placement_note(text)
    if material:
        placement_note(s, material)
    st.markdown(
        f"<p class='screen-lead'><b>At a glance</b>: the most likely case ({point_percent(e['occupancy'])} occupancy, "
        f"{point_percent(e['local_use'])} local use), then the expected figures over the whole uncertainty</p>",
        unsafe_allow_html=True,
    )
    tiles = [  # (label, figure, the small line under it)
        ("Provider's profit a year", money(e["provider_profit"], cur), f"{_signed(e['provider_gain'], cur)} gain"),
        (
            f"Host's cost {per}",
            unit_money(e["host_unit_cost"], cur),
            f"{unit_money(without_unit, cur)} without" if without_unit is not None else "the host uses none",
        ),
        ("Host's saving a year", money(e["host_saving"], cur), f"net cost {money(e['host_net_cost'], cur)}"),
        (
            "Provider breaks even at occupancy",
            percent(e["break_even_with"]),
            f"{percent(e['break_even_without'])} without",
        ),
        (
            "Provider's expected gain a year",
            money(summary["expected_provider_gain"], cur),
            f"{percent(summary['probability_provider_better_off'])} chance better off",
        ),
        (
            "Host's expected saving a year",
            money(summary["expected_host_saving"], cur),
            f"{percent(summary['probability_host_better_off'])} chance better off",
        ),
    ]
    columns = st.container(key="glance_strip").columns(len(tiles), gap="small")
    for i, (column, (label, figure, note)) in enumerate(zip(columns, tiles)):
        # only the provider's gain is coloured (up or down); the other small lines are plain figures
        colour = {"delta_color": "normal"} if i == 0 else {"delta_color": "off", "delta_arrow": "off"}
        column.metric(label, figure, delta=note, border=True, **colour)
    # the longer words, one click away in a row of expanders (hidden in presentation mode)
    jumps = compute.placement_warnings(text)
    more_box = st.container(key="glance_more")
    cols = more_box.columns(4 if jumps else 3, gap="small")
    words = cols[0].expander("What the words mean", key="glance_meaning", on_change="rerun")
    if words.open is not False:  # written out only when opened
        with words:
            first_words(s)
    more = "In words" + (f", over {s.term.years} years" if s.term.years > 1 else "")
    box = cols[1].expander(more, key="glance_words", on_change="rerun")
    if box.open is not False:  # the sentences and the term are worked out only when opened
        with box:
            _in_words(s, e, compute.summary(text), text)
    with cols[2]:
        sources_panel(s)
    if jumps:
        details = cols[3].expander("Placement money", key="glance_placement", on_change="rerun")
        if details.open is not False:
            with details:
                placement_details(s, jumps, threshold)


def _headline(text: str) -> dict:
    """The headline's figures of the summary: without the percentiles and the term, which it does not show
    (:func:`compute.headline`), unless the open view shows the whole summary anyway (one evaluation, not two)."""
    return compute.summary(text) if _open_view_needs("summary") else compute.headline(text)


def _open_view_needs(result: str) -> bool:
    """Whether a chart of the open view (a tab of :data:`charts.catalogue.VIEWS`) is drawn from ``result``."""
    view = next((v for v in catalogue.VIEWS if v.name == st.session_state.get("view")), None)
    return view is not None and any(result in catalogue.chart(key).needs for key in view.charts)


def placement_note(s: Scenario, material: list[tuple[float, float]]) -> None:
    """The first screen's one line on money riding on a placement decision (only above the materiality threshold,
    :func:`partnership.decisions.material_jumps`), in the room's words."""
    cur, o = plain(s.currency), most_likely_point(s)[0]
    steps = ", ".join(
        f"{money(to_host, cur)} a year past {point_percent(start)} local use" for start, to_host in material
    )
    st.container(key="placement_note").warning(
        f"One more local placement moves money to the host at {point_percent(o)} occupancy: {steps}.", icon="⚖️"
    )


def placement_details(s: Scenario, jumps: list[str], threshold: float) -> None:
    """Section 9's warnings in full (every jump above one unit-period's host price), what removes them, and the
    rule with the first screen's threshold."""
    st.warning("**Money rides on a placement decision.** " + " ".join(map(plain, jumps)) + f" {decisions.CURE}")
    p_h = s.prices.host
    st.caption(
        decisions.RULE.format(
            unit=plain(unit_period(s)),
            price=plain(money(p_h, s.currency, 2 if p_h < 100 else 0)),
            share=percent(decisions.MATERIAL_SHARE),
            threshold=plain(money(threshold, s.currency)),
        )
    )


def _in_words(s: Scenario, e: dict, summary: dict, text: str) -> None:
    """At a glance in sentences, and each side's NPV over a term of more than a year."""
    cur = plain(s.currency)
    st.markdown(" ".join(expected_case_sentences(s, e)))
    st.markdown(uncertainty_sentence(s, summary))
    if s.term.years > 1:
        st.subheader(f"Over the term ({s.term.years} years)")
        c = st.columns(4)
        c[0].metric("Provider's expected NPV", money(summary["expected_npv_provider_gain"], cur), border=True)
        c[1].metric("Chance provider's NPV ≥ 0", percent(summary["probability_provider_npv_positive"]), border=True)
        c[2].metric("Host's expected NPV", money(summary["expected_npv_host_saving"], cur), border=True)
        c[3].metric("Chance host's NPV ≥ 0", percent(summary["probability_host_npv_positive"]), border=True)
        st.markdown(" ".join(term_sentences(s, summary, compute.term_case(text))))


def purpose(text: str) -> None:
    """A view's first line: what it answers, in one sentence, for someone who opens it for the first time."""
    name, _, rest = text.partition(": ")
    st.container(key="view_purpose").caption(f"**{name}:** {rest}")  # hidden in presentation mode


def first_words(s: Scenario) -> None:
    """What local use means, and why the most likely and the expected figures differ (with this scenario's own
    numbers): the first expander under the headline figures."""
    text = compute.key(s)
    e, summary = compute.most_likely_case(text), _headline(text)
    cur, unit = plain(s.currency), plain(s.unit)
    st.caption(
        f"**Local use** is the share of the service's used {unit}s that the host itself fills; other councils "
        f"(external purchasers) fill the rest. **Most likely** figures are at the single most likely occupancy and "
        f"local use; **expected** figures average every occupancy and local use in the ranges set under Uncertainty, "
        f"weighted by how likely each is. They differ when a range stretches further on one side of its most likely value "
        f"than the other, or when sharing bands or deficits bend the figures: here the provider's most likely gain "
        f"is {money(e['provider_gain'], cur)} a year and its expected gain {money(summary['expected_provider_gain'], cur)}."
    )


def sources_panel(s: Scenario) -> None:
    """Where each figure comes from: the scenario's description and its sources, field by field."""
    if not (s.description or s.sources):
        return
    box = st.expander("Sources and estimates", key="glance_sources", on_change="rerun")
    if box.open is False:  # drawn only when opened
        return
    with box:
        if s.description:
            st.text(s.description)
        rows = [
            {
                "Input": field_label(path),
                "Value": field_value(path, value_of(s, path), s.currency),
                "Source": src.source,
                "Year": src.year or "",
                "Estimate": "ESTIMATE" if src.estimate else "",
            }
            for path, src in (s.sources or {}).items()
        ]
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")


AXIS = {"occupancy": 0, "local_use": 1}
"""Each coordinate's place in the most likely point (occupancy, local use)."""


def chart_view(s: Scenario, view: catalogue.View) -> None:
    """One of the catalogue's chart views: what it answers, the sliders its charts' points need (each starting at
    the most likely point), its charts, each drawn from the model's cached results, then how to read them."""
    purpose(view.purpose)
    if lead := VIEW_LEADS.get(view.name):
        lead(s)
    if view.one_year and s.term.years < 2:
        st.info(view.one_year)
        return
    sliders = catalogue.sliders_of(view)
    box = st.container(key="view_sliders") if sliders else st
    where = box.columns(len(sliders)) if len(sliders) > 1 else [box] * len(sliders)
    most_likely = most_likely_point(s)
    at = {
        key: point_slider(col, label, key, most_likely[AXIS[coordinate]])
        for col, (key, coordinate, label) in zip(where, sliders)
    }
    text = compute.key(s)
    for key in view.charts:
        c = catalogue.chart(key)
        point = compute.point_of(**{coordinate: at[slider] for coordinate, slider in c.point.items()})
        chart(compute.on_screen(c.key, text, point, presenting()), f"chart_{c.widget}", laid_out=True)
    if view.caption:  # how to read the charts, under them: the chart's title stays on the first screen
        st.caption(view.caption)
    if extra := VIEW_EXTRAS.get(view.name):
        extra(s)


def risk_percentiles(s: Scenario) -> None:
    """Under the risk curves: each side's P10, P50 and P90 as a plain table."""
    summary = compute.summary(compute.key(s))
    cur = plain(s.currency)  # a table's cells are Markdown
    lines = ["| | P10 | P50 | P90 |", "|:--|--:|--:|--:|"]
    for who, key in (("Provider's gain", "provider_gain"), ("Host's saving", "host_saving")):
        lines.append(f"| {who} | " + " | ".join(money(summary[f"{key}_p{p}"], cur) for p in (10, 50, 90)) + " |")
    # a plain table in Markdown: drawn at once (st.table takes a millisecond through pandas), and prints as it reads
    st.container(key="risk_percentiles").markdown("\n".join(lines))


def viable_hours(s: Scenario) -> None:
    """Under the lines across occupancy, for a service counted in hours: the break-even as hours a week, without the
    agreement and with it, at the lines' local use, beside the 500 hours a week cited as needed for viability."""
    u = current_points(s)["lines_local_use"]
    hours = compute.result("break_even_hours", compute.key(s), compute.point_of(local_use=u))
    if hours is None:  # not counted in hours
        return
    st.container(key="viable_hours").info(viable_hours_sentence(u, hours))


def other_ways_to_buy(s: Scenario) -> None:
    """Under the arrangements' chart: their figures as a table, and the table of the scenario's own to edit."""
    arrangements.arrangements_view(s, state.problems_at("arrangements"))


VIEW_EXTRAS = {
    "Risk": risk_percentiles,
    "Councils": councils.rules,
    "Across occupancy": viable_hours,
    "Other ways to buy": other_ways_to_buy,
}
"""What a chart view shows under its charts, beyond them (by view name)."""

VIEW_LEADS = {"Councils": councils.headline}
"""What a chart view shows above its charts, under its purpose (by view name)."""

CHART_VIEWS = {v.name: (lambda s, v=v: chart_view(s, v)) for v in catalogue.VIEWS}
"""Each of the catalogue's chart views, by name, as the page draws it."""


def chart_views_for(s: Scenario) -> dict:
    """The chart views the page has for the scenario (:func:`charts.catalogue.views_for`: the Councils view only
    for a region of councils), by name, as :data:`CHART_VIEWS` draws them."""
    return {v.name: CHART_VIEWS[v.name] for v in catalogue.views_for(s)}


# ---------------------------------------------------------------------------------------------
# Find terms


def _term_paths(s: Scenario) -> list[str]:
    return negotiable_paths(len(s.agreement.sharing.bands))


def _adopt(x_path: str, x_value: float, y_path: str, y_value: float) -> None:
    for path, value in ((x_path, x_value), (y_path, y_value)):
        sidebar.open_group_of(path)  # the adopted values on show in the sidebar
        shown = 100 * value if is_fraction(path) else value
        if (i := band_index(path)) is not None:
            bands = state.current_bands()
            bands[i]["host_share"] = round(shown, 6)
            st.session_state[state.BANDS_KEY] = bands
            st.session_state[state.BANDS_VERSION] = st.session_state.get(state.BANDS_VERSION, 0) + 1
        else:
            st.session_state[path] = round(float(shown), 6)
    st.session_state["adopted"] = f"Adopted: {field_label(x_path)} and {field_label(y_path)}."


def find_terms(s: Scenario) -> None:
    """The sweep of two terms, its acceptable region and the balanced point, with one-click adoption."""
    purpose("Find terms: which pairs of terms both sides would accept on their expected gains, and the balanced pair.")
    paths = _term_paths(s)
    answer = st.container()  # the map and the balanced terms first (on the first screen), the question under them
    st.caption(
        "Pick two terms and their ranges. Each pair is judged on the expected gains over the whole uncertainty; "
        "the balanced point (star) maximises the product of the two gains (Nash bargaining)."
    )
    c = st.columns(2)
    picks = []
    x0, y0 = default_axes(s)
    for col, axis, default in ((c[0], "x", paths.index(x0[0])), (c[1], "y", paths.index(y0[0]))):
        with col:
            path = st.selectbox(
                f"Term across ({axis})" if axis == "x" else f"Term up ({axis})",
                paths,
                index=min(default, len(paths) - 1),
                key=f"terms_{axis}_path",
                persist_state="session",
                format_func=field_label,
            )
            lo, hi = default_range(s, path)
            if is_fraction(path):
                lo, hi = 100 * lo, 100 * hi
            unit = "%" if is_fraction(path) else plain(s.currency)
            # steps and format from the magnitude of the range, as the sidebar's boxes: pence for small prices
            box = dict(step=input_step(path, max(abs(lo), abs(hi)) or None), persist_state="session")
            box["format"] = "%.1f" if is_fraction(path) else ("%.2f" if max(abs(lo), abs(hi)) < 100 else "%.0f")
            a, b = st.columns(2)
            start = a.number_input(f"From ({unit})", value=lo, key=f"terms_{axis}_start_{path}", **box)
            stop = b.number_input(f"To ({unit})", value=hi, key=f"terms_{axis}_stop_{path}", **box)
            scale = 0.01 if is_fraction(path) else 1.0
            picks.append((path, start * scale, stop * scale, 41))
    min_gain, min_saving, beta = _terms_minimums(s)
    with answer:
        _terms_answer(s, picks, float(min_gain), float(min_saving), float(beta))


TERMS_MINIMUMS = {"terms_min_gain": 0.0, "terms_min_saving": 0.0, "terms_beta": 0.5}
"""Find terms' settings beyond its two terms, by widget key, with the values they start at."""


def _terms_set(key: str) -> float:
    """One of :data:`TERMS_MINIMUMS` as last set (or as it starts)."""
    return st.session_state.get(key, TERMS_MINIMUMS[key])


def _terms_minimums(s: Scenario) -> tuple[float, float, float]:
    """Each side's minimum expected gain and the bargaining weight, in a box of their own that names their values
    and draws its boxes only when opened (most rooms keep 0, 0 and 0.5; three fewer inputs on every redraw)."""
    min_gain, min_saving, beta = (_terms_set(key) for key in TERMS_MINIMUMS)
    cur = plain(s.currency)
    box = st.expander(
        f"Minimums and bargaining weight: provider {money(min_gain, cur)}, host {money(min_saving, cur)} a year; "
        f"weight {beta:.2f}",
        key="terms_settings",
        on_change="rerun",
    )
    if box.open is False:
        return min_gain, min_saving, beta
    with box:
        c = st.columns(3)
        step = input_step("agreement.contribution", float(s.service.fixed_cost) or None)
        min_gain, min_saving = (
            col.number_input(
                f"{label} ({cur} a year)",
                value=TERMS_MINIMUMS[key],
                step=step,
                format="%.0f",
                key=key,
                persist_state="session",
            )
            for col, label, key in (
                (c[0], "Provider's minimum expected gain", "terms_min_gain"),
                (c[1], "Host's minimum expected saving", "terms_min_saving"),
            )
        )
        beta = c[2].slider(
            "Bargaining weight of the provider",
            0.05,
            0.95,
            TERMS_MINIMUMS["terms_beta"],
            0.05,
            key="terms_beta",
            persist_state="session",
            help="0.5: equal power. Higher: the balanced point leans towards the provider.",
        )
    return min_gain, min_saving, beta


def _terms_answer(s: Scenario, picks: list[tuple], min_gain: float, min_saving: float, beta: float) -> None:
    """The map of the two terms searched, the balanced terms and their Adopt button (or why there are none)."""
    if picks[0][0] == picks[1][0]:
        st.warning("Pick two different terms (below).")
        return
    try:
        result = compute.terms(compute.key(s), picks[0], picks[1], min_gain, min_saving, beta)
    except Exception as exc:  # ScenarioError: a range that breaks a rule
        for line in getattr(exc, "details", [str(exc)]):
            st.error(plain(state.plain_message(line)))
        return
    question = (compute.key(s), picks[0], picks[1], min_gain, min_saving, beta)
    chart(compute.terms_on_screen(*question, presenting()), "chart_terms", laid_out=True)
    # each term searched is an axis of the map: what the sidebar holds for it is not what the map shows
    a, b = (field_label(path) for path, *_ in picks)
    st.caption(
        f"{a} and {b[0].lower() + b[1:]} are the two terms searched, so changing either in the sidebar does not move "
        "this map; the other inputs do."
    )
    b = result.balanced
    if b is None:
        st.warning("No pair in these ranges is acceptable to both sides. Widen the ranges or lower the minimums.")
        return

    cur = plain(s.currency)
    st.success(
        f"Balanced terms: **{field_label(result.x.path)} {field_value(result.x.path, b['x'], cur)}**, "
        f"**{field_label(result.y.path)} {field_value(result.y.path, b['y'], cur)}**. Expected provider gain "
        f"{money(b['expected_provider_gain'], cur)} a year, expected host saving "
        f"{money(b['expected_host_saving'], cur)} a year."
    )
    for line in sharpness_sentences(s, result):
        st.warning(line, icon="⚠️")
    if words := councils.balanced_councils(s, result.x.path, b["x"], result.y.path, b["y"]):
        st.container(key="balanced_councils").info(words)
    st.button(
        "Adopt the balanced terms",
        type="primary",
        on_click=_adopt,
        args=(result.x.path, b["x"], result.y.path, b["y"]),
        key="adopt_balanced",
    )
    if st.session_state.get("adopted"):
        st.info(st.session_state.pop("adopted"))


POINT_SLIDERS = {key: AXIS[coordinate] for key, coordinate in catalogue.SLIDERS.items()}
"""Each view's point slider (from the chart catalogue) and which coordinate of the most likely point (occupancy 0,
local use 1) it starts at."""


def _most_likely_key(key: str) -> str:
    return f"{key}__most_likely"


def point_slider(where, label: str, key: str, most_likely: float) -> float:
    """A 0-100 % slider in half-percent steps that starts exactly at the most likely point
    (:func:`partnership.most_likely_point`, the same point At a glance, the exports and the sentences use), and
    follows it when the scenario's most likely point changes, unless the reader has moved the slider. Returns a
    fraction 0-1."""
    ss = st.session_state
    exact = round(100 * float(most_likely), 9)
    origin = _most_likely_key(key)
    if key not in ss or (ss.get(origin) != exact and ss.get(key) == ss.get(origin)):
        ss[key] = exact
    ss[origin] = exact
    return float(where.slider(label, 0.0, 100.0, step=0.5, format="%.1f", key=key, persist_state="session")) / 100


def current_points(s: Scenario) -> dict:
    """The points the views are set to (sliders), or the most likely point where never moved."""
    ss = st.session_state
    point = most_likely_point(s)
    out = {}
    for key, axis in POINT_SLIDERS.items():
        exact = round(100 * float(point[axis]), 9)
        moved = key in ss and ss.get(key) != ss.get(_most_likely_key(key), exact)
        out[key] = float(ss[key]) / 100 if moved else point[axis]
    return out


def current_terms(s: Scenario) -> tuple[tuple, tuple, float, float, float]:
    """The Find-terms question as last set: (x axis, y axis, min gain, min saving, beta)."""
    ss = st.session_state
    x0, y0 = default_axes(s)
    axes = []
    for axis, default in (("x", x0), ("y", y0)):
        path = ss.get(f"terms_{axis}_path", default[0])
        if path not in _term_paths(s):
            path = default[0]
        lo, hi = default_range(s, path)
        scale = 0.01 if is_fraction(path) else 1.0
        start = ss.get(f"terms_{axis}_start_{path}")
        stop = ss.get(f"terms_{axis}_stop_{path}")
        axes.append((path, lo if start is None else start * scale, hi if stop is None else stop * scale, 41))
    return axes[0], axes[1], *(_terms_set(key) for key in TERMS_MINIMUMS)
