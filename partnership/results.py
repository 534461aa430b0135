"""Every result a chart or an export draws, by name, each one call of the model: the one place the page's cache
(``ui.compute``) and the paper pack (``paper.pack``) turn a scenario and a point into results. Charts, tables and
sentences take these results; they never call the model themselves."""

from __future__ import annotations

from collections.abc import Callable

from .arrangements import arrangements
from .councils import member_figures, members_at, members_over_term, region_summary
from .negotiation import sweep
from .outcomes import (
    GRID_STEPS,
    access_value,
    break_even_occupancy,
    evaluate,
    evaluate_across_local_use,
    evaluate_across_occupancy,
    evaluate_grid,
)
from .scenario import Scenario
from .term import evaluate_term
from .uncertainty import gain_distributions, headline_summary, most_likely_case, most_likely_point, summarize
from .viability import break_even_hours_a_week

__all__ = ["RESULTS", "POINT_NAMES", "result"]

POINT_NAMES = ("occupancy", "local_use")
"""The coordinates of a point a result may be worked out at (fractions 0-1)."""


def _break_even(s: Scenario, local_use: float) -> dict:
    """Break-even occupancy at one local use as plain floats (NaN: never, even when full)."""
    return {k: float(v) for k, v in break_even_occupancy(s, local_use).items()}


RESULTS: dict[str, tuple[tuple[str, ...], Callable]] = {
    # name: (the point coordinates and options it is worked out at, how)
    "grid": (("steps",), lambda s, steps=GRID_STEPS: evaluate_grid(s, steps)),
    "across_occupancy": (("local_use",), evaluate_across_occupancy),
    "break_even": (("local_use",), _break_even),
    "point": (("occupancy", "local_use"), evaluate),
    "summary": ((), summarize),
    "headline": ((), headline_summary),
    "most_likely_case": ((), most_likely_case),
    "most_likely_point": ((), most_likely_point),
    "distributions": ((), gain_distributions),
    "term": (("occupancy", "local_use"), evaluate_term),
    "access_value": (("occupancy",), access_value),
    "placement": (("occupancy",), evaluate_across_local_use),
    "sweep": (("question",), lambda s, question: sweep(s, *question[:2], **dict(question[2:]))),
    "members": (("occupancy", "local_use"), members_at),
    "members_over_term": (("occupancy", "local_use"), members_over_term),
    "region": ((), lambda s: region_summary(s) if s.members else None),
    "member_figures": (
        ("occupancy", "local_use"),
        lambda s, occupancy, local_use: member_figures(evaluate(s, occupancy, local_use)) if s.members else None,
    ),
    "arrangements": ((), arrangements),
    "break_even_hours": (("local_use",), break_even_hours_a_week),
}
"""Each named result: the arguments it takes beyond the scenario (``occupancy``, ``local_use``; ``steps`` of a
grid; ``question``, a sweep's ``(x, y, *(option, value) pairs)``) and the model function that works it out:
``grid`` an :class:`~partnership.outcomes.Outcome` over local use x occupancy; ``across_occupancy`` and
``placement`` an Outcome along one axis; ``point`` an Outcome at one point; ``break_even`` a dict of
occupancies; ``summary`` section 3's dict; ``headline`` the part of it the headline shows; ``distributions`` each side's distribution function; ``term`` a
:class:`~partnership.term.TermResult`; ``access_value`` ``[(u0, Outcome)]``; ``sweep`` a
:class:`~partnership.negotiation.SweepResult`; for a region of councils (section 12; empty or None for one host)
``members`` each council's figures at a point and ``members_over_term`` year by year (lists of dicts, see
:mod:`partnership.councils`), ``region`` a :class:`~partnership.councils.RegionSummary`, ``member_figures``
every council's section-12 figures at points given as arrays (:func:`partnership.councils.member_figures`: arrays
of shape (members, points)); ``arrangements`` the other
ways to buy (section 13), a list of :class:`~partnership.arrangements.ArrangementResult` in its order;
``break_even_hours`` break-even as hours a week (``{with_agreement, without_agreement}``, None when not counted in
hours)."""


def result(name: str, scenario: Scenario, **at):
    """The result ``name`` of :data:`RESULTS` for the scenario, at the arguments it takes (others in ``at``
    are ignored, so one point serves every result a chart needs).

    >>> from partnership.examples import example_scenario
    >>> round(float(result("point", example_scenario(), occupancy=0.85, local_use=0.75).host_saving))
    67359
    """
    takes, make = RESULTS[name]
    return make(scenario, **{k: at[k] for k in takes if k in at})
