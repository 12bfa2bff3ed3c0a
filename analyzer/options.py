"""AnalysisOptions: the defaults table is the schema; unknown keys are rejected.

Options come from, lowest precedence first: the defaults below, `[tool.strangler]` in the
analyzed project's pyproject.toml or its strangler.toml, a `--config FILE`, then flags (the
command line, the review page). `options_for` is the one place that order is applied, for a
single run, each codebase of a batch, scan, explain, check and the review page alike.

The analyzed project is untrusted (a vendor's repository, an upload): its own files may set
analysis settings only (PROJECT_OPTIONS). Options that touch the file system, run programs or
size how much work is done (USER_ONLY_OPTIONS) are accepted only from the user's own --config
file or the command line; a project file setting one is refused, naming the file and the key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError
from analyzer.inputs import MAX_CONFIG_BYTES, InputRefused, TOMLDecodeError, load_toml, read_limited

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


#: The smallest value each numeric option may take, and what it means there.
MINIMUM = {
    "services": (0, "0 lets the resolution decide"),
    "jobs": (0, "0 uses every core"),
    "max_file_bytes": (1, "a file size in bytes"),
    "cochange_commits": (0, "0 turns the co-change signal off"),
}


@dataclass(frozen=True)
class Flags:
    """What the user asked for on the command line or the review page; None or () means not given.

    `exclude` and `include` add to what the configuration says; every other flag replaces it.
    """

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    cache: bool | None = None
    cache_dir: str | None = None
    jobs: int | None = None
    services: int | None = None
    resolution: float | None = None
    seed: int | None = None

    def over(self, options: AnalysisOptions) -> AnalysisOptions:
        changes: dict[str, Any] = {key: value for key, value in (
            ("roots", self.roots), ("cache", self.cache), ("cache_dir", self.cache_dir), ("jobs", self.jobs),
            ("services", self.services), ("resolution", self.resolution), ("seed", self.seed),
        ) if value is not None and value != ()}
        if self.exclude:
            changes["extra_exclude"] = (*options.extra_exclude, *self.exclude)
        if self.include:
            changes["include"] = (*options.include, *self.include)
        return _checked(options.replace(**changes), "the command line")


def options_for(path: Path | None, *, config: Path | None = None, flags: Flags | None = None,
                base: AnalysisOptions | None = None) -> AnalysisOptions:
    """The options for analyzing `path`: `base` (the defaults) < the project's own pyproject.toml or
    strangler.toml (analysis settings only) < the user's `config` file < `flags`."""
    project = path if path is not None and path.is_dir() else None
    return (flags or Flags()).over(load_project_options(project, config, base))


def options_from_mapping(data: Mapping[str, Any], *, base: AnalysisOptions | None = None,
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
    return _checked(base.replace(**changes), origin)


def _checked(options: AnalysisOptions, origin: str) -> AnalysisOptions:
    """Refuse values that mean nothing (a negative number of services, a resolution of 0)."""
    for key, (least, meaning) in MINIMUM.items():
        value = getattr(options, key)
        if value < least:
            raise ConfigError(f"Option {key!r} from {origin} must be at least {least} ({meaning}), not {value}.")
    if options.resolution <= 0:
        raise ConfigError(f"Option 'resolution' from {origin} must be greater than 0, not {options.resolution:g}.")
    negative = sorted(signal for signal, weight in options.weights.items() if weight < 0)
    if negative:
        raise ConfigError(f"Option 'weights' from {origin} must not be negative ({', '.join(negative)}).")
    return options


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


def load_project_options(root: Path | None, config_file: Path | None = None,
                         base: AnalysisOptions | None = None) -> AnalysisOptions:
    """Read `[tool.strangler]` from root/pyproject.toml, root/strangler.toml (the project's own:
    analysis settings only; none without a root), then `config_file` (the user's: any option)."""
    options = base or AnalysisOptions()
    candidates: list[tuple[Path, bool, bool]] = [] if root is None else [
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
    except (TOMLDecodeError, UnicodeDecodeError) as exc:
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
