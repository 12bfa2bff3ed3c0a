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
        self._carry = b""
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
        data = _ESCAPE.sub(b"", self._carry + chunk)
        carry_from = len(data) - 1 if data.endswith(b"\\") else len(data)
        outside = _STRING.sub(b"", data[:carry_from])
        open_quote = outside.find(b'"')
        if open_quote >= 0:  # a string continues into the next chunk: keep it and its tail
            tail = outside[open_quote:]
            outside = outside[:open_quote]
            self._carry = tail + data[carry_from:]
            if len(self._carry) > MAX_STRING_BYTES:
                raise InputRefused(f"holds a string longer than {MAX_STRING_BYTES:,} bytes")
        else:
            self._carry = data[carry_from:]
        brackets = outside.translate(None, _NOT_BRACKETS)
        if brackets:
            deepest = max(accumulate(map(_STEP.__getitem__, brackets), initial=self._depth))
            self._depth += sum(map(_STEP.__getitem__, brackets))
            if deepest > MAX_NESTING:
                raise InputRefused(f"nests more than {MAX_NESTING} levels deep")
