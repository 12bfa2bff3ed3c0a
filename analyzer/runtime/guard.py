"""A binary reader that refuses what would make a streaming JSON parser use unbounded memory.

ijson's C backend builds a prefix string per nesting level for every event, so a file nesting
200,000 brackets deep makes it allocate gigabytes (tried: the process was killed); and any single
string is built whole. The guard sees each chunk before the parser does and stops the read at
MAX_NESTING levels or a string longer than MAX_STRING_BYTES, with C-speed regular expressions only
(escapes and strings removed, brackets counted), so a 1 GB trace still streams at disk speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate
from typing import BinaryIO

from analyzer.inputs import MAX_NESTING, InputRefused

#: A span's strings are names, ids and attribute values; 16 MB is far beyond any real one.
MAX_STRING_BYTES = 16_000_000

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class GuardedReader:
    """Wraps a binary file: read() returns the file's bytes unchanged, after checking them."""

    def __init__(self, raw: BinaryIO, total: int = 0, progress: Callable[[int, int], None] | None = None) -> None:
        self._raw = raw
        self._backslash = b""  # a backslash ending the last chunk escapes the next chunk's first byte
        self._in_string = False
        self._string = 0  # bytes of the open string so far
        self._depth = 0
        self.done = 0
        self._total = total
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.done += len(chunk)
        self._check(chunk)
        if self._progress is not None:
            self._progress(self.done, self._total)
        return chunk

    def _check(self, chunk: bytes) -> None:
        data = _ESCAPE.sub(b"", self._backslash + chunk)
        self._backslash = b""
        if data.endswith(b"\\"):
            self._backslash, data = b"\\", data[:-1]
        if self._in_string:
            end = data.find(b'"')
            self._grow(len(data) if end < 0 else end)
            if end < 0:
                return
            self._in_string, data = False, data[end + 1:]
        outside = _STRING.sub(b"", data)
        quote = outside.find(b'"')
        if quote >= 0:  # a string goes on into the next chunk (no quote can follow an unmatched one)
            self._in_string, self._string = True, 0
            self._grow(len(outside) - quote - 1)
            outside = outside[:quote]
        brackets = outside.translate(None, _NOT_BRACKETS)
        if brackets:
            steps = list(accumulate(map(_STEP.__getitem__, brackets), initial=self._depth))
            self._depth = steps[-1]
            if max(steps) > MAX_NESTING:
                raise InputRefused(f"nests more than {MAX_NESTING} levels deep")

    def _grow(self, size: int) -> None:
        self._string += size
        if self._string > MAX_STRING_BYTES:
            raise InputRefused(f"holds a string longer than {MAX_STRING_BYTES:,} bytes")
