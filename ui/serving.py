"""How the app is served: the server made ready before the first visitor (:func:`lifespan`, which ``app.py``
gives Streamlit), its TCP sockets sending without delay.

Without delay (Nagle's algorithm off).

Streamlit 1.67's server (uvicorn under Starlette) listens on a socket it makes itself with
``socket.socket(family)``. Such a socket reports protocol 0, not TCP, so asyncio's own
"TCP_NODELAY on every connection" step skips the connections it accepts. The server writes a response's
headers and its body in two sends; with Nagle's algorithm on, the body then waits for the browser's
delayed acknowledgement, about 40 ms, on every request after a connection's first. A first page load asks
for about 100 of Streamlit's scripts over six connections, so this alone held the page back by 0.5-0.7 s
(measured: a 124-byte script took 44 ms on a kept-alive connection, 2 ms with the option set).

:func:`send_without_delay` sets ``TCP_NODELAY`` on the listening socket (Linux passes it on to every
connection accepted afterwards) and on the connections already open. It finds them through
``/proc/self/fd``; where that does not exist (not Linux) it does nothing and the app works as before.

Ready before the first visitor. The page's first run in a new server imports the model, plotly and pandas and
works out the first screen: the first visitor after a start waited about 0.8 s more than the next. :func:`warm_up`
does that work as the server starts.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import socket
from contextlib import asynccontextmanager

__all__ = ["lifespan", "send_without_delay", "warm_up"]

log = logging.getLogger("partnership.app")


def _tcp_sockets() -> list[socket.socket]:
    """A duplicate of each of this process's TCP sockets (IPv4 or IPv6); the caller closes them."""
    found = []
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return found
    for fd in fds:
        try:
            if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(fd))  # family and type read from the descriptor
        except OSError:
            continue
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            found.append(sock)
        else:
            sock.close()
    return found


@functools.cache
def send_without_delay() -> int:
    """``TCP_NODELAY`` on this process's TCP sockets, once per process; the number of sockets set."""
    count = 0
    for sock in _tcp_sockets():
        with sock:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                count += 1
            except OSError:
                pass
    return count


def warm_up() -> None:
    """Import what the page uses, read the presets' names and descriptions (the preset picker shows them all), and
    work out the default preset's headline and first view's maps, into the caches every session shares. (The page
    writes out defaults the file leaves unset, such as a void price, so its scenario's cache key can differ from the
    file's; then the page works out its own maps, about 0.1 s, and the rest is still done.)"""
    import inspect

    import streamlit.emojis  # noqa: F401  (the page icon is checked against its table: a 0.1 s regular expression)

    from . import compute, sidebar, state, views  # noqa: F401  (the page's modules, and the model and charts)

    inspect.stack()  # Streamlit looks up its caller's module once per process (~0.1 s the first time): done here
    for stem in state.presets():
        state.preset_title(stem)
        state.preset_description(stem)
    scenario = state.load_scenario(state.presets()[state.DEFAULT_PRESET])
    text = compute.key(scenario)
    compute.most_likely_case(text)
    compute.summary(text)
    compute.placement_warnings(text)
    compute.placement_note(text)
    compute.on_screen("heatmaps", text)


@asynccontextmanager
async def lifespan(app):
    """Streamlit's server, as it starts: sockets without delay, the page's work done once before anyone asks, what it
    loaded frozen out of the collector's way
    (a failure there is logged and left for the page to meet and word)."""
    send_without_delay()
    try:
        warm_up()
    except Exception:
        log.exception("warming up the app failed; the first visitor's page does the work instead")
    # what the server has loaded lives as long as it does: Python's collector no longer walks it on every full
    # collection (one lands now and then on some session's redraw, a few milliseconds over the whole heap)
    gc.freeze()
    yield
