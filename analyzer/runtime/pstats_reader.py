"""cProfile / pstats files (`python -m cProfile -o run.pstats ...`), read without `marshal.loads`.

A pstats file is the marshal dump of {(file, line, function): (primitive calls, calls, own time,
cumulative time, {caller key: (primitive calls, calls, own time, cumulative time)})}. marshal can
build code objects and has crashed on hostile input, and pstats.Stats hands the file straight to
it, so this module decodes the marshal format itself: only the types that shape uses (dict, tuple,
str, int, float, back-references), at most five levels deep, each entry checked against the
shape; anything else is refused. Built-ins (file "~") are dropped: they are not the project's code.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from analyzer.inputs import InputRefused
from analyzer.runtime.evidence import EvidenceBuilder, RuntimeSource, Site

#: A profile of a whole test suite is a few MB; a file this large is not one.
MAX_PSTATS_BYTES = 256_000_000
#: dict → value tuple → callers dict → caller tuple → number.
MAX_DEPTH = 5

_FLAG_REF = 0x80
_INT32 = struct.Struct("<i")
_DOUBLE = struct.Struct("<d")


class MarshalRefused(ValueError):
    """The bytes are not the marshal subset a pstats file uses."""


def looks_like_pstats(head: bytes) -> bool:
    """A marshal dict (with or without the back-reference flag) whose first key is a tuple."""
    return len(head) >= 2 and head[0] & 0x7F == ord("{") and head[1] & 0x7F in (ord("("), ord(")"), ord("0"))


def read_pstats(path: Path, builder: EvidenceBuilder, source: int) -> RuntimeSource:
    """Fold one pstats file into `builder`: each function's calls and caller → callee counts."""
    size = path.stat().st_size
    if size > MAX_PSTATS_BYTES:
        raise InputRefused(f"is {size:,} bytes, over the {MAX_PSTATS_BYTES:,}-byte limit for a profile")
    data = path.read_bytes()
    try:
        stats = _Decoder(data).document()
    except (MarshalRefused, IndexError, struct.error, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"is not a cProfile stats file ({exc})") from exc
    if not isinstance(stats, dict):
        raise ValueError("is not a cProfile stats file (no table of functions)")
    sites: dict[tuple[Any, ...], int] = {}

    def site(key: Any) -> int:
        index = sites.get(key)
        if index is None:
            file, line, name = _key(key)
            index = sites[key] = builder.site(Site(path=file, line=line, function=name))
        return index

    functions = 0
    for key, value in stats.items():
        file, _, _ = _key(key)
        if not (isinstance(value, tuple) and len(value) == 5 and isinstance(value[4], dict)):
            raise ValueError(f"is not a cProfile stats file (entry {str(key)[:80]} has an unexpected shape)")
        _, calls, _, cumulative, callers = value
        if file == "~":
            continue
        functions += 1
        callee = site(key)
        builder.add_function(callee, _count(calls), _seconds(cumulative), source)
        for caller_key, figures in callers.items():
            caller_file, _, _ = _key(caller_key)
            if caller_file == "~":
                continue
            if isinstance(figures, tuple) and len(figures) == 4:
                count, seconds = _count(figures[1]), _seconds(figures[3])
            else:  # the pure-Python `profile` module stores a bare call count
                count, seconds = _count(figures), 0.0
            builder.add_call(site(caller_key), callee, count, seconds, source)
    return RuntimeSource(path=str(path), format="pstats", records=functions)


def _key(key: Any) -> tuple[str, int, str]:
    if (isinstance(key, tuple) and len(key) == 3 and isinstance(key[0], str) and isinstance(key[1], int)
            and isinstance(key[2], str)):
        return key[0][:1024], max(0, key[1]), key[2][:512]
    raise ValueError(f"is not a cProfile stats file (function key {str(key)[:80]} is not (file, line, name))")


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError("is not a cProfile stats file (a call count is not a whole number)")


def _seconds(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise ValueError("is not a cProfile stats file (a time is not a number)")


class _Decoder:
    """The marshal subset pstats files use; any other type code is refused."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0
        self.refs: list[Any] = []

    def document(self) -> Any:
        value = self.value(0)
        if self.at != len(self.data):
            raise MarshalRefused("bytes after the table")
        return value

    def byte(self) -> int:
        value = self.data[self.at]
        self.at += 1
        return value

    def take(self, count: int) -> bytes:
        if count < 0 or self.at + count > len(self.data):
            raise MarshalRefused("truncated")
        chunk = self.data[self.at:self.at + count]
        self.at += count
        return chunk

    def int32(self) -> int:
        value: int = _INT32.unpack(self.take(4))[0]
        return value

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise MarshalRefused(f"nested deeper than {MAX_DEPTH} levels")
        code = self.byte()
        flag, kind = code & _FLAG_REF, chr(code & 0x7F)
        if kind in "({)":
            slot = len(self.refs)
            if flag:
                self.refs.append(None)
            value = self.container(kind, depth)
            if flag:
                self.refs[slot] = value
            return value
        if kind == "r":
            index = self.int32()
            if not 0 <= index < len(self.refs) or self.refs[index] is None:
                raise MarshalRefused("a back-reference to nothing")
            return self.refs[index]
        value = self.scalar(kind)
        if flag:
            self.refs.append(value)
        return value

    def container(self, kind: str, depth: int) -> Any:
        if kind == "{":
            table = {}
            while self.data[self.at] != ord("0"):
                key = self.value(depth + 1)
                if not isinstance(key, (tuple, str, int)):
                    raise MarshalRefused("a table key that is not a tuple")
                table[key] = self.value(depth + 1)
            self.at += 1
            return table
        count = self.int32() if kind == "(" else self.byte()
        if count < 0 or count > 8:
            raise MarshalRefused("a tuple of unexpected length")
        return tuple(self.value(depth + 1) for _ in range(count))

    def scalar(self, kind: str) -> Any:
        if kind == "i":
            return self.int32()
        if kind == "l":
            digits = self.int32()
            if abs(digits) > 8:
                raise MarshalRefused("an integer too large for a call count")
            number = 0
            for shift in range(abs(digits)):
                number |= struct.unpack("<H", self.take(2))[0] << (15 * shift)
            return -number if digits < 0 else number
        if kind == "g":
            return _DOUBLE.unpack(self.take(8))[0]
        if kind == "f":
            text = self.take(self.byte()).decode("ascii")
            try:
                return float(text)
            except ValueError:
                raise MarshalRefused("a malformed number") from None
        if kind in "zZ":
            return self.take(self.byte()).decode("ascii")
        if kind in "aA":
            return self.take(self.int32()).decode("ascii")
        if kind in "ut":
            return self.take(self.int32()).decode("utf-8", "surrogatepass")
        if kind == "N":
            return None
        raise MarshalRefused(f"marshal type {kind!r}, which a profile never holds")
