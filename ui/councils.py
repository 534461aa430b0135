"""A region of councils as the host (MODEL.md section 12) on the page: the sidebar's table of member councils, and
the Councils view's headline, the two rules' splits of the contribution with their Adopt buttons, and what Find
terms' balanced point means for each council."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from paper.narrative import better_off_count, council_sentences, councils_headline
from partnership import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict
from partnership.fields import spec
from partnership.formats import money, percent
from partnership.scenario import set_path

from . import compute, state
from .text import plain

GROUP_KEY = "group_region"
"""The sidebar group holding the councils' table."""

FIRST_REGION = {
    "returns_split": "use",
    "members": [
        {"name": "Council A", "use_share": 0.5, "contribution_share": 0.5},
        {"name": "Council B", "use_share": 0.5, "contribution_share": 0.5},
    ],
}
"""What "Make this a region" starts a one-host scenario with: two councils sharing use and contribution 50/50."""

NAME_COLUMN_PX = 92
SHARE_COLUMN_PX = 50
PRICE_COLUMN_PX = 56
"""The councils' table's column widths: all five in the sidebar's 300 px, no sideways scroll (headings short, named
in full in the caption above and each column's help)."""

SPLIT_WORDS = {
    "use": "by each council's share of the use",
    "contribution": "by each council's share of the contribution",
}


# ---------------------------------------------------------------------------------------------
# The sidebar


def _make_region() -> None:
    state.set_region({**FIRST_REGION, "members": [dict(m) for m in FIRST_REGION["members"]]})
    st.session_state[GROUP_KEY] = True


def _one_host() -> None:
    st.session_state.pop(state.region_editor_key(), None)
    state.set_region(None)


def _on_split() -> None:
    region = state.current_region()
    if region is not None:
        st.session_state.pop(state.region_editor_key(), None)
        state.set_region({**region, "returns_split": st.session_state[_split_key()]})


def _split_key() -> str:
    return f"region_split_{st.session_state.get(state.REGION_VERSION, 0)}"


def region_inputs() -> None:
    """The sidebar's region: "Make this a region" for one host; for a region, its councils as an editable table (a
    council, its share of the placements and of the contribution, its price elsewhere, its local use anyway), how
    the returns are divided, the model's plain words about any rule the table breaks beside it, and "Back to one
    host"."""
    region = st.session_state.get(state.REGION_KEY)
    if not region:
        st.caption(
            "One council hosts the agreement. A region shares the host's side among several councils: each pays its "
            "share of the contribution and saves on its own placements."
        )
        st.button("Make this a region", on_click=_make_region, key="make_region", width="stretch")
        return
    st.caption(
        "One row a council, left to right: its name; its share of the placements and of the contribution (%, each "
        "adding up to 100 %); its price elsewhere; the share of the used places it would get locally anyway (%). "
        "Empty: the contribution follows the use (for every council or none), the price and the local use anyway "
        "follow the host's. Add a council in the last row; select rows to remove them."
    )
    rows = pd.DataFrame(state.region_rows(), columns=list(state.MEMBER_COLUMNS))
    unit = (st.session_state.get("currency") or "").strip() or "£"
    percent_box = dict(step=0.5, format="%.1f %%", width=SHARE_COLUMN_PX)
    st.data_editor(
        rows,
        key=state.region_editor_key(),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(
                "Council", required=True, width=NAME_COLUMN_PX, help=spec("region.members[i].name").help
            ),
            "use_share": st.column_config.NumberColumn("Use", help=_help("use_share"), **percent_box),
            "contribution_share": st.column_config.NumberColumn(
                "Pays", help=_help("contribution_share"), **percent_box
            ),
            "host_alternative": st.column_config.NumberColumn(
                f"Price ({unit})", step=10.0, format="%.0f", width=PRICE_COLUMN_PX, help=_help("host_alternative")
            ),
            "local_use_anyway": st.column_config.NumberColumn("Anyway", help=_help("local_use_anyway"), **percent_box),
        },
    )
    for line in state.problems_at("region"):
        st.error(plain(line), icon="⚠️")
    split = region.get("returns_split") or "use"
    st.selectbox(
        spec("region.returns_split").label,
        list(SPLIT_WORDS),
        index=list(SPLIT_WORDS).index(split) if split in SPLIT_WORDS else 0,
        key=_split_key(),
        format_func=SPLIT_WORDS.get,
        on_change=_on_split,
        help=spec("region.returns_split").help,
    )
    st.button("Back to one host", on_click=_one_host, key="one_host", width="stretch")


def _help(column: str) -> str:
    return spec(f"region.members[i].{column}").help


# ---------------------------------------------------------------------------------------------
# The Councils view


def region_of(s: Scenario):
    """The region's summary (:class:`partnership.councils.RegionSummary`) from the page's cache; None for one host."""
    return compute.result("region", compute.key(s)) if s.members else None


def headline(s: Scenario) -> None:
    """The Councils view's first line: how many councils are better off in expectation, and the region's saving."""
    region = region_of(s)
    if region is None:
        return
    per = "over the term, in today's money" if region.basis == "term" else "a year"
    all_of = better_off_count(region) == len(region.names)
    box = st.container(key="councils_headline")
    words = (
        f"**{councils_headline(region)}**: the region saves {money(region.expected_region_saving, s.currency)} {per} "
        "in expectation."
    )
    if all_of:
        box.success(words)
    else:
        box.warning(words)


def _adopt(label: str, shares: list[float]) -> None:
    state.set_contribution_shares(shares)
    st.session_state[GROUP_KEY] = True  # the adopted shares on show in the sidebar's table
    st.session_state["councils_adopted"] = f"Adopted: each council's share of the contribution as {label}."


RULES = (
    ("equal_saving", "every council saves the same", "Adopt equal saving"),
    ("saving_by_use", "savings follow use", "Adopt saving by use"),
)
"""The two rules' splits of the contribution (their RegionSummary names), in words, and their Adopt buttons."""


def rules(s: Scenario) -> None:
    """Under the charts: the two rules' splits of the contribution, each with Adopt (setting the councils' shares
    through the sidebar's table), and a sentence for each council."""
    region = region_of(s)
    if region is None:
        return
    if st.session_state.get("councils_adopted"):
        st.info(st.session_state.pop("councils_adopted"))
    if not region.everyone_better_off_possible:
        st.warning("No split of the contribution leaves every council better off in expectation.")
    columns = st.columns(len(RULES))
    for col, (name, words, button) in zip(columns, RULES):
        rule = getattr(region, name)
        with col.container(border=True, key=f"rule_{name}"):
            st.markdown(f"**{words[0].upper() + words[1:]}**")
            if rule is None:
                st.caption("No shared payments to divide: every split is the same.")
                continue
            st.table(
                [
                    {"Council": plain(n), "Now": percent(w0, 1), "Rule": percent(w, 1)}
                    for n, w0, w in zip(region.names, region.contribution_shares, rule["contribution_shares"])
                ],
                hide_index=True,
                width="stretch",
            )
            if rule["possible"]:
                st.button(
                    button,
                    on_click=_adopt,
                    args=(words, list(rule["contribution_shares"])),
                    key=f"adopt_{name}",
                    type="primary",
                    width="stretch",
                )
            else:
                st.caption("Not possible: a council's share would be below 0 % or above 100 %.")
    with st.expander("Each council in words", key="councils_words"):
        for line in council_sentences(s, region):
            st.markdown(f"- {line}")


# ---------------------------------------------------------------------------------------------
# Find terms: the balanced point for a region's councils


def _with_terms(s: Scenario, changes: dict[str, float]) -> Scenario | None:
    doc = scenario_to_dict(s)
    for path, value in changes.items():
        doc = set_path(doc, path, value)
    try:
        return scenario_from_dict(doc)
    except ScenarioError:
        return None


def balanced_councils(s: Scenario, x_path: str, x: float, y_path: str, y: float) -> str | None:
    """At Find terms' balanced terms, whether every council can be better off in expectation (and how many are with
    their shares now); None for one host."""
    if not s.members:
        return None
    at = _with_terms(s, {x_path: x, y_path: y})
    if at is None:
        return None
    region = compute.result("region", compute.key(at))
    n, k = len(region.names), better_off_count(region)
    now = f"with their shares of the contribution now, {k} of {n} councils are better off in expectation"
    if k == n:
        return f"At the balanced terms every council is better off in expectation ({now})."
    if region.everyone_better_off_possible:
        return (
            f"At the balanced terms every council can be better off in expectation: {now}, and a split of the "
            "contribution (Councils view) leaves them all better off."
        )
    return (
        f"At the balanced terms not every council can be better off in expectation: {now}, and no split of the "
        "contribution leaves them all better off."
    )
