"""Scoring a Plan against a sample's ground_truth.json (boundaries, targets, type-only edges, evidence)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from analyzer.model import Plan

#: ground-truth edge kind -> (style, accepted channels)
EXPECTED = {
    "sync": ("sync", {"http"}),
    "async-p2p": ("async", {"sqs", "sqs-fifo"}),
    "async-fanout": ("async", {"sns", "eventbridge"}),
}


def boundary_accuracy(plan: Plan, truth: Mapping) -> tuple[float, list[str]]:
    """Share of sync/async ground-truth edges our plan reports with the right style and channel."""
    found: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for boundary in plan.boundaries:
        for call in boundary.calls:
            found.setdefault((call.caller, call.callee), set()).add((call.style, call.channel))
    edges = [e for e in truth["edges"] if e["kind"] in EXPECTED]
    failures = []
    for edge in edges:
        style, channels = EXPECTED[edge["kind"]]
        got = found.get((edge["caller"], edge["callee"]), set())
        if not any(s == style and c in channels for s, c in got):
            shown = ", ".join(f"{s}/{c}" for s, c in sorted(got)) or "no boundary call"
            failures.append(f"{edge['caller']} -> {edge['callee']}: expected {edge['kind']}, got {shown}")
    return (len(edges) - len(failures)) / len(edges), failures


def target_accuracy(plan: Plan, truth: Mapping) -> tuple[float, list[str]]:
    """Each of our services, mapped to the ground-truth domain holding most of its modules."""
    shared = set(truth.get("shared", ()))
    failures = []
    scored = 0
    for service in plan.services:
        if service.kind != "service":
            continue
        domains = Counter(truth["modules"][m] for m in service.modules if m in truth["modules"] and m not in shared)
        if not domains:
            continue
        domain = min(domains, key=lambda d: (-domains[d], d))
        scored += 1
        expected = truth["targets"][domain]
        if service.target is None or service.target.compute != expected:
            got = service.target.compute if service.target else "none"
            failures.append(f"{service.name} (~{domain}): expected {expected}, got {got}")
    return (scored - len(failures)) / scored if scored else 0.0, failures


def type_only_reported(plan: Plan, truth: Mapping) -> list[str]:
    pairs = {(c.caller, c.callee) for b in plan.boundaries for c in b.calls}
    return [f"{e['caller']} -> {e['callee']}" for e in truth["edges"]
            if e["kind"] == "type-only" and (e["caller"], e["callee"]) in pairs]


def missing_evidence(plan: Plan, root: Path) -> list[str]:
    """Every path:line the plan cites must exist in the analyzed tree."""
    locations = []
    for service in plan.services:
        locations += [(e.path, e.line) for e in service.entry_points]
        if service.target is not None:
            locations += [(ev.path, ev.line) for r in service.target.reasons for ev in r.evidence]
    for boundary in plan.boundaries:
        locations += [(c.path, c.line) for c in boundary.calls]
        locations += [(w.path, w.line) for w in boundary.payload_warnings]
    lines: dict[str, int] = {}
    missing = []
    for path, line in sorted(set(locations)):
        file = root / path
        if path not in lines:
            lines[path] = len(file.read_text(encoding="utf-8").splitlines()) if file.is_file() else -1
        if not (1 <= line <= lines[path]):
            missing.append(f"{path}:{line}")
    return missing
