"""Hostile and careless scenario documents: the small ones live in tests/hostile/, the large ones are built here."""

from __future__ import annotations

import base64
import copy
import io
import json
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
}


def write_small() -> None:
    """(Re)write the small corpus files into tests/hostile/."""
    HOSTILE.mkdir(exist_ok=True)
    for name, make in SMALL.items():
        (HOSTILE / name).write_bytes(make())


if __name__ == "__main__":
    write_small()
