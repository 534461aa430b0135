"""Shared fixtures: the MODEL.md worked example, the presets, and random valid scenarios."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from partnership import scenario_from_dict
from partnership.examples import EXAMPLE

# python -m pytest tests/model/test_extremes.py --hypothesis-profile=thorough: 10,000 examples of extreme scenarios
settings.register_profile("thorough", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted((ROOT / "presets").glob("*.yaml"))


_POSTGRES_FIXTURES = {"pg_cluster", "pg_shared_url"}


def pytest_collection_modifyitems(items):
    """Mark each test that runs on the throwaway PostgreSQL cluster `postgres`: those that ask for the cluster, and
    the PostgreSQL half of every test of the store parametrised over both databases."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if _POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())) or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session", autouse=True)
def workshop_store(tmp_path_factory):
    """The app's workshop store, for every test (and every server a test starts): a throwaway SQLite file,
    never the user's own. Tests of the store itself name their databases explicitly."""
    path = tmp_path_factory.mktemp("workshop_store") / "workshops.sqlite3"
    old = os.environ.get("PARTNERSHIP_DATABASE_URL")
    os.environ["PARTNERSHIP_DATABASE_URL"] = f"sqlite:///{path}"
    yield path
    if old is None:
        os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    else:
        os.environ["PARTNERSHIP_DATABASE_URL"] = old


@pytest.fixture
def example():
    return scenario_from_dict(copy.deepcopy(EXAMPLE))


@pytest.fixture
def example_dict():
    return copy.deepcopy(EXAMPLE)


money = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)
price = st.floats(min_value=0, max_value=20000, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


@st.composite
def bands(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    starts = sorted(set(draw(st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=n - 1, max_size=n - 1))))
    starts = [0.0] + starts
    return [{"from_local_use": s, "host_share": draw(fraction)} for s in starts]


@st.composite
def triangular(draw):
    a, b, c = sorted(draw(st.lists(fraction, min_size=3, max_size=3)))
    return {"low": a, "mode": b, "high": c}


@st.composite
def scenarios(draw, part_two: bool = True):
    """Random valid scenario documents, optional fields sometimes left out; with ``part_two``, reserved
    places and what the host would get anyway are sometimes drawn too."""
    prices = {"host": draw(price), "external": draw(price)}
    if draw(st.booleans()):
        prices["spot"] = draw(price)
    if draw(st.booleans()):
        prices["host_alternative"] = draw(price)
    capacity = draw(st.floats(min_value=0.5, max_value=5000))
    agreement = {
        "contribution": draw(money),
        "compensation": {"per_external_unit": draw(price), "premium_share": draw(fraction)},
        "sharing": {
            "target_margin": draw(st.floats(min_value=0, max_value=0.5)),
            "interpolation": draw(st.sampled_from(["step", "linear"])),
            "bands": draw(bands()),
            "loss_share": draw(fraction),
            "loss_cap": draw(st.one_of(st.none(), money)),
        },
    }
    doc = {
        "name": "random",
        "service": {
            "capacity": capacity,
            "periods_per_year": draw(st.sampled_from([52, 12, 365, 1])),
            "fixed_cost": draw(money),
            "variable_cost": draw(price),
        },
        "prices": prices,
        "agreement": agreement,
        "uncertainty": {"occupancy": draw(triangular()), "local_use": draw(triangular())},
    }
    if part_two and draw(st.booleans()):  # section 7: reserved places, sometimes with a void price of their own
        reservation = {"units": draw(st.floats(min_value=0, max_value=1)) * capacity}
        if draw(st.booleans()):
            reservation["void_price"] = draw(price)
        agreement["reservation"] = reservation
    if part_two and draw(st.booleans()):  # section 8: what the host would get anyway
        doc["without_agreement"] = {"local_use": draw(fraction)}
    return doc
