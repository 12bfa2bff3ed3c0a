"""On-disk cache: raw facts per file, and the whole resolved CodeBase per tree state.

Per-file entries are keyed by the sha256 of the file's bytes plus its module name, so an
unchanged file is never parsed again. The whole-CodeBase entry is keyed by every file's key plus
the scan options, so an unchanged tree skips resolution too. Every key also includes a
fingerprint of the scanner's own code and rules: upgrading Strangler invalidates the cache.

The cache never makes a scan fail: if the folder cannot be written, a per-user folder is used;
if that fails too, the scan runs without a cache.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from analyzer import model
from analyzer import version as analyzer_version
from analyzer.options import AnalysisOptions
from analyzer.scan.facts import RawResult
from analyzer.scan.records import fill_slots, slots_of

CACHE_FORMAT = 3
DEFAULT_DIR = ".strangler-cache"
_KEEP_CODEBASES = 4


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of the scanner's code and rule files: a change to either invalidates old entries."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{analyzer_version.__version__}".encode())
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
             excluded: list[tuple[str, str, int]] = ()) -> str:
    digest = hashlib.sha256(fingerprint().encode())
    digest.update(repr((tuple(options.excludes), tuple(options.include), options.max_file_bytes)).encode())
    for key in file_keys:
        digest.update(key.encode())
    for path, reason in skipped:
        digest.update(f"{path}\0{reason}".encode())
    for path, reason, files in excluded:
        digest.update(f"{path}\0{reason}\0{files}".encode())
    return digest.hexdigest()


def codebase_key(tree: str, cochange: tuple, notes: tuple[str, ...]) -> str:
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


def _user_cache_dir(root: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "strangler" / hashlib.sha256(str(root).encode()).hexdigest()[:16]


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


# ------------------------------------------------------------------ fast CodeBase pickling

_SLOT_CLASSES = (model.Definition, model.Import, model.CallSite, model.Reference, model.SymbolUse,
                 model.SqlAccess, model.Subscription, model.Trait, model.EntryPoint, model.Skipped,
                 model.OrmModel, model.DataAccess, model.ModuleMetrics)
_SLOTS = {cls.__name__: (cls, slots_of(cls)) for cls in _SLOT_CLASSES}


def _rebuild(name: str, values: tuple) -> Any:
    """Unpickle a frozen slots dataclass without its (slow) frozen __init__."""
    cls, slots = _SLOTS[name]
    return fill_slots(cls, slots, values)


def _reducer(cls: type) -> Any:
    names = tuple(f.name for f in dataclasses.fields(cls))
    fields = attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    name = cls.__name__

    def reduce(obj: Any) -> tuple:
        return _rebuild, (name, fields(obj))

    return reduce


_DISPATCH = dict(copyreg.dispatch_table)
_DISPATCH.update({cls: _reducer(cls) for cls in _SLOT_CLASSES})


def dumps_codebase(codebase: model.CodeBase) -> bytes:
    return _dumps(codebase)


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


class FactCache:
    """Reads and writes cache entries under one folder; every failure is a cache miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def open(cls, root: Path, options: AnalysisOptions) -> FactCache:
        if not options.cache:
            return cls(None)
        if options.cache_dir:
            configured = Path(options.cache_dir)
            candidates = [configured if configured.is_absolute() else root / configured]
        else:
            candidates = [root / DEFAULT_DIR]
        candidates.append(_user_cache_dir(root))
        for folder in candidates:
            if _usable(folder):
                marker = folder / ".gitignore"
                if not marker.exists():
                    with contextlib.suppress(OSError):
                        marker.write_text("# Strangler cache: safe to delete\n*\n")
                cache = cls(folder)
                with contextlib.suppress(OSError):
                    cache._drop_other_versions()
                return cache
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / fingerprint() / kind / key[:2] / f"{key}.pickle"

    def _drop_other_versions(self) -> None:
        """Entries written by another version of the scanner can never be read again."""
        assert self.folder is not None
        current = fingerprint()
        for entry in self.folder.iterdir():
            if entry.is_dir() and entry.name != current and len(entry.name) == len(current):
                shutil.rmtree(entry, ignore_errors=True)

    def _read(self, path: Path) -> Any:
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss
            return None

    def _write(self, path: Path, payload: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, path)
        except OSError:
            pass

    def get_file(self, key: str) -> RawResult | None:
        return self._read(self._path("files", key)) if self.enabled else None

    def put_file(self, key: str, result: RawResult, pickled: bytes | None = None) -> None:
        """Store one file's result; `pickled` is the result already pickled (by a parser worker)."""
        if self.enabled:
            self._write(self._path("files", key), pickled or pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def get_codebase(self, key: str) -> model.CodeBase | None:
        if not self.enabled:
            return None
        found = self._read(self._path("trees", key))
        return found if isinstance(found, model.CodeBase) else None

    def put_codebase(self, key: str, codebase: model.CodeBase) -> None:
        if not self.enabled:
            return
        path = self._path("trees", key)
        self._write(path, dumps_codebase(codebase))
        self._prune_trees(keep=path)

    def get_derived(self, kind: str, key: str) -> Any:
        """An entry put_derived stored under `kind` and `key` (see derived_key), or None."""
        return self._read(self._path(kind, key)) if self.enabled else None

    def put_derived(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        self._write(path, _dumps(value))
        self._prune_trees(keep=path)

    def _prune_trees(self, keep: Path) -> None:
        """Keep only the few most recent whole-tree (or derived) entries of a kind (each can be several MB)."""
        assert self.folder is not None
        try:
            entries = sorted(keep.parent.parent.glob("*/*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for old in entries[_KEEP_CODEBASES:]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()
