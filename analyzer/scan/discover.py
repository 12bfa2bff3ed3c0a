"""Find the Python files under the analysis root, set aside what is not the application, and
name every module the way the code itself imports it.

Module names are the dotted import paths Python would use, relative to the **import roots**:
the folders that would be on `sys.path` when the project runs (see analyzer.scan.roots). A
Django project one folder down (`repo/site/manage.py`, code importing `billing.models`) is
named from `repo/site`; a `src/` layout from `src`; when the analysis root is itself a package
(`.../site-packages/django`) its own name (`django`) prefixes every module.

What is not the application (tests, migrations, docs, tooling, packaging: analyzer/rules/scope.toml)
is left out and listed with the reason; `include` patterns bring any of it back. Infrastructure
folders (`exclude`: VCS, virtualenvs, caches, build output) are left out silently.

Directory symlinks are never followed: a link inside the tree points at files that are analyzed
at their real path anyway; a link out of the tree would analyze someone else's code; a link to an
ancestor would loop. Each is reported with a reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from fnmatch import translate
from pathlib import Path
from typing import NamedTuple

from analyzer.model import Excluded, ImportRoot, Skipped
from analyzer.options import AnalysisOptions
from analyzer.rules import ScopeRule, load_scope_rules
from analyzer.scan.roots import choose_roots


class SourceFile(NamedTuple):
    path: str  # relative to the root, POSIX separators
    abs_path: str
    module: str
    is_package: bool
    size: int
    data: bytes  # the file's bytes, read once


class Discovery(NamedTuple):
    files: tuple[SourceFile, ...]  # sorted by path
    skipped: tuple[Skipped, ...]
    excluded: tuple[Excluded, ...] = ()  # not the application, sorted by path
    roots: tuple[ImportRoot, ...] = ()


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


def _any_of(patterns: Iterable[str]) -> re.Pattern[str]:
    """One compiled regex for a list of glob patterns (case-sensitive, like fnmatchcase)."""
    patterns = tuple(patterns)
    if not patterns:
        return _NOTHING
    return re.compile("|".join(f"(?:{translate(p)})" for p in patterns))


class _Scope:
    """The not-the-application rules compiled: which reason, if any, a folder or file gets."""

    def __init__(self, rules: tuple[ScopeRule, ...]) -> None:
        self.rules = [(rule.reason, _any_of(rule.folders), _any_of(rule.files), _any_of(rule.top),
                       _any_of(rule.non_package_folders)) for rule in rules]

    def reason(self, name: str, is_dir: bool, parent_is_package: bool, is_package: bool) -> str:
        for reason, folders, files, top, non_package in self.rules:
            if is_dir and folders.match(name):
                return reason
            if not is_dir and files.match(name):
                return reason
            if not parent_is_package and top.match(name):
                return reason
            if is_dir and not is_package and non_package.match(name):
                return reason
        return ""


class _Walker:
    def __init__(self, root: Path, options: AnalysisOptions, ignore: tuple[str, ...]) -> None:
        self.root = root
        self.root_text = str(root)
        self.excludes = _any_of(options.excludes)
        self.includes = _any_of(options.include)
        self.scope = _Scope(load_scope_rules())
        self.max_bytes = options.max_file_bytes
        self.ignore = set(ignore)
        self.found: list[tuple[str, str, int]] = []  # (relative path, absolute path, size)
        self.skipped: list[Skipped] = []
        self.excluded: list[Excluded] = []

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
        is_package = any(e.name == "__init__.py" for e in entries)
        for entry in entries:
            name = entry.name
            if not _utf8(name):
                if entry.name.endswith(".py") or entry.is_dir(follow_symlinks=False):
                    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    self.skipped.append(Skipped(f"{relative}/{shown}" if relative else shown,
                                                "file name is not valid UTF-8: not analyzed"))
                continue
            rel = f"{relative}/{name}" if relative else name
            if entry.path in self.ignore or (self.excludes.match(name) and not self.includes.match(name)):
                continue
            try:
                if entry.is_symlink():
                    self.symlink(entry, rel, ancestors)
                elif entry.is_dir(follow_symlinks=False):
                    if not self.left_out(entry.path, rel, name, True, is_package):
                        self.walk(entry.path, rel, ancestors | {entry.path})
                elif name.endswith(".py") and entry.is_file(follow_symlinks=False) \
                        and not self.left_out(entry.path, rel, name, False, is_package):
                    self.file(entry.path, rel, entry.stat(follow_symlinks=False).st_size)
            except OSError as exc:
                self.skipped.append(Skipped(rel, f"unreadable: {exc.strerror or exc}"))

    def left_out(self, path: str, rel: str, name: str, is_dir: bool, parent_is_package: bool) -> bool:
        """True (and recorded, when it holds Python code) if this is not the application."""
        if self.includes.match(name):
            return False
        own_package = is_dir and os.path.isfile(os.path.join(path, "__init__.py"))
        reason = self.scope.reason(name, is_dir, parent_is_package, own_package)
        if not reason:
            return False
        files = self.count_python(path) if is_dir else 1
        if files:
            self.excluded.append(Excluded(rel + ("/" if is_dir else ""), reason, files))
        return True

    def count_python(self, folder: str) -> int:
        count = 0
        for current, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not self.excludes.match(d) and not os.path.islink(os.path.join(current, d))]
            count += sum(1 for f in files if f.endswith(".py"))
        return count

    def symlink(self, entry: os.DirEntry[str], rel: str, ancestors: frozenset[str]) -> None:
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


def module_name(relative: str, root: str, prefix: tuple[str, ...]) -> tuple[str, bool]:
    """The dotted name of the file at `relative` (POSIX) below the import root `root` ("." = top)."""
    parts = relative.split("/")
    if root != ".":
        parts = parts[root.count("/") + 1:]
    stem = parts[-1][:-3]
    is_package = stem == "__init__"
    names = [*prefix, *parts[:-1]] if is_package else [*prefix, *parts[:-1], stem]
    return ".".join(names) or stem, is_package


def _root_of(relative: str, roots: list[str]) -> str:
    """The deepest import root holding the file (roots are relative folders, "." for the top)."""
    best = "."
    for root in roots:
        if root != "." and relative.startswith(root + "/") and root.count("/") >= best.count("/"):
            best = root
    return best


def discover(root: Path, options: AnalysisOptions, ignore: tuple[str, ...] = ()) -> Discovery:
    """Every Python file to analyze under `root` (resolved) with its bytes and module name, plus the
    files skipped and why, what was left out as not the application, and the import roots chosen."""
    root = Path(os.path.realpath(root))
    walker = _Walker(root, options, tuple(os.path.realpath(p) for p in ignore))
    walker.walk(str(root), "", frozenset({str(root)}))
    skipped = list(walker.skipped)
    contents: dict[str, tuple[str, int, bytes]] = {}
    for rel, abs_path, size in walker.found:
        try:
            with open(abs_path, "rb") as handle:
                contents[rel] = (abs_path, size, handle.read())
        except OSError as exc:
            skipped.append(Skipped(rel, f"unreadable: {exc.strerror or type(exc).__name__}"))
    prefix = package_prefix(root)
    roots = choose_roots(root, {rel: data for rel, (_, _, data) in contents.items()}, options.roots,
                         root_is_package=bool(prefix))
    root_paths = [r.path for r in roots]
    by_module: dict[str, list[SourceFile]] = {}
    for rel, (abs_path, size, data) in contents.items():
        import_root = _root_of(rel, root_paths)
        module, is_package = module_name(rel, import_root, prefix if import_root == "." else ())
        by_module.setdefault(module, []).append(SourceFile(rel, abs_path, module, is_package, size, data))
    files: list[SourceFile] = []
    for module, candidates in by_module.items():
        # Python prefers a package over a same-named module; then the shortest path wins.
        ranked = sorted(candidates, key=lambda f: (not f.is_package, f.path.count("/"), f.path))
        files.append(ranked[0])
        skipped.extend(Skipped(f.path, f"duplicate module name {module}: {ranked[0].path} is analyzed instead")
                       for f in ranked[1:])
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    excluded = sorted(walker.excluded, key=lambda e: e.path)
    return Discovery(tuple(files), tuple(skipped), tuple(excluded), roots)
