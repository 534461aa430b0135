"""Partnership Calculator: the workshop page, run for each visitor. Start the app with `streamlit run app.py`
(which serves this page, with the server made ready before the first visitor)."""

import streamlit as st

from partnership import warning_details
from ui import sidebar, solve, state, views
from ui.guard import guarded
from ui.text import plain

st.set_page_config(page_title="Partnership Calculator", page_icon="🤝", layout="wide")
st.markdown(
    """<style>
    /* projector-grade at 1280x720 and up: type that scales with the window, nothing cut, every tab in view, and
    the tabs and the open chart's title on the first screen beside the sidebar */
    html { font-size: 19px; }
    @media (max-width: 1500px) { html { font-size: 16px; } }
    [data-testid="stMainBlockContainer"] { padding: 1.1rem 1.5rem 4rem 1.5rem; max-width: none; }
    [data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
    h1 { font-size: 1.75rem !important; line-height: 1.25 !important; padding: 0 0 0.15rem 0 !important; }
    [data-testid="stMetric"] { padding: 0 !important; }
    [data-testid="stMetric"] > div { padding: 0.2rem 0.5rem !important; }
    [data-testid="stMetricValue"] { font-size: clamp(1.15rem, 1.7vw, 1.9rem); font-weight: 600; }
    [data-testid="stMetricLabel"] p { font-size: 0.85rem; line-height: 1.15; }
    [data-testid="stMetricDelta"] { font-size: 0.8rem; }
    [data-testid="stMetricDelta"] > div { line-height: 1.15; }
    [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] * {
        white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
        overflow-wrap: anywhere; }
    .st-key-glance_more summary { padding-top: 0.35rem; padding-bottom: 0.35rem; }
    .st-key-placement_note [data-testid="stAlert"] > div { padding: 0.3rem 0.7rem; }
    [role="tablist"] { flex-wrap: wrap; overflow: visible !important; column-gap: 1.1rem; row-gap: 0.1rem; }
    [role="tab"] { margin: 0 !important; }
    [role="tab"] p { font-size: 1.15rem; font-weight: 600; }
    @media (max-width: 1500px) { [role="tab"] p { font-size: 1.05rem; } }
    /* the sidebar wide enough for the sharing-band table's two columns side by side (no sideways scroll) */
    [data-testid="stSidebar"][data-collapsed="false"] { width: 360px !important; min-width: 360px !important; }
    [data-testid="stSidebarContent"] { padding-left: 10px; padding-right: 10px; }
    [data-testid="stSidebar"] [data-testid="stExpanderDetails"] { padding-left: 0.4rem; padding-right: 0.4rem; }
    .screen-lead { font-size: 0.95rem; margin: 0.2rem 0 0.1rem 0; }
    </style>""",
    unsafe_allow_html=True,
)

link_problems = state.init_session()
scenario, problems = state.current_scenario()
if scenario is not None:
    st.session_state["last_valid"] = scenario
shown = scenario or st.session_state.get("last_valid")

with st.sidebar:
    guarded("the inputs", sidebar.render, shown)

lead, switch = st.columns([5, 1], vertical_alignment="center")
lead = lead.container(key="page_lead")
lead.caption("Partnership Calculator: what a local partnership agreement means for the host authority and the provider")
presenting = switch.toggle(
    "Presentation",
    key="presentation",
    bind="query-params",
    help="For the projector: hides the inputs and the longer headline, and sizes each chart to the window, so the "
    "open chart fills the screen, axes and all.",
)
if presenting:
    # Each chart as tall as the window less what stands above it (the title row, the headline figures, the tabs,
    # the placement note and the view's sliders when there are any), so its whole box, axes included, is on screen.
    st.markdown(
        """<style>
        [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], .st-key-glance_more,
        .st-key-view_purpose, .screen-lead, .st-key-page_lead [data-testid="stCaptionContainer"],
        .st-key-glance_strip [data-testid="stMetricDelta"] { display: none; }
        [data-testid="stMainBlockContainer"] { padding-top: 0.5rem; }
        h1 { font-size: 1.4rem !important; padding: 0 !important; }
        .st-key-glance_strip [data-testid="stMetricValue"] { font-size: 1.2rem; }
        .st-key-glance_strip [data-testid="stMetricLabel"] p { font-size: 0.75rem; }
        [data-testid="stMain"] { --above-chart: 228px; --note: 0px; --sliders: 0px; }
        [data-testid="stMain"]:has(.st-key-placement_note) { --note: 44px; }
        [role="tabpanel"]:has(.st-key-view_sliders) { --sliders: 78px; }
        [role="tabpanel"] { --chart-height: max(300px, calc(100vh - var(--above-chart) - var(--note) - var(--sliders))); }
        /* the chart and the two boxes Streamlit wraps it in (sized from the figure), so nothing below covers it */
        [role="tabpanel"] [data-testid="stElementContainer"]:has(.stPlotlyChart) { flex: 0 0 var(--chart-height) !important; }
        [role="tabpanel"] [data-testid="stElementContainer"]:has(.stPlotlyChart),
        [role="tabpanel"] [data-testid="stFullScreenFrame"]:has(> .stPlotlyChart),
        [role="tabpanel"] .stPlotlyChart { height: var(--chart-height) !important; }
        </style>""",
        unsafe_allow_html=True,
    )
lead.title(plain(shown.name) if shown else "No scenario", anchor=False)  # the name as text, no link
for line in link_problems:
    st.error(plain(line))
if problems:
    st.error(
        "These inputs break a rule, so the figures below are for the last valid scenario:\n\n"
        + "\n".join(f"- {plain(p)}" for p in problems)
    )
if shown is None:
    st.stop()
for line in warning_details(shown):
    st.warning(f"Allowed, but check: {plain(state.plain_message(line))}")
if scenario is not None and (too_long := state.write_url(scenario)):
    st.warning(too_long, icon="🔗")


def compare_options(s) -> None:
    """The Compare options view; the store and its database driver are loaded when it is first opened."""
    from ui import options

    options.compare_options(s)


def export_view(s) -> None:
    """The Export view; the paper pack, kaleido and the spreadsheet writers are loaded when it is first opened."""
    from ui import export

    export.export(s)


guarded("the headline figures", views.at_a_glance, shown)
if not presenting:  # the provider's first question, under the headline; not on the projector's screen
    guarded("the “What would it take?” box", solve.what_would_it_take, shown)
VIEWS = {
    **views.chart_views_for(shown),  # the chart catalogue's views (charts.catalogue.VIEWS) the scenario has, in order
    "Find terms": views.find_terms,
    "Compare options": compare_options,
    "Export": export_view,
}
# only the open view is worked out: a change of input redraws one chart, not all of them
tabs = st.tabs(list(VIEWS), key="view", on_change="rerun", bind="query-params")
for (name, draw), tab in zip(VIEWS.items(), tabs):
    if tab.open is not False:
        with tab:
            guarded(f"the view “{name}”", draw, shown)
