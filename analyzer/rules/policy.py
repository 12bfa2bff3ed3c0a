"""recommend.yml as validated dataclasses: a typo in the policy is one sentence naming the key,
at load time, not a KeyError deep inside a stage.

Each dataclass mirrors one YAML table; `parse_policy` checks every key, its type, and that no
key is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analyzer.errors import ConfigError

SOURCE = "recommend.yml"


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class HeavyTools:
    """Native programs heavy enough to weigh like a long-running loop."""

    tools: frozenset[str]
    weight: float
    why: str
    limit: str = ""


@dataclass(frozen=True)
class TargetRule:
    """One trait rule's weight toward Fargate and the sentence explaining it (`{limit}` quotes `limit`)."""

    why: str
    weight: float = 0.0
    limit: str = ""
    weight_at_limit: float | None = None  # weight scaled by installed package size against `limit`
    heavy_tools: HeavyTools | None = None


@dataclass(frozen=True)
class EntryKindRule:
    weight: float
    why: str
    limit: str = ""


@dataclass(frozen=True)
class TargetPolicy:
    fargate_threshold: float
    confidence_floor: float
    confidence_ceiling: float
    no_entry_point_factor: float
    rules: Mapping[str, TargetRule]
    entry_kinds: Mapping[str, EntryKindRule]
    triggers: Mapping[str, Mapping[str, str]]  # compute -> entry kind -> trigger


# --------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class BoundaryPolicy:
    sync_usages: frozenset[str]
    usage_reasons: Mapping[str, str]
    deferral_reasons: Mapping[str, str]
    sns_min_services: int
    eventbridge_min_services: int
    startup_hooks: frozenset[str]  # methods of an app config class that run once at startup
    fifo_keywords: tuple[str, ...]
    channel_rank: Mapping[str, int]
    payload: PayloadRules
    payload_remedy: str
    model_remedy: str
    payload_limits: Mapping[str, str]  # channel -> limits.toml key
    consistency: ConsistencyRules


@dataclass(frozen=True)
class ConsistencyRules:
    """When a discarded call must stay synchronous (analyzer.recommend.boundaries.must_stay_sync)."""

    transaction_contexts: tuple[re.Pattern[str], ...]
    transaction_decorators: tuple[re.Pattern[str], ...]
    transaction_calls: tuple[re.Pattern[str], ...]
    precondition_errors: frozenset[str]  # raised by a callee, these never hold a call synchronous
    read_back: bool
    compensation_words: tuple[str, ...]
    reasons: Mapping[str, str]  # transaction, handled, raises, read_back, saga


@dataclass(frozen=True)
class PayloadRules:
    """What makes a call argument able to carry data (analyzer.recommend.boundaries.payload_kind)."""

    data_words: frozenset[str]
    metadata_words: frozenset[str]
    content_patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class DataBoundaryPolicy:
    lookup_max_reads: int  # more plain reads of another service's tables than this call for a read model


# --------------------------------------------------------------------------- runtime evidence

REMEDIES = ("batch", "cache", "event")


@dataclass(frozen=True)
class RuntimePolicy:
    """When an observed synchronous call is a hot path, and the remedy sentence for each kind."""

    hot_calls_per_request: float
    read_words: frozenset[str]  # callee name words that read: their answers can be cached
    remedies: Mapping[str, str]  # "batch" | "cache" | "event" -> sentence with {per_request}, {caller_short}, ...


# --------------------------------------------------------------------------- waves


@dataclass(frozen=True)
class EntanglementWeights:
    sync_call_site: float
    inbound_sync_service: float
    shared_table: float
    in_cycle: float
    data_link: float


@dataclass(frozen=True)
class HoldRule:
    min_services: int
    score_over_median: float
    min_inbound_share: float


@dataclass(frozen=True)
class VerdictRule:
    cycle_share: float
    hold_share: float


@dataclass(frozen=True)
class EffortRule:
    per_loc: float
    per_call_site: float
    per_shared_table: float
    sizes: tuple[tuple[float, str], ...]  # (smallest points, size label), ascending


@dataclass(frozen=True)
class RiskRule:
    high_share: float
    medium_share: float
    low_confidence_below: float


@dataclass(frozen=True)
class WavePolicy:
    entanglement: EntanglementWeights
    services_per_wave: int
    max_waves: int
    hold: HoldRule
    verdict: VerdictRule
    effort: EffortRule
    risk: RiskRule


@dataclass(frozen=True)
class Policy:
    targets: TargetPolicy
    boundaries: BoundaryPolicy
    data_boundaries: DataBoundaryPolicy
    waves: WavePolicy
    runtime: RuntimePolicy

    def limit_keys(self) -> list[str]:
        """Every limits.toml key the policy names."""
        keys = [r.limit for r in self.targets.rules.values()]
        keys += [r.heavy_tools.limit for r in self.targets.rules.values() if r.heavy_tools]
        keys += [r.limit for r in self.targets.entry_kinds.values()]
        keys += list(self.boundaries.payload_limits.values())
        return sorted({k for k in keys if k})


# --------------------------------------------------------------------------- parsing


class _Table:
    """One YAML table being read: each key is taken once, unknown keys are refused."""

    def __init__(self, data: object, where: str = "") -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{SOURCE}: {where or 'the file'} must be a table.")
        self.data: dict[str, Any] = data
        self.where = where
        self.taken: set[str] = set()

    def _get(self, key: str, optional: bool) -> Any:
        self.taken.add(key)
        if key not in self.data and not optional:
            raise ConfigError(f"{SOURCE}: {self.where or 'the file'} has no {key!r}.")
        return self.data.get(key)

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _bad(self, key: str, expected: str) -> ConfigError:
        return ConfigError(f"{SOURCE}: {self._path(key)} must be {expected}.")

    def number(self, key: str, default: float | None = None) -> float:
        value = self._get(key, default is not None)
        if value is None and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(key, "a number")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def optional_number(self, key: str) -> float | None:
        return None if self._get(key, True) is None else self.number(key)

    def integer(self, key: str) -> int:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "a whole number")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key, default is not None)
        if value is None and default is not None:
            return default
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return tuple(value)

    def table(self, key: str, optional: bool = False) -> _Table | None:
        value = self._get(key, optional)
        return None if value is None and optional else _Table(value, self._path(key))

    def sub(self, key: str) -> _Table:
        return _Table(self._get(key, False), self._path(key))

    def strings(self, key: str) -> dict[str, str]:
        table = self.sub(key)
        return {name: table.text(name) for name in list(table.data)}

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.taken)
        if unknown:
            raise ConfigError(f"{SOURCE}: {self.where or 'the file'} has unknown key(s) {', '.join(map(str, unknown))}.")


def parse_policy(data: object) -> Policy:
    """The policy from recommend.yml's parsed YAML; ConfigError (one sentence) on any mistake."""
    root = _Table(data)
    data = root.sub("data_boundaries")
    policy = Policy(_targets(root.sub("targets")), _boundaries(root.sub("boundaries")),
                    DataBoundaryPolicy(lookup_max_reads=data.integer("lookup_max_reads")), _waves(root.sub("waves")),
                    _runtime(root.sub("runtime")))
    data.done()
    root.done()
    return policy


def _targets(table: _Table) -> TargetPolicy:
    rules_table = table.sub("rules")
    rules = {rule_id: _target_rule(rules_table.sub(rule_id)) for rule_id in list(rules_table.data)}
    kinds_table = table.sub("entry_kinds")
    kinds = {}
    for kind in list(kinds_table.data):
        spec = kinds_table.sub(kind)
        kinds[kind] = EntryKindRule(weight=spec.number("weight"), why=spec.text("why"),
                                    limit=spec.text("limit", ""))
        spec.done()
    triggers_table = table.sub("triggers")
    triggers = {compute: triggers_table.strings(compute) for compute in list(triggers_table.data)}
    policy = TargetPolicy(
        fargate_threshold=table.number("fargate_threshold"), confidence_floor=table.number("confidence_floor"),
        confidence_ceiling=table.number("confidence_ceiling"),
        no_entry_point_factor=table.number("no_entry_point_factor"),
        rules=rules, entry_kinds=kinds, triggers=triggers)
    for done in (rules_table, kinds_table, triggers_table, table):
        done.done()
    if policy.fargate_threshold <= 0:
        raise ConfigError(f"{SOURCE}: targets.fargate_threshold must be greater than 0.")
    return policy


def _target_rule(spec: _Table) -> TargetRule:
    heavy = spec.table("heavy_tools", optional=True)
    tools = None
    if heavy is not None:
        tools = HeavyTools(tools=frozenset(heavy.texts("tools")), weight=heavy.number("weight"),
                           why=heavy.text("why"), limit=heavy.text("limit", ""))
        heavy.done()
    rule = TargetRule(why=spec.text("why"), weight=spec.number("weight", 0.0), limit=spec.text("limit", ""),
                      weight_at_limit=spec.optional_number("weight_at_limit"), heavy_tools=tools)
    if rule.weight_at_limit is not None and not rule.limit:
        raise ConfigError(f"{SOURCE}: {spec.where} has weight_at_limit but no limit.")
    spec.done()
    return rule


def _boundaries(table: _Table) -> BoundaryPolicy:
    fanout = table.sub("fanout")
    ranks = table.sub("channel_rank")
    payload = table.sub("payload")
    consistency = table.sub("consistency")
    compiled = _patterns(payload, "payload.content_patterns", "content_patterns")
    rules = ConsistencyRules(
        transaction_contexts=_patterns(consistency, "consistency.transaction_contexts", "transaction_contexts"),
        transaction_decorators=_patterns(consistency, "consistency.transaction_decorators", "transaction_decorators"),
        transaction_calls=_patterns(consistency, "consistency.transaction_calls", "transaction_calls"),
        precondition_errors=frozenset(consistency.texts("precondition_errors")),
        read_back=consistency.flag("read_back"),
        compensation_words=consistency.texts("compensation_words"),
        reasons=consistency.strings("reasons"))
    policy = BoundaryPolicy(
        sync_usages=frozenset(table.texts("sync_usages")), usage_reasons=table.strings("usage_reasons"),
        deferral_reasons=table.strings("deferral_reasons"),
        sns_min_services=fanout.integer("sns_min_services"),
        eventbridge_min_services=fanout.integer("eventbridge_min_services"),
        startup_hooks=frozenset(fanout.texts("startup_hooks")),
        fifo_keywords=table.texts("fifo_keywords"),
        channel_rank={channel: ranks.integer(channel) for channel in list(ranks.data)},
        payload=PayloadRules(data_words=frozenset(payload.texts("data_words")),
                             metadata_words=frozenset(payload.texts("metadata_words")), content_patterns=compiled),
        payload_remedy=table.text("payload_remedy"), model_remedy=table.text("model_remedy"),
        payload_limits=table.strings("payload_limits"), consistency=rules)
    for done in (fanout, ranks, payload, consistency, table):
        done.done()
    return policy


def _patterns(table: _Table, where: str, key: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in table.texts(key))
    except re.error as exc:
        raise ConfigError(f"{SOURCE}: boundaries.{where} has an invalid pattern ({exc}).") from exc


def _waves(table: _Table) -> WavePolicy:
    weights, hold, verdict = table.sub("entanglement"), table.sub("hold"), table.sub("verdict")
    effort, risk = table.sub("effort"), table.sub("risk")
    low = risk.sub("low_confidence_target")
    sizes = effort._get("sizes", False)
    if not isinstance(sizes, list) or not sizes or not all(
            isinstance(row, list) and len(row) == 2 and isinstance(row[0], (int, float)) and isinstance(row[1], str)
            for row in sizes):
        raise ConfigError(f"{SOURCE}: waves.effort.sizes must be a list of [smallest points, size] pairs.")
    policy = WavePolicy(
        entanglement=EntanglementWeights(
            sync_call_site=weights.number("sync_call_site"), inbound_sync_service=weights.number("inbound_sync_service"),
            shared_table=weights.number("shared_table"), in_cycle=weights.number("in_cycle"),
            data_link=weights.number("data_link")),
        services_per_wave=table.integer("services_per_wave"), max_waves=table.integer("max_waves"),
        hold=HoldRule(min_services=hold.integer("min_services"), score_over_median=hold.number("score_over_median"),
                      min_inbound_share=hold.number("min_inbound_share")),
        verdict=VerdictRule(cycle_share=verdict.number("cycle_share"), hold_share=verdict.number("hold_share")),
        effort=EffortRule(per_loc=effort.number("per_loc"), per_call_site=effort.number("per_call_site"),
                          per_shared_table=effort.number("per_shared_table"),
                          sizes=tuple((row[0], row[1]) for row in sizes)),
        risk=RiskRule(high_share=risk.number("high_share"), medium_share=risk.number("medium_share"),
                      low_confidence_below=low.number("below")))
    for done in (weights, hold, verdict, effort, low, risk, table):
        done.done()
    if policy.services_per_wave < 1 or policy.max_waves < 1:
        raise ConfigError(f"{SOURCE}: waves.services_per_wave and waves.max_waves must be at least 1.")
    return policy


def _runtime(table: _Table) -> RuntimePolicy:
    remedies = table.strings("remedies")
    if sorted(remedies) != sorted(REMEDIES):
        raise ConfigError(f"{SOURCE}: runtime.remedies must have exactly the keys {', '.join(REMEDIES)}.")
    policy = RuntimePolicy(hot_calls_per_request=table.number("hot_calls_per_request"),
                           read_words=frozenset(table.texts("read_words")), remedies=remedies)
    table.done()
    if policy.hot_calls_per_request <= 0:
        raise ConfigError(f"{SOURCE}: runtime.hot_calls_per_request must be greater than 0.")
    return policy
