"""Bytes -> text -> syntax tree, with a reason for every file that cannot be read.

Never imports or executes the analyzed code: the file is only decoded and parsed.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import NamedTuple

from analyzer.scan.modernize import modernize


class Unreadable(Exception):
    """A file that cannot be analyzed; the message is the reason shown to the user."""


class Parsed(NamedTuple):
    tree: ast.Module
    source: str  # newlines normalised to "\n"; line numbers match the file
    parser: str  # "ast" or "tree-sitter"


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise Unreadable("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise Unreadable(f"undecodable: {exc.msg if hasattr(exc, 'msg') else exc}") from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Unreadable(f"undecodable: not valid {encoding} ({exc.reason if hasattr(exc, 'reason') else exc})") \
            from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def syntax_error_reason(exc: SyntaxError) -> str:
    return f"SyntaxError: line {exc.lineno or 0}: {exc.msg}"


def parse(source: str, path: str = "<file>") -> Parsed:
    """ast.parse, falling back to tree-sitter for syntax newer than this interpreter."""
    try:
        return Parsed(ast.parse(source, filename=path), source, "ast")
    except SyntaxError as exc:
        rewritten = modernize(source)
        if rewritten is not None:
            try:
                return Parsed(ast.parse(rewritten, filename=path), rewritten, "tree-sitter")
            except SyntaxError:
                pass
        raise Unreadable(syntax_error_reason(exc)) from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise Unreadable(f"unparsable: {type(exc).__name__}: {exc}") from exc
