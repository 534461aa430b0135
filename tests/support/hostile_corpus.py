"""Hostile and careless scenario documents: the small ones live in tests/support/hostile/, the large ones are built here;
and text planted with links and markup in every field a person types (:func:`markup`), with the checks that find it
rendered as markup (:func:`markup_rendered`)."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import zipfile
import zlib
from pathlib import Path

import yaml

from partnership.examples import EXAMPLE

HOSTILE = Path(__file__).resolve().parent / "hostile"


def example_yaml(**changes) -> str:
    """The MODEL.md example as YAML, with top-level sections replaced by ``changes``."""
    doc = copy.deepcopy(EXAMPLE)
    doc.update(changes)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: level n holds ten aliases of level n-1, so the last one stands for 10**levels strings;
    the scenario's name (a text field) points at the last level."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    lines.append(f"name: *l{levels - 1}")
    return "\n".join(lines) + "\n" + example_yaml().split("\n", 1)[1]


def deep_yaml(depth: int) -> str:
    """A scenario whose description is ``depth`` nested YAML flow lists."""
    return example_yaml() + "description: " + "[" * depth + "]" * depth + "\n"


def deep_json(depth: int) -> str:
    """A JSON scenario whose description is ``depth`` nested JSON objects."""
    doc = json.dumps(EXAMPLE, ensure_ascii=False)
    return doc[:-1] + ', "description": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def many_bands_doc(count: int) -> dict:
    """The example with ``count`` sharing bands."""
    doc = copy.deepcopy(EXAMPLE)
    doc["agreement"]["sharing"]["bands"] = [{"from_local_use": i / count, "host_share": 0.5} for i in range(count)]
    return doc


def many_bands_yaml(count: int) -> str:
    """The example with ``count`` sharing bands, as YAML."""
    return yaml.safe_dump(many_bands_doc(count), sort_keys=False, allow_unicode=True)


def unknown_keys_yaml(count: int) -> str:
    """The example plus ``count`` unknown top-level fields."""
    return example_yaml() + "".join(f"unknown_{i}: {i}\n" for i in range(count))


def big_file(size: int) -> bytes:
    """A valid-looking YAML file of ``size`` bytes: the example, then comments."""
    head = example_yaml().encode()
    line = b"# " + b"x" * 97 + b"\n"
    return head + line * ((size - len(head)) // len(line) + 1)


def link(doc) -> str:
    """``doc`` in the app's link format: base64url(zlib(json)), padding stripped."""
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def zero_bomb_link(size: int) -> str:
    """``size`` zero bytes compressed into the link format, built in 16 MB pieces so it stays light."""
    comp = zlib.compressobj(9)
    piece = bytes(1 << 24)
    parts = []
    left = size
    while left > 0:
        n = min(left, len(piece))
        parts.append(comp.compress(piece[:n]))
        left -= n
    parts.append(comp.flush())
    return base64.urlsafe_b64encode(b"".join(parts)).decode().rstrip("=")


# ----------------------------------------------------------------------------------------------
# Room archives (ZIPs given to the store's import), built small: each unpacks to far more work than its size


LOG_HEAD = "time,who,action,option,version,file\n"


def room_zip(files: dict[str, str | bytes], level: int = 9) -> bytes:
    """A ZIP of ``files`` (name -> text), deflated as hard as it goes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


def scenario_of_size(size: int) -> str:
    """The example as YAML, its description padded so the file is about ``size`` bytes."""
    head = example_yaml()
    return head + "description: " + "x" * max(0, size - len(head) - 14) + "\n"


def many_saves_zip(rows: int, scenario_bytes: int) -> bytes:
    """A room archive whose log saves one scenario of ``scenario_bytes`` ``rows`` times (each row a new version, in
    as few bytes as a row takes, so 24,000 rows fit the 1 MB a log may have)."""
    log = LOG_HEAD + ",,save,O,,a.yaml\n" * rows
    return room_zip({"a.yaml": scenario_of_size(scenario_bytes), "log.csv": log})


def flat_lists_zip(files: int = 20, size: int = 1_000_000) -> bytes:
    """``files`` YAML files of ``size`` bytes, each one flat list (a second, slow YAML parse once took 12.5 s each)."""
    text = ("[" + "1," * (size // 2))[: size - 2] + "1]"
    return room_zip({f"list_{i}.yaml": text for i in range(files)})


def long_field_zip(chars: int = 131_073) -> bytes:
    """A room archive whose log has a field longer than Python's csv module reads by default (131,072)."""
    log = LOG_HEAD + f"2026-01-01T00:00:00Z,{'w' * chars},save,Option,1,one.yaml\n"
    return room_zip({"one.yaml": example_yaml(), "log.csv": log})


def time_zip(when: str) -> bytes:
    """A room archive whose one log line is at the time ``when``."""
    return room_zip({"one.yaml": example_yaml(), "log.csv": LOG_HEAD + f"{when},,save,Option,1,one.yaml\n"})


def lying_size_zip(claims: int = 100, holds: int = 5_000_000) -> bytes:
    """A ZIP whose member's header claims ``claims`` bytes while it unpacks to ``holds`` (zeros, as a comment)."""
    data = bytearray(room_zip({"big.yaml": b"#" + bytes(holds - 1)}))
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, then the central one
        where = data.find(signature)
        data[where + at : where + at + 4] = claims.to_bytes(4, "little")
    return bytes(data)


ROOM_ZIPS = {
    # name: (build the ZIP, words of the refusal)
    "24,000 saves of a 250 KB scenario": (lambda: many_saves_zip(24_000, 250_000), "has more than 10,000 lines"),
    "1,990 saves of a 250 KB scenario": (lambda: many_saves_zip(1_990, 250_000), "a room keeps at most 16 MB"),
    "2,000 saves of a 1 KB scenario": (lambda: many_saves_zip(2_000, 1_000), "saves more than 1,990 versions"),
    "24,000 saves of a 1 KB scenario": (lambda: many_saves_zip(24_000, 1_000), "has more than 10,000 lines"),
    "20 flat lists of 1 MB": (flat_lists_zip, "holds more than 100,000 values"),
    "a log field over 131,072 characters": (long_field_zip, "a field is longer than 131,072 characters"),
    "year 0001 with an offset": (lambda: time_zip("0001-01-01T00:00:00+01:00"), "is not a time between 1970"),
    "year 9999 with an offset": (lambda: time_zip("9999-12-31T23:59:59-01:00"), "is not a time between 1970"),
    "a member larger than it claims": (lying_size_zip, "is damaged"),
}
"""Hostile room archives: each refused in one plain line, fast and in little memory, by the store, its command
line and the app's upload."""
# ---------------------------------------------------------------------------------------------
# Text planted with links and markup: each field a person types gets its own tag, so a finding names its field

EVIL = "evil.example"
"""The host every planted link points at: a page, an SVG or an HTML file that links there renders planted markup."""


def markup(tag: str) -> str:
    """Text planted with every kind of link and markup Markdown (Streamlit's included), HTML and plotly act on, each
    around a word made from ``tag`` (``NAMEbold``, ``NAMEem``...), so what renders can be told apart from the app's
    own bold and links: a Markdown link and image, a bare address, ``www.``, an e-mail address, bold, italics,
    strike-through, code, a colour directive, an emoji shortcode, LaTeX, HTML bold and a link, and a hover template."""
    return (
        f"{tag} [{tag}link](https://{EVIL}/{tag}) https://{EVIL}/{tag}bare www.{tag}w.example me@{tag}mail.example "
        f"**{tag}bold** _{tag}em_ ~~{tag}del~~ `{tag}code` :red[{tag}red] :smile: $x^2$ <b>{tag}b</b> "
        f"<a href='https://{EVIL}/{tag}a'>{tag}a</a> ![{tag}img](https://{EVIL}/{tag}.png) %{{x}} A & B"
    )


MARKED = ("bold", "em", "del", "code", "red", "b", "a", "link", "img")
"""The words :func:`markup` wraps in markup, after its tag: none may be found inside an element of that markup."""

TEXT_FIELDS = ("name", "description", "unit", "period")
"""The scenario's own words (besides its currency, which stays short), each planted with :func:`markup`."""

CURRENCY = "**£**"
"""A currency that, as Markdown, turns every sentence with a figure bold."""


def markup_doc() -> dict:
    """The MODEL.md example with :func:`markup` planted in every text field (each its own tag: NAME, DESC, UNIT,
    PER), the currency :data:`CURRENCY`, and a sources entry whose source (SRC) and year (YR) are planted too."""
    doc = copy.deepcopy(EXAMPLE)
    for field in TEXT_FIELDS:
        doc[field] = markup({"description": "DESC", "period": "PER"}.get(field, field.upper()))
    doc["currency"] = CURRENCY
    doc["sources"] = {
        "prices.host": {"source": markup("SRC"), "year": markup("YR"), "estimate": True},
        "agreement.contribution": {"source": markup("SRCB"), "year": "2025-26"},
    }
    return doc


def markup_yaml() -> str:
    """:func:`markup_doc` as YAML."""
    return yaml.safe_dump(markup_doc(), sort_keys=False, allow_unicode=True)


UNKNOWN_KEY_LINK = "[KEYlink](https://evil.example/key)"
"""An unknown top-level key shaped as a Markdown link: its error message echoes it."""
FILE_NAME_LINK = "[FILElink](https:⁄⁄evil.example) **FILEbold**.yaml"
"""An uploaded file's name shaped as a Markdown link and bold (slashes cannot be in a file name: these are
fraction slashes)."""
OPTION_NAME = "**OPTbold** :red[OPTred] [OPTlink](https://evil.example/o)"
"""An option name that, as Markdown, is bold, red and a link (the Undo button names it)."""
ROOM_NAME = "ROOM https://evil.example/ROOMbare **ROOMbold**"
"""A room name with a bare address and bold (the room's header names it)."""
FORMULA = '=HYPERLINK("http://evil.example","Click")'
"""An option name a spreadsheet would run as a formula."""

_ELEMENTS = {
    "bold": "strong, b",
    "b": "strong, b",
    "em": "em, i",
    "del": "del, s",
    "code": "code",
    "red": "span",
}

RENDERED_JS = """(tags) => {
    // elements a renderer made from planted markup: a link or image to the planted host, or a styled element whose
    // text is exactly one of the planted words (the app's own bold wraps whole figures, never these words alone)
    const found = [];
    for (const el of document.querySelectorAll('a[href], img[src], [href], [src]')) {
        const where = (el.getAttribute('href') || '') + ' ' + (el.getAttribute('src') || '');
        if (['evil.example', 'mail.example', 'w.example'].some((host) => where.includes(host))) {
            found.push(el.tagName + ': ' + where.slice(0, 80));
        }
    }
    const styled = 'strong, b, em, i, del, s, code, span, a';
    for (const el of document.querySelectorAll(styled)) {
        const text = el.textContent.trim();
        if (tags.includes(text)) found.push(el.tagName + ': ' + text);
    }
    if (document.querySelector('.katex')) found.push('LaTeX drawn');
    if (document.body.innerText.includes('\\u{1F604}')) found.push('an emoji shortcode drawn');
    return found;
}"""
"""A page script (Playwright's ``page.evaluate(RENDERED_JS, planted_words(...))``): what planted markup rendered."""


TAGS = ("NAME", "DESC", "UNIT", "PER", "SRC", "SRCB", "YR")
"""The tags :func:`markup_doc` plants its fields with."""


def planted_words(tags=TAGS) -> list[str]:
    """Every word :func:`markup` wraps in markup, for the given tags, plus the planted names' own words and the
    currency's "£" (bold only when its stars are read as Markdown)."""
    words = [f"{t}{m}" for t in tags for m in MARKED]
    return words + ["£", "OPTbold", "OPTred", "OPTlink", "ROOMbold", "KEYlink", "FILElink", "FILEbold", "smile", "x^2"]


def markup_rendered(document: str, tags=TAGS) -> list[str]:
    """Markup made from planted text in an HTML or SVG document (summary.html, an exported SVG): a link or image to
    the planted hosts, or an element of a planted word's markup around exactly that word."""
    found = re.findall(r"<(?:a|img|image)\b[^>]*(?:evil\.example|mail\.example|w\.example)[^>]*>", document)
    for word in planted_words(tags):
        for tag in ("strong", "b", "em", "i", "del", "s", "code", "a", "tspan"):
            for m in re.finditer(rf"<{tag}\b[^>]*>\s*{re.escape(word)}\s*</{tag}>", document):
                if tag != "tspan" or re.search(r"font-weight:\s*bold|font-style:\s*italic", m.group(0)):
                    found.append(m.group(0)[:120])
    return found


RAW_MARKUP = {
    "a Markdown link or image": r"(?<!\\)\[[A-Z]+(?:link|img)\]",
    "bold": r"(?<!\\)\*\*(?:[A-Z]+bold|£\*\*)",
    "italics": r"(?<!\\)_[A-Z]+em",
    "strike-through": r"(?<!\\)~~[A-Z]+del",
    "code": r"(?<!\\)`[A-Z]+code",
    "a colour directive": r"(?<!\\):red\\?\[",
    "an emoji shortcode": r":(?!\u2060)smile",
    "LaTeX": r"(?<!\\)\$x",
    "HTML": r"(?<!\\)<(?:a|b|img)\b",
    "a bare address": r"https?\\?:(?!\u2060)//",
    "www.": r"(?i)www(?!\u2060)\\?\.",
    "an e-mail address": r"@(?!\u2060)[A-Za-z]",
}
"""What planted text looks like when it reaches Markdown unescaped (a renderer would act on it): each pattern finds
the raw form and not :func:`partnership.formats.markdown_text`'s."""


def raw_markup(source: str) -> list[str]:
    """The kinds of planted markup a Markdown ``source`` holds raw (empty when every planted sign is escaped)."""
    return [kind for kind, pattern in RAW_MARKUP.items() if re.search(pattern, source)]


# ---------------------------------------------------------------------------------------------
# Careless numbers, long names and long links

NAN_GROWTH = example_yaml(term={"years": 5, "indexation": {"costs": float("nan")}})
"""A term whose cost growth is YAML's ``.nan``."""
HUGE_YEARS = example_yaml().replace("name:", "term:\n  years: 1e300\nname:", 1)
"""A term of 1e300 years (a float too large for a whole number)."""


def long_name_yaml(length: int) -> str:
    """The example named with ``length`` characters (letters and spaces)."""
    name = ("Long name " * (length // 10 + 1))[:length]
    return example_yaml(name=name)


def long_description_doc(length: int) -> dict:
    """The example with a ``length``-character description that does not compress well (a valid scenario: a
    description has no limit but the file's 1 MB)."""
    import random

    rng = random.Random(length)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(length // 4)
    ]
    doc = copy.deepcopy(EXAMPLE)
    doc["description"] = " ".join(words)[:length]
    return doc


SMALL = {
    "billion_laughs.yaml": lambda: billion_laughs(9).encode(),
    "deep_nesting.yaml": lambda: deep_yaml(10_000).encode(),
    "deep_nesting.json": lambda: deep_json(10_000).encode(),
    "big_integer.yaml": lambda: example_yaml().replace("capacity: 4\n", "capacity: " + "9" * 5000 + "\n").encode(),
    "large_float.yaml": lambda: example_yaml().replace("host: 4500\n", "host: 1e300\n").encode(),
    "infinite_float.yaml": lambda: example_yaml().replace("host: 4500\n", "host: 1e999\n").encode(),
    "bool_number.yaml": lambda: example_yaml().replace("host: 4500\n", "host: true\n").encode(),
    "text_number.yaml": lambda: example_yaml().replace("host: 4500\n", "host: '4500'\n").encode(),
    "duplicate_keys.yaml": lambda: (
        example_yaml().replace("  contribution: 200000\n", "  contribution: 200000\n  contribution: 0\n").encode()
    ),
    "binary.bin": lambda: bytes(range(256)) * 4,
    "utf16.yaml": lambda: example_yaml().encode("utf-16"),
    "empty.yaml": lambda: b"",
    "comments_only.yaml": lambda: b"# a scenario\n# to be written\n\n",
    "markup_everywhere.yaml": lambda: markup_yaml().encode(),
    "nan_growth.yaml": lambda: NAN_GROWTH.encode(),
    "huge_years.yaml": lambda: HUGE_YEARS.encode(),
    "unknown_key_link.yaml": lambda: (example_yaml() + f"'{UNKNOWN_KEY_LINK}': 1\n").encode(),
    "long_name_250.yaml": lambda: long_name_yaml(250).encode(),
}


def write_small() -> None:
    """(Re)write the small corpus files into tests/hostile/."""
    HOSTILE.mkdir(exist_ok=True)
    for name, make in SMALL.items():
        (HOSTILE / name).write_bytes(make())


if __name__ == "__main__":
    write_small()
