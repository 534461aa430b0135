"""Charts: plotly figures from the model's results. No Streamlit here, so exports and tests use them alone."""

from . import catalogue
from .figures import (
    access_value,
    arrangements_chart,
    compare_bars,
    compare_lines,
    money_flows,
    occupancy_lines,
    outcome_heatmaps,
    placement_money,
    risk_curves,
    term_chart,
    terms_map,
)
from .style import HOST, PROVIDER, add_footnote, built_for_screen, for_screen

__all__ = [
    "access_value",
    "arrangements_chart",
    "placement_money",
    "catalogue",
    "HOST",
    "PROVIDER",
    "add_footnote",
    "built_for_screen",
    "for_screen",
    "compare_bars",
    "compare_lines",
    "money_flows",
    "occupancy_lines",
    "outcome_heatmaps",
    "risk_curves",
    "term_chart",
    "terms_map",
]
