"""The store's exceptions: each carries one plain-English message fit to show in the app as it is."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose; ``str(error)`` is a plain sentence for the room."""


class RoomNotFound(StoreError):
    """The room code is malformed or no room has it."""


class StoreLimit(StoreError):
    """An input breaks a limit: a name or proposer too long, too many options, a scenario too large,
    or a scenario that breaks the model's rules."""


class StoreUnavailable(StoreError):
    """The database cannot be used (read-only, locked, damaged, unreachable): the UI should switch saving
    off and carry on."""


class BadArchive(StoreError):
    """A ZIP given to import is refused (too large, unexpected files, path tricks, invalid scenarios)."""
