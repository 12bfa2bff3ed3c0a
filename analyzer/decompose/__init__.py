"""Decompose stage: CodeGraph → Decomposition (services, shared kernel, metrics, why).

1. The module graph's per-signal edge values are combined with `options.weights` (so the
   UI can switch a signal off without rescanning) into one undirected weighted graph.
2. The shared kernel is set aside first (forced modules, composition roots by name), then
   found structurally after a clustering (utilities many services use, wiring modules);
   the clustering is redone without them so they cannot glue services together.
3. Louvain (seeded) clusters the rest around the reviewer's pins; with `options.services`
   the resolution is searched to reach that many services.
4. Unlinked modules and empty packages join the service holding most of their package.
5. Services are named from their vocabulary, renamed as asked, measured and explained.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from analyzer.decompose.clustering import (
    Pins,
    cluster,
    contract,
    merge_units,
    modularity,
    search_resolution,
    undirected,
)
from analyzer.decompose.metrics import (
    inter_partition_call_percentage,
    interface_number,
    non_extreme_distribution,
    per_service_structure,
    structural_modularity,
)
from analyzer.decompose.naming import SHARED_KERNEL_NAME, app_service_name, propose_names
from analyzer.decompose.shared import (
    RULES as SHARED_RULES,
)
from analyzer.decompose.shared import (
    Usage,
    composition_roots,
    data_holders,
    data_users,
    edge_signals,
    is_empty_package,
    judge_candidates,
    kernel_siblings,
    majority_home,
    named_roots,
    structural_usage,
    utility_candidates,
)
from analyzer.decompose.tables import table_uses
from analyzer.decompose.units import Units, find_units
from analyzer.graph.runtime import observed_modules, runtime_calls_between
from analyzer.graph.signals import signal_strength
from analyzer.model import SIGNALS, Cluster, CodeGraph, Decomposition, ModuleFacts, TableUse, WhyLink
from analyzer.options import AnalysisOptions

__all__ = ["decompose", "SHARED_KERNEL_NAME"]

#: How many links explain each module's placement.
WHY_LINKS = 3


def decompose(graph: CodeGraph, options: AnalysisOptions | None = None) -> Decomposition:
    """Propose services for the analyzed modules; deterministic for a given graph and options."""
    options = options or AnalysisOptions()
    codebase = graph.codebase
    facts = {m.name: m for m in codebase.modules}
    modules = sorted(facts)
    edges = edge_signals(graph)
    contributions = _signal_contributions(edges, facts, options.weights)
    full = undirected(((a, b, sum(c.values())) for (a, b), c in contributions.items()), modules)

    notes = [f"ignored override for unknown module {m}" for m in sorted(set(options.assign) - set(facts))]
    assign = {m: s for m, s in sorted(options.assign.items()) if m in facts}
    service_assign = {m: s for m, s in assign.items() if s != SHARED_KERNEL_NAME}
    shared = {m: "assigned to the shared kernel" for m, s in assign.items() if s == SHARED_KERNEL_NAME}
    shared.update({m: "forced shared by the reviewer" for m in sorted(options.shared)
                   if m in facts and m not in service_assign})
    notes += [f"ignored shared override for unknown module {m}" for m in sorted(set(options.shared) - set(facts))]
    for module, reason in named_roots(codebase.modules).items():
        if module not in service_assign:
            shared.setdefault(module, reason)
    pins_all = Pins(tuple(tuple(g) for g in options.together), tuple((a, b) for a, b in options.apart),
                    service_assign)
    context = _Context(graph, full, structural_usage(edges, options.weights), shared, service_assign, pins_all, options)

    tables = {a.module: a.table for a in graph.data_access if a.via == "define"}
    units = find_units(codebase, graph.models, full, context.usage, tables, shared)
    if units is None:
        grouping = _cluster_modules(context, modules, facts)
    else:
        grouping = _cluster_units(context, modules, facts, units)
    community_of = _place_leftovers(modules, grouping.community_of, shared, grouping.empty)
    services = _services(community_of)
    names = _names(services, grouping.pinned_names, facts, options.rename, grouping.preferred_names(services))
    assignment = {m: names[key] for key, members in services.items() for m in members}
    assignment.update({m: SHARED_KERNEL_NAME for m in shared})
    reached = grouping.reached_note(len(services), options.services)
    if reached:
        notes.append(reached)

    uses = table_uses(graph.data_access, assignment)
    clusters, metrics = _measure(graph, full, assignment, modules, uses)
    why = _explain(assignment, contributions, full, _observed_links(graph))
    return Decomposition(
        graph=graph,
        clusters=clusters,
        assignment=dict(sorted(assignment.items())),
        metrics=metrics,
        why=why,
        resolution=grouping.resolution,
        seed=options.seed,
        shared_reasons=dict(sorted(shared.items())),
        notes=tuple(notes),
        placement={m: r for m, r in sorted(grouping.placement.items()) if m not in shared},
        tables=uses,
    )


@dataclass(frozen=True)
class _Context:
    """What both clustering modes read: the graph, its combined weights, usage, the kernel so far and the pins."""

    graph: CodeGraph
    full: nx.Graph[str]
    usage: Usage
    shared: dict[str, str]  # grows as kernel modules are found
    assign: Mapping[str, str]
    pins: Pins
    options: AnalysisOptions


@dataclass(frozen=True)
class _Grouping:
    """A clustering's outcome: module -> community key, plus what naming and the report need."""

    community_of: dict[str, str]
    pinned_names: dict[str, str]
    resolution: float
    empty: set[str]
    units: int  # how many units could at most become services
    by_units: bool = False  # units are apps and modules outside them (else single modules)
    app_of: dict[str, str] = field(default_factory=dict)  # module -> its app package (unit mode)
    placement: dict[str, str] = field(default_factory=dict)  # module -> why it sits where it does
    split_apps: frozenset[str] = frozenset()  # apps split into parts (named from their vocabulary)

    def preferred_names(self, services: Mapping[str, list[str]]) -> dict[str, str]:
        """Services holding apps are named after their largest app (`submission`), not a vocabulary word."""
        preferred = {}
        for key, members in services.items():
            apps = Counter(self.app_of[m] for m in members if self.app_of.get(m) and self.app_of[m] not in self.split_apps)
            if apps:
                preferred[key] = sorted(apps.items(), key=lambda item: (-item[1], item[0]))[0][0]
        return preferred

    def reached_note(self, reached: int, asked: int) -> str:
        if asked <= 0 or reached >= asked:
            return ""
        if self.by_units:
            why = f"the code has {self.units} units (apps and modules outside them) that can be placed apart"
        else:
            why = f"the finest clustering of its {self.units} linked modules that was tried gives no more"
        return f"asked for {asked} services, reached {reached}: {why}; pin modules apart to split further"


def _cluster_modules(context: _Context, modules: Sequence[str], facts: Mapping[str, ModuleFacts]) -> _Grouping:
    """Module by module (a layered monolith without apps): Louvain over the module graph."""
    graph, full, usage, shared, service_assign, options = (context.graph, context.full, context.usage,
                                                          context.shared, context.assign, context.options)
    empty = {m for m in modules if is_empty_package(facts[m]) and m not in service_assign and m not in shared}
    candidates = utility_candidates(modules, usage, data_holders(graph), shared) - set(service_assign) \
        - set(shared) - empty

    # First clustering, without the utility candidates: which of them serve several services,
    # and which clustered modules only wire services together?
    first = _clustering_graph(full, [m for m in modules if m not in set(shared) | empty | candidates],
                              service_assign)
    partition, _ = cluster(first, options.resolution, options.seed, _restrict(context.pins, first))
    community_of = {m: c[0] for c in partition for m in c}
    touching_data = data_users(graph)
    found = {**judge_candidates(candidates, community_of, usage),
             **composition_roots(community_of, usage, touching_data)}
    shared.update({m: r for m, r in found.items() if m not in service_assign})
    found = kernel_siblings([*community_of, *candidates], usage, shared, touching_data)
    shared.update({m: r for m, r in found.items() if m not in service_assign})

    # Final clustering without the shared kernel.
    clustered = _clustering_graph(full, [m for m in modules if m not in shared and m not in empty], service_assign)
    pins = _restrict(context.pins, clustered)
    resolution = options.resolution
    if options.services > 0:
        resolution = search_resolution(clustered, options.services, options.resolution, options.seed, pins)
    partition, pinned_names = cluster(clustered, resolution, options.seed, pins)
    return _Grouping({m: c[0] for c in partition for m in c}, pinned_names, resolution, empty,
                     units=clustered.number_of_nodes())


def _cluster_units(context: _Context, modules: Sequence[str], facts: Mapping[str, ModuleFacts],
                   units: Units) -> _Grouping:
    """App by app: the kernel and layer folders found from the package structure, then Louvain over
    units (apps, layer folders, modules outside them) that are never torn apart."""
    graph, full, usage, shared, service_assign, options = (context.graph, context.full, context.usage,
                                                          context.shared, context.assign, context.options)
    shared.update({m: r for m, r in units.kernel.items() if m not in service_assign})
    unit_of = units.unit_of()
    app_of = {m: units.app_of_unit[unit] for m, unit in unit_of.items() if units.app_of_unit[unit]}
    outside = [m for m in modules if m in unit_of and m not in app_of]
    empty = {m for m in outside if is_empty_package(facts[m]) and m not in service_assign and m not in shared}

    # The structural kernel among the modules outside apps: utilities several apps use, wiring.
    candidates = utility_candidates(outside, usage, data_holders(graph), shared) - set(service_assign) \
        - set(shared) - empty
    community_of_unit = {m: app_of.get(m, unit_of[m]) for m in unit_of if m not in candidates}
    touching_data = data_users(graph)
    roots = composition_roots(community_of_unit, usage, touching_data)
    found = {**judge_candidates(candidates, community_of_unit, usage),
             **{m: r for m, r in roots.items() if m not in app_of}}
    shared.update({m: r for m, r in found.items() if m not in service_assign})
    found = kernel_siblings([m for m in outside if m not in shared], usage, shared, touching_data)
    shared.update({m: r for m, r in found.items() if m not in service_assign and m not in app_of})

    atoms = _atoms(units, unit_of, shared, empty, service_assign, context.pins)
    split = _split_giants(atoms, units, full, options.seed)
    contracted = contract(full, atoms, keep=lambda key, members: bool(units.app_of_unit.get(key)) or key in split
                          or key in service_assign)
    pins = Pins(together=tuple(tuple(sorted({_atom_of(atoms, m) for m in group} - {""}))
                               for group in context.pins.together),
                apart=tuple((_atom_of(atoms, a), _atom_of(atoms, b)) for a, b in context.pins.apart),
                assign={m: n for m, n in service_assign.items() if m in contracted})
    sizes = {key: len(members) for key, members in atoms.items()}
    hosts = {a: h for a, h in units.hosts.items() if a in contracted and h in contracted}
    partition, pinned, joined = merge_units(contracted, sizes, options.resolution, pins, target=options.services,
                                            hosts=hosts)
    community_of: dict[str, str] = {}
    pinned_names: dict[str, str] = {}
    for community in partition:
        members = sorted(m for key in community for m in atoms[key])
        community_of.update((m, members[0]) for m in members)
        if community[0] in pinned:
            pinned_names[members[0]] = pinned[community[0]]
    for module, reason in _plumbing(community_of, app_of, usage, service_assign).items():
        shared[module] = reason
        del community_of[module]
    joined.update(_strays(community_of, app_of, full, service_assign))
    placement = {m: f"app package {app}" for m, app in app_of.items() if m not in units.placed}
    placement.update(units.placed)
    placement.update({m: why for key, why in split.items() for m in atoms.get(key, ())})
    for key, why in joined.items():
        for module in atoms.get(key, [key]):
            placement[module] = f"{placement[module]}; {why}" if module in placement else why
    return _Grouping(community_of, pinned_names, options.resolution, empty, units=contracted.number_of_nodes(),
                     by_units=True, app_of=app_of, placement=placement,
                     split_apps=frozenset(app_of[atoms[key][0]] for key in split if atoms.get(key)))


def _plumbing(community_of: Mapping[str, str], app_of: Mapping[str, str], usage: Usage,
              assign: Mapping[str, str]) -> dict[str, str]:
    """Modules outside every app that no app absorbed, used by several services holding apps:
    plumbing the apps share (base views of a layer folder, helpers outside the apps), so kernel."""
    with_apps = {community_of[m] for m in app_of if m in community_of}
    found = {}
    for module, community in sorted(community_of.items()):
        if community in with_apps or module in assign:
            continue
        users = {community_of[u] for u in usage.users.get(module, {}) if community_of.get(u) in with_apps}
        if len(users) >= SHARED_RULES.utility_min_services - 1:
            found[module] = f"part of no app, used by {len(users)} services"
    return found


def _strays(community_of: dict[str, str], app_of: Mapping[str, str], full: nx.Graph[str],
            assign: Mapping[str, str]) -> dict[str, str]:
    """A lone module outside every app that nothing absorbed (a CLI command, a stray helper) is no
    service: it joins the service holding apps it is coupled to most, or is left for its package."""
    with_apps = {community_of[m] for m in app_of if m in community_of}
    sizes = Counter(community_of.values())
    moved = {}
    for module, community in sorted(community_of.items()):
        if community in with_apps or sizes[community] > 1 or module in assign:
            continue
        pulls: dict[str, float] = defaultdict(float)
        for neighbour, attrs in full[module].items():
            if community_of.get(neighbour) in with_apps:
                pulls[community_of[neighbour]] += attrs.get("weight", 0.0)
        if pulls:
            target, weight = sorted(pulls.items(), key=lambda item: (-item[1], item[0]))[0]
            community_of[module] = target
            moved[module] = f"joined the service it is coupled to most ({weight / sum(pulls.values()):.0%} of its links)"
        else:
            del community_of[module]
    return moved


def _atoms(units: Units, unit_of: Mapping[str, str], shared: Mapping[str, str], empty: set[str],
           assign: Mapping[str, str], pins: Pins) -> dict[str, list[str]]:
    """Unit members outside the kernel; a module the reviewer placed, or pinned apart from a unit
    mate, leaves its unit and is clustered on its own."""
    alone = set(assign) | {b for a, b in pins.apart if unit_of.get(a) == unit_of.get(b)}
    atoms: dict[str, list[str]] = defaultdict(list)
    for module in sorted(unit_of):
        if module in shared or module in empty:
            continue
        atoms[module if module in alone else unit_of[module]].append(module)
    return dict(atoms)


#: An app holding more than this share of the clustered modules is split where its own coupling divides it ...
GIANT_SHARE = 0.35
#: ... when the split has at least this modularity (inside the app), at this Louvain resolution;
GIANT_MIN_MODULARITY = 0.3
GIANT_RESOLUTION = 1.0
#: parts smaller than this join the part they are coupled to most.
GIANT_MIN_PART = 3


def _split_giants(atoms: dict[str, list[str]], units: Units, full: nx.Graph[str], seed: int) -> dict[str, str]:
    """Replace each giant app atom by its parts (in place); returns part key -> why its modules are there.

    One app holding a third of the code and most of the data (a `base` package every layer
    uses) is no service; where its own modules fall into groups coupled far more inside than
    across (modularity >= GIANT_MIN_MODULARITY), each group becomes a unit of its own.
    """
    total = sum(len(members) for members in atoms.values())
    split: dict[str, str] = {}
    for key in sorted(atoms):
        members = atoms[key]
        if not units.app_of_unit.get(key) or len(members) <= GIANT_SHARE * total:
            continue
        inside = full.subgraph(members)
        parts = [p for p in cluster(undirected(inside.edges(data="weight", default=0.0), members), GIANT_RESOLUTION, seed, Pins())[0]]
        quality = modularity(undirected(inside.edges(data="weight", default=0.0), members), parts)
        if len(parts) < 2 or quality < GIANT_MIN_MODULARITY:
            continue
        parts = _absorb_small_parts(parts, inside)
        del atoms[key]
        for index, part in enumerate(parts, start=1):
            atoms[f"{key}#{index}"] = part
            split[f"{key}#{index}"] = (f"part {index} of app {key}, split where its own coupling divides it "
                                       f"(it held {len(members) / total:.0%} of the code; modularity {quality:.2f})")
    return split


def _absorb_small_parts(parts: list[list[str]], inside: nx.Graph[str]) -> list[list[str]]:
    """Parts below GIANT_MIN_PART modules join the large part they are coupled to most."""
    large = [list(p) for p in parts if len(p) >= GIANT_MIN_PART]
    if not large:
        return [sorted(m for p in parts for m in p)]
    for part in (p for p in parts if len(p) < GIANT_MIN_PART):
        pulls = [sum(inside[m][n].get("weight", 0.0) for m in part for n in inside[m] if n in set(target))
                 for target in large]
        large[max(range(len(large)), key=lambda i: (pulls[i], -i))].extend(part)
    return [sorted(p) for p in large]


def _atom_of(atoms: Mapping[str, list[str]], module: str) -> str:
    return next((key for key, members in atoms.items() if module in members), "")


# --------------------------------------------------------------------------- graph


def _signal_contributions(edges: Mapping[tuple[str, str], Mapping[str, float]], facts: Mapping[str, object],
                          weights: Mapping[str, float]) -> dict[tuple[str, str], dict[str, float]]:
    """Per unordered module pair, each signal's weighted contribution (both directions summed)."""
    contributions: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (source, target), signals in edges.items():
        if source == target or source not in facts or target not in facts:
            continue
        pair = (min(source, target), max(source, target))
        for signal in SIGNALS:
            value = signal_strength(signal, signals.get(signal, 0.0)) * float(weights.get(signal, 0.0))
            if value > 0:
                contributions[pair][signal] += value
    return {pair: dict(sorted(c.items())) for pair, c in sorted(contributions.items()) if c}


def _clustering_graph(full: nx.Graph[str], candidates: Sequence[str], assigned: Mapping[str, str]) -> nx.Graph[str]:
    """The candidates that have a link to another candidate (plus every pinned module)."""
    kept = set(candidates)
    linked = [m for m in candidates if m in assigned or any(n in kept for n in full[m])]
    keep = set(linked)
    return undirected(((a, b, w) for a, b, w in full.edges(data="weight", default=0.0) if a in keep and b in keep), linked)


def _restrict(pins: Pins, graph: nx.Graph[str]) -> Pins:
    return Pins(
        together=tuple(tuple(m for m in group if m in graph) for group in pins.together),
        apart=tuple((a, b) for a, b in pins.apart if a in graph and b in graph),
        assign={m: s for m, s in pins.assign.items() if m in graph},
    )


def _place_leftovers(modules: Sequence[str], community_of: Mapping[str, str], shared: dict[str, str],
                     empty: set[str]) -> dict[str, str]:
    """Unlinked modules and empty packages go where most of their package went (adds to `shared`).

    That may be the shared kernel (`core.apps` beside `core.utils`). When their package has no
    majority they are shared: a module nothing links to above several services is wiring
    (a URL root that names the others in strings, a settings module).
    """
    placed = {m: c for m, c in community_of.items() if m not in shared}
    homes = {**placed, **{m: SHARED_KERNEL_NAME for m in shared}}
    for module in modules:
        if module in placed or module in shared:
            continue
        home = majority_home(module, homes)
        if home == SHARED_KERNEL_NAME:
            shared[module] = "empty package of the shared kernel" if module in empty \
                else "unlinked module in a shared-kernel package"
        elif home:
            placed[module] = home
        else:
            shared[module] = "empty package above several services" if module in empty \
                else "unlinked module above several services"
    return placed


def _services(community_of: Mapping[str, str]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for module in sorted(community_of):
        members[community_of[module]].append(module)
    ordered = sorted(members.values(), key=lambda c: (-len(c), c[0]))
    return {c[0]: c for c in ordered}


def _names(services: Mapping[str, list[str]], pinned: Mapping[str, str], facts: Mapping[str, ModuleFacts],
           rename: Mapping[str, str], apps: Mapping[str, str]) -> dict[str, str]:
    """Pinned names as given; then each service holding apps after its largest app; the others
    proposed from vocabulary; then the reviewer's renames."""
    pinned_by_key = {}
    for key, members in services.items():
        name = next((pinned[m] for m in members if m in pinned), "")
        if name:
            pinned_by_key[key] = name
    taken = set(pinned_by_key.values())
    for key in services:
        if key in pinned_by_key or key not in apps:
            continue
        name = app_service_name(apps[key], taken)
        if name:
            pinned_by_key[key] = name
            taken.add(name)
    free = [key for key in services if key not in pinned_by_key]
    identifiers = {m: facts[m].identifiers for key in free for m in services[key]}
    proposed = propose_names([services[k] for k in free], identifiers, reserved=sorted(pinned_by_key.values()))
    names = dict(pinned_by_key)
    names.update(zip(free, proposed, strict=True))
    return {key: rename.get(name, name) for key, name in names.items()}


# --------------------------------------------------------------------------- measure


def _measure(graph: CodeGraph, full: nx.Graph[str], assignment: Mapping[str, str], modules: Sequence[str],
             tables: Mapping[str, TableUse]) -> tuple[tuple[Cluster, ...], dict[str, float]]:
    facts = {m.name: m for m in graph.codebase.modules}
    members: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        members[assignment[module]].append(module)
    service_names = sorted(n for n in members if n != SHARED_KERNEL_NAME)
    services = [members[n] for n in service_names]
    service_of_module = {m: n for n in service_names for m in members[n]}
    dependencies = graph.dependencies()
    structure = per_service_structure(services, dependencies)
    owned: dict[str, list[str]] = defaultdict(list)
    for table, use in tables.items():
        owned[use.owner].append(table)

    structure_of = dict(zip(service_names, structure, strict=True))
    clusters = []
    for name in [*service_names, *([SHARED_KERNEL_NAME] if SHARED_KERNEL_NAME in members else [])]:
        cohesion, coupling = structure_of.get(name, (0.0, 0.0))
        clusters.append(Cluster(
            name=name,
            kind="shared" if name == SHARED_KERNEL_NAME else "service",
            modules=tuple(members[name]),
            loc=sum(facts[m].loc for m in members[name]),
            tables=tuple(sorted(owned.get(name, ()))),
            cohesion=round(cohesion, 6),
            coupling=round(coupling, 6),
        ))

    function_service = _function_services(graph, service_of_module)
    clustering_graph = undirected(((a, b, w) for a, b, w in full.edges(data="weight", default=0.0)
                                   if a in service_of_module and b in service_of_module), service_of_module)
    metrics = {
        "modularity": modularity(clustering_graph, services),
        "sm": structural_modularity(services, dependencies),
        "icp": inter_partition_call_percentage(graph.calls, function_service, service_of_module),
        "ifn": interface_number(graph.calls, function_service, service_of_module, service_names),
        "ned": non_extreme_distribution(len(s) for s in services),
    }
    return tuple(clusters), {k: round(v, 6) for k, v in metrics.items()}


def _function_services(graph: CodeGraph, service_of_module: Mapping[str, str]) -> dict[str, str]:
    """Service of every internal function named by a call site (the service of its module)."""
    names = {name for call in graph.calls for name in (call.caller, *call.callees)}
    result = {}
    for name in sorted(names):
        module = graph.codebase.module_of(name)
        if module is not None and module in service_of_module:
            result[name] = service_of_module[module]
    return result


# --------------------------------------------------------------------------- why


def _observed_links(graph: CodeGraph) -> Callable[[str, str], int | None] | None:
    """With runtime evidence: calls observed between two modules, 0 for a static call link never
    observed although one side ran, None when the evidence says nothing about the pair."""
    if graph.runtime is None:
        return None
    ran = observed_modules(graph.runtime, graph.modules.nodes)
    modules = graph.modules

    def calls(a: str, b: str) -> int | None:
        count = runtime_calls_between(modules, a, b)
        if count:
            return count
        static = any(modules.has_edge(u, v) and (modules.edges[u, v].get("call") or modules.edges[u, v].get("call_unobserved"))
                     for u, v in ((a, b), (b, a)))
        return 0 if static and (a in ran or b in ran) else None

    return calls


def _explain(assignment: Mapping[str, str], contributions: Mapping[tuple[str, str], Mapping[str, float]],
             full: nx.Graph[str], observed: Callable[[str, str], int | None] | None = None) -> dict[str, tuple[WhyLink, ...]]:
    """Each module's strongest links inside its service (for the shared kernel: to anyone), with
    the calls observed at run time across each link when runtime evidence was given."""
    why = {}
    for module in sorted(assignment):
        service = assignment[module]
        links = []
        for neighbour in full[module]:
            if service != SHARED_KERNEL_NAME and assignment.get(neighbour) != service:
                continue
            signals = contributions[(min(module, neighbour), max(module, neighbour))]
            signal = sorted(signals.items(), key=lambda item: (-item[1], item[0]))[0][0]
            links.append(WhyLink(neighbour, signal, round(sum(signals.values()), 6),
                                 observed(module, neighbour) if observed else None))
        links.sort(key=lambda link: (-link.weight, link.neighbour))
        why[module] = tuple(links[:WHY_LINKS])
    return why
