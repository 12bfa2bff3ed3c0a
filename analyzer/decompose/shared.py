"""The shared kernel: modules every service may vendor instead of owning.

Three kinds of module belong to no single service, and left in the clustering graph they
glue unrelated services together:

* utilities: used by several services, owning no data (no model, no writes);
* composition roots: modules whose job is wiring (app factories, settings, URL roots,
  wsgi/asgi, manage.py, the Celery app): they reach into many services and nothing uses them;
* empty packages (`__init__` with no definitions) that sit above several services, such as
  the layer packages of a layered monolith (`shop.api`).

The rules are data (the tables below); each module found carries the reason of the rule that fired,
for the report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.graph.signals import signal_strength
from analyzer.model import STRUCTURAL_SIGNALS, CodeGraph, ModuleFacts

#: How much a call through a signal or a task queue couples, relative to a direct call.
DEFERRED_CALL_WEIGHT = 0.3

#: Module names (last dotted part, or any part for packages like `settings/`) whose job is wiring.
COMPOSITION_ROOT_NAMES = frozenset({
    "__main__", "asgi", "celery", "celery_app", "celeryconfig", "conftest", "manage", "settings",
    "setup", "urls", "wsgi",
})
#: Constructors of the application object (Flask, FastAPI, Starlette, Quart, Celery, Django's
#: WSGI/ASGI handlers): the module calling one is the app factory, a composition root whatever its name.
APP_CONSTRUCTORS = frozenset({
    "flask.Flask", "fastapi.FastAPI", "starlette.applications.Starlette", "quart.Quart", "celery.Celery",
    "django.core.wsgi.get_wsgi_application", "django.core.asgi.get_asgi_application",
})
#: An app factory counts this close to the top (`shop.app`, `shop.web.factory`).
APP_FACTORY_MAX_DEPTH = 3
#: Packages near the top holding the deployment's configuration (`shop/settings/`, `shop/configs/`).
SETTINGS_PACKAGES = frozenset({"settings", "config", "configs"})
#: Names count only this close to the top (`shop.settings`, `manage`): an app's own `settings.py`
#: or a `manage.py` controller deep in a package is ordinary app code.
COMPOSITION_ROOT_MAX_DEPTH = 2


@dataclass(frozen=True)
class SharedRules:
    """Thresholds of the structural shared-kernel rules."""

    #: A utility candidate is used by at least this many modules (and is a leaf: see below).
    utility_min_users: int = 3
    #: A candidate whose users fall into at least this many services is shared.
    utility_min_services: int = 3
    #: A composition root reaches at least this many services ...
    root_min_target_services: int = 3
    #: ... none of which takes more than this share of its outgoing link weight.
    root_max_home_share: float = 0.5


RULES = SharedRules()


@dataclass(frozen=True)
class Usage:
    """Structural links of the module graph, by direction, with the combined weight."""

    users: Mapping[str, Mapping[str, float]]  # module -> {module using it: weight}
    used: Mapping[str, Mapping[str, float]]  # module -> {module it uses: weight}


def edge_signals(graph: CodeGraph) -> dict[tuple[str, str], dict[str, float]]:
    """The module graph's signal values per directed edge, with event-driven calls discounted.

    A handler reached through a signal or a task queue (`deferred` call sites) listens to
    another module rather than being called by it: the kind of link that crosses service
    boundaries by design. Such call sites count DEFERRED_CALL_WEIGHT of a direct call.
    """
    deferred: dict[tuple[str, str], int] = defaultdict(int)
    module_of = graph.codebase.module_of
    for call in graph.calls:
        if not call.deferred:
            continue
        source = module_of(call.caller)
        for target in {module_of(c) for c in call.callees}:
            if source and target and source != target:
                deferred[(source, target)] += 1
    edges = graph.module_signals()
    for (source, target), signals in edges.items():
        if "call" in signals and (source, target) in deferred:
            discount = (1.0 - DEFERRED_CALL_WEIGHT) * min(deferred[(source, target)], signals["call"])
            signals["call"] -= discount
    return edges


def structural_usage(edges: Mapping[tuple[str, str], Mapping[str, float]], weights: Mapping[str, float]) -> Usage:
    """Who uses whom through code (not data, history or vocabulary), weighted by `weights`."""
    users: dict[str, dict[str, float]] = defaultdict(dict)
    used: dict[str, dict[str, float]] = defaultdict(dict)
    for (source, target), signals in edges.items():
        if source == target or not any(signals.get(s, 0) for s in STRUCTURAL_SIGNALS):
            continue
        weight = sum(signal_strength(s, signals.get(s, 0.0)) * float(weights.get(s, 0.0)) for s in STRUCTURAL_SIGNALS)
        users[target][source] = max(weight, 1e-9)
        used[source][target] = max(weight, 1e-9)
    return Usage(users, used)


def data_holders(graph: CodeGraph) -> frozenset[str]:
    """Modules that define a model or write a table: they own data, so they are never shared."""
    return frozenset(a.module for a in graph.data_access if a.mode == "write" or a.via == "define")


def data_users(graph: CodeGraph) -> frozenset[str]:
    """Modules that touch any table: a batch job reading three domains' tables is logic, not wiring."""
    return frozenset(a.module for a in graph.data_access)


def named_roots(modules: Iterable[ModuleFacts]) -> dict[str, str]:
    """Composition roots recognised by name near the top (settings, wsgi, manage.py, root URLs, the Celery app...)."""
    found = {}
    for facts in modules:
        parts = facts.name.split(".")
        if parts[-1] in COMPOSITION_ROOT_NAMES and len(parts) <= COMPOSITION_ROOT_MAX_DEPTH:
            found[facts.name] = f"composition root ({parts[-1]})"
        elif SETTINGS_PACKAGES.intersection(parts[:COMPOSITION_ROOT_MAX_DEPTH]):
            found[facts.name] = f"composition root (settings: {parts[-1]})"
        elif len(parts) <= APP_FACTORY_MAX_DEPTH:
            built = sorted({c for call in facts.calls for c in call.callees if c in APP_CONSTRUCTORS})
            if built:
                found[facts.name] = f"composition root (app factory: calls {built[0]})"
    return found


def is_empty_package(facts: ModuleFacts) -> bool:
    return facts.is_package and not facts.definitions


def utility_candidates(modules: Iterable[str], usage: Usage, owners: frozenset[str],
                       known_shared: Iterable[str], rules: SharedRules = RULES) -> frozenset[str]:
    """Leaf modules many modules use and that own no data: possible shared utilities.

    A leaf depends on nothing but other popular modules and the kernel: `auth_service`, which
    every API calls but which reads users through the accounts repository, is accounts logic.
    Candidates are kept out of the first clustering: a hub such as an HTTP helper every view
    calls would otherwise pull all its users into one cluster and look used by one service.
    """
    popular = {m for m in modules
               if m not in owners and len(_others(usage.users.get(m, {}), m)) >= rules.utility_min_users}
    settled = popular | set(known_shared)
    return frozenset(m for m in popular if set(_others(usage.used.get(m, {}), m)) <= settled)


def judge_candidates(candidates: Iterable[str], assignment: Mapping[str, str], usage: Usage,
                     rules: SharedRules = RULES) -> dict[str, str]:
    """The candidates whose users, once clustered without them, span several services."""
    found = {}
    for module in sorted(candidates):
        clients = _by_service(usage.users.get(module, {}), assignment, module)
        if len(clients) >= rules.utility_min_services:
            found[module] = f"utility used by {len(clients)} services"
    return found


def composition_roots(assignment: Mapping[str, str], usage: Usage, touching_data: frozenset[str],
                      rules: SharedRules = RULES) -> dict[str, str]:
    """Clustered modules that wire several services together, touch no table, and no service uses."""
    found = {}
    for module in sorted(assignment):
        clients = _by_service(usage.users.get(module, {}), assignment, module)
        targets = _by_service(usage.used.get(module, {}), assignment, module)
        if not clients and module not in touching_data and len(targets) >= rules.root_min_target_services \
                and max(targets.values()) <= rules.root_max_home_share * sum(targets.values()):
            found[module] = f"composition root (wires {len(targets)} services)"
    return found


def kernel_siblings(modules: Iterable[str], usage: Usage, shared: Iterable[str],
                    touching_data: frozenset[str]) -> dict[str, str]:
    """Leaf modules (no table, no dependency outside the kernel) in a package that is mostly kernel.

    `utils.queueing` used by one service is still a utility when `utils.*` is the shared kernel.
    """
    shared = set(shared)
    modules = sorted(set(modules) - shared)
    siblings: dict[str, list[str]] = defaultdict(list)
    for module in (*modules, *shared):
        siblings[module.rpartition(".")[0]].append(module)
    found = {}
    for module in modules:
        package = module.rpartition(".")[0]
        others = [m for m in siblings[package] if m != module]
        in_kernel = sum(m in shared for m in others)
        depends_outside = any(t not in shared for t in _others(usage.used.get(module, {}), module))
        if package and module not in touching_data and not depends_outside and in_kernel * 2 > len(others):
            found[module] = f"leaf module beside the shared kernel's {package}.*"
    return found


def majority_home(module: str, assignment: Mapping[str, str]) -> str:
    """The community holding a strict majority of the modules below `module`'s package, or ''.

    Used for empty packages and unlinked modules: they go where their package's code went.
    """
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        prefix = ".".join(parts[:depth]) + "."
        homes = Counter(c for m, c in assignment.items() if m.startswith(prefix) and m != module)
        if homes:
            (best, count), = sorted(homes.items(), key=lambda item: (-item[1], item[0]))[:1]
            return best if count * 2 > sum(homes.values()) else ""
    return ""


def _others(links: Mapping[str, float], module: str) -> dict[str, float]:
    return {other: weight for other, weight in links.items() if other != module}


def _by_service(links: Mapping[str, float], assignment: Mapping[str, str], module: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for other, weight in links.items():
        if other != module and other in assignment:
            totals[assignment[other]] += weight
    return dict(totals)
