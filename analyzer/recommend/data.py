"""Data boundaries: every relation, join and query that reaches across services into another
service's tables, and how the data should be reached once the services are apart.

Call sites are only half of a split. A foreign key from `billing.Invoice` to `patients.Patient`,
a `Patient.objects.filter(...)` in the billing code, a raw SQL join of both apps' tables: each
must be decided before the two services can have their own databases. For each pair of services
(the one reaching in, the owner of the tables), the links are listed with their path:line and
one pattern is recommended (policy in analyzer/rules/recommend.yml, `data_boundaries`):

* **owner-api**: the reaching service writes the owner's tables: the writes go through the
  owner's API (or the writing code moves into the owner);
* **transitional-join**: a SQL statement joins both services' tables: keep the join during the
  transition (a read replica or a database view) and replace it with a read model as a follow-up;
* **read-model**: relations (foreign keys, relationships) or many reads: a replicated read model
  of the owner's data, kept up to date by the owner's events (EventBridge/SNS); relations become ids;
* **sync-lookup**: a few point reads: a synchronous lookup through the owner's API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from analyzer.model import DataAccess, DataBoundary, DataLink, Decomposition, TableUse
from analyzer.rules import load_policy
from analyzer.rules.policy import DataBoundaryPolicy

#: How a DataAccess.via becomes the kind of a data link (anything else is a query).
RELATION_VIAS = frozenset({"relation"})
#: How a count of each link kind reads: (one, many).
LINK_NOUNS = {"relation": ("relation", "relations"), "join": ("join", "joins"),
              "write": ("write", "writes"), "query": ("query", "queries")}
SQL_VIAS = frozenset({"sql"})
#: Accesses that are not links: a model's own definition.
NOT_LINKS = frozenset({"define"})


def find_data_boundaries(decomposition: Decomposition, usage: Mapping[str, TableUse]) -> tuple[DataBoundary, ...]:
    """Every (reaching service, owner service) pair with its data links and recommended pattern."""
    policy = load_policy().data_boundaries
    assignment = decomposition.assignment
    services = {c.name for c in decomposition.clusters if c.kind == "service"}
    owner = {table: use.owner for table, use in usage.items()}
    statements: dict[tuple[str, int], set[str]] = defaultdict(set)  # SQL statement site -> services of its tables
    for access in decomposition.graph.data_access:
        if access.via in SQL_VIAS and owner.get(access.table) in services:
            statements[(access.path, access.line)].add(owner[access.table])
    links: dict[tuple[str, str], set[DataLink]] = defaultdict(set)
    for access in decomposition.graph.data_access:
        source, target = assignment.get(access.module, ""), owner.get(access.table, "")
        if access.via in NOT_LINKS or source == target or source not in services or target not in services:
            continue
        links[(source, target)].add(DataLink(_kind(access, statements, source), access.table, access.accessor,
                                             access.path, access.line, access.via))
    return tuple(_boundary(source, target, tuple(sorted(found, key=_link_order)), policy)
                 for (source, target), found in sorted(links.items()))


def _kind(access: DataAccess, statements: Mapping[tuple[str, int], set[str]], source: str) -> str:
    if access.mode == "write":
        return "write"
    if access.via in RELATION_VIAS:
        return "relation"
    if access.via in SQL_VIAS and source in statements.get((access.path, access.line), set()):
        return "join"
    return "query"


def _link_order(link: DataLink) -> tuple[str, int, str, str, str, str]:
    return (link.path, link.line, link.table, link.kind, link.accessor, link.via)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _boundary(source: str, target: str, links: tuple[DataLink, ...], policy: DataBoundaryPolicy) -> DataBoundary:
    kinds = {link.kind for link in links}
    tables = tuple(sorted({link.table for link in links}))
    reads = sum(1 for link in links if link.kind == "query")
    shown = ", ".join(tables)
    if "write" in kinds:
        pattern = "owner-api"
        reasons = [f"{source} writes {_possessive(target)} tables ({shown}): route the writes through {_possessive(target)} API, or move "
                   f"that code into {target}"]
    elif "join" in kinds:
        pattern = "transitional-join"
        reasons = [f"SQL joins {_possessive(source)} tables with {_possessive(target)} ({shown}): keep the join during the "
                   f"transition (a read replica or a view), then replace it with a read model fed by {_possessive(target)} events "
                   "(follow-up)"]
    elif "relation" in kinds or reads > policy.lookup_max_reads:
        pattern = "read-model"
        why = "relations point at" if "relation" in kinds else f"{reads} queries read"
        reasons = [f"{_possessive(source)} {why} {_possessive(target)} tables ({shown}): keep a replicated read model in "
                   f"{source}, updated by {_possessive(target)} events (EventBridge or SNS); relations become ids"]
    else:
        pattern = "sync-lookup"
        reasons = [f"{reads} point read(s) of {_possessive(target)} tables ({shown}): look them up through "
                   f"{_possessive(target)} API"]
    counts = {kind: sum(1 for link in links if link.kind == kind) for kind in ("relation", "join", "write", "query")}
    reasons.append(", ".join(f"{n} {LINK_NOUNS[kind][n != 1]}" for kind, n in counts.items() if n))
    return DataBoundary(source, target, tables, pattern, tuple(reasons), links)
