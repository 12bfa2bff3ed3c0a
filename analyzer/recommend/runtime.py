"""Boundaries as the monolith runs them: observed volumes, calls static analysis missed, hot paths.

Only used when the graph carries runtime evidence (analyzer.graph.runtime). Figures are per
caller → callee pair: every static call site of a pair shows the pair's observed calls. A pair
whose caller was seen running but never made the call is "never observed". A synchronous pair
called `hot_calls_per_request` times or more per run of its caller is a hot path: once split it
costs that many network round trips per request, so it gets a remedy (batch when the calls come
from a loop, cache when the callee reads, otherwise move the call behind an event).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from analyzer.model import (
    Boundary,
    BoundaryCall,
    BoundaryRuntime,
    CallSite,
    Evidence,
    HotPath,
    Observed,
    ObservedCall,
    ObservedOnlyCall,
    RuntimeGraph,
    RuntimeSummary,
)
from analyzer.recommend.locate import Locator
from analyzer.rules.policy import RuntimePolicy

_WORDS = re.compile(r"[a-z0-9]+")


def annotate(boundaries: Sequence[Boundary], sites: Mapping[BoundaryCall, CallSite], runtime: RuntimeGraph,
             locator: Locator, definitions: Mapping[str, tuple[str, int]], policy: RuntimePolicy) -> tuple[Boundary, ...]:
    """The boundaries with runtime figures, plus boundaries only observed at run time."""
    observed = {(c.caller, c.callee): c for c in runtime.calls}
    hidden: dict[tuple[str, str], list[ObservedCall]] = defaultdict(list)
    for call in runtime.calls:
        if call.static:
            continue
        source = locator.service_of(call.caller)
        target = locator.service_of(call.callee) if locator.is_definition(call.callee) else ""
        if source and target and source != target:
            hidden[(source, target)].append(call)
    located = {(c.caller, c.callee, c.path, c.line): site for c, site in sites.items()}
    by_pair = {(b.source, b.target): b for b in boundaries}
    for pair in hidden:
        by_pair.setdefault(pair, Boundary(source=pair[0], target=pair[1], style="sync", channel="http"))
    annotated = []
    for (source, target), boundary in sorted(by_pair.items()):
        seen = [(c, _figures(runtime, observed, c.caller, c.callee)) for c in boundary.calls]
        calls = tuple(dataclasses.replace(c, observed=figures) for c, figures in seen)
        only = tuple(ObservedOnlyCall(c.caller, c.callee, _figures(runtime, observed, c.caller, c.callee),
                                      *definitions.get(c.callee, ("", 0)))
                     for c in sorted(hidden.get((source, target), ()), key=lambda c: (c.caller, c.callee)))
        pairs = {(c.caller, c.callee): figures for c, figures in seen} | {(c.caller, c.callee): c.observed for c in only}
        hot = _hot_paths(seen, only, located, target, policy)
        summary = BoundaryRuntime(
            calls=sum(o.calls for o in pairs.values()),
            seconds=round(sum(o.seconds for o in pairs.values()), 6),
            never_observed=sum(1 for _, figures in seen if figures.calls == 0 and figures.caller_runs > 0),
            observed_only=only,
            hot_paths=hot,
        )
        annotated.append(dataclasses.replace(boundary, calls=calls, runtime=summary))
    return tuple(annotated)


def summarise(runtime: RuntimeGraph, boundaries: Sequence[Boundary]) -> RuntimeSummary:
    return RuntimeSummary(
        sources=runtime.sources,
        functions_observed=sum(1 for count, _ in runtime.runs.values() if count),
        calls_observed=sum(c.calls for c in runtime.calls),
        observed_only=sum(1 for c in runtime.calls if not c.static),
        never_observed=sum(b.runtime.never_observed for b in boundaries if b.runtime),
        hot_paths=sum(len(b.runtime.hot_paths) for b in boundaries if b.runtime),
    )


def _figures(runtime: RuntimeGraph, observed: Mapping[tuple[str, str], ObservedCall], caller: str,
             callee: str) -> Observed:
    call = observed.get((caller, callee))
    runs = runtime.runs.get(caller, (0, 0.0))[0]
    if call is None:
        return Observed(calls=0, seconds=0.0, caller_runs=runs)
    return Observed(calls=call.calls, seconds=call.seconds, caller_runs=runs, sources=call.sources)


def _hot_paths(calls: Sequence[tuple[BoundaryCall, Observed]], only: Sequence[ObservedOnlyCall],
               sites: Mapping[tuple[str, str, str, int], CallSite], target: str,
               policy: RuntimePolicy) -> tuple[HotPath, ...]:
    """Synchronous pairs called at least `hot_calls_per_request` times per run of their caller."""
    threshold = policy.hot_calls_per_request
    by_pair: dict[tuple[str, str], list[BoundaryCall]] = defaultdict(list)
    pair_figures: dict[tuple[str, str], Observed] = {}
    for call, observed in calls:
        by_pair[(call.caller, call.callee)].append(call)
        pair_figures.setdefault((call.caller, call.callee), observed)
    figures = {pair: pair_figures[pair] for pair, members in by_pair.items()
               if any(c.style == "sync" for c in members)}
    figures.update({(c.caller, c.callee): c.observed for c in only})
    hot = []
    for (caller, callee), seen in sorted(figures.items()):
        if not seen.caller_runs or seen.calls / seen.caller_runs < threshold:
            continue
        per_request = seen.calls / seen.caller_runs
        members = by_pair.get((caller, callee), [])
        static_sites = [sites[key] for key in ((c.caller, c.callee, c.path, c.line) for c in members) if key in sites]
        remedy = _remedy(callee, static_sites, policy)
        words = {"per_request": per_request, "caller_short": caller.rpartition(".")[2], "target": target,
                 "callee_short": callee.rpartition(".")[2]}
        where = "; ".join(dict.fromkeys(seen.sources))
        detail = (f"{seen.calls:,} synchronous calls in {seen.caller_runs:,} runs of `{words['caller_short']}` "
                  f"({per_request:.1f} per request, {seen.seconds:.3f} s in {target}), observed in {where}: "
                  f"{per_request:.0f} network round trips per request once split; "
                  + policy.remedies[remedy].format(**words))
        hot.append(HotPath(caller=caller, callee=callee, per_request=round(per_request, 4), observed=seen,
                           remedy=remedy, detail=detail,
                           evidence=tuple(sorted({Evidence(c.path, c.line) for c in members},
                                                 key=lambda e: (e.path, e.line)))))
    return tuple(hot)


def _remedy(callee: str, sites: Sequence[CallSite], policy: RuntimePolicy) -> str:
    if any(site.in_loop for site in sites):
        return "batch"
    words = set(_WORDS.findall(callee.rpartition(".")[2].lower()))
    if words & policy.read_words:
        return "cache"
    return "event"
