"""The locks (requirements.txt, requirements-dev.txt) agree with the ranges in pyproject.toml, and this environment
runs what they lock.

pyproject.toml holds the ranges the code is written for; `bash tools/refresh-lock` compiles them into exact pins that
the README's commands, CI and a host reading requirements.txt all install. A range changed without refreshing the
lock, a pin edited by hand outside its range, or a lock that pins a package at two versions fails here.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s*(?:;\s*(?P<marker>.+))?$")


def ranges(extra: str | None = None) -> list[Requirement]:
    """The requirements pyproject.toml declares: the runtime ones, or those of one optional extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def pins(text: str) -> dict[str, list[tuple[Version, Marker | None]]]:
    """A lock's pins by canonical name: each an exact version and the environment marker it holds for, if any.
    Raises AssertionError on a line that is not a comment, a constraint reference or an exact pin."""
    out: dict[str, list[tuple[Version, Marker | None]]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        assert match, f"line {number} is not an exact pin (name==version): {line!r}"
        marker = Marker(match["marker"]) if match["marker"] else None
        name = canonicalize_name(match["name"].split("[")[0])
        out.setdefault(name, []).append((Version(match["version"]), marker))
    return out


def pinned_here(lock: dict[str, list[tuple[Version, Marker | None]]], name: str) -> Version | None:
    """The version a lock installs for `name` in this environment (its marker evaluated here); None if it installs
    none here."""
    chosen = [v for v, marker in lock.get(canonicalize_name(name), []) if marker is None or marker.evaluate()]
    assert len(chosen) <= 1, f"{name} is pinned at several versions for this environment: {chosen}"
    return chosen[0] if chosen else None


def disagreements(requirements: list[Requirement], lock: dict) -> list[str]:
    """Each declared requirement the lock leaves out or pins outside its range, in plain words."""
    problems = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate():
            continue
        versions = [v for v, _ in lock.get(canonicalize_name(req.name), [])]
        if not versions:
            problems.append(f"{req.name} ({req.specifier}) is not in the lock")
        for version in versions:
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req.name} is locked at {version}, outside its range {req.specifier}")
    return problems


RUNTIME = pins((ROOT / "requirements.txt").read_text())
DEV = pins((ROOT / "requirements-dev.txt").read_text())


def test_the_runtime_lock_pins_every_runtime_range_within_it():
    """requirements.txt (what a host installs) pins every runtime requirement of pyproject.toml inside its range."""
    assert disagreements(ranges(), RUNTIME) == []


def test_the_dev_lock_pins_runtime_and_dev_ranges_within_them():
    """requirements-dev.txt pins every runtime and dev requirement inside its range."""
    assert disagreements(ranges() + ranges("dev"), DEV) == []


def test_the_dev_lock_installs_the_runtime_locks_versions():
    """The tests run the very versions a host runs: every package in both locks has the same pins in both."""
    differ = {name: (RUNTIME[name], DEV[name]) for name in RUNTIME.keys() & DEV.keys() if RUNTIME[name] != DEV[name]}
    assert differ == {}
    assert RUNTIME.keys() <= DEV.keys(), sorted(RUNTIME.keys() - DEV.keys())


def test_a_changed_range_or_a_hand_edited_pin_is_caught():
    """The check can fail: a range that leaves the locked version out, a missing pin and a loose pin are reported."""
    stale = [Requirement("pyyaml>=7,<8"), Requirement("numpy>=2.0,<3"), Requirement("not-locked-anywhere>=1")]
    lock = pins("pyyaml==6.0.4\nnumpy==2.4.6 ; python_full_version < '3.12'\n")
    assert disagreements(stale, lock) == [
        "pyyaml is locked at 6.0.4, outside its range <8,>=7",
        "not-locked-anywhere (>=1) is not in the lock",
    ]
    with pytest.raises(AssertionError, match="not an exact pin"):
        pins("pyyaml>=6.0\n")


def test_this_environment_runs_what_the_dev_lock_pins():
    """The packages installed here are the locked versions (CI installs requirements-dev.txt), so a green run
    vouches for the lock."""
    wrong = []
    for name in DEV:
        want = pinned_here(DEV, name)
        if want is None:
            continue
        try:
            have = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (locked at {want})")
            continue
        if have != want:
            wrong.append(f"{name}: {have} installed, locked at {want}")
    assert wrong == []
