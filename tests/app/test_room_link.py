"""The workshop room's link names an address the other laptops can open (a configured public address, the machine's
network address when the server listens beyond loopback, or else a plain warning and the command to fix it), and its
QR code reads back as that link. No test here sends anything over a network."""

from __future__ import annotations

import io
import socket

import pytest
from streamlit.testing.v1 import AppTest

from ui.room_link import (
    PUBLIC_URL_VARIABLE,
    choose_base,
    is_loopback_host,
    network_addresses,
    qr_png,
    room_link,
    start_command,
)

from ..conftest import ROOT

CODE = "q3J8dXk2mP9vLr4TzW7yB1nC5hF0sA6e"  # a room code of the store's length


def decode_qr(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG, read by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def test_a_configured_public_address_is_the_link_whatever_the_server_listens_on():
    """With the public address set, the link starts with it (its path kept, a trailing slash dropped), even on a
    server listening on loopback only and a page opened as localhost."""
    for address in ("127.0.0.1", "0.0.0.0", None):
        base = choose_base(
            "http://localhost:8501/",
            public_url="https://calculator.example.gov.uk/partnership/",
            server_address=address,
            port=8501,
            network=["192.168.1.20"],
        )
        assert base.base == "https://calculator.example.gov.uk/partnership"
        assert base.source == "public" and base.shareable and base.warning == ""
        assert room_link(base.base, CODE) == f"https://calculator.example.gov.uk/partnership/?room={CODE}"


def test_listening_on_every_interface_gives_the_machines_network_address_and_port():
    """A server on 0.0.0.0, ::, or Streamlit's default (unset) gives a link on the machine's network address with the
    server's port and base path, naming neither localhost nor 127.0.0.1, though the page was opened as localhost."""
    for address in ("0.0.0.0", "::", "", None):
        base = choose_base(
            "http://localhost:8502/",
            public_url=None,
            server_address=address,
            port=8502,
            base_path="/calc/",
            network=["192.168.1.20", "10.0.0.4"],
        )
        link = room_link(base.base, CODE)
        assert link == f"http://192.168.1.20:8502/calc/?room={CODE}"
        assert "localhost" not in link and "127.0.0.1" not in link
        assert base.source == "network" and base.shareable and base.warning == ""
        assert base.others == ("http://10.0.0.4:8502/calc",)
    ipv6 = choose_base(None, public_url=None, server_address="::", port=8501, network=["fd00::2"], tls=True)
    assert ipv6.base == "https://[fd00::2]:8501"


def test_a_server_on_one_network_address_is_linked_by_that_address():
    """A server started on one network address (``--server.address 192.168.1.20``) is linked by it."""
    base = choose_base("http://127.0.0.1:8501/", public_url=None, server_address="192.168.1.20", port=8501)
    assert base.base == "http://192.168.1.20:8501" and base.shareable


def test_a_page_opened_by_the_network_address_keeps_it():
    """A page opened by an address other machines reach (another laptop's, or a hosted app's own) links by that one."""
    base = choose_base(
        "https://partnership.streamlit.app/", public_url=None, server_address="127.0.0.1", port=8501, network=[]
    )
    assert base.base == "https://partnership.streamlit.app" and base.source == "browser" and base.shareable


def test_loopback_only_gives_the_pages_own_link_a_plain_warning_and_the_command():
    """A server listening on loopback only: the link is the page's own, marked as opening on this machine only, with a
    warning in plain words and the exact command that lets the others join (the port named when not the default)."""
    base = choose_base("http://localhost:8501/", public_url=None, server_address="127.0.0.1", port=8501)
    assert base.base == "http://localhost:8501" and base.source == "this machine" and not base.shareable
    assert "opens on this machine only" in base.warning and "the other laptops cannot join" in base.warning
    assert base.command == "python -m streamlit run app.py --server.address 0.0.0.0"
    other = choose_base(None, public_url=None, server_address="localhost", port=8502)
    assert other.base == "http://localhost:8502" and not other.shareable
    assert (
        other.command
        == start_command(8502)
        == "python -m streamlit run app.py --server.address 0.0.0.0 --server.port 8502"
    )


def test_no_network_address_falls_back_to_the_machines_name_with_a_warning():
    """Listening beyond loopback on a machine with no network address: the link names the machine, with a warning that
    others may not find it; a machine whose name means loopback gets the this-machine-only warning instead."""
    named = choose_base(
        "http://localhost:8501/", public_url=None, server_address="0.0.0.0", port=8501, hostname="hall-pc"
    )
    assert named.base == "http://hall-pc:8501" and named.shareable and "no network address" in named.warning
    bare = choose_base(
        "http://localhost:8501/", public_url=None, server_address="0.0.0.0", port=8501, hostname="localhost"
    )
    assert not bare.shareable and bare.command


def test_a_public_address_that_is_not_a_web_address_is_refused_plainly():
    """A public address that is not http(s) is not used: the link falls back to the next rule, and a warning names the
    setting and the value."""
    base = choose_base(
        None, public_url="calculator.example.gov.uk", server_address="0.0.0.0", port=8501, network=["192.168.1.20"]
    )
    assert base.base == "http://192.168.1.20:8501"
    assert PUBLIC_URL_VARIABLE in base.warning and "calculator.example.gov.uk" in base.warning


def test_loopback_names_are_recognised():
    """Every way of naming this machine (localhost, 127.x, ::1, the wildcards) counts as loopback; network addresses
    and names do not."""
    assert all(
        map(
            is_loopback_host,
            ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "0.0.0.0", "::", "", None],
        )
    )
    assert not any(map(is_loopback_host, ["192.168.1.20", "10.0.0.4", "fd00::2", "calc.example.gov.uk", "hall-pc"]))


def test_the_network_address_is_read_without_a_packet_or_a_name_lookup(monkeypatch):
    """The machine's network addresses come from its interface list: no socket connects or sends and no name is looked
    up while they are found (each would raise here); none is loopback or link-local."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the network address finder used the network")

    for name in ("connect", "connect_ex", "send", "sendto", "sendall"):
        monkeypatch.setattr(socket.socket, name, refuse)
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, refuse)
    found = network_addresses()
    assert all(not is_loopback_host(a) and not a.startswith(("169.254.", "fe80:")) for a in found)


def test_the_network_address_prefers_a_local_network_and_skips_what_no_laptop_reaches(monkeypatch):
    """Of the machine's interfaces, those that are down, loopback, link-local, or a container's or virtual machine's
    own are left out; a local network's IPv4 address (Wi-Fi) comes before a VPN's, and IPv4 before IPv6."""
    from types import SimpleNamespace

    import psutil

    def addr(family, address):
        return SimpleNamespace(family=family, address=address)

    def up(isup=True):
        return SimpleNamespace(isup=isup)

    interfaces = {
        "lo": [addr(socket.AF_INET, "127.0.0.1"), addr(socket.AF_INET6, "::1")],
        "docker0": [addr(socket.AF_INET, "172.17.0.1")],
        "tun0": [addr(socket.AF_INET, "100.64.3.7")],
        "eth1": [addr(socket.AF_INET, "192.168.50.9")],
        "wlan0": [
            addr(socket.AF_INET6, "fe80::1%wlan0"),
            addr(socket.AF_INET6, "fd12::9"),
            addr(socket.AF_INET, "192.168.1.20"),
        ],
        "usb0": [addr(socket.AF_INET, "169.254.10.10")],
    }
    stats = {"lo": up(), "docker0": up(), "tun0": up(), "eth1": up(False), "wlan0": up(), "usb0": up()}
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: interfaces)
    monkeypatch.setattr(psutil, "net_if_stats", lambda: stats)
    assert network_addresses() == ["192.168.1.20", "100.64.3.7", "fd12::9"]


def test_the_qr_code_decodes_to_the_link():
    """The room's QR code, read back by a barcode reader (zxing-cpp), is exactly the room's link, for a short and a long
    base address; it is drawn large enough for a projector (at least 8 pixels a module)."""
    from PIL import Image

    for base in ("http://192.168.1.20:8501", "https://calculator.example.gov.uk/adult-social-care/partnership"):
        link = room_link(base, CODE)
        png = qr_png(link)
        assert decode_qr(png) == [link]
        import segno

        modules = segno.make_qr(link, error="m").symbol_size(scale=1, border=4)[0]
        assert Image.open(io.BytesIO(png)).size[0] >= 8 * modules


def _room_page(monkeypatch, public_url: str | None) -> AppTest:
    """A page in a new workshop room, the public address set or not."""
    from .test_app import show

    if public_url is None:
        monkeypatch.delenv(PUBLIC_URL_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(PUBLIC_URL_VARIABLE, public_url)
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120)
    at.run()
    show(at, "Compare options")
    return at.button(key="start_room").click().run()


@pytest.fixture
def server_address():
    """Set Streamlit's ``server.address`` for a page run in this process (as ``--server.address`` would), put back
    afterwards."""
    from streamlit import config

    before = (config.get_option("server.address"), config.get_where_defined("server.address"))
    yield lambda value: config.set_option("server.address", value)
    config.set_option("server.address", *before)


def test_on_a_loopback_only_server_the_panel_warns_and_gives_the_command(monkeypatch, server_address):
    """On a server listening on 127.0.0.1 only, the room panel warns that the link opens on this machine only, shows
    the command that lets the others join, and offers no QR code."""
    server_address("127.0.0.1")
    at = _room_page(monkeypatch, None)
    assert any("opens on this machine only" in w.value for w in at.warning)
    assert "python -m streamlit run app.py --server.address 0.0.0.0" in [c.value for c in at.code]
    assert not at.get("image")


def test_on_a_server_on_every_interface_the_panel_links_by_the_network_address(monkeypatch, server_address):
    """On a server listening on 0.0.0.0, the room panel's link is on the machine's network address (as the interface
    list gives it: here a stand-in), not localhost or 127.0.0.1, with its QR code and no warning."""
    import ui.room_link

    server_address("0.0.0.0")
    monkeypatch.setattr(ui.room_link, "network_addresses", lambda: ["192.168.1.20"])
    at = _room_page(monkeypatch, None)
    links = [c.value for c in at.code if "?room=" in c.value]
    assert links == [f"http://192.168.1.20:8501/?room={at.query_params['room']}"]
    assert not any("this machine only" in w.value for w in at.warning) and len(at.get("image")) == 1


def test_the_room_panel_shows_the_public_link_and_its_qr_code(monkeypatch):
    """In a workshop room with the public address set, the panel shows the room's link on that address and, for the
    projector, its QR code as a PNG image."""
    at = _room_page(monkeypatch, "https://calculator.example.gov.uk/partnership")
    assert not at.exception
    link = f"https://calculator.example.gov.uk/partnership/?room={at.query_params['room']}"
    assert link in [c.value for c in at.code]
    (image,) = at.get("image")
    assert image.proto.imgs[0].url.endswith(".png") and "Scan" in image.proto.imgs[0].caption
