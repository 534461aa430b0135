"""The server's sockets send without delay: ui.serving sets TCP_NODELAY where Streamlit's server leaves it off.

The listener here is made as Streamlit 1.67 makes its own (``socket.socket(family)``, protocol 0), so asyncio
would not set the option on the connections it accepts either."""

from __future__ import annotations

import socket
import sys

import pytest

from ui.serving import send_without_delay

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="found through /proc/self/fd (Linux)")


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def _connect(listener: socket.socket) -> tuple[socket.socket, socket.socket]:
    client = socket.create_connection(listener.getsockname())
    server_side, _ = listener.accept()
    return client, server_side


def test_the_listener_and_its_connections_send_without_delay():
    """Once switched on, the server's listening socket, a connection already open and every one accepted later all
    send without delay."""
    with socket.socket(socket.AF_INET) as listener:  # as Streamlit's server binds it: protocol 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert listener.proto == 0
        client, before = _connect(listener)
        with client, before:
            assert _nodelay(before) == 0  # the delay this module removes
            count = send_without_delay.__wrapped__()  # not the once-per-process cache: this test's own sockets
            assert count >= 3  # at least the listener, the connection open before, and its client end
            assert _nodelay(listener) != 0
            assert _nodelay(before) != 0  # a connection already open
            late_client, late = _connect(listener)
            with late_client, late:
                assert _nodelay(late) != 0  # accepted afterwards: inherited from the listener


def test_other_sockets_are_left_alone():
    """Sockets that are not TCP connections (a local pair, a UDP socket) are left untouched and still work."""
    a, b = socket.socketpair()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, a, b:
        udp.bind(("127.0.0.1", 0))
        send_without_delay.__wrapped__()
        with pytest.raises(OSError):
            _nodelay(udp)  # not a TCP socket: no such option, and nothing was tried on it
        assert a.family == socket.AF_UNIX and b.fileno() >= 0  # still open and usable
        a.sendall(b"x")
        assert b.recv(1) == b"x"


def test_the_server_is_made_ready_as_it_starts():
    """``lifespan`` (which app.py gives Streamlit's server) turns the delay off on the listening socket and works
    out the default preset's first screen before anyone asks."""
    import asyncio

    from ui import compute
    from ui.serving import lifespan

    compute._PARSED.clear()
    with socket.socket(socket.AF_INET) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        send_without_delay.cache_clear()  # once per process: this test's listener is new

        async def start() -> None:
            async with lifespan(None):
                assert _nodelay(listener) != 0

        asyncio.run(start())
    assert len(compute._PARSED) == 1  # the default preset, read and worked out
    import gc

    assert gc.get_freeze_count() > 0  # what the server loaded is out of the collector's way
    gc.unfreeze()  # (this process goes on to other tests)
