"""A view that fails says so in one plain line and the rest of the page goes on; the details go to the
server's log under a short reference, never to the screen."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

from partnership import ScenarioError

from . import state

log = logging.getLogger("partnership.app")

__all__ = ["guarded"]


def guarded(what: str, draw: Callable, *args) -> None:
    """``draw(*args)``; on an error, one plain message naming ``what`` could not be shown (with a reference
    the facilitator can quote), the traceback logged. Streamlit's own rerun and stop pass through (they are
    not ``Exception``)."""
    try:
        draw(*args)
    except ScenarioError as exc:  # a rule the inputs break: the model's own words, in the page's words
        st.error(
            f"{what} cannot be shown for these inputs:\n\n"
            + "\n".join(f"- {line}" for line in state.plain_messages(exc))
        )
    except MemoryError:
        log.exception("%s: out of memory", what)
        st.error(
            f"{what} needs more memory than the server has free just now. Try again in a moment, or with fewer steps."
        )
    except Exception:
        ref = secrets.token_hex(3)
        log.exception("%s failed (reference %s)", what, ref)
        st.error(
            f"Something went wrong drawing {what}. The inputs and saved options are safe; the rest of the page "
            f"still works. Change an input or choose another view; if it happens again, quote reference {ref} "
            "to whoever runs this server."
        )
