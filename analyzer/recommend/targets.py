"""Where each service should run: Lambda unless its code needs a long-lived process.

Evidence is the Traits (ast-grep rule hits) and EntryPoints of the service's modules. Each
trait rule has a weight toward Fargate and the AWS limit it runs into (recommend.yml, limits.toml);
a rule counts once however often it matches, the hits become its evidence. The summed weight
against the threshold decides the target; the distance from the threshold gives the confidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.model import (
    Cluster,
    CodeBase,
    EntryPoint,
    Evidence,
    PlanEntryPoint,
    Reason,
    Target,
    Trait,
    Trigger,
)
from analyzer.rules import installed_size_mb, limit, load_policy
from analyzer.rules.policy import EntryKindRule, HeavyTools, TargetPolicy, TargetRule

EVIDENCE_MAX = 10  # locations listed per reason; the detail says how many there are in all
ENTRY_NOUNS = {
    "http": ("HTTP route", "HTTP routes"),
    "websocket": ("websocket endpoint", "websocket endpoints"),
    "schedule": ("schedule", "schedules"),
    "queue": ("queue consumer", "queue consumers"),
    "command": ("command", "commands"),
    "task": ("background task", "background tasks"),
}


@dataclass(frozen=True)
class TargetChoice:
    target: Target
    entry_points: tuple[PlanEntryPoint, ...]
    fargate_score: float
    triggers: tuple[Trigger, ...] = ()


def choose_target(cluster: Cluster, codebase: CodeBase) -> TargetChoice:
    """Lambda or Fargate for one service, with the reasons and the suggested triggers."""
    policy = load_policy().targets
    members = set(cluster.modules)
    modules = [m for m in codebase.modules if m.name in members]
    traits = sorted((t for m in modules for t in m.traits), key=lambda t: (t.rule, t.path, t.line, t.detail))
    entries = sorted((e for m in modules for e in m.entry_points), key=lambda e: (e.path, e.line, e.kind, e.detail))
    scored = _trait_reasons(traits, policy) + _entry_reasons(entries, policy)
    scored.sort(key=lambda item: (-item[0], item[1].rule))
    score = round(sum(weight for weight, _ in scored), 2)
    threshold = policy.fargate_threshold
    compute = "fargate" if score >= threshold else "lambda"
    confidence = _confidence(score, threshold, bool(entries), policy)
    verdict = Reason(
        rule="fargate-score",
        detail=(f"Fargate evidence {score:g} {'≥' if compute == 'fargate' else '<'} threshold {threshold:g}"
                + ("" if scored else " (no long-running, connection-holding or heavy traits found)")),
    )
    reasons = [reason for _, reason in scored]
    if compute == "lambda":
        reasons.insert(0, _lambda_reason(entries))
    reasons.append(verdict)
    entry_points = tuple(PlanEntryPoint(kind=e.kind, detail=e.detail, path=e.path, line=e.line) for e in entries)
    return TargetChoice(Target(compute=compute, confidence=confidence, reasons=tuple(reasons)), entry_points,
                        fargate_score=score, triggers=_triggers(entries, compute, policy))


# --------------------------------------------------------------------------- scoring


def _trait_reasons(traits: list[Trait], policy: TargetPolicy) -> list[tuple[float, Reason]]:
    by_rule: dict[str, list[Trait]] = defaultdict(list)
    for trait in traits:
        by_rule[trait.rule].append(trait)
    scored: list[tuple[float, Reason]] = []
    for rule_id, hits in sorted(by_rule.items()):
        spec = policy.rules.get(rule_id)
        if spec is None:
            continue
        if spec.weight_at_limit is not None:
            scored.extend(_by_package_size(rule_id, hits, spec, spec.weight_at_limit))
        elif spec.heavy_tools is not None:
            scored.extend(_by_tool(rule_id, hits, spec, spec.heavy_tools))
        else:
            detail = _why(spec, hits, detail=hits[0].detail)
            scored.append((spec.weight, Reason(rule_id, detail, _evidence(hits))))
    return scored


def _by_package_size(rule_id: str, hits: list[Trait], spec: TargetRule,
                     weight_at_limit: float) -> list[tuple[float, Reason]]:
    """Weight grows with the estimated installed size of the imported heavy packages."""
    roots = {hit.detail.split()[0] for hit in hits if hit.detail}
    size, packages = installed_size_mb(roots)
    package_limit = limit(spec.limit)
    weight = round(weight_at_limit * size / package_limit.value, 2)
    detail = spec.why.format(packages=", ".join(packages), size=f"{size:,.0f}", limit=package_limit.display)
    return [(weight, Reason(rule_id, detail + _count_note(hits), _evidence(hits)))]


def _by_tool(rule_id: str, hits: list[Trait], spec: TargetRule, heavy: HeavyTools) -> list[tuple[float, Reason]]:
    """Heavy native tools (ffmpeg, LibreOffice...) weigh more than a quick `git` or `ls`."""
    heavy_hits = [h for h in hits if h.detail in heavy.tools]
    light_hits = [h for h in hits if h.detail not in heavy.tools]
    scored = []
    if heavy_hits:
        tools = ", ".join(sorted({h.detail for h in heavy_hits}))
        scored.append((heavy.weight,
                       Reason(rule_id, _why(heavy, heavy_hits, detail=tools), _evidence(heavy_hits))))
    if light_hits:
        tools = ", ".join(sorted({h.detail for h in light_hits}))
        weight = 0.0 if heavy_hits else spec.weight
        scored.append((weight, Reason(rule_id, _why(spec, light_hits, detail=tools), _evidence(light_hits))))
    return scored


def _entry_reasons(entries: list[EntryPoint], policy: TargetPolicy) -> list[tuple[float, Reason]]:
    by_kind: dict[str, list[EntryPoint]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    scored = []
    for kind, spec in sorted(policy.entry_kinds.items()):
        found = by_kind.get(kind, [])
        if found:
            detail = _why(spec, found, count=_plural(kind, len(found)))
            scored.append((spec.weight, Reason(f"{kind}-entry-points", detail, _evidence(found))))
    return scored


def _lambda_reason(entries: list[EntryPoint]) -> Reason:
    if not entries:
        return Reason("no-entry-points", "no entry point of its own: only invoked by other services, "
                                         "a good fit for short Lambda invocations")
    counts = Counter(e.kind for e in entries)
    summary = ", ".join(_plural(kind, counts[kind]) for kind in sorted(counts))
    return Reason("request-response-entry-points",
                  f"all entry points are short request/response handlers ({summary})", _evidence(entries))


def _confidence(score: float, threshold: float, has_entries: bool, policy: TargetPolicy) -> float:
    margin = min(1.0, abs(score - threshold) / threshold)
    value = 0.5 + 0.5 * margin
    if not has_entries and score < threshold:
        value *= policy.no_entry_point_factor
    return round(min(policy.confidence_ceiling, max(policy.confidence_floor, value)), 2)


def _triggers(entries: list[EntryPoint], compute: str, policy: TargetPolicy) -> tuple[Trigger, ...]:
    counts = Counter(e.kind for e in entries)
    table = policy.triggers.get(compute, {})
    return tuple(Trigger(kind=kind, count=counts[kind], trigger=table.get(kind, "")) for kind in sorted(counts))


# --------------------------------------------------------------------------- text


def _why(spec: TargetRule | HeavyTools | EntryKindRule, hits: Sequence[Trait | EntryPoint], **values: str) -> str:
    if spec.limit:
        values["limit"] = limit(spec.limit).display
    return spec.why.format(**values) + _count_note(hits)


def _count_note(hits: Sequence[Trait | EntryPoint]) -> str:
    return f" ({len(hits)} places)" if len(hits) > 1 else ""


def _plural(kind: str, count: int) -> str:
    one, many = ENTRY_NOUNS.get(kind, (kind, kind + "s"))
    return f"{count} {one if count == 1 else many}"


def _evidence(items: Sequence[Trait | EntryPoint]) -> tuple[Evidence, ...]:
    locations = sorted({(item.path, item.line) for item in items})
    return tuple(Evidence(path, line) for path, line in locations[:EVIDENCE_MAX])
