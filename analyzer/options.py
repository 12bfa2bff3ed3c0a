"""AnalysisOptions: the defaults table is the schema; unknown keys are rejected.

Options come from, lowest precedence first: the defaults below, `[tool.strangler]` in the
analyzed project's pyproject.toml or its strangler.toml, a `--config FILE`, then CLI flags.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError

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
    cache_dir: str = ""  # "" = <root>/.strangler-cache
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
    """Read `[tool.strangler]` from root/pyproject.toml, root/strangler.toml, then `config_file`."""
    options = base or AnalysisOptions()
    candidates: list[tuple[Path, bool]] = [
        (root / "pyproject.toml", True),
        (root / "strangler.toml", False),
    ]
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"Config file {config_file} does not exist; check the --config path.")
        candidates.append((config_file, config_file.name == "pyproject.toml"))
    for path, is_pyproject in candidates:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
        if is_pyproject:
            data = data.get("tool", {}).get("strangler", {})
        elif "tool" in data and "strangler" in data["tool"]:
            data = data["tool"]["strangler"]
        if data:
            options = options_from_mapping(data, base=options, origin=str(path))
    return options
