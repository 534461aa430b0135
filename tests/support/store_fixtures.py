"""Fixtures for the store's tests: a throwaway PostgreSQL cluster for the session, and a fresh database URL
per test on SQLite (a file) and on PostgreSQL (a new database in that cluster)."""

from __future__ import annotations

import copy

import pytest

from partnership import scenario_from_dict, scenario_to_json
from partnership.examples import EXAMPLE

from .pg_cluster import Cluster, ClusterUnavailable


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster started for the test session and stopped after it (skipped, with the reason,
    where it cannot start)."""
    cluster = Cluster(fsync=True)
    try:
        cluster.start()
    except ClusterUnavailable as exc:
        cluster.stop()
        pytest.skip(f"PostgreSQL cannot start here: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_shared_url(pg_cluster):
    """One PostgreSQL database for the session's behaviour tests: each test makes its own rooms, so they
    cannot see each other's data (and creating a database per test would cost seconds each)."""
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A database for a test: a new SQLite file, then the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workshops.sqlite3'}"
    return request.getfixturevalue("pg_shared_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request, tmp_path):
    """A new, empty database: a SQLite file, then a new PostgreSQL database (for migrations)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workshops.sqlite3'}"
    return request.getfixturevalue("pg_cluster").new_database()


def scenario_text(contribution: float = 150_000, name: str = "Worked example") -> str:
    """A valid scenario's JSON text, varied by its contribution."""
    data = copy.deepcopy(EXAMPLE)
    data["name"] = name
    data["agreement"]["contribution"] = contribution
    return scenario_to_json(scenario_from_dict(data))
