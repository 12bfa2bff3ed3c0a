"""Fetch the real codebases the benchmarks run on, from PyPI, into bench/.cache/.

Each codebase is one pinned wheel, downloaded with pip (the registry's ordinary client) and
unpacked so that the package folder sits directly under its own root:
bench/.cache/src/<name>-<version>/<package>/... . Wheels are used because they are plain
zip files of the source, so no build step or compiler is involved. Nothing here imports
the downloaded code.

Usage:
    .venv/bin/python bench/fetch.py              # fetch every codebase (skips what is present)
    .venv/bin/python bench/fetch.py --only django
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
WHEEL_DIR = CACHE_DIR / "wheels"
SOURCE_DIR = CACHE_DIR / "src"
COMPLETE_MARKER = ".fetched"


@dataclass(frozen=True)
class Codebase:
    """A pinned, pure-Python wheel whose package folder is analyzed as one monolith."""

    name: str  # short name used on the command line: --only django
    distribution: str  # PyPI name
    version: str  # pinned, so figures stay comparable across runs
    package: str  # top-level folder inside the wheel that is analyzed; "" = the whole wheel, as a user unpacks it
    why: str  # what it stands for in the benchmark

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"

    @property
    def root(self) -> Path:
        """The analysis root: the folder that contains the package folder."""
        return SOURCE_DIR / f"{self.name}-{self.version}"


CODEBASES: dict[str, Codebase] = {
    codebase.name: codebase
    for codebase in (
        Codebase(
            name="django",
            distribution="Django",
            version="5.2.19",
            package="django",
            why="a large, real web framework: apps, models, signals, management commands",
        ),
        Codebase(
            name="sympy",
            distribution="sympy",
            version="1.14.0",
            package="sympy",
            why="a bigger pure-Python codebase (several times Django) to see how cost grows",
        ),
    )
}


class FetchError(RuntimeError):
    """The codebase could not be fetched; the message says what to do next."""


def fetch(codebase: Codebase, *, log=print) -> Path:
    """Download and unpack one codebase unless it is already there; return its root."""
    root = codebase.root
    if (root / COMPLETE_MARKER).is_file():
        log(f"{codebase.requirement}: present in {root}")
        return root
    wheel = _download(codebase, log)
    _unpack(codebase, wheel, root)
    log(f"{codebase.requirement}: unpacked to {root}")
    return root


def _download(codebase: Codebase, log) -> Path:
    wheel = _find_wheel(codebase)
    if wheel is not None:
        return wheel
    WHEEL_DIR.mkdir(parents=True, exist_ok=True)
    log(f"{codebase.requirement}: downloading the wheel from PyPI ...")
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", codebase.requirement, "-d", str(WHEEL_DIR),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as exc:
        raise FetchError(
            f"pip took more than 10 minutes to download {codebase.requirement}; "
            "check the network or proxy and run bench/fetch.py again."
        ) from exc
    wheel = _find_wheel(codebase)
    if result.returncode != 0 or wheel is None:
        said = (result.stderr or result.stdout).strip().splitlines()
        detail = said[-1] if said else f"exit code {result.returncode}"
        raise FetchError(
            f"Could not download {codebase.requirement} from PyPI (pip said: {detail}). "
            "Are you offline? Check the network or proxy, or copy the wheel into "
            f"{WHEEL_DIR} and run bench/fetch.py again."
        )
    return wheel


def _find_wheel(codebase: Codebase) -> Path | None:
    if not WHEEL_DIR.is_dir():
        return None
    # wheel file names spell the distribution with underscores (PEP 427): mayan-edms -> mayan_edms
    names = {codebase.distribution, codebase.distribution.lower(), codebase.distribution.replace("-", "_"),
             codebase.distribution.lower().replace("-", "_")}
    prefixes = {f"{name}-{codebase.version}-" for name in names}
    for path in sorted(WHEEL_DIR.glob("*.whl")):
        if any(path.name.startswith(prefix) for prefix in prefixes):
            return path
    return None


def _unpack(codebase: Codebase, wheel: Path, root: Path) -> None:
    """Extract only the package folder, into a temporary folder renamed at the end (atomic)."""
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [name for name in archive.namelist()
                       if not codebase.package or name.startswith(f"{codebase.package}/")]
            if not members:
                raise FetchError(f"{wheel.name} has no {codebase.package}/ folder; is the pin right?")
            archive.extractall(partial, members)
    except zipfile.BadZipFile as exc:
        wheel.unlink(missing_ok=True)
        raise FetchError(f"{wheel.name} is not a valid wheel (deleted it); run bench/fetch.py again.") from exc
    (partial / COMPLETE_MARKER).write_text(f"{codebase.requirement}\n{wheel.name}\n", encoding="utf-8")
    partial.rename(root)


def select(only: list[str] | None) -> list[Codebase]:
    """The codebases named by --only (all when none), with a clear error for unknown names."""
    if not only:
        return list(CODEBASES.values())
    unknown = sorted(set(only) - set(CODEBASES))
    if unknown:
        raise FetchError(f"Unknown codebase(s) {', '.join(unknown)}; choose from {', '.join(CODEBASES)}.")
    return [CODEBASES[name] for name in only]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(CODEBASES),
                        help="fetch only this codebase (repeatable)")
    args = parser.parse_args(argv)
    try:
        for codebase in select(args.only):
            fetch(codebase)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
