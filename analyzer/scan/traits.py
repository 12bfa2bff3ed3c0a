"""Runtime traits and entry points of one file, found by the ast-grep rules in analyzer/rules/traits.yml.

The rules are data; this module only parses the file once, runs every rule whose pre-filters
(`needs`, `needs_pattern`, `prefilter`) pass, and renders each match's `detail` template. It
never raises on odd source: tree-sitter parses any Python version and partial files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import PurePosixPath
from typing import Any, cast

from ast_grep_py import Config, SgNode, SgRoot

from analyzer.rules import TraitRule, _traits_file, heavy_packages, limit, load_trait_rules

DETAIL_MAX = 80


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: str  # rule id from analyzer/rules/*.yml
    line: int  # 1-based line of the match
    detail: str  # matched source, trimmed
    entry_kind: str = ""  # non-empty for entry points: "http", "websocket", "schedule", "queue", "command", "task"


def detect_traits(source: str, path: str = "") -> tuple[RuleHit, ...]:
    """Every rule hit in `source`, sorted by line then rule id.

    `path` (relative to the analysis root) enables rules restricted by `files:` globs and the
    `{module}` detail placeholder; without it those rules still run on every file.
    """
    gated = [(rule, gate) for rule, gate in _gated_rules() if gate.admits(source, path)]
    if not gated:
        return ()
    root = SgRoot(source, "python").root()
    lines = source.splitlines()
    hits: set[RuleHit] = set()
    for rule, gate in gated:
        if gate.prefilter is not None and root.find(cast(Config, gate.prefilter)) is None:
            continue
        for config in rule.configs:
            for match in root.find_all(cast(Config, config)):  # rule dicts read from YAML
                line = match.range().start.line + 1
                detail = _render(rule.detail, match, lines, path)
                if rule.above_limit and not _exceeds(detail, rule.above_limit):
                    continue
                hits.add(RuleHit(rule=rule.id, line=line, detail=detail, entry_kind=rule.entry_kind))
    return tuple(sorted(hits, key=lambda h: (h.line, h.rule, h.detail)))


def _exceeds(detail: str, limit_key: str) -> bool:
    """A 'NAME = 10,800 s' detail longer than the limit (a limit in seconds)."""
    found = re.search(r"= ([\d,.]+) s$", detail)
    return found is not None and float(found.group(1).replace(",", "")) > limit(limit_key).value


# --------------------------------------------------------------------------- pre-filters


@dataclass(frozen=True)
class _Gate:
    """What a file must contain before a rule's ast-grep query is worth running on it (from the
    rule's needs, needs_pattern, prefilter and files keys). Each check is implied by any match
    of the rule, so the gate only saves work: it never changes what the rule finds."""

    needs: tuple[str, ...]  # any of these substrings
    pattern: re.Pattern[str] | None  # and this regex
    prefilter: dict[str, Any] | None  # and a node this relaxed ast-grep rule matches
    files: tuple[str, ...]  # and, when the path is known, one of these globs

    def admits(self, source: str, path: str) -> bool:
        """The text checks (the prefilter needs the parsed file: detect_traits applies it)."""
        if self.needs and not any(map(source.__contains__, self.needs)):  # no Python frame per token
            return False
        if self.pattern is not None and self.pattern.search(source) is None:
            return False
        if self.files and path:
            return any(fnmatch(path, pattern) for pattern in self.files)
        return True


@cache
def _gated_rules() -> tuple[tuple[TraitRule, _Gate], ...]:
    """Every trait rule with its pre-filter. needs_pattern and prefilter are read from the raw
    traits.yml, since TraitRule has no fields for them."""
    raw = {entry.get("id"): entry for entry in _traits_file().get("rules", [])}
    return tuple((rule, _gate(rule, raw.get(rule.id, {}))) for rule in load_trait_rules())


def _gate(rule: TraitRule, raw: dict[str, Any]) -> _Gate:
    packages = tuple(heavy_packages())
    needs = tuple(dict.fromkeys(
        expanded
        for token in rule.needs
        for expanded in ([token.replace(_PACKAGES, name) for name in packages] if _PACKAGES in token else [token])
    ))
    pattern = raw.get("needs_pattern")
    prefilter = raw.get("prefilter")
    return _Gate(needs=needs, pattern=re.compile(pattern, re.MULTILINE) if pattern else None,
                 prefilter={"rule": prefilter} if prefilter else None, files=rule.files)


_PACKAGES = "{heavy_packages}"


# --------------------------------------------------------------------------- detail templates

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)(?:\|([a-z]+))?\}")


def _render(template: str, match: SgNode, lines: list[str], path: str) -> str:
    def value(name: str) -> str:
        if name == "text":
            return match.text()
        if name == "line":
            index = match.range().start.line
            return lines[index].strip() if index < len(lines) else match.text()
        if name == "function":
            return _definition_name(match)
        if name == "module":
            return PurePosixPath(path).stem if path else "<command>"
        captured = match.get_match(name)
        return captured.text() if captured is not None else ""

    def replace(found: re.Match[str]) -> str:
        text = value(found.group(1))
        text_filter = FILTERS.get(found.group(2) or "", _first_line)
        return text_filter(text)

    return _trim(_PLACEHOLDER.sub(replace, template))


def _definition_name(match: SgNode) -> str:
    """Name of the definition a decorator/class hit belongs to, else of the enclosing function."""
    node: SgNode | None = match
    if match.kind() == "decorator":
        parent = match.parent()
        definition = parent.field("definition") if parent is not None else None
        name = definition.field("name") if definition is not None else None
        return name.text() if name is not None else ""
    while node is not None:
        if node.kind() in ("function_definition", "class_definition"):
            name = node.field("name")
            return name.text() if name is not None else ""
        node = node.parent()
    return "<module>"


def _trim(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def _first_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first + (" …" if "\n" in text.strip() else "")


def _unquote(text: str) -> str:
    return re.sub(r"^[rRbBuUfF]*(['\"]{1,3})(.*)\1$", r"\2", text.strip(), flags=re.S)


def _methods(text: str) -> str:
    """'["POST", "GET"]' -> 'POST, GET'."""
    names = re.findall(r"['\"]([A-Za-z]+)['\"]", text)
    return ", ".join(n.upper() for n in names) or text


def _tool(text: str) -> str:
    """The program a subprocess runs: 'ffmpeg' from ["ffmpeg", ...], "ffmpeg -i x", [FFMPEG, ...]."""
    command = text.strip()
    first = re.match(r"^[\[(]\s*([^,\])]+)", command)
    head = first.group(1).strip() if first else command
    quoted = re.match(r"^[rRbBuUfF]*['\"]\s*([^\s'\"{]+)", head)
    if quoted:
        return PurePosixPath(quoted.group(1)).name
    constant = re.match(r"^(?:[A-Za-z_][\w.]*\.)?([A-Z][A-Z0-9_]*)$", head)
    if constant:
        return re.sub(r"_(BIN|BINARY|PATH|EXE|CMD|COMMAND)$", "", constant.group(1)).lower()
    return f"command in `{_first_line(command)}`"


def _package(text: str) -> str:
    """'pandas as pd' -> 'pandas (~70 MB installed)'."""
    root = re.split(r"[.\s]", text.strip(), maxsplit=1)[0]
    package = heavy_packages().get(root)
    if package is None:
        return root
    return f"{root} (~{package.mb:g} MB installed)"


#: Unit multipliers recognised in a timeout's name (POLL_TIMEOUT_MINUTES, deadline_ms...).
_NAME_UNITS = (("millis", 0.001), ("_ms", 0.001), ("minutes", 60.0), ("_min", 60.0), ("hours", 3600.0))
_TIMEDELTA_UNITS = {"weeks": 604800.0, "days": 86400.0, "hours": 3600.0, "minutes": 60.0, "seconds": 1.0,
                    "milliseconds": 0.001}


def _duration(text: str) -> str:
    """'POLL_TIMEOUT = 3 * 60 * 60' -> 'POLL_TIMEOUT = 10,800 s'; the expression is read, never run."""
    name, separator, expression = text.partition("=")
    if not separator:
        return _first_line(text)
    name = name.split(":")[0].strip()
    try:
        seconds = _seconds(ast.parse(expression.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return _first_line(text)
    lowered = name.lower()
    seconds *= next((factor for word, factor in _NAME_UNITS if word in lowered), 1.0)
    return f"{name} = {seconds:,.0f} s"


def _seconds(node: ast.expr) -> float:
    """Value of a literal arithmetic expression or timedelta(...) call; ValueError for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _seconds(node.left), _seconds(node.right)
        operations = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}
        return operations[type(node.op)] if type(node.op) in operations else left / right
    if isinstance(node, ast.Call) and _callable_name(node.func) == "timedelta":
        return sum(_TIMEDELTA_UNITS[k.arg] * _seconds(k.value) for k in node.keywords if k.arg in _TIMEDELTA_UNITS)
    raise ValueError("not a literal duration")


def _callable_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _urlpath(text: str) -> str:
    route = _unquote(text).lstrip("^").rstrip("$")
    return route if route.startswith("/") else "/" + route


FILTERS: dict[str, Callable[[str], str]] = {
    "": _first_line,
    "first": _first_line,
    "unquote": _unquote,
    "upper": lambda text: text.upper(),
    "methods": _methods,
    "tool": _tool,
    "package": _package,
    "urlpath": _urlpath,
    "duration": _duration,
}
