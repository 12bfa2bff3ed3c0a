"""Score a plan.json of a real app-structured monolith against its app labels.

The team's yardstick (shared/realworld/score.py), re-implemented here with the same definitions
so that bench/quality.py can import it:

- completeness: share of labelled modules (in regular services) that sit in the service holding
  most of their app; merging two apps does not lower it;
- layer_services: services where one module kind (KINDS) covers >= 60% of the modules and which
  span >= 3 apps (a service made of one file kind);
- junk: test, fixture, migration, doc, example or tooling modules placed in a regular service;
- largest: the biggest service's share of the labelled modules;
- shared_share: share of all planned modules in the shared kernel (informational).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

JUNK = re.compile(r"(^|\.)(tests?|testing|testutils|test_\w+|\w+_tests?|migrations|conftest|fixtures)(\.|$)"
                  r"|^(docs?|scripts|examples?|\.?semgrep|benchmarks?)(\.|$)")
KINDS = frozenset({
    "constants", "choices", "enums", "tables", "forms", "filtersets", "filters", "serializers", "templatetags",
    "views", "api", "graphql", "admin", "urls", "models", "signals", "search_indexes", "types", "mutations",
    "schema", "resolvers", "dataloaders", "widgets", "fields", "utils",
})
LAYER_KIND_SHARE = 0.6
LAYER_MIN_APPS = 3
FLOORS = {"completeness": 0.92, "layer_services": 0, "junk": 0, "largest": 0.35}


@dataclass(frozen=True)
class Score:
    completeness: float
    layer_services: int
    junk: int
    largest: float
    shared_share: float
    services: int
    labelled: int
    notes: tuple[str, ...]

    def floors_met(self) -> bool:
        return (self.completeness >= FLOORS["completeness"] and self.layer_services == FLOORS["layer_services"]
                and self.junk == FLOORS["junk"] and self.largest <= FLOORS["largest"] and self.labelled > 0)


def labeller(rules: Sequence[Sequence[str]]) -> Callable[[str], str | None]:
    compiled = [(re.compile(pattern), label) for pattern, label in rules]

    def label(module: str) -> str | None:
        for pattern, template in compiled:
            match = pattern.search(module)
            if match:
                return match.expand(template) or None
        return None
    return label


def kind(module: str) -> str:
    parts = module.split(".")
    for part in reversed(parts):
        if part in KINDS:
            return part
    return parts[-1]


def score(rules: Sequence[Sequence[str]], plan: dict[str, Any]) -> Score:
    label = labeller(rules)
    where = {m: s["name"] for s in plan["services"] for m in s["modules"] if s.get("kind") == "service"}
    shared = [m for s in plan["services"] for m in s["modules"] if s.get("kind") != "service"]
    labelled = {m: a for m in where if (a := label(m)) and not JUNK.search(m)}
    by_app: dict[str, Counter[str]] = defaultdict(Counter)
    for module, app in labelled.items():
        by_app[app][where[module]] += 1
    kept = sum(c.most_common(1)[0][1] for c in by_app.values())
    notes = []
    split = sorted(((1 - c.most_common(1)[0][1] / sum(c.values()), app, sum(c.values()), len(c))
                    for app, c in by_app.items()), reverse=True)[:5]
    for fraction, app, count, spread in split:
        if fraction > 0:
            notes.append(f"most split: {app} ({count} modules over {spread} services, "
                         f"{fraction:.0%} outside its main service)")
    layer = []
    for service in plan["services"]:
        if service.get("kind") != "service" or len(service["modules"]) < 3:
            continue
        top_kind, count = Counter(kind(m) for m in service["modules"]).most_common(1)[0]
        apps = {label(m) for m in service["modules"]} - {None}
        if count / len(service["modules"]) >= LAYER_KIND_SHARE and len(apps) >= LAYER_MIN_APPS:
            layer.append(f"{service['name']} ({top_kind} {count}/{len(service['modules'])}, {len(apps)} apps)")
    if layer:
        notes.append("layer services: " + ", ".join(layer))
    junk = sorted(m for m in where if JUNK.search(m))
    if junk:
        notes.append(f"junk in services: {len(junk)}, e.g. {', '.join(junk[:4])}")
    sizes = Counter(where[m] for m in labelled)
    return Score(
        completeness=kept / len(labelled) if labelled else 0.0, layer_services=len(layer), junk=len(junk),
        largest=max(sizes.values()) / len(labelled) if labelled else 0.0,
        shared_share=len(shared) / max(1, len(where) + len(shared)), services=len(set(where.values())),
        labelled=len(labelled), notes=tuple(notes))
