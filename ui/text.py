"""User text (scenario names, option names, who proposed them) shown as plain text, never as Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def plain(text: str) -> str:
    """Text typed by a user, made safe to pass to Streamlit's Markdown: every character Markdown (or its HTML,
    links and maths) would act on is escaped, so ``[sign in](http://phish.example)`` shows as typed.

    >>> plain("Budget [sign in](http://x.example)")
    'Budget \\\\[sign in\\\\]\\\\(http\\\\://x\\\\.example\\\\)'
    """
    return _MARKDOWN.sub(r"\\\1", str(text))
