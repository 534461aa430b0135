"""Reading scenario documents safely: hostile or careless YAML/JSON gets one plain line, fast, never a hang."""

from __future__ import annotations

import os
import re
import reprlib
import stat
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .problems import Problem, Quoted, ScenarioError, clip

__all__ = [
    "MAX_BANDS",
    "MAX_MEMBERS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_DOCUMENT_BYTES",
    "MAX_PROBLEMS",
    "MAX_VALUES",
    "PlainNumber",
    "capped",
    "clip",
    "echo",
    "loose_numbers",
    "precheck",
    "read_document",
    "read_file_bytes",
    "size_problem",
]

MAX_DOCUMENT_BYTES = 1_000_000
"""The largest scenario document read, in bytes (the example is under 1 kB; a long description a few kB)."""
MAX_DEPTH = 20
"""The deepest nesting of lists and mappings accepted (a scenario needs 4)."""
MAX_VALUES = 100_000
"""The most values (scalars, lists and mappings) a document may hold (a scenario has about 40)."""
MAX_DIGITS = 30
"""The most digits an integer may have (no scenario figure comes near)."""
MAX_BANDS = 20
MAX_MEMBERS = 30
"""At most this many member councils in a region (MODEL.md section 12)."""
"""The most sharing bands a scenario may have."""
MAX_PROBLEMS = 10
"""The most problems listed; the rest are counted in one more line."""
ECHO_CHARS = 80
"""The most characters of received input a message quotes."""

# ----------------------------------------------------------------------------------------------
# Quoting received input, briefly


class _Brief(reprlib.Repr):
    """reprlib with small limits, and integers never converted to text in full."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxdict = 4
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 60

    def repr_int(self, x, level):
        if x.bit_length() > 3 * self.maxlong:  # about 36 digits: don't build the text
            return f"<a number with about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return super().repr_int(x, level)

    def repr_bool(self, x, level):
        return "true" if x else "false"

    def repr_NoneType(self, x, level):
        return "null"


_BRIEF = _Brief()


def echo(value: Any, limit: int = ECHO_CHARS) -> str:
    """A short, safe quotation of received input for a message: at most ``limit`` characters, built without ever
    turning a large structure (or a huge number) into text in full. Booleans and None read as YAML writes them.

    >>> echo("cheap")
    "'cheap'"
    >>> echo(True), echo(None)
    ('true', 'null')
    >>> len(echo("x" * 10_000)) <= 80
    True
    """
    text = _BRIEF.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _at(path: str, words: str) -> Problem:
    """A problem in the reader's own words, at a document (its name) or a field (its dotted path)."""
    return Problem(path, "text", detail=words)


def capped(problems: list[Problem], total: int | None = None) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS` problems, then one counting the rest (``total`` if more were found than given).

    >>> str(capped([_at("", f"p{i}") for i in range(12)])[-1])
    '... and 2 more problems'
    """
    total = len(problems) if total is None else total
    if total <= MAX_PROBLEMS:
        return list(problems)
    return list(problems[:MAX_PROBLEMS]) + [Problem("", "more", got=total - MAX_PROBLEMS)]


def size_problem(source: str, size: int | None) -> Problem:
    """The message for a document over the size limit (``size`` None: only known to be over it)."""
    if size is None:
        what = "more than 1 MB"
    elif size >= 1_050_000:
        what = f"{size / 1e6:,.1f} MB"
    else:
        what = f"{size:,} bytes"
    return _at(source, f"is {what}; a scenario file may be at most {MAX_DOCUMENT_BYTES // 1_000_000} MB")


# ----------------------------------------------------------------------------------------------
# The YAML reader: libyaml's events when present, turned into the document in one pass that checks as it goes

_Base = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader; only its parser (events) and its resolver (plain scalar -> type) are used."""


class _PurePythonLoader(yaml.SafeLoader):
    """PyYAML's own parser, which hands out events as it reads. libyaml (bundled with PyYAML 6.0.4 and later) scans a
    run of opening brackets to its end before the first event and stops at its own nesting limit there; this one
    lets the reader reach its depth check, so both give the same words."""


_PARSER_NESTING = "exceeded maximum nesting depth"


class _ParserNestingLimit(Exception):
    """The parser stopped at its own nesting limit before the reader's depth check was reached."""


def _depth_problem(mark) -> str:
    return f"lists or mappings nested more than {MAX_DEPTH} levels deep{_where(mark)}; a scenario needs no more than 4"


class PlainNumber(str):
    """A plain (unquoted) scalar such as ``1e300`` or ``2.5E-3``: a number in JSON and YAML 1.2, text to PyYAML's
    YAML 1.1 (which wants a dot and a signed exponent, and so writes the text "1e5" unquoted). Kept as text, so a
    text field gets back exactly what was saved; a number field accepts it (the schema reads it as a number),
    where quoted text such as ``'4500'`` is refused."""

    def __repr__(self) -> str:
        return str.__str__(self)


_EXPONENT = re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+")


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_BUILT = ("tag:yaml.org,2002:bool", _INT, "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
_NOTHING = object()
_MAX_BITS = int(MAX_DIGITS * 3.3219) + 1  # the bits of a MAX_DIGITS-digit number


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text) if len(text) < 10_000 else len(text)


def _where(mark) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _yaml_problem(source: str, exc: yaml.YAMLError, text: str) -> ScenarioError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow: say where, from the offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return ScenarioError(
            [_at(source, f"not valid YAML or JSON (line {line}, column {column}): {clip(exc.reason)}")]
        )
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "cannot be read"
    return ScenarioError([_at(source, f"not valid YAML or JSON{_where(mark)}: {clip(str(problem))}")])


class _Reader:
    """One pass over the parser's events, building the document as it goes. What a scenario never needs (anchors
    and aliases, explicit tags, more than one document, collections as keys) and what would cost too much (nesting
    deeper than MAX_DEPTH, more than MAX_VALUES values) stop it at the first event that shows it, before anything
    large is built; a key given twice and an over-long integer are noted with their dotted path, and reading goes on
    so that all of them are reported."""

    def __init__(self, text: str, source: str, loader: type | None = None):
        self.text, self.source, self.loader_class = text, source, loader or _Loader
        self.loader: Any = None
        self.stack: list[list] = []  # [container, current key, whether a mapping awaits its next key]
        self.problems: list[Problem] = []
        self.tags: dict[str, str] = {}  # plain scalar -> resolved tag (most values repeat)

    def _stop(self, problem: str, mark=None) -> ScenarioError:
        return ScenarioError([_at(self.source, f"{problem}{_where(mark)}")])

    def _path(self, extra: Any = _NOTHING) -> str:
        out = ""
        last = len(self.stack) - 1
        for i, (container, key, awaiting) in enumerate(self.stack):
            if isinstance(container, list):  # an outer list already holds the item being read; the innermost not yet
                out += f"[{len(container) - (i < last)}]"
            elif not awaiting:
                out += ("." if out else "") + (clip(key) if isinstance(key, str) else echo(key))
        if extra is not _NOTHING:
            out += ("." if out else "") + (clip(extra) if isinstance(extra, str) else echo(extra))
        return out or "(scenario)"

    def _scalar(self, event, as_key: bool) -> Any:
        value = event.value
        if not event.implicit[0]:  # quoted, or tagged "!": text
            return value
        tag = self.tags.get(value)
        if tag is None:
            tag = self.tags[value] = self.loader.resolve(yaml.ScalarNode, value, (True, False))
        if tag == _STR:
            return PlainNumber(value) if _EXPONENT.fullmatch(value) else value
        if tag == _NULL:
            return None
        if tag not in _BUILT:  # "<<" and "=": plain text here
            return value
        if tag == _INT and _digits(value) > MAX_DIGITS:
            where = self._path()
            if as_key:
                self.problems.append(_at(where, f"a key is a number with {_digits(value):,} digits"))
            else:
                self.problems.append(_at(where, f"a number with {_digits(value):,} digits is not a plausible value"))
            return value
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            built = self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:  # a date that does not exist: 2024-02-31
            self.problems.append(_at(self._path(), f"{clip(value)} cannot be read ({clip(str(exc))})"))
            return value
        if tag == _INT and built.bit_length() > _MAX_BITS:  # 0x, 0o and 0b forms: no conversion limit, but as absurd
            digits = int(built.bit_length() * 0.30103) + 1
            self.problems.append(_at(self._path(), f"a number with about {digits:,} digits is not a plausible value"))
            return value
        return built

    def _place(self, value: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame[0], list):
            frame[0].append(value)
        else:
            frame[0][frame[1]] = value
            frame[2] = not isinstance(value, (dict, list))  # a list or mapping: when it ends

    def read(self) -> Any:
        """The document, or _NOTHING if the text holds none. Raises ScenarioError."""
        self.root: Any = _NOTHING
        values = documents = 0
        stack = self.stack
        try:
            loader = self.loader = self.loader_class(self.text)  # the pure-Python reader checks characters here already
            while loader.check_event():
                event = loader.get_event()
                kind = type(event)
                if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    values += 1
                    if values > MAX_VALUES:
                        raise self._stop(f"holds more than {MAX_VALUES:,} values; a scenario has fewer than a hundred")
                    if event.anchor is not None:
                        raise self._stop(_ANCHORS, event.start_mark)
                    if event.tag is not None and event.tag != "!":
                        raise self._stop(
                            f"uses the YAML tag {clip(event.tag)}, which scenario files do not need", event.start_mark
                        )
                    awaiting_key = bool(stack) and stack[-1][2]
                    if kind is yaml.ScalarEvent:
                        value = self._scalar(event, awaiting_key)
                        if awaiting_key:
                            container = stack[-1][0]
                            if value in container:
                                self.problems.append(
                                    Problem(self._path(value), "twice", bound=event.start_mark.line + 1)
                                )
                            stack[-1][1] = value
                            stack[-1][2] = False
                        else:
                            self._place(value)
                        continue
                    if awaiting_key:
                        raise self._stop(
                            "uses a list or mapping as a key, which scenario files do not need", event.start_mark
                        )
                    if len(stack) >= MAX_DEPTH:
                        raise ScenarioError([_at(self.source, _depth_problem(event.start_mark))])
                    container = {} if kind is yaml.MappingStartEvent else []
                    self._place(container)
                    stack.append([container, None, isinstance(container, dict)])
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    stack.pop()
                    if stack and isinstance(stack[-1][0], dict):
                        stack[-1][2] = True  # the value just ended: next comes a key
                elif kind is yaml.AliasEvent:
                    raise self._stop(_ANCHORS, event.start_mark)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise self._stop(
                            "holds more than one YAML document (---); a scenario file holds one", event.start_mark
                        )
        except yaml.YAMLError as exc:
            if _PARSER_NESTING in str(getattr(exc, "problem", "") or ""):
                if self.loader_class is not _PurePythonLoader:
                    raise _ParserNestingLimit from None
                raise ScenarioError([_at(self.source, _depth_problem(getattr(exc, "problem_mark", None)))]) from None
            raise _yaml_problem(self.source, exc, self.text) from None
        finally:
            if self.loader is not None:
                self.loader.dispose()
        if self.problems:
            raise ScenarioError(capped(self.problems))
        return self.root


_ANCHORS = "uses YAML anchors or aliases (& and *), which scenario files do not need"


def _text(data: bytes | str, source: str) -> str:
    """The document as text, or the plain reason it is not: too big, not UTF-8 text."""
    if isinstance(data, str):
        if len(data) > MAX_DOCUMENT_BYTES // 4 and len(data.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
            raise ScenarioError([size_problem(source, len(data.encode("utf-8", "surrogatepass")))])
        text = data[1:] if data.startswith("\ufeff") else data
    else:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ScenarioError([size_problem(source, len(data))])
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = "\x00" if b"\x00" in data else data.decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00"
    if "\x00" in text:
        raise ScenarioError([_at(source, "not a text file (expected YAML or JSON in UTF-8)")])
    return text


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else type(value).__name__


def read_document(data: bytes | str, source: str) -> dict:
    """The mapping a YAML or JSON scenario document holds (JSON is YAML), read safely.

    ``data`` is the document's bytes (they must be UTF-8; a byte-order mark is fine) or text; ``source`` names it in
    messages (a file's path, an upload's name, "the link's scenario"). Raises ScenarioError with plain lines for:
    more than MAX_DOCUMENT_BYTES; not UTF-8 text; empty or only comments; YAML anchors or aliases, tags, or several
    documents; nesting deeper than MAX_DEPTH; more than MAX_VALUES values; a key given twice; an integer of more
    than MAX_DIGITS digits; YAML that does not parse; a document that is not a mapping. The document is built from
    the parser's events in one pass that stops at the first sign of trouble, so no input up to the size limit
    takes more than about a second, and nothing is built that is larger than the text.
    """
    text = _text(data, source)
    try:
        document = _Reader(text, source).read()
    except _ParserNestingLimit:  # libyaml's own limit, met before the reader's: read again with PyYAML's parser
        document = _Reader(text, source, _PurePythonLoader).read()
    if document is _NOTHING or document is None:
        raise ScenarioError([_at(source, "the file is empty")])
    if not isinstance(document, dict):
        raise ScenarioError([Problem(source, "mapping", got=Quoted(_kind(document)))])
    return document


def read_file_bytes(path: str | Path) -> bytes:
    """The bytes of a scenario file, refusing what is not a regular file (a folder, a device such as /dev/zero, a
    named pipe: opened without blocking and checked before reading) and reading at most MAX_DOCUMENT_BYTES + 1
    bytes. Raises ScenarioError in plain words."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ScenarioError([_at(name, "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([_at(name, "is a folder, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError([_at(name, f"cannot be read ({exc.strerror})")]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError([_at(name, "is a folder, not a scenario file")])
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a named pipe"
                if stat.S_ISFIFO(info.st_mode)
                else "a device"
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a socket"
                if stat.S_ISSOCK(info.st_mode)
                else "not a regular file"
            )
            raise ScenarioError([_at(name, f"is {kind}, not a scenario file")])
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise ScenarioError([size_problem(name, info.st_size)])
        chunks, left = [], MAX_DOCUMENT_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise ScenarioError([_at(name, f"cannot be read ({exc.strerror})")]) from None
    finally:
        os.close(fd)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ScenarioError([size_problem(name, None)])  # grew while being read
    return data


# ----------------------------------------------------------------------------------------------
# Before the schema: limits on lists, and numbers that must really be numbers


def _arms(annotation) -> list:
    """The types a field admits: the arms of a union (``float | None``), else the annotation itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_number(annotation) -> bool:
    return annotation in (int, float)


def _model(annotation) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _list_item(annotation):
    return (
        typing.get_args(annotation)[0]
        if typing.get_origin(annotation) is list and typing.get_args(annotation)
        else None
    )


def _number_problem(path: str, value: Any) -> Problem | None:
    if isinstance(value, bool):
        return Problem(path, "number", got=Quoted(echo(value)))
    if isinstance(value, str) and not isinstance(value, PlainNumber):
        return Problem(path, "number", got=Quoted(echo(value)), detail="text")
    return None


def loose_numbers(model: type[BaseModel], data: Any, path: str = "") -> list[Problem]:
    """Number fields given true/false or text ("4500"): the schema's fields are lax floats and would take them as
    1.0 or 4500.0. Walks the raw mapping beside the model's own field types, so every number field is covered,
    today's and tomorrow's, without changing the models. One line per such field, in the document's order."""
    out: list[Problem] = []
    if not isinstance(data, dict):
        return out
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            continue
        where = f"{path}.{key}" if path else key
        arms = _arms(field.annotation)
        if str in arms:  # text is a fair answer here
            continue
        for arm in arms:
            item = _list_item(arm)
            if _model(arm) is not None and isinstance(value, dict):
                out += loose_numbers(arm, value, where)
            elif item is not None and isinstance(value, list):
                for i, element in enumerate(value[: max(MAX_BANDS, MAX_MEMBERS)]):
                    if _model(item) is not None:
                        out += loose_numbers(item, element, f"{where}[{i}]")
                    elif _is_number(item) and (problem := _number_problem(f"{where}[{i}]", element)):
                        out.append(problem)
            elif _is_number(arm) and (problem := _number_problem(where, value)):
                out.append(problem)
            else:
                continue
            break
    return out


def _too_long(data: dict) -> list[Problem]:
    """Lists over their caps: the sharing bands (at most MAX_BANDS) and a region's member councils (MAX_MEMBERS)."""
    out = []
    bands = data.get("agreement", {})
    bands = bands.get("sharing", {}) if isinstance(bands, dict) else None
    bands = bands.get("bands") if isinstance(bands, dict) else None
    if isinstance(bands, list) and len(bands) > MAX_BANDS:
        out.append(Problem("agreement.sharing.bands", "too_many", bound=MAX_BANDS, got=len(bands), detail="bands"))
    region = data.get("region")
    members = region.get("members") if isinstance(region, dict) else None
    if isinstance(members, list) and len(members) > MAX_MEMBERS:
        out.append(
            Problem("region.members", "too_many", bound=MAX_MEMBERS, got=len(members), detail="member councils")
        )
    return out


def precheck(model: type[BaseModel], data: dict) -> tuple[list[Problem], bool]:
    """Problems found before the schema runs, and whether they are so large (a list over its cap) that the schema
    should not run at all."""
    too_long = _too_long(data)
    return too_long + loose_numbers(model, data), bool(too_long)
