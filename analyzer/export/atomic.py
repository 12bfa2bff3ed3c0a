"""Put a run's output files in place all at once, so that a crash or `kill -9` never leaves a
truncated file or a mix of two runs.

Every file is written and flushed in a staging folder beside the output folder first. Then:

- a new output folder is the staging folder renamed (one atomic step);
- an existing one is swapped with the staging folder in one atomic step (Linux renameat2
  RENAME_EXCHANGE), after the files of the old folder that this run does not write were
  hard-linked into the staging folder, so they stay;
- where a swap is not possible (another system, the output folder holds folders, is the
  working directory or a mount point), each file replaces its old copy atomically, the
  manifest last: files are never truncated, but a crash mid-way can leave some files of the
  previous run, and the manifest says which files belong to which run.

A symbolic link in the output folder is replaced, never followed; an output folder that is
itself a symbolic link is refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from analyzer.errors import StranglerError

STAGING_PREFIX = ".strangler-staging-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputError(StranglerError):
    """The output folder cannot be written as asked."""


def publish(out_dir: Path, files: dict[str, bytes]) -> None:
    """Make `out_dir` hold `files` (name -> bytes), replacing earlier copies all at once."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise OutputError(f"The output folder {out_dir} is a symbolic link; give the real folder (outputs are "
                          "never written through links).")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"The output folder {out_dir} is a file; give a folder.")
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(parent, out_dir.name)
    staging = parent / f"{STAGING_PREFIX}{out_dir.name}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
    except OSError:
        _replace_one_by_one(out_dir, files)
        return
    try:
        for name, data in files.items():
            _write_synced(staging / name, data)
        if not out_dir.exists():
            with contextlib.suppress(OSError):
                os.rename(staging, out_dir)
                _sync_folder(parent)
                return
        if _swappable(out_dir) and _keep_others(out_dir, staging, files) and _exchange(staging, out_dir):
            _sync_folder(parent)
            return
        _replace_one_by_one(out_dir, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _swappable(out_dir: Path) -> bool:
    """Not the working directory (or above it: the user's shell would sit in a deleted folder),
    not a mount point, and holding no folders (they could not be carried over atomically)."""
    here = Path.cwd().resolve()
    real = out_dir.resolve()
    if real == here or real in here.parents or os.path.ismount(real):
        return False
    try:
        return not any(entry.is_dir(follow_symlinks=False) for entry in os.scandir(out_dir))
    except OSError:
        return False


def _keep_others(out_dir: Path, staging: Path, files: dict[str, bytes]) -> bool:
    """Hard-link (or copy) the old folder's other files into the staging folder."""
    try:
        for entry in os.scandir(out_dir):
            if entry.name in files:
                continue
            target = staging / entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
                continue
            try:
                os.link(entry.path, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(entry.path, target, follow_symlinks=False)
        shutil.copymode(out_dir, staging)
    except OSError:
        return False
    return True


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return bool(done == 0)


def _replace_one_by_one(out_dir: Path, files: dict[str, bytes]) -> None:
    """Each file written beside its target and renamed over it (a link is replaced, not followed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, out_dir / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    _sync_folder(out_dir)


def write_file(path: Path, data: bytes) -> None:
    """One file written atomically (a temporary file in the same folder, then renamed)."""
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{path} is a symbolic link; give another file name (outputs are never written "
                          "through links).")
    _replace_one_by_one(path.parent, {path.name: data})


def _remove_stale_staging(parent: Path, name: str) -> None:
    """Staging folders a killed run left behind for this output folder."""
    with contextlib.suppress(OSError):
        for entry in parent.glob(f"{STAGING_PREFIX}{name}-*"):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
