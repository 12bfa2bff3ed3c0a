"""Rules as data: ast-grep trait rules, the AWS limits table and the recommendation policy.

The data files beside this module are the single place where detection patterns, AWS numbers
and scoring weights live; every stage reads them through the cached loaders below, so changing
a rule or a limit is an edit to YAML/TOML, never to code. This package sits below every stage
(it imports only the standard library, PyYAML and analyzer.errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analyzer.errors import ConfigError
from analyzer.inputs import load_toml
from analyzer.model import Limit
from analyzer.rules.policy import Policy, parse_policy

__all__ = ["Limit", "Policy", "load_limits", "limit", "limit_bytes", "load_policy", "load_scope_rules",
           "load_structure_rules", "load_trait_rules", "heavy_packages", "installed_size_mb"]

RULES_DIR = Path(__file__).resolve().parent
ENTRY_KINDS = ("http", "websocket", "schedule", "queue", "command", "task")


# --------------------------------------------------------------------------- limits


@cache
def load_limits() -> tuple[Limit, ...]:
    """Every AWS limit from limits.toml, in file order."""
    data = load_toml((RULES_DIR / "limits.toml").read_text(encoding="utf-8"))
    return tuple(
        Limit(
            key=row["key"], value=row["value"], unit=row["unit"], applies_to=row["applies_to"],
            source=row["source"], checked=row["checked"], description=row.get("description", ""),
            note=row.get("note", ""), conservative=row.get("conservative", True),
        )
        for row in data["limit"]
    )


def limit(key: str) -> Limit:
    """The limit named `key`; a typo is a programming error reported with the valid keys."""
    by_key = {item.key: item for item in load_limits()}
    if key not in by_key:
        raise KeyError(f"Unknown limit {key!r}; limits.toml has: {', '.join(sorted(by_key))}")
    return by_key[key]


def limit_bytes(key: str) -> int:
    """A size limit converted to bytes (KB/MB/GB decimal as AWS uses them, KiB/MiB binary)."""
    factors = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3,
               "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
    item = limit(key)
    if item.unit not in factors:
        raise ValueError(f"Limit {key!r} is in {item.unit!r}, not a size")
    return int(item.value * factors[item.unit])


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """Paths that are not the application (scope.toml): never placed in a service, listed with the reason."""

    reason: str
    folders: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    top: tuple[str, ...] = ()  # a folder or file directly under a folder that is not a package
    non_package_folders: tuple[str, ...] = ()  # a folder without __init__.py


@cache
def load_scope_rules() -> tuple[ScopeRule, ...]:
    """The not-the-application rules of scope.toml, in file order (the first match gives the reason)."""
    data = load_toml((RULES_DIR / "scope.toml").read_text(encoding="utf-8"))
    fields = ("folders", "files", "top", "non_package_folders")
    rules = []
    for row in data.get("rule", []):
        unknown = sorted(set(row) - {"reason", *fields})
        if unknown or not row.get("reason"):
            raise ConfigError(f"scope.toml: rule {row.get('reason', '?')!r} has no reason or unknown keys {unknown}.")
        rules.append(ScopeRule(reason=row["reason"], **{key: tuple(row.get(key, ())) for key in fields}))
    return tuple(rules)


# --------------------------------------------------------------------------- package structure


@dataclass(frozen=True)
class StructureRules:
    """Package structure as evidence (structure.toml): file-kind words, framework-layer names, thresholds."""

    kind_words: frozenset[str]
    kernel_names: frozenset[str]
    app_min_modules: int
    layer_min_share: float
    layer_min_apps: int
    layer_many_apps: int
    kernel_min_apps: int
    framework_min_share: float
    framework_max_uses: float
    affinity_dominance: float
    layer_affinity_dominance: float


@cache
def load_structure_rules() -> StructureRules:
    """structure.toml, validated: every threshold present and of the right type."""
    data = load_toml((RULES_DIR / "structure.toml").read_text(encoding="utf-8"))
    thresholds = data.get("thresholds", {})
    expected = {"app_min_modules": int, "layer_min_share": float, "layer_min_apps": int, "layer_many_apps": int,
                "kernel_min_apps": int, "framework_min_share": float, "framework_max_uses": float,
                "affinity_dominance": float, "layer_affinity_dominance": float}
    for key, kind in expected.items():
        if not isinstance(thresholds.get(key), (kind, int)) or isinstance(thresholds.get(key), bool):
            raise ConfigError(f"structure.toml: [thresholds] {key} must be a number.")
    return StructureRules(kind_words=frozenset(data["kind_words"]), kernel_names=frozenset(data["kernel_names"]),
                          **{key: kind(thresholds[key]) for key, kind in expected.items()})


# --------------------------------------------------------------------------- trait rules


@dataclass(frozen=True)
class TraitRule:
    """One ast-grep rule from traits.yml, ready for SgNode.find_all(config)."""

    id: str
    message: str
    configs: tuple[dict[str, Any], ...]  # each {"rule": ..., "constraints": ...}: run separately
    detail: str = "{text|first}"
    entry_kind: str = ""
    needs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    above_limit: str = ""  # keep only hits whose duration (seconds, from the detail) exceeds this limit


@dataclass(frozen=True)
class HeavyPackage:
    name: str  # import root, e.g. "sklearn"
    mb: float  # estimated installed size
    requires: tuple[str, ...] = ()
    dist: str = ""  # distribution name when it differs ("scikit-learn")


@cache
def heavy_packages() -> dict[str, HeavyPackage]:
    """Import root -> estimated installed size, from traits.yml."""
    raw = _traits_file().get("heavy_packages", {})
    return {
        name: HeavyPackage(name=name, mb=float(spec["mb"]), requires=tuple(spec.get("requires", ())),
                           dist=spec.get("dist", ""))
        for name, spec in raw.items()
    }


def installed_size_mb(roots: set[str] | frozenset[str]) -> tuple[float, tuple[str, ...]]:
    """Total estimated size of the heavy packages `roots` pull in (each counted once)."""
    table = heavy_packages()
    seen: set[str] = set()
    pending = [r for r in roots if r in table]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(r for r in table[name].requires if r in table)
    return sum(table[n].mb for n in seen), tuple(sorted(seen))


@cache
def load_trait_rules() -> tuple[TraitRule, ...]:
    """The trait and entry-point rules of traits.yml, validated."""
    data = _traits_file()
    packages = "|".join(re.escape(name) for name in sorted(heavy_packages()))
    rules: list[TraitRule] = []
    seen: set[str] = set()
    for raw in data.get("rules", []):
        rule_id = raw.get("id", "")
        if not rule_id or rule_id in seen:
            raise ConfigError(f"traits.yml: rule id {rule_id!r} is missing or duplicated.")
        seen.add(rule_id)
        kind = raw.get("entry_kind", "")
        if kind and kind not in ENTRY_KINDS:
            raise ConfigError(f"traits.yml: rule {rule_id} has entry_kind {kind!r}; use one of {ENTRY_KINDS}.")
        variants = raw.get("variants") or [raw]
        configs = tuple(
            _substitute({key: variant[key] for key in ("rule", "constraints", "utils", "transform") if key in variant},
                        {"{heavy_packages}": packages})
            for variant in variants
        )
        rules.append(TraitRule(
            id=rule_id, message=raw.get("message", ""), configs=configs,
            detail=raw.get("detail", "{text|first}"), entry_kind=kind,
            needs=tuple(raw.get("needs", ())), files=tuple(raw.get("files", ())),
            above_limit=raw.get("above_limit", ""),
        ))
    return tuple(rules)


@cache
def _traits_file() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "traits.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigError("traits.yml must be a table of rules.")
    return data


def _substitute(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        for token, text in replacements.items():
            value = value.replace(token, text)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, replacements) for v in value]
    return value


# --------------------------------------------------------------------------- recommend policy


@cache
def load_policy() -> Policy:
    """recommend.yml, validated: target scoring, channel keywords, payload hints, wave and risk thresholds."""
    policy = parse_policy(yaml.safe_load((RULES_DIR / "recommend.yml").read_text(encoding="utf-8")))
    known = {item.key for item in load_limits()}
    for key in policy.limit_keys():
        if key not in known:
            raise ConfigError(f"recommend.yml names limit {key!r}, which limits.toml does not have.")
    return policy
