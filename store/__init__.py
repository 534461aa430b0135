"""The shared workshop store: rooms of named scenario options, every save kept, in SQLite or PostgreSQL.

>>> from store import Store                                   # doctest: +SKIP
>>> store = Store()              # ~/.local/share/partnership-calculator/workshops.sqlite3, or $PARTNERSHIP_DATABASE_URL
>>> code = store.create_room("Northshire workshop")
>>> store.save_option(code, "Council proposal", scenario_json, proposer="Council")
>>> [o.name for o in store.options(code)]
['Council proposal']

May import the model (``partnership``), never the user interface (``ui``, ``charts``, ``paper``, streamlit).
"""

from .db import DEFAULT_DATABASE_PATH, ENV_VAR, resolve_url
from .errors import BadArchive, RoomNotFound, StoreError, StoreLimit, StoreUnavailable
from .limits import (
    MAX_ARCHIVE_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_NAME,
    MAX_OPTIONS,
    MAX_ROOM_BYTES,
    MAX_SCENARIO_BYTES,
    MAX_VERSIONS,
    MAX_WHO,
)
from .records import Event, OptionVersion, Room
from .rooms import InvalidScenario, Store, room_code_from_link

__all__ = [
    "BadArchive",
    "DEFAULT_DATABASE_PATH",
    "ENV_VAR",
    "Event",
    "InvalidScenario",
    "MAX_ARCHIVE_BYTES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_NAME",
    "MAX_OPTIONS",
    "MAX_ROOM_BYTES",
    "MAX_SCENARIO_BYTES",
    "MAX_VERSIONS",
    "MAX_WHO",
    "OptionVersion",
    "Room",
    "RoomNotFound",
    "Store",
    "StoreError",
    "StoreLimit",
    "StoreUnavailable",
    "resolve_url",
    "room_code_from_link",
]
