"""AnalysisOptions: the defaults table is the schema; unknown keys are rejected.

Options come from, lowest precedence first: the defaults below, `[tool.strangler]` in the
analyzed project's pyproject.toml or its strangler.toml, a `--config FILE`, then CLI flags.

The analyzed project is untrusted (a vendor's repository, an upload): its own files may set
analysis settings only (PROJECT_OPTIONS). Options that touch the file system, run programs or
size how much work is done (USER_ONLY_OPTIONS) are accepted only from the user's own --config
file or the command line; a project file setting one is refused, naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError
from analyzer.inputs import MAX_CONFIG_BYTES, InputRefused, load_toml, read_limited

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Infrastructure, never analyzed and not listed: version control, virtualenvs, caches, build
#: output. What is not the application (tests, migrations, docs, tooling) is a separate table with
#: reasons, analyzer/rules/scope.toml, and is listed in the plan.
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", ".tox", ".nox", "virtualenv",
    "site-packages", "node_modules", "__pycache__", "build", "dist", ".eggs",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".strangler-cache",
)

DEFAULT_WEIGHTS = {
    "call": 1.0,
    "import": 0.2,
    "inherit": 0.5,
    "reference": 0.8,
    "data": 3.0,
    "cochange": 0.5,
    "semantic": 1.2,
    "runtime": 3.0,  # calls observed at run time (--runtime), as strong as data; no effect without runtime files
}


@dataclass(frozen=True)
class AnalysisOptions:
    # scan
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES  # glob patterns matched against each path part
    extra_exclude: tuple[str, ...] = ()  # added to `exclude` (convenient in config files)
    include: tuple[str, ...] = ()  # patterns that win over `exclude` and the not-the-application rules ("tests")
    roots: tuple[str, ...] = ()  # import roots (folders below the analyzed one); () = detect them
    max_file_bytes: int = 2_000_000  # larger files are skipped as generated code
    jobs: int = 0  # parse processes; 0 = all cores
    cache: bool = True
    cache_dir: str = ""  # "" = $STRANGLER_CACHE_DIR, else the user's cache folder (analyzer.scan.cache)
    # graph signals
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    cochange_commits: int = 500  # how many recent commits the co-change signal reads
    # decompose
    resolution: float = 1.5  # Louvain resolution: higher gives more, smaller services
    services: int = 0  # 0 = let the resolution decide; N = search the resolution to reach N
    seed: int = 42
    together: tuple[tuple[str, ...], ...] = ()  # groups of modules that must share a service
    apart: tuple[tuple[str, str], ...] = ()  # pairs of modules that must not
    assign: dict[str, str] = field(default_factory=dict)  # module -> service name (overrides)
    rename: dict[str, str] = field(default_factory=dict)  # proposed service name -> new name
    shared: tuple[str, ...] = ()  # modules forced into the shared kernel

    def replace(self, **changes: Any) -> AnalysisOptions:
        return dataclasses.replace(self, **changes)

    @property
    def excludes(self) -> tuple[str, ...]:
        return tuple(self.exclude) + tuple(self.extra_exclude)


_FIELDS = {f.name: f for f in dataclasses.fields(AnalysisOptions)}

#: What the analyzed project's own pyproject.toml / strangler.toml may set: how to analyze it.
PROJECT_OPTIONS = frozenset({
    "exclude", "extra_exclude", "include", "roots", "weights", "resolution", "services", "seed",
    "together", "apart", "assign", "rename", "shared",
})
#: What only the user may set (--config FILE or a flag), and why a project may not.
USER_ONLY_OPTIONS = {
    "cache": "it decides whether Strangler writes to your cache",
    "cache_dir": "it chooses a folder Strangler writes to and prunes",
    "jobs": "it decides how many processes run on your machine",
    "max_file_bytes": "it decides how large a file Strangler reads into memory",
    "cochange_commits": "it decides how much git history is read",
}


def options_from_mapping(data: dict[str, Any], *, base: AnalysisOptions | None = None,
                         origin: str = "configuration") -> AnalysisOptions:
    """Validate a config table against the defaults and merge it over `base`."""
    base = base or AnalysisOptions()
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"Unknown option(s) {', '.join(unknown)} in {origin}; "
            f"valid options are: {', '.join(sorted(_FIELDS))}."
        )
    changes: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(base, key)
        changes[key] = _coerce(key, value, default, origin)
    return base.replace(**changes)


def _coerce(key: str, value: Any, default: Any, origin: str) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"Option {key!r} in {origin} must be {expected}, not {value!r}.")

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("a whole number")
        return value
    if isinstance(default, float):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise bad("a number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise bad("a table")
        if key == "weights":
            unknown = sorted(set(value) - set(DEFAULT_WEIGHTS))
            if unknown:
                raise ConfigError(
                    f"Unknown signal(s) {', '.join(unknown)} in {origin} weights; "
                    f"valid signals are: {', '.join(DEFAULT_WEIGHTS)}."
                )
            merged = dict(default)
            merged.update({k: float(v) for k, v in value.items()})
            return merged
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)):
            raise bad("a list")
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def load_project_options(root: Path, config_file: Path | None = None,
                         base: AnalysisOptions | None = None) -> AnalysisOptions:
    """Read `[tool.strangler]` from root/pyproject.toml, root/strangler.toml (the project's own:
    analysis settings only), then `config_file` (the user's: any option)."""
    options = base or AnalysisOptions()
    candidates: list[tuple[Path, bool, bool]] = [
        (root / "pyproject.toml", True, True),
        (root / "strangler.toml", False, True),
    ]
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"Config file {config_file} does not exist; check the --config path.")
        candidates.append((config_file, config_file.name == "pyproject.toml", False))
    for path, is_pyproject, from_project in candidates:
        if not path.is_file():
            continue
        data = _read_table(path, is_pyproject)
        if from_project:
            _refuse_user_only(data, path)
        if data:
            options = options_from_mapping(data, base=options, origin=str(path))
    return options


def _read_table(path: Path, is_pyproject: bool) -> dict[str, Any]:
    try:
        data = load_toml(read_limited(path, MAX_CONFIG_BYTES))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
    except InputRefused as exc:
        raise ConfigError(f"{path} {exc}; fix or remove it.") from exc
    except OSError as exc:
        raise ConfigError(f"{path} could not be read ({exc.strerror or type(exc).__name__}); "
                          "check its permissions.") from exc
    if is_pyproject:
        tool = data.get("tool", {})
        data = tool.get("strangler", {}) if isinstance(tool, dict) else {}
    elif isinstance(data.get("tool"), dict) and "strangler" in data["tool"]:
        data = data["tool"]["strangler"]
    if not isinstance(data, dict):
        raise ConfigError(f"{path} has a [tool.strangler] that is not a table; fix or remove it.")
    return data


def _refuse_user_only(data: dict[str, Any], path: Path) -> None:
    """The analyzed project may not set options that reach beyond analysis (USER_ONLY_OPTIONS)."""
    for key in sorted(data):
        if key in USER_ONLY_OPTIONS:
            raise ConfigError(
                f"{path} sets {key!r}, which the analyzed project may not set because {USER_ONLY_OPTIONS[key]}; "
                f"remove it there and pass it in your own --config file or as a flag.")
