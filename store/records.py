"""What the store hands out: a room, one saved version of an option, one line of a room's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from partnership import Scenario, parse_scenario_text


@dataclass(frozen=True)
class Room:
    """A room: its code (the secret in its link), title, whether it is someone's personal room, when it was
    made, and its revision (a counter bumped by every change)."""

    code: str
    title: str
    personal: bool
    created_at: datetime
    revision: int


@dataclass(frozen=True)
class OptionVersion:
    """One saved version of an option: the option's name, the version number (1, 2, ...), the scenario's JSON
    text (as ``partnership.scenario_to_json`` writes it), who proposed it, when (UTC), and whether the option
    is currently removed."""

    name: str
    version: int
    scenario_json: str
    proposer: str
    saved_at: datetime
    removed: bool = False

    def scenario(self) -> Scenario:
        """The scenario, validated."""
        return parse_scenario_text(self.scenario_json, self.name)


@dataclass(frozen=True)
class Event:
    """One line of a room's history: when (UTC), who, what (``save``, ``remove``, ``restore``, ``import``),
    the option's name and the version saved (None for the other actions)."""

    at: datetime
    who: str
    action: str
    option_name: str
    version: int | None
