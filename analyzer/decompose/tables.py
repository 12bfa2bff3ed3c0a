"""Who owns each table: the one place table ownership is decided.

The owner is the service defining the table's model; for a table with no model, the service
writing it most (then reading it most); ties go to the name that sorts first. Every other
service (or the shared kernel) touching the table is listed as a user.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from analyzer.model import DataAccess, TableUse


def table_uses(accesses: Iterable[DataAccess], assignment: Mapping[str, str]) -> dict[str, TableUse]:
    """table -> its owner and the other services touching it, sorted by table."""
    touched: dict[str, set[str]] = defaultdict(set)
    claims: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    for access in accesses:
        service = assignment.get(access.module)
        if service is None:
            continue
        touched[access.table].add(service)
        rank = 3 if access.via == "define" else 2 if access.mode == "write" else 1
        claims[access.table][(rank, service)] += 1
    uses = {}
    for table in sorted(claims):
        (_, owner), _ = min(claims[table].items(), key=lambda item: (-item[0][0], -item[1], item[0][1]))
        uses[table] = TableUse(owner=owner, used_by=tuple(sorted(touched[table] - {owner})))
    return uses
