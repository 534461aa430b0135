"""Hostile and careless scenario documents: the small ones live in tests/hostile/, the large ones are built here."""

from __future__ import annotations

import base64
import copy
import json
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
