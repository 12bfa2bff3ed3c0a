"""Limits on what Strangler reads from files it is handed: size, and nesting depth checked
before a parser sees the text (json and tomllib recurse, so a deeply nested file would stop
them with a RecursionError). README.md lists every limit with its reason.
"""

from __future__ import annotations

import re
import sys
from itertools import accumulate
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):  # the one place TOML is parsed (analyzer.options, .rules, .export.overrides)
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError

#: A pyproject.toml, strangler.toml or --config file; real ones are a few KB.
MAX_CONFIG_BYTES = 1_000_000
#: A plan.json (`check --plan`); Django's plan is about 1 MB.
MAX_PLAN_BYTES = 64_000_000
#: An overrides .json or .toml assigning modules to services.
MAX_OVERRIDES_BYTES = 16_000_000
#: Brackets and braces nested deeper than this are refused; plan.json nests about 8 deep.
MAX_NESTING = 64

_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_TOML_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


class InputRefused(ValueError):
    """A file is over a limit; the message completes "<file> ..." in one sentence."""


def read_limited(path: Path, limit: int) -> str:
    """The UTF-8 text of `path`, refused when larger than `limit` bytes (checked before reading)."""
    size = Path(path).stat().st_size
    if size > limit:
        raise InputRefused(f"is {size:,} bytes, over the {limit:,}-byte limit")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"is over the {limit:,}-byte limit")
    return data.decode("utf-8")


def nesting_depth(text: str, strings: re.Pattern[str] = _JSON_STRINGS) -> int:
    """How deep brackets and braces nest in `text` outside strings (and comments), without recursion."""
    brackets = _NOT_BRACKETS.sub("", strings.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if c in "[{" else -1 for c in brackets))


def check_nesting(text: str, toml: bool = False) -> None:
    depth = nesting_depth(text, _TOML_STRINGS if toml else _JSON_STRINGS)
    if depth > MAX_NESTING:
        raise InputRefused(f"nests {depth} levels deep, over the limit of {MAX_NESTING}")


def load_toml(text: str) -> dict[str, Any]:
    """tomllib.loads after the nesting check (raises InputRefused or tomllib.TOMLDecodeError)."""
    check_nesting(text, toml=True)
    data: dict[str, Any] = tomllib.loads(text)
    return data
