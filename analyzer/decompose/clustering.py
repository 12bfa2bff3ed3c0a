"""Louvain clustering on the module graph, with pins and a search for a target service count.

All networkx calls of the decompose stage live here. Graphs are built from sorted nodes and
edges and Louvain is seeded, so the same input always gives the same partition.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from analyzer.errors import OverridesError

Partition = list[list[str]]  # each community sorted; communities in canonical order

#: Resolutions tried when searching for a requested number of services (log-spaced bisection).
RESOLUTION_RANGE = (0.05, 8.0)
RESOLUTION_SEARCH_STEPS = 9


@dataclass(frozen=True)
class Pins:
    """The reviewer's constraints, already restricted to modules being clustered."""

    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()
    assign: Mapping[str, str] = field(default_factory=dict)  # module -> service name


def undirected(edges: Iterable[tuple[str, str, float]], nodes: Iterable[str]) -> nx.Graph[str]:
    """A sorted undirected graph; weights of a→b and b→a are summed, self-loops dropped."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, weight in edges:
        if a != b and weight > 0:
            weights[(min(a, b), max(a, b))] += weight
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes)))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items())
                                  if a in graph and b in graph)
    return graph


def contract(graph: nx.Graph[str], groups: Mapping[str, Sequence[str]],
             keep: Callable[[str, Sequence[str]], bool] = lambda key, members: True) -> nx.Graph[str]:
    """One node per group, keyed as in `groups`: weights between groups summed, the weight inside a
    group kept as a self-loop, so that Louvain counts it in the group's degree (a large unit is not
    mistaken for a light one). Groups without a link to another group are kept when `keep` says so."""
    group_of = {m: key for key, members in groups.items() for m in members}
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, weight in graph.edges(data="weight", default=0.0):
        group_a, group_b = group_of.get(a), group_of.get(b)
        if group_a is not None and group_b is not None and weight > 0:
            weights[(min(group_a, group_b), max(group_a, group_b))] += weight
    linked = {g for pair in weights if pair[0] != pair[1] for g in pair}
    contracted: nx.Graph[str] = nx.Graph()
    contracted.add_nodes_from(sorted(k for k, members in groups.items() if members and (k in linked or keep(k, members))))
    contracted.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items())
                                       if a in contracted and b in contracted)
    return contracted


def canonical(communities: Iterable[Iterable[str]]) -> Partition:
    """Communities sorted internally, then by size (largest first) and first member."""
    result = [sorted(c) for c in communities if c]
    return sorted(result, key=lambda c: (-len(c), c[0]))


def louvain(graph: nx.Graph[str], resolution: float, seed: int) -> Partition:
    if graph.number_of_edges() == 0:
        return canonical([n] for n in graph.nodes)
    return canonical(nx.community.louvain_communities(graph, weight="weight", resolution=resolution,
                                                      seed=seed))


def modularity(graph: nx.Graph[str], partition: Sequence[Sequence[str]]) -> float:
    """Newman–Girvan weighted modularity Q (networkx); 0 for a graph without edges."""
    if graph.number_of_edges() == 0 or graph.size(weight="weight") <= 0:
        return 0.0
    return float(nx.community.modularity(graph, [set(c) for c in partition], weight="weight"))


def cluster(graph: nx.Graph[str], resolution: float, seed: int, pins: Pins) -> tuple[Partition, dict[str, str]]:
    """Louvain around the pins. Returns (partition, assigned service name by community's first member).

    Modules pinned together (by `together` or by the same `assign` name) are contracted into one
    super-node before Louvain, so they cannot be split; communities holding two assigned names,
    or both ends of an `apart` pair, are then split around those seeds by region growing.
    """
    units = _units(graph, pins)
    unit_of = {m: key for key, members in units.items() for m in members}
    contracted = graph if len(units) == graph.number_of_nodes() else _contract(graph, units)
    named = {key: pins.assign.get(members[0], "") for key, members in units.items()}
    parts: Partition = []
    for community in louvain(contracted, resolution, seed):
        parts.extend(_split_assigned(community, named, contracted))
    for a, b in sorted(pins.apart):
        unit_a, unit_b = unit_of.get(a), unit_of.get(b)
        if unit_a is None or unit_b is None or unit_a == unit_b:
            continue  # unknown module, or both assigned the same service: the assignment wins
        index = next(i for i, part in enumerate(parts) if unit_a in part)
        if unit_b not in parts[index]:
            continue
        part = parts.pop(index)
        groups = _grow(contracted, {"a": [unit_a], "b": [unit_b]}, [u for u in part if u not in (unit_a, unit_b)])
        parts += [sorted(groups["a"] + groups[""]), sorted(groups["b"])]
    partition: Partition = []
    names: dict[str, str] = {}
    for part in parts:
        members = sorted(m for unit in part for m in units[unit])
        partition.append(members)
        name = next((named[unit] for unit in part if named[unit]), "")
        if name:
            names[members[0]] = name
    ordered = canonical(partition)
    return ordered, {c[0]: names[c[0]] for c in ordered if c[0] in names}


def search_resolution(graph: nx.Graph[str], target: int, start: float, seed: int, pins: Pins) -> float:
    """The resolution whose clustering has the number of communities closest to `target`.

    The number of communities grows with the resolution (not strictly), so a bisection on a
    log scale finds it; ties prefer the resolution nearest `start`.
    """
    def communities_at(resolution: float) -> int:
        return len(cluster(graph, resolution, seed, pins)[0])

    best = (abs(communities_at(start) - target), 0.0, start)
    low, high = math.log(RESOLUTION_RANGE[0]), math.log(RESOLUTION_RANGE[1])
    for _ in range(RESOLUTION_SEARCH_STEPS):
        if best[0] == 0:
            break
        middle = (low + high) / 2
        resolution = round(math.exp(middle), 6)
        found = communities_at(resolution)
        best = min(best, (abs(found - target), abs(math.log(resolution / start)), resolution))
        if found < target:
            low = middle
        else:
            high = middle
    return best[2]


# --------------------------------------------------------------------------- pins


def _units(graph: nx.Graph[str], pins: Pins) -> dict[str, list[str]]:
    """Union the modules that must stay together; key each unit by its first member."""
    parent = {n: n for n in graph.nodes}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a: str, b: str) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)

    by_name: dict[str, list[str]] = defaultdict(list)
    for module, name in sorted(pins.assign.items()):
        if module in parent:
            by_name[name].append(module)
    for members in by_name.values():
        for other in members[1:]:
            union(members[0], other)
    for group in pins.together:
        free = [m for m in group if m in parent and m not in pins.assign]
        for other in free[1:]:
            union(free[0], other)
    units: dict[str, list[str]] = defaultdict(list)
    for node in sorted(parent):
        units[find(node)].append(node)
    for a, b in pins.apart:
        if a in parent and b in parent and find(a) == find(b) and not (a in pins.assign and b in pins.assign):
            raise OverridesError(
                f"{a} and {b} are pinned both together and apart; remove one of the two constraints."
            )
    return {_unit_key(members): members for members in units.values()}


def _unit_key(members: Sequence[str]) -> str:
    return members[0]


def _contract(graph: nx.Graph[str], units: Mapping[str, list[str]]) -> nx.Graph[str]:
    return contract(graph, units)


def _split_assigned(community: list[str], named: Mapping[str, str], graph: nx.Graph[str]) -> Partition:
    """One part per assigned name in the community; free units join the name they pull hardest.

    Free units with no link to any assigned unit stay together as a part of their own.
    """
    seeds = {named[unit]: [unit] for unit in community if named[unit]}
    if len(seeds) <= 1:
        return [community]
    groups = _grow(graph, dict(sorted(seeds.items())), [u for u in community if not named[u]])
    return [sorted(members) for members in groups.values() if members]


def _grow(graph: nx.Graph[str], seeds: dict[str, list[str]], free: list[str]) -> dict[str, list[str]]:
    """Greedy region growing: repeatedly give the free unit with the strongest pull to that seed.

    Units with no link to any seed group are returned under the key "".
    """
    groups = {name: list(members) for name, members in seeds.items()}
    owner = {m: name for name, members in groups.items() for m in members}
    remaining = set(free)
    while remaining:
        best: tuple[float, str, str] | None = None
        for unit in sorted(remaining):
            pulls: dict[str, float] = defaultdict(float)
            for neighbour, attrs in graph[unit].items():
                if neighbour in owner:
                    pulls[owner[neighbour]] += attrs.get("weight", 0.0)
            for name, pull in pulls.items():
                if best is None or (-pull, unit, name) < (-best[0], best[1], best[2]):
                    best = (pull, unit, name)
        if best is None or best[0] <= 0:
            break
        _, unit, name = best
        groups[name].append(unit)
        owner[unit] = name
        remaining.discard(unit)
    groups[""] = sorted(remaining)
    return groups


# --------------------------------------------------------------------------- merging units


@dataclass(frozen=True)
class MergeRule:
    """When a unit (an app) joins another instead of becoming a service of its own.

    A unit B joins a larger unit A when the coupling between them is at least `internal_share` of
    B's own internal coupling and at least `external_share` of B's coupling to all other units: B
    is a satellite of A (`source_web_forms` of `sources`). Each unit is judged against the units
    as written, not against what earlier merges grew (a core app everything touches would
    otherwise swallow the project one app at a time). Both shares scale with the resolution
    (`default_resolution` = as written), so a higher resolution asks for denser coupling.
    """

    internal_share: float = 1.0
    external_share: float = 0.5
    default_resolution: float = 1.5
    #: No merge grows a service past this share of the modules clustered (one giant service is no plan).
    max_share: float = 0.25

    def at(self, resolution: float) -> tuple[float, float]:
        scale = resolution / self.default_resolution
        return self.internal_share * scale, min(1.0, self.external_share * scale)


MERGE_RULE = MergeRule()


@dataclass
class _Merging:
    """Communities of units with their internal weight, weight to each other, and pinned names."""

    graph: nx.Graph[str]
    members: dict[str, list[str]]
    internal: dict[str, float]
    between: dict[str, dict[str, float]]
    names: dict[str, str]
    apart: set[frozenset[str]]

    @classmethod
    def start(cls, graph: nx.Graph[str], pins: Pins) -> _Merging:
        members = {node: [node] for node in graph.nodes}
        internal = dict.fromkeys(graph.nodes, 0.0)
        between: dict[str, dict[str, float]] = {node: {} for node in graph.nodes}
        for a, b, weight in graph.edges(data="weight", default=0.0):
            if a == b:
                internal[a] += weight
            else:
                between[a][b] = between[a].get(b, 0.0) + weight
                between[b][a] = between[b].get(a, 0.0) + weight
        names = {node: pins.assign[node] for node in graph.nodes if node in pins.assign}
        apart = {frozenset(pair) for pair in pins.apart if all(p in graph for p in pair)}
        merging = cls(graph, members, internal, between, names, apart)
        for group in pins.together:
            present = [u for u in group if u in graph]
            for other in present[1:]:
                merging.merge(merging.find(present[0]), merging.find(other))
        by_name: dict[str, list[str]] = defaultdict(list)
        for node, name in sorted(names.items()):
            by_name[name].append(node)
        for nodes in by_name.values():
            for other in nodes[1:]:
                merging.merge(merging.find(nodes[0]), merging.find(other))
        return merging

    def find(self, unit: str) -> str:
        return next(key for key, members in self.members.items() if unit in members)

    def allowed(self, a: str, b: str) -> bool:
        name_a, name_b = self.names.get(a), self.names.get(b)
        if name_a and name_b and name_a != name_b:
            return False
        return not any(frozenset((x, y)) in self.apart for x in self.members[a] for y in self.members[b])

    def merge(self, a: str, b: str) -> str:
        """Merge community b into a (the key that sorts first is kept)."""
        if a == b:
            return a
        keep, gone = sorted((a, b))
        self.members[keep] = sorted(self.members[keep] + self.members.pop(gone))
        self.internal[keep] += self.internal.pop(gone) + self.between[keep].pop(gone, 0.0)
        self.between[gone].pop(keep, None)
        for other, weight in self.between.pop(gone).items():
            self.between[keep][other] = self.between[keep].get(other, 0.0) + weight
            self.between[other].pop(gone, None)
            self.between[other][keep] = self.between[other].get(keep, 0.0) + weight
        if gone in self.names:
            self.names.setdefault(keep, self.names.pop(gone))
        return keep

    def best(self, internal_share: float, external_share: float, size: Callable[[str], int]) -> tuple[float, str, str] | None:
        """The most satellite-like pair (score >= 1 means the rule holds), as (score, host, satellite)."""
        found: tuple[float, str, str] | None = None
        for satellite in sorted(self.members):
            candidate = self.best_for(satellite, internal_share, external_share, size)
            if candidate is not None and (found is None or candidate > found):
                found = candidate
        return found

    def best_for(self, satellite: str, internal_share: float, external_share: float,
                 size: Callable[[str], int]) -> tuple[float, str, str] | None:
        """The larger community `satellite` is most tied to, scored by MergeRule (>= 1: it joins)."""
        external = sum(self.between[satellite].values())
        found: tuple[float, str, str] | None = None
        for host, weight in sorted(self.between[satellite].items()):
            if weight <= 0 or size(host) < size(satellite) or not self.allowed(host, satellite):
                continue
            own = internal_share * self.internal[satellite]
            score = min(weight / own if own else float("inf"), weight / (external_share * external))
            if found is None or (score, host, satellite) > found:
                found = (score, host, satellite)
        return found


def _plugins(merging: _Merging, hosts: Mapping[str, str], external_share: float) -> list[tuple[str, str, float]]:
    """(host, plugin, share) for plugins whose coupling goes mostly to their host's family."""
    family: dict[str, set[str]] = defaultdict(set)
    for plugin, host in hosts.items():
        family[host].update((host, plugin))
    found = []
    for plugin, host in sorted(hosts.items()):
        if plugin not in merging.members or host not in merging.members:
            continue
        links = merging.between[plugin]
        external = sum(links.values())
        share = sum(w for other, w in links.items() if other in family[host] and other != plugin) / external \
            if external else 0.0
        if share >= external_share:
            found.append((host, plugin, share))
    return sorted(found, key=lambda f: (-f[2], f[1]))


def merge_units(graph: nx.Graph[str], sizes: Mapping[str, int], resolution: float, pins: Pins,
                target: int = 0, hosts: Mapping[str, str] | None = None,
                rule: MergeRule = MERGE_RULE) -> tuple[Partition, dict[str, str], dict[str, str]]:
    """Group units into services by merging satellites into the unit they depend on (MergeRule).

    `graph` has one node per unit (self-loops: internal weight). A plugin (`hosts`: a unit owning
    no data, named or nested as an extension of another) joins its host when most of its coupling
    goes to the host's family (the host and its other plugins), however cohesive it is inside.
    With `target`, the most satellite-like pairs keep merging until that many communities remain
    (never below it).
    Returns the partition (canonical order), pinned names keyed by each community's first unit,
    and for each unit that joined another, why.
    """
    internal_share, external_share = rule.at(resolution)
    merging = _Merging.start(graph, pins)

    def size(key: str) -> int:
        return sum(sizes.get(u, 1) for u in merging.members[key])

    reasons: dict[str, str] = {}
    # Satellites, each judged against the units as written: (score, host, satellite) per unit.
    firsts = sorted((found for found in (merging.best_for(u, internal_share, external_share, size)
                                         for u in sorted(merging.members)) if found is not None),
                    key=lambda f: (-f[0], f[1], f[2]))
    decided = [(host, satellite, merging.between[satellite][host] / sum(merging.between[satellite].values()), False)
               for score, host, satellite in firsts if score >= 1.0]
    decided = [(*found, True) for found in _plugins(merging, hosts or {}, external_share)] + decided
    limit = rule.max_share * sum(sizes.get(u, 1) for u in graph.nodes)
    for host, satellite, share, plugin in decided:
        host_key, satellite_key = merging.find(host), merging.find(satellite)
        too_big = not plugin and size(host_key) + size(satellite_key) > limit  # a plugin is part of its host anyway
        if host_key == satellite_key or not merging.allowed(host_key, satellite_key) \
                or (target and len(merging.members) <= target) or too_big:
            continue
        reasons.update(dict.fromkeys(merging.members[satellite_key],
                                     f"joined {host}: {share:.0%} of its coupling to other units goes there"))
        merging.merge(host_key, satellite_key)
    while target and len(merging.members) > target:
        best = merging.best(internal_share, external_share, size)
        if best is None:
            break
        _, host, satellite = best
        share = merging.between[satellite][host] / sum(merging.between[satellite].values())
        reasons.update(dict.fromkeys(merging.members[satellite], f"joined {merging.members[host][0]} to reach "
                                     f"{target} services: {share:.0%} of its coupling goes there"))
        merging.merge(host, satellite)
    partition = canonical(merging.members.values())
    names = {}
    for key, members in merging.members.items():
        if key in merging.names:
            names[sorted(members)[0]] = merging.names[key]
    return partition, {c[0]: names[c[0]] for c in partition if c[0] in names}, reasons
