"""Quality metrics of a decomposition, as defined in the literature.

Modularity (Newman & Girvan) judges the clustering on the graph it was computed from; the
Mono2Micro set (Kalia et al., "Mono2Micro: a practical and effective tool for decomposing
monolithic Java applications to microservices", ESEC/FSE 2021, section 4) judges the
services as a migration team would: cohesive, loosely coupled, with small interfaces and
even sizes. The shared kernel is left out of the Mono2Micro metrics: it becomes a library
every service vendors, so calls into it never cross a network boundary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import combinations

from analyzer.model import CallSite

#: NED's size band (Kalia et al. 2021): a service with fewer than NED_MIN_SIZE or more than
#: NED_MAX_SIZE members (classes there, modules here) has an extreme size.
NED_MIN_SIZE = 5
NED_MAX_SIZE = 20


def structural_cohesion(members: int, internal_edges: int) -> float:
    """scoh_i = μ_i / N_i² (Jin et al. 2019, after Candela et al. 2016): share of possible
    dependencies realised inside service i, μ_i = dependency edges between its members."""
    return internal_edges / (members * members) if members else 0.0


def structural_coupling(members_i: int, members_j: int, edges_between: int) -> float:
    """scop_ij = σ_ij / (2 N_i N_j) (Jin et al. 2019): dependencies between services i and j,
    σ_ij = dependency edges in either direction."""
    return edges_between / (2 * members_i * members_j) if members_i and members_j else 0.0


def structural_modularity(services: Sequence[Sequence[str]], dependencies: Iterable[tuple[str, str]]) -> float:
    """SM = (1/K) Σ scoh_i − (1 / (K(K−1)/2)) Σ_{i<j} scop_ij  (Kalia et al. 2021, from Jin et
    al. 2019). Higher is better. `dependencies` are directed module pairs (a uses b), a ≠ b."""
    if not services:
        return 0.0
    internal, between = _edge_counts(services, dependencies)
    k = len(services)
    cohesion = sum(structural_cohesion(len(s), internal[i]) for i, s in enumerate(services)) / k
    if k < 2:
        return cohesion
    coupling = sum(structural_coupling(len(services[i]), len(services[j]), between[(i, j)])
                   for i, j in combinations(range(k), 2))
    return cohesion - coupling / (k * (k - 1) / 2)


def per_service_structure(services: Sequence[Sequence[str]],
                          dependencies: Iterable[tuple[str, str]]) -> list[tuple[float, float]]:
    """(cohesion scoh_i, coupling = mean over j≠i of scop_ij) for each service."""
    internal, between = _edge_counts(services, dependencies)
    k = len(services)
    result = []
    for i, service in enumerate(services):
        couplings = [structural_coupling(len(service), len(services[j]), between[(min(i, j), max(i, j))])
                     for j in range(k) if j != i]
        result.append((structural_cohesion(len(service), internal[i]),
                       sum(couplings) / len(couplings) if couplings else 0.0))
    return result


def inter_partition_call_percentage(calls: Iterable[CallSite], service_of_function: Mapping[str, str],
                                    service_of_module: Mapping[str, str]) -> float:
    """ICP = cross-service calls / all calls between functions of services (Kalia et al. 2021).
    Lower is better. Each call site counts once, split evenly over its internal callees;
    calls into or out of the shared kernel are left out."""
    total = crossing = 0.0
    for _call, caller_service, callee_services in _service_calls(calls, service_of_function, service_of_module):
        share = 1.0 / len(callee_services)
        for service in callee_services:
            total += share
            if service != caller_service:
                crossing += share
    return crossing / total if total else 0.0


def interface_number(calls: Iterable[CallSite], service_of_function: Mapping[str, str],
                     service_of_module: Mapping[str, str], services: Iterable[str]) -> float:
    """IFN = (1/K) Σ_i |interfaces_i|, an interface of service i being one of its functions
    called from another service (Kalia et al. 2021). Lower is better."""
    names = sorted(set(services))
    if not names:
        return 0.0
    interfaces: dict[str, set[str]] = defaultdict(set)
    for call, caller_service, _ in _service_calls(calls, service_of_function, service_of_module):
        for callee in call.callees:
            service = service_of_function.get(callee)
            if service and service != caller_service:
                interfaces[service].add(callee)
    return sum(len(interfaces[n]) for n in names) / len(names)


def non_extreme_distribution(sizes: Iterable[int], low: int = NED_MIN_SIZE, high: int = NED_MAX_SIZE) -> float:
    """Share of members in services whose size is not extreme (low ≤ size ≤ high).

    Kalia et al. 2021 report NED = 1 − Σ_{low ≤ |S_i| ≤ high} |S_i| / |members| (lower is better);
    this is the complement, so that here higher is better. Thresholds 5 and 20 are theirs.
    """
    sizes = list(sizes)
    total = sum(sizes)
    return sum(s for s in sizes if low <= s <= high) / total if total else 0.0


def _edge_counts(services: Sequence[Sequence[str]],
                 dependencies: Iterable[tuple[str, str]]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    index = {m: i for i, s in enumerate(services) for m in s}
    internal: dict[int, int] = defaultdict(int)
    between: dict[tuple[int, int], int] = defaultdict(int)
    for a, b in set(dependencies):
        i, j = index.get(a), index.get(b)
        if a == b or i is None or j is None:
            continue
        if i == j:
            internal[i] += 1
        else:
            between[(min(i, j), max(i, j))] += 1
    return internal, between


def _service_calls(calls: Iterable[CallSite], service_of_function: Mapping[str, str],
                   service_of_module: Mapping[str, str]) -> Iterator[tuple[CallSite, str, list[str]]]:
    """(call, caller's service, callee services) for calls from a service into services."""
    for call in calls:
        caller_service = service_of_function.get(call.caller) or service_of_module.get(call.caller)
        if not caller_service:
            continue
        callee_services = [service_of_function[c] for c in call.callees if c in service_of_function]
        if callee_services:
            yield call, caller_service, callee_services
