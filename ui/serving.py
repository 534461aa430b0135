"""The server's own TCP sockets sent without delay (Nagle's algorithm off).

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
"""

from __future__ import annotations

import functools
import os
import socket

__all__ = ["send_without_delay"]


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
