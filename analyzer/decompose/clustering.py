"""Louvain clustering on the module graph, with pins and a search for a target service count.

All networkx calls of the decompose stage live here. Graphs are built from sorted nodes and
edges and Louvain is seeded, so the same input always gives the same partition.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
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


def undirected(edges: Iterable[tuple[str, str, float]], nodes: Iterable[str]) -> nx.Graph:
    """A sorted undirected graph; weights of a→b and b→a are summed, self-loops dropped."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, weight in edges:
        if a != b and weight > 0:
            weights[(min(a, b), max(a, b))] += weight
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes)))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items())
                                  if a in graph and b in graph)
    return graph


def canonical(communities: Iterable[Iterable[str]]) -> Partition:
    """Communities sorted internally, then by size (largest first) and first member."""
    result = [sorted(c) for c in communities if c]
    return sorted(result, key=lambda c: (-len(c), c[0]))


def louvain(graph: nx.Graph, resolution: float, seed: int) -> Partition:
    if graph.number_of_edges() == 0:
        return canonical([n] for n in graph.nodes)
    return canonical(nx.community.louvain_communities(graph, weight="weight", resolution=resolution,
                                                      seed=seed))


def modularity(graph: nx.Graph, partition: Sequence[Sequence[str]]) -> float:
    """Newman–Girvan weighted modularity Q (networkx); 0 for a graph without edges."""
    if graph.number_of_edges() == 0 or graph.size(weight="weight") <= 0:
        return 0.0
    return float(nx.community.modularity(graph, [set(c) for c in partition], weight="weight"))


def cluster(graph: nx.Graph, resolution: float, seed: int, pins: Pins) -> tuple[Partition, dict[str, str]]:
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


def search_resolution(graph: nx.Graph, target: int, start: float, seed: int, pins: Pins) -> float:
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


def _units(graph: nx.Graph, pins: Pins) -> dict[str, list[str]]:
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


def _contract(graph: nx.Graph, units: Mapping[str, list[str]]) -> nx.Graph:
    unit_of = {m: key for key, members in units.items() for m in members}
    return undirected(((unit_of[a], unit_of[b], w) for a, b, w in graph.edges(data="weight")), units)


def _split_assigned(community: list[str], named: Mapping[str, str], graph: nx.Graph) -> Partition:
    """One part per assigned name in the community; free units join the name they pull hardest.

    Free units with no link to any assigned unit stay together as a part of their own.
    """
    seeds = {named[unit]: [unit] for unit in community if named[unit]}
    if len(seeds) <= 1:
        return [community]
    groups = _grow(graph, dict(sorted(seeds.items())), [u for u in community if not named[u]])
    return [sorted(members) for members in groups.values() if members]


def _grow(graph: nx.Graph, seeds: dict[str, list[str]], free: list[str]) -> dict[str, list[str]]:
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
