"""The workshop room's link on the real server, in real Chromium: served on every interface it names the machine's
network address, with the public address set it names that, and its QR code on the page (as the projector shows it)
reads back as the link. The browser, and every request, goes to 127.0.0.1 only; the address in the link is read
from the page, never opened."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

from ui.room_link import PUBLIC_URL_VARIABLE, start_command

from ..support.browser import browser_page, end_to_end_marks, open_view, rerun, streamlit_server, wait_for_idle

pytestmark = end_to_end_marks()


def _room_link_shown(page, base: str) -> tuple[str, str]:
    """Open the app at ``base``, start a workshop room; the room's code (from the page's address) and the link the
    room panel shows."""
    page.goto(base)
    wait_for_idle(page)
    open_view(page, "Compare options")
    rerun(page, page.get_by_role("button", name="Start a workshop room").click)
    code = parse_qs(urlparse(page.url).query)["room"][0]
    shown = page.locator("[role=tabpanel]:visible [data-testid=stCode]", has_text="?room=").first
    shown.wait_for()
    return code, shown.inner_text().strip()


def _qr_shown(page) -> list[str]:
    """The texts of the QR codes in the room panel's image, read from a screenshot of it as drawn on the page."""
    import zxingcpp
    from PIL import Image

    image = page.locator("[role=tabpanel]:visible [data-testid=stImage] img").first
    image.wait_for()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    shot = Image.open(io.BytesIO(image.screenshot())).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(shot)]


def test_served_on_every_interface_the_link_names_the_network_address_and_its_qr_code_reads_back():
    """Started with ``--server.address 0.0.0.0`` and opened at 127.0.0.1, the room panel's link names neither
    localhost nor 127.0.0.1 but the machine's network address with the server's port; its QR code, scanned from the
    page, is that link."""
    with streamlit_server(address="0.0.0.0", env={PUBLIC_URL_VARIABLE: ""}) as base, browser_page(1366, 900) as page:
        code, link = _room_link_shown(page, base)
        parts = urlparse(link)
        assert parts.hostname not in ("localhost", "127.0.0.1") and "localhost" not in link and "127.0.0.1" not in link
        assert parts.port == urlparse(base).port and parse_qs(parts.query)["room"] == [code]
        assert page.get_by_text("opens on this machine only").count() == 0
        assert _qr_shown(page) == [link]


def test_with_the_public_address_set_the_link_is_on_it():
    """With the public address set (as behind a council's proxy), the link the room panel shows, and its QR code, are
    the public address and the room's code, though the page was opened at 127.0.0.1."""
    public = "https://calculator.example.gov.uk/partnership"
    with streamlit_server(env={PUBLIC_URL_VARIABLE: public}) as base, browser_page(1366, 900) as page:
        code, link = _room_link_shown(page, base)
        assert link == f"{public}/?room={code}"
        assert _qr_shown(page) == [link]


def test_served_on_loopback_only_the_panel_warns_and_names_the_command():
    """Served on 127.0.0.1 only, the room panel says the link opens on this machine only and shows the command that
    lets the others join; no QR code is offered for a link no one else can open."""
    with streamlit_server(env={PUBLIC_URL_VARIABLE: ""}) as base, browser_page(1366, 900) as page:
        code, link = _room_link_shown(page, base)
        assert link == f"{base}/?room={code}"
        page.get_by_text("opens on this machine only").first.wait_for()
        commands = page.locator("[role=tabpanel]:visible [data-testid=stCode]").all_inner_texts()
        assert start_command(urlparse(base).port) in [c.strip() for c in commands]
        assert page.locator("[role=tabpanel]:visible [data-testid=stImage]").count() == 0
