"""On-disk cache: raw facts per file, and the whole resolved CodeBase per tree state.

Where: the user's cache folder (`$XDG_CACHE_HOME/strangler` or `~/.cache/strangler` on Linux,
the platform's convention elsewhere), or `$STRANGLER_CACHE_DIR`, or `--cache-dir`; never inside
the analyzed tree and never chosen by the analyzed project's own files (analyzer.options).

What: plain data only (analyzer.scan.codec: msgpack decoded into an allow-list of record
classes), so an entry cannot run code whoever wrote it. Per-file entries are keyed by the
sha256 of the file's bytes plus its module name and path; the whole-CodeBase entry by every
file's key plus the scan options. Every key also includes a fingerprint of the scanner's own
code and rules: upgrading Strangler invalidates the cache.

Ownership: a folder becomes a cache only if it is new or empty; it is then marked with a
CACHEDIR.TAG and a signature file. Strangler deletes only what it created there: version
folders carrying its own marker, and entry files it names.

The cache never makes a scan fail: an unusable folder or an unreadable entry is a miss,
logged as a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer import model
from analyzer import version as analyzer_version
from analyzer.options import AnalysisOptions
from analyzer.scan import codec
from analyzer.scan.facts import RawModule, RawResult, RawSkip

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder (the --cache-dir flag wins over it).
ENV_VAR = "STRANGLER_CACHE_DIR"
APP_NAME = "strangler"
TAG_FILE = "CACHEDIR.TAG"
TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by Strangler (strangler cache info|clear).\n"
            "# For information about cache directory tags see https://bford.info/cachedir/\n")
#: Marks a folder as a Strangler cache; its version folders carry VERSION_MARK.
SIGNATURE_FILE = "strangler-cache"
SIGNATURE_TEXT = "Strangler analysis cache: safe to delete (strangler cache clear).\n"
VERSION_MARK = ".strangler-version"
ENTRY_SUFFIX = ".msgpack"
#: Whole-tree and graph entries kept per kind (each can be several MB; files are small).
KEEP_LARGE_ENTRIES = 6


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of the scanner's code and rule files: a change to either invalidates old entries."""
    digest = hashlib.sha256(f"{codec.FORMAT!r}:{analyzer_version.__version__}".encode())
    package = Path(analyzer_version.__file__).parent
    for folder in (package / "scan", package / "rules"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".yaml", ".toml", ".json"):
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    digest.update((package / "model.py").read_bytes())
    return digest.hexdigest()[:16]


def file_key(content_sha: str, module: str, is_package: bool, path: str) -> str:
    text = f"{fingerprint()}\0{content_sha}\0{module}\0{int(is_package)}\0{path}"
    return hashlib.sha256(text.encode()).hexdigest()


def tree_key(file_keys: list[str], skipped: list[tuple[str, str]], options: AnalysisOptions,
             excluded: list[tuple[str, str, int]] | tuple[()] = ()) -> str:
    digest = hashlib.sha256(fingerprint().encode())
    digest.update(repr((tuple(options.excludes), tuple(options.include), options.max_file_bytes)).encode())
    for key in file_keys:
        digest.update(key.encode())
    for path, reason in skipped:
        digest.update(f"{path}\0{reason}".encode())
    for path, reason, files in excluded:
        digest.update(f"{path}\0{reason}\0{files}".encode())
    return digest.hexdigest()


def codebase_key(tree: str, cochange: tuple[tuple[str, str, int], ...], notes: tuple[str, ...]) -> str:
    """The tree key plus what the scan adds on top of the cached CodeBase (co-change history)."""
    return hashlib.sha256(f"{tree}\0{cochange!r}\0{notes!r}".encode()).hexdigest()


def derived_key(codebase: str, code: Iterable[Path], *options: object) -> str:
    """Key of something computed from a CodeBase: its codebase_key, the files of the code
    computing it (any edit invalidates it) and the options it depends on."""
    digest = hashlib.sha256(f"{fingerprint()}\0{codebase}\0{options!r}".encode())
    for path in sorted(code):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- where the cache lives


def default_folder() -> Path:
    """$STRANGLER_CACHE_DIR, else the user's cache folder by platform convention."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def folder_for(options: AnalysisOptions) -> Path:
    """The cache folder these options name (--cache-dir, relative to the working directory)."""
    return Path(options.cache_dir).expanduser().absolute() if options.cache_dir else default_folder().absolute()


def is_ours(folder: Path) -> bool:
    return (folder / SIGNATURE_FILE).is_file() and (folder / TAG_FILE).is_file()


def _claim(folder: Path) -> str | None:
    """Make `folder` a cache folder; None when done, else why it cannot be one."""
    try:
        if folder.is_symlink():
            return f"{folder} is a symbolic link"
        if folder.exists():
            if not folder.is_dir():
                return f"{folder} is not a folder"
            if is_ours(folder):
                return None
            if any(folder.iterdir()):
                return f"{folder} holds files Strangler did not create; give an empty or new folder"
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / TAG_FILE, TAG_TEXT.encode())
        _write_atomic(folder / SIGNATURE_FILE, SIGNATURE_TEXT.encode())
    except OSError as exc:
        return f"{folder} cannot be written ({exc.strerror or type(exc).__name__})"
    return None


def _write_atomic(path: Path, payload: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- the cache


class FactCache:
    """Reads and writes cache entries under one folder; every failure is a cache miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def open(cls, options: AnalysisOptions) -> FactCache:
        if not options.cache:
            return cls(None)
        folder = folder_for(options)
        problem = _claim(folder)
        if problem:
            log.warning("cache off for this run: %s.", problem)
            return cls(None)
        cache = cls(folder)
        with contextlib.suppress(OSError):
            cache._drop_other_versions()
        return cache

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _version_folder(self) -> Path:
        assert self.folder is not None
        return self.folder / fingerprint()

    def _path(self, kind: str, key: str) -> Path:
        return self._version_folder() / kind / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def _drop_other_versions(self) -> None:
        """Entries written by another version of the scanner can never be read again."""
        assert self.folder is not None
        current = fingerprint()
        for entry in self.folder.iterdir():
            if entry.name != current and _is_version_folder(entry):
                shutil.rmtree(entry, ignore_errors=True)

    def _read(self, path: Path, expected: type | tuple[type, ...]) -> Any:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return codec.loads(data, expected)
        except codec.CodecError as exc:
            log.warning("ignored the cache entry %s: %s; it will be rebuilt.", path.name, exc)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def _write(self, path: Path, payload: bytes) -> None:
        try:
            version = self._version_folder()
            if not (version / VERSION_MARK).is_file():
                version.mkdir(exist_ok=True)
                (version / VERSION_MARK).write_text(f"{fingerprint()}\n")
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, payload)
        except OSError:
            pass

    def _encode(self, value: Any) -> bytes | None:
        try:
            return codec.dumps(value)
        except codec.CodecError as exc:
            log.warning("not cached: %s.", exc)
            return None

    def get_file(self, key: str) -> RawResult | None:
        return self._read(self._path("files", key), (RawModule, RawSkip)) if self.enabled else None

    def put_file(self, key: str, result: RawResult, encoded: bytes | None = None) -> None:
        """Store one file's result; `encoded` is the result already encoded (by a parser worker)."""
        if self.enabled:
            payload = encoded or self._encode(result)
            if payload is not None:
                self._write(self._path("files", key), payload)

    def get_codebase(self, key: str) -> model.CodeBase | None:
        return self._read(self._path("trees", key), model.CodeBase) if self.enabled else None

    def put_codebase(self, key: str, codebase: model.CodeBase) -> None:
        self.put_derived("trees", key, codebase)

    def get_derived(self, kind: str, key: str, expected: type | tuple[type, ...]) -> Any:
        """An entry put_derived stored under `kind` and `key` (see derived_key), or None."""
        return self._read(self._path(kind, key), expected) if self.enabled else None

    def put_derived(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        payload = self._encode(value)
        if payload is None:
            return
        path = self._path(kind, key)
        self._write(path, payload)
        self._prune(keep=path)

    def _prune(self, keep: Path) -> None:
        """Keep only the few most recent whole-tree (or derived) entries of a kind."""
        try:
            entries = sorted(keep.parent.parent.glob(f"*/*{ENTRY_SUFFIX}"), key=lambda p: p.stat().st_mtime,
                             reverse=True)
        except OSError:
            return
        for old in entries[KEEP_LARGE_ENTRIES:]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()


def _is_version_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / VERSION_MARK).is_file()


# --------------------------------------------------------------------------- strangler cache info|clear


@dataclass(frozen=True)
class CacheInfo:
    folder: Path
    exists: bool
    ours: bool
    entries: dict[str, int]  # kind ("files", "trees", "graphs") -> count, current version
    size_bytes: int  # every entry and marker Strangler wrote there, all versions
    stale_versions: int  # version folders of other Strangler versions (removed on the next run)


def cache_info(folder: Path) -> CacheInfo:
    ours = is_ours(folder)
    entries: dict[str, int] = {}
    size = 0
    stale = 0
    if ours:
        for version in folder.iterdir():
            if not _is_version_folder(version):
                continue
            if version.name != fingerprint():
                stale += 1
            for path in version.rglob(f"*{ENTRY_SUFFIX}"):
                with contextlib.suppress(OSError):
                    size += path.stat().st_size
                if version.name == fingerprint():
                    kind = path.parent.parent.name
                    entries[kind] = entries.get(kind, 0) + 1
    return CacheInfo(folder, folder.is_dir(), ours, dict(sorted(entries.items())), size, stale)


def clear_cache(folder: Path) -> int:
    """Delete what Strangler created in `folder` (the folder too, if nothing else is left);
    the number of entry files removed. A folder that is not a Strangler cache is left alone."""
    if not is_ours(folder):
        return 0
    removed = 0
    for version in list(folder.iterdir()):
        if _is_version_folder(version):
            removed += sum(1 for _ in version.rglob(f"*{ENTRY_SUFFIX}"))
            shutil.rmtree(version, ignore_errors=True)
    for name in (SIGNATURE_FILE, TAG_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
    return removed
