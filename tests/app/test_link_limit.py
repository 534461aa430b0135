"""The page's address carries the scenario only when the server can take it back: Streamlit's server answers an
address of about 128,000 characters or more with an error page (HTTP 400), measured here over real HTTP on
127.0.0.1, so links are kept to MAX_LINK_CHARS, safely below; a longer scenario (a valid upload with a
170,000-character description) is left out of the address, and the page says so and offers the file or a room."""

from __future__ import annotations

import http.client
import time

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from ui.state import MAX_LINK_CHARS, URL_KEY, encode_scenario

from ..conftest import ROOT
from ..support import hostile_corpus as corpus
from ..support.markdown import as_read

BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Cookie": "_streamlit_xsrf=" + "x" * 120,
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Upgrade-Insecure-Requests": "1",
}
"""Roughly what Chromium sends with a page's address: the server's limit counts them too."""
REST = "&preset=childrens_home&view=Every+outcome&presentation=true"
"""The rest of the longest address the page writes beside the scenario."""


def _status(port: int, chars: int) -> int:
    """The server's answer to a page address whose scenario has ``chars`` characters (0 for a reset connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", f"/?{URL_KEY}=" + "A" * chars + REST, headers=BROWSER_HEADERS)
        return conn.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_the_link_limit_is_safely_below_what_the_server_takes_back():
    """Over real HTTP on 127.0.0.1: a page address at the link limit, with the rest of the address and a browser's
    headers, is answered 200; the largest the server takes (found in at most 20 requests) leaves at least 10,000
    characters to spare, and twice the limit (the 200,000 the README once promised) is refused."""
    from ..support.browser import streamlit_server

    with streamlit_server() as base:
        port = int(base.rsplit(":", 1)[1])
        assert _status(port, MAX_LINK_CHARS) == 200
        assert _status(port, 2 * MAX_LINK_CHARS) != 200
        ok, bad = MAX_LINK_CHARS, 2 * MAX_LINK_CHARS
        deadline = time.monotonic() + 120
        for _ in range(20):
            if bad - ok <= 64 or time.monotonic() > deadline:
                break
            middle = (ok + bad) // 2
            ok, bad = (middle, bad) if _status(port, middle) == 200 else (ok, middle)
    print(f"the server takes scenario links of up to about {ok:,} characters with a browser's headers")
    assert ok - MAX_LINK_CHARS >= 10_000, ok


def test_a_scenario_too_long_for_the_address_is_left_out_of_it_with_a_plain_warning():
    """A valid upload with a 170,000-character description opens, but its link would be over the limit: the address
    drops the scenario (reloading opens the preset, never a broken page), and the page says why and offers the
    scenario file or a room; a scenario that fits is written again."""
    doc = corpus.long_description_doc(170_000)
    at = AppTest.from_file(str(ROOT / "workshop.py"), default_timeout=120).run()
    assert URL_KEY in at.query_params
    at.session_state["group_files"] = True
    at.run()
    at.file_uploader(key="upload").upload("long.yaml", yaml.safe_dump(doc).encode(), "application/yaml").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    from partnership import scenario_from_dict

    assert len(encode_scenario(scenario_from_dict(doc))) > MAX_LINK_CHARS
    assert URL_KEY not in at.query_params
    warned = " ".join(as_read(w.value) for w in at.warning)
    assert "too long to keep in the page's address" in warned and f"at most {MAX_LINK_CHARS:,}" in warned
    assert "save it as a file" in warned and "workshop room" in warned
    at.session_state["description"] = "short again"
    at.run()
    assert URL_KEY in at.query_params and "too long" not in " ".join(w.value for w in at.warning)
