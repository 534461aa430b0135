"""The workshop room's link as the other laptops in the room can open it, and its QR code for the projector.

Which address the link starts with (:func:`choose_base`, pure, tested without a server), in this order:

1. **A public address** set in the environment variable ``PARTNERSHIP_PUBLIC_URL`` (e.g.
   ``https://calculator.example.gov.uk/partnership``): the address a council's proxy or host serves the app at.
   Taken as it is, path included.
2. **The address this browser reached the server by**, when it is not this machine's own (``localhost``,
   ``127.0.0.1``): someone who opened the page by the machine's network address, or a hosted app's own address.
3. **The machine's network address** and the server's port, when the server listens beyond loopback
   (``server.address`` unset, ``0.0.0.0``, ``::`` or a network address). The address is read from the machine's
   network interfaces (:func:`network_addresses`); nothing is sent anywhere to find it.
4. Otherwise (the server listens on loopback only, e.g. ``--server.address 127.0.0.1``) the page's own address,
   with a plain warning that it opens on this machine only and the command that lets the others join.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "PUBLIC_URL_VARIABLE",
    "LinkBase",
    "choose_base",
    "current_base",
    "is_loopback_host",
    "listens_everywhere",
    "network_addresses",
    "qr_png",
    "room_link",
    "start_command",
]

PUBLIC_URL_VARIABLE = "PARTNERSHIP_PUBLIC_URL"
"""The environment variable holding the address the app is served at for everyone (a proxy's or host's)."""

DEFAULT_PORT = 8501  # Streamlit's own default: the start command names the port only when it differs

_VIRTUAL = ("docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "vethernet", "lxc", "lxd", "podman", "cni")
"""Interface names of virtual machines' and containers' own networks: no other laptop reaches them."""


@dataclass(frozen=True)
class LinkBase:
    """Where a room's link starts, and whether the other laptops can open it.

    ``base``: ``scheme://host[:port][/path]``, no trailing slash, no query. ``source``: ``"public"`` (the configured
    address), ``"browser"`` (the address this page was opened by), ``"network"`` (the machine's network address)
    or ``"this machine"``. ``shareable``: False when the link opens on this machine only. ``warning``: plain words
    for the page when the link may not open elsewhere ("" when it will). ``command``: when it opens on this machine
    only, the command that starts the app so the others can join ("" otherwise). ``others``: the bases on the
    machine's other network addresses, to try when ``base`` does not open (from ``"network"`` only)."""

    base: str
    source: str
    shareable: bool
    warning: str = ""
    command: str = ""
    others: tuple[str, ...] = ()


def is_loopback_host(host: str | None) -> bool:
    """Whether a host name or address means "this machine" to whoever opens it (``localhost``, ``127.0.0.1``,
    ``::1``, the wildcard ``0.0.0.0``/``::``, or none), so a link naming it opens nowhere else.

    >>> [is_loopback_host(h) for h in ("localhost", "127.0.0.1", "::1", "0.0.0.0", "192.168.1.20", "calc.example")]
    [True, True, True, True, False, False]
    """
    if not host:
        return True
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def listens_everywhere(server_address: str | None) -> bool:
    """Whether Streamlit's ``server.address`` means every interface: unset, empty, ``0.0.0.0`` or ``::``.

    >>> [listens_everywhere(a) for a in (None, "", "0.0.0.0", "::", "127.0.0.1", "192.168.1.20")]
    [True, True, True, True, False, False]
    """
    return not server_address or server_address.strip("[]") in ("0.0.0.0", "::")


def _names_a_network_address(server_address: str | None) -> bool:
    """Whether ``server.address`` is one address other machines reach (not loopback, a wildcard or a Unix socket)."""
    return bool(server_address) and not server_address.startswith("unix:") and not is_loopback_host(server_address)


def _host_in_url(host: str) -> str:
    """A host as it goes into a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _public_base(public_url: str) -> str | None:
    """A configured public address reduced to a link's base, or None if it is not an http(s) web address."""
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def start_command(port: int = DEFAULT_PORT) -> str:
    """The command that starts the app so the other laptops on the network can join.

    >>> start_command()
    'python -m streamlit run app.py --server.address 0.0.0.0'
    >>> start_command(8502)
    'python -m streamlit run app.py --server.address 0.0.0.0 --server.port 8502'
    """
    command = "python -m streamlit run app.py --server.address 0.0.0.0"
    return command if port == DEFAULT_PORT else f"{command} --server.port {port}"


def choose_base(
    request_url: str | None,
    *,
    public_url: str | None,
    server_address: str | None,
    port: int,
    base_path: str = "",
    tls: bool = False,
    network: list[str] | tuple[str, ...] = (),
    hostname: str = "",
) -> LinkBase:
    """The start of the room's link: the first of the configured public address, the address this page was opened
    by (unless it is this machine's own), the machine's network address (when the server listens beyond loopback),
    or this page's own address with a warning (see the module's description for the order and why).

    ``request_url``: the page's address in the browser (``st.context.url``), or None. ``public_url``: the value of
    ``PARTNERSHIP_PUBLIC_URL``, or None. ``server_address``: Streamlit's ``server.address`` (None or "" means every
    interface). ``port``: ``server.port``. ``base_path``: ``server.baseUrlPath``. ``tls``: whether the server
    serves https (``server.sslCertFile`` set). ``network``: the machine's network addresses, best first
    (:func:`network_addresses`). ``hostname``: the machine's name, used when it shows no network address.

    >>> choose_base("http://localhost:8501/", public_url="https://calc.example.gov.uk/room/", server_address=None,
    ...             port=8501).base
    'https://calc.example.gov.uk/room'
    >>> choose_base("http://localhost:8501/", public_url=None, server_address="0.0.0.0", port=8501,
    ...             network=["192.168.1.20"]).base
    'http://192.168.1.20:8501'
    >>> choose_base("http://localhost:8501/", public_url=None, server_address="127.0.0.1", port=8501).shareable
    False
    """
    problem = ""
    if public_url and public_url.strip():
        base = _public_base(public_url)
        if base is not None:
            return LinkBase(base, "public", True)
        problem = (
            f"{PUBLIC_URL_VARIABLE} is set to “{public_url.strip()}”, which is not a web address "
            "(http://... or https://...), so it is not used. "
        )
    page = urlsplit(request_url) if request_url else None
    if page is not None and page.scheme in ("http", "https") and not is_loopback_host(page.hostname):
        return LinkBase(f"{page.scheme}://{page.netloc}{page.path.rstrip('/')}", "browser", True, problem)

    scheme = "https" if tls else "http"
    path = "/" + base_path.strip("/") if base_path.strip("/") else ""
    if _names_a_network_address(server_address):  # one network address: the server is reached by that one
        return LinkBase(f"{scheme}://{_host_in_url(server_address)}:{port}{path}", "network", True, problem)
    if listens_everywhere(server_address):
        if network:
            first, *rest = (f"{scheme}://{_host_in_url(a)}:{port}{path}" for a in network)
            return LinkBase(first, "network", True, problem, others=tuple(rest))
        if hostname and not is_loopback_host(hostname):
            return LinkBase(
                f"{scheme}://{hostname}:{port}{path}",
                "network",
                True,
                problem + "This machine shows no network address, so the link uses the machine's name, which "
                "other laptops may not find: connect it to the room's network (Wi-Fi or cable) and reload the page.",
            )

    if page is not None and page.scheme in ("http", "https"):
        here = f"{page.scheme}://{page.netloc}{page.path.rstrip('/')}"
    else:
        here = f"{scheme}://localhost:{port}{path}"
    return LinkBase(
        here,
        "this machine",
        False,
        problem + "This link opens on this machine only: the app is serving this computer alone, so the other "
        "laptops cannot join. To let them, stop the app (Ctrl+C in its window), start it again with the command "
        "below, and reload this page.",
        start_command(port),
    )


def network_addresses() -> list[str]:
    """This machine's addresses on its networks, best first (IPv4 of a local network, 10.x, 172.16-31.x and
    192.168.x, then other IPv4, then IPv6), of interfaces that are up, without loopback, link-local (169.254.x.x,
    fe80::) or virtual machines' and containers' own networks.

    Read from the operating system's list of interfaces (psutil); no packet is sent, no name is looked up."""
    import psutil

    try:
        addresses = psutil.net_if_addrs()
        stats = psutil.net_if_stats()
    except (OSError, RuntimeError):
        return []
    found: list[tuple[int, str]] = []
    for name, entries in addresses.items():
        if (name in stats and not stats[name].isup) or name.lower().startswith(_VIRTUAL):
            continue
        for entry in entries:
            if entry.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                address = ipaddress.ip_address(entry.address.split("%")[0])
            except ValueError:
                continue
            if address.is_loopback or address.is_link_local or address.is_unspecified or address.is_multicast:
                continue
            found.append((_rank(address), str(address)))
    return [a for _, a in sorted(found, key=lambda f: f[0])]


_LOCAL_NETWORKS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def _rank(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
    """How likely the other laptops in a room reach an address, best 0: an IPv4 address of a local network (what
    Wi-Fi and office networks give), then any other IPv4 (e.g. a VPN's), then IPv6."""
    if address.version == 6:
        return 2
    return 0 if any(address in n for n in _LOCAL_NETWORKS) else 1


def current_base(request_url: str | None) -> LinkBase:
    """:func:`choose_base` with this server's settings: the environment, Streamlit's options and the machine's
    network addresses."""
    from streamlit import config

    server_address = config.get_option("server.address")
    beyond_loopback = listens_everywhere(server_address)
    return choose_base(
        request_url,
        public_url=os.environ.get(PUBLIC_URL_VARIABLE),
        server_address=server_address,
        port=int(config.get_option("server.port")),
        base_path=config.get_option("server.baseUrlPath") or "",
        tls=bool(config.get_option("server.sslCertFile")),
        network=network_addresses() if beyond_loopback else (),
        hostname=socket.gethostname() if beyond_loopback else "",
    )


def room_link(base: str, code: str, key: str = "room") -> str:
    """The room's link: the base address and the room's code as the ``room`` query parameter.

    >>> room_link("http://192.168.1.20:8501", "AbC123")
    'http://192.168.1.20:8501/?room=AbC123'
    """
    return f"{base.rstrip('/')}/?{key}={code}"


@functools.lru_cache(maxsize=64)  # drawn again on every run of the page: about 8 ms each, kept once made
def qr_png(text: str, scale: int = 12) -> bytes:
    """A QR code of ``text`` as a black-on-white PNG: error correction level M (raised when it costs no size),
    ``scale`` pixels a module and the standard quiet zone of 4 modules (a link of this app's length: about 45
    modules, 540 pixels at scale 12)."""
    import segno

    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
