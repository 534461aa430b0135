"""User text (scenario names, units, currencies, sources, option and room names, file names, echoed input) shown as
plain text, never as Markdown: :func:`plain` wherever such text goes into a Streamlit label, help, message, button
or Markdown."""

from __future__ import annotations

from partnership.formats import markdown_text

__all__ = ["plain"]


def plain(text) -> str:
    """Text typed by a user, made safe to pass to Streamlit's Markdown (:func:`partnership.formats.markdown_text`):
    ``[sign in](http://phish.example)``, ``**bold**``, ``:red[...]`` and a bare ``https://...`` show as typed.

    >>> plain("Budget [sign in](http://x.example)")
    'Budget \\\\[sign in\\\\]\\\\(http\\\\:\\u2060//x\\\\.example\\\\)'
    """
    return markdown_text(text)
