"""Find the Python files under the analysis root and name their modules.

Module names are the dotted import paths Python would use: `shop/orders/service.py` is
`shop.orders.service`, `shop/orders/__init__.py` is the package `shop.orders`, folders without
`__init__.py` are namespace packages, a `src/` folder is not part of the name, and when the root
is itself a package (`.../site-packages/django`) its own name (`django`) prefixes every module.

Directory symlinks are never followed: a link inside the tree points at files that are analyzed
at their real path anyway; a link out of the tree would analyze someone else's code; a link to an
ancestor would loop. Each is reported with a reason.
"""

from __future__ import annotations

import os
import re
from fnmatch import translate
from pathlib import Path
from typing import NamedTuple

from analyzer.model import Skipped
from analyzer.options import AnalysisOptions


class SourceFile(NamedTuple):
    path: str  # relative to the root, POSIX separators
    abs_path: str
    module: str
    is_package: bool
    size: int


class Discovery(NamedTuple):
    files: tuple[SourceFile, ...]  # sorted by path
    skipped: tuple[Skipped, ...]


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def package_prefix(root: Path) -> tuple[str, ...]:
    """The dotted name of the root itself when it is a package (its parents may be too)."""
    parts: list[str] = []
    folder = root
    while (folder / "__init__.py").is_file() and folder.name:
        parts.append(folder.name)
        folder = folder.parent
    return tuple(reversed(parts))


_NOTHING = re.compile(r"(?!)")


def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regex for a list of glob patterns (case-sensitive, like fnmatchcase)."""
    if not patterns:
        return _NOTHING
    return re.compile("|".join(f"(?:{translate(p)})" for p in patterns))


class _Walker:
    def __init__(self, root: Path, options: AnalysisOptions, ignore: tuple[str, ...]) -> None:
        self.root = root
        self.root_text = str(root)
        self.excludes = _any_of(options.excludes)
        self.includes = _any_of(options.include)
        self.max_bytes = options.max_file_bytes
        self.ignore = set(ignore)
        self.found: list[tuple[str, str, int]] = []  # (relative path, absolute path, size)
        self.skipped: list[Skipped] = []

    def excluded(self, name: str) -> bool:
        return self.excludes.match(name) is not None and self.includes.match(name) is None

    def relative(self, real: str) -> str | None:
        if real == self.root_text:
            return "."
        if real.startswith(self.root_text + os.sep):
            return Path(os.path.relpath(real, self.root_text)).as_posix()
        return None

    def walk(self, folder: str, relative: str, ancestors: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append(Skipped(relative or ".", f"unreadable folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            name = entry.name
            if not _utf8(name):
                if entry.name.endswith(".py") or entry.is_dir(follow_symlinks=False):
                    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    self.skipped.append(Skipped(f"{relative}/{shown}" if relative else shown,
                                                "file name is not valid UTF-8: not analyzed"))
                continue
            if self.excluded(name):
                continue
            rel = f"{relative}/{name}" if relative else name
            if entry.path in self.ignore:
                continue
            try:
                if entry.is_symlink():
                    self.symlink(entry, rel, ancestors)
                elif entry.is_dir(follow_symlinks=False):
                    self.walk(entry.path, rel, ancestors | {entry.path})
                elif name.endswith(".py") and entry.is_file(follow_symlinks=False):
                    self.file(entry.path, rel, entry.stat(follow_symlinks=False).st_size)
            except OSError as exc:
                self.skipped.append(Skipped(rel, f"unreadable: {exc.strerror or exc}"))

    def symlink(self, entry: os.DirEntry, rel: str, ancestors: frozenset[str]) -> None:
        target = os.path.realpath(entry.path)
        inside = self.relative(target)
        if os.path.isdir(target):
            if target in ancestors or target == self.root_text:
                self.skipped.append(Skipped(rel, f"symlink loop: points back to {inside}"))
            elif inside is None:
                self.skipped.append(Skipped(rel, "symlink to a folder outside the analyzed tree: not followed"))
            else:
                self.skipped.append(Skipped(rel, f"symlink to {inside}: analyzed at its real path"))
            return
        if not entry.name.endswith(".py"):
            return
        if not os.path.exists(target):
            self.skipped.append(Skipped(rel, "broken symlink"))
        elif inside is None:
            self.skipped.append(Skipped(rel, "symlink to a file outside the analyzed tree: not followed"))
        else:
            self.skipped.append(Skipped(rel, f"symlink to {inside}: analyzed at its real path"))

    def file(self, path: str, rel: str, size: int) -> None:
        if size > self.max_bytes:
            self.skipped.append(Skipped(
                rel, f"generated file: {megabytes(size)} over the {megabytes(self.max_bytes)} limit"))
            return
        self.found.append((rel, path, size))


def _utf8(name: str) -> bool:
    """False for a name the file system gave as undecodable bytes (kept as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def module_name(relative: str, prefix: tuple[str, ...], strip_src: bool) -> tuple[str, bool]:
    parts = relative.split("/")
    if strip_src and len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    stem = parts[-1][:-3]
    is_package = stem == "__init__"
    names = [*prefix, *parts[:-1]] if is_package else [*prefix, *parts[:-1], stem]
    return ".".join(names) or stem, is_package


def discover(root: Path, options: AnalysisOptions, ignore: tuple[str, ...] = ()) -> Discovery:
    """Every Python file to analyze under `root` (resolved), plus the ones skipped and why."""
    root = Path(os.path.realpath(root))
    walker = _Walker(root, options, tuple(os.path.realpath(p) for p in ignore))
    walker.walk(str(root), "", frozenset({str(root)}))
    prefix = package_prefix(root)
    strip_src = not prefix and (root / "src").is_dir() and not (root / "src" / "__init__.py").is_file()
    by_module: dict[str, list[SourceFile]] = {}
    for rel, abs_path, size in walker.found:
        module, is_package = module_name(rel, prefix, strip_src)
        by_module.setdefault(module, []).append(SourceFile(rel, abs_path, module, is_package, size))
    files: list[SourceFile] = []
    skipped = list(walker.skipped)
    for module, candidates in by_module.items():
        # Python prefers a package over a same-named module; then the shortest path wins.
        ranked = sorted(candidates, key=lambda f: (not f.is_package, f.path.count("/"), f.path))
        files.append(ranked[0])
        skipped.extend(Skipped(f.path, f"duplicate module name {module}: {ranked[0].path} is analyzed instead")
                       for f in ranked[1:])
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    return Discovery(tuple(files), tuple(skipped))
