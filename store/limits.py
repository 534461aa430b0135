"""The store's limits, in one place: what a name, a room and an imported archive may hold (README, "Limits")."""

from __future__ import annotations

# Names
MAX_NAME = 80  # characters in an option's name (after stripping)
MAX_WHO = 40  # characters in a proposer's name
MAX_TITLE = 80  # characters in a room's title

# A room
MAX_OPTIONS = 500  # distinct option names in a room (removed ones count: they can be restored)
MAX_VERSIONS = 1990  # saved versions in a room, so its whole history always fits one archive (MAX_FILES)
MAX_SCENARIO_BYTES = 256 * 1024  # one scenario's JSON text
MAX_ROOM_BYTES = 16 * 1024 * 1024  # all of a room's scenario texts, so its archive stays under MAX_ARCHIVE_BYTES

# An archive given to import
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024  # the ZIP itself, and all its files uncompressed together
MAX_FILE_BYTES = 1024 * 1024  # any one file in it, uncompressed
MAX_FILES = 2000  # entries in it
MAX_DIRECTORY_BYTES = 2 * 1024 * 1024  # its table of contents (read before the entries: 2,000 names fit many times)
MAX_LOG_ROWS = 10_000  # lines of its log.csv (at most MAX_VERSIONS of them saves)
MAX_FIELD_CHARS = 1_000  # characters in one field of its log.csv (a name has at most 80)
