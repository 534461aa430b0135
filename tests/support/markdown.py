"""What a reader sees of a Markdown source the app gives Streamlit (AppTest reads the source, not the page)."""

from __future__ import annotations

import re

ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A Markdown backslash escape: the sign after it is shown as itself."""


def as_read(source: str) -> str:
    """The text of Markdown ``source`` as shown: backslash escapes resolved, the invisible word joiners that keep an
    address from becoming a link taken out.

    >>> as_read("Occupancy range\\\\: 82\\\\.5 %, https\\\\:\\u2060//x")
    'Occupancy range: 82.5 %, https://x'
    """
    return ESCAPE.sub(r"\1", source).replace("\u2060", "")
