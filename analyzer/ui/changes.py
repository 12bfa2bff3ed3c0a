"""What changed between two plans, in the words the room uses: moved, renamed, flipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from analyzer.export._document import md_code, md_text
from analyzer.model import Boundary, Plan


@dataclass(frozen=True)
class PlanChanges:
    moved: tuple[tuple[str, str, str], ...] = ()  # (module, from service, to service)
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, new name)
    services_added: tuple[str, ...] = ()
    services_removed: tuple[str, ...] = ()
    boundaries_added: tuple[str, ...] = ()  # "orders → billing (sync http)"
    boundaries_removed: tuple[str, ...] = ()
    boundaries_restyled: tuple[str, ...] = ()  # "orders → billing: sync http → async sqs"
    targets_flipped: tuple[tuple[str, str, str], ...] = ()  # (service, old compute, new compute)
    absorbed: tuple[tuple[str, str], ...] = ()  # (gone service, service that took most of it)

    @property
    def empty(self) -> bool:
        return not self.lines()

    def lines(self, limit: int = 12) -> list[str]:
        """One Markdown sentence per change (names escaped); long lists are cut to `limit` with a
        count of the rest."""
        out: list[str] = []
        out += [f"Renamed **{md_text(old)}** to **{md_text(new)}**" for old, new in self.renamed]
        out += _capped(self._move_lines(), limit, "more moves")
        out += [f"New service **{md_text(name)}**" for name in self.services_added]
        into = dict(self.absorbed)
        out += [f"Service **{md_text(name)}** is gone"
                + (f" (most of it went to **{md_text(into[name])}**)" if name in into else "")
                for name in self.services_removed]
        out += _capped([f"Boundary added: {md_text(text)}" for text in self.boundaries_added], limit,
                       "more boundaries added")
        out += _capped([f"Boundary removed: {md_text(text)}" for text in self.boundaries_removed], limit,
                       "more boundaries removed")
        out += [f"Boundary restyled: {md_text(text)}" for text in self.boundaries_restyled]
        out += [f"Target of **{md_text(name)}** flipped from {old} to {new}" for name, old, new in self.targets_flipped]
        return out


    def _move_lines(self) -> list[str]:
        """One line per module, or one per pair of services when several modules made the same trip."""
        trips: dict[tuple[str, str], list[str]] = {}
        for module, old, new in self.moved:
            trips.setdefault((old, new), []).append(module)
        lines = []
        for (old, new), modules in sorted(trips.items()):
            if len(modules) <= 2:
                lines += [f"Moved {md_code(m)} from **{md_text(old)}** to **{md_text(new)}**" for m in modules]
            else:
                names = ", ".join(md_code(m) for m in modules)
                lines.append(f"Moved {len(modules)} modules from **{md_text(old)}** to **{md_text(new)}**: {names}")
        return lines

    def summary(self) -> str:
        """The change in one line of counts, for when the list is long."""
        parts = [
            _count(len(self.moved), "module moved", "modules moved"),
            _count(len(self.renamed), "service renamed", "services renamed"),
            _count(len(self.services_added), "new service", "new services"),
            _count(len(self.services_removed), "service gone", "services gone"),
            _count(len(self.boundaries_added), "boundary added", "boundaries added"),
            _count(len(self.boundaries_removed), "boundary removed", "boundaries removed"),
            _count(len(self.boundaries_restyled), "boundary restyled", "boundaries restyled"),
            _count(len(self.targets_flipped), "target flipped", "targets flipped"),
        ]
        return ", ".join(p for p in parts if p) or "no change to the plan"


def _count(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"


def _capped(lines: list[str], limit: int, rest: str) -> list[str]:
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"… and {len(lines) - limit} {rest}"]


def diff_plans(before: Plan, after: Plan) -> PlanChanges:
    """Compare two plans of the same codebase in the room's terms.

    A service whose modules are unchanged but whose name differs counts as renamed; a service
    that is gone counts as absorbed by the service that took most of its modules. Boundaries
    are compared after carrying old names over, so a merge or rename does not show up as every
    boundary of the service being removed and added again.
    """
    old_modules = {s.name: frozenset(s.modules) for s in before.services}
    new_modules = {s.name: frozenset(s.modules) for s in after.services}
    gone = sorted(set(old_modules) - set(new_modules))
    fresh = sorted(set(new_modules) - set(old_modules))
    renames: dict[str, str] = {}
    for old in gone:
        match = [new for new in fresh if new_modules[new] == old_modules[old] and new not in renames.values()]
        if match:
            renames[old] = match[0]
    new_home = after.module_services()
    absorbed = {}
    for old in gone:
        if old in renames:
            continue
        homes = Counter(new_home[m] for m in old_modules[old] if m in new_home)
        if homes:
            absorbed[old] = sorted(homes.items(), key=lambda item: (-item[1], item[0]))[0][0]

    def carried(name: str) -> str:
        return renames.get(name) or absorbed.get(name) or name

    old_home = {m: renames.get(s, s) for m, s in before.module_services().items()}
    moved = tuple(sorted((m, old_home[m], new_home[m]) for m in sorted(set(old_home) & set(new_home))
                         if old_home[m] != new_home[m]))

    old_edges: dict[tuple[str, str], Boundary] = {}
    internal = []
    for b in sorted(before.boundaries, key=lambda b: (b.source, b.target)):
        key = (carried(b.source), carried(b.target))
        if key[0] == key[1]:
            internal.append(f"{b.source} → {b.target} (now inside {key[0]})")
        else:
            old_edges.setdefault(key, b)
    new_edges = {(b.source, b.target): b for b in after.boundaries}
    added = tuple(_edge_text(key, new_edges[key]) for key in sorted(set(new_edges) - set(old_edges)))
    removed = tuple(_edge_text(key, old_edges[key]) for key in sorted(set(old_edges) - set(new_edges))) + tuple(internal)
    restyled = tuple(
        f"{key[0]} → {key[1]}: {old_edges[key].style} {old_edges[key].channel} → "
        f"{new_edges[key].style} {new_edges[key].channel}"
        for key in sorted(set(old_edges) & set(new_edges))
        if (old_edges[key].style, old_edges[key].channel) != (new_edges[key].style, new_edges[key].channel)
    )

    old_compute = {renames.get(s.name, s.name): s.target.compute for s in before.services if s.target is not None}
    new_compute = {s.name: s.target.compute for s in after.services if s.target is not None}
    flipped = tuple((name, old_compute[name], new_compute[name])
                    for name in sorted(set(old_compute) & set(new_compute))
                    if old_compute[name] != new_compute[name])
    return PlanChanges(
        moved=moved,
        renamed=tuple(sorted(renames.items())),
        services_added=tuple(name for name in fresh if name not in renames.values()),
        services_removed=tuple(name for name in gone if name not in renames),
        boundaries_added=added,
        boundaries_removed=removed,
        boundaries_restyled=restyled,
        targets_flipped=flipped,
        absorbed=tuple(sorted(absorbed.items())),
    )


def _edge_text(key: tuple[str, str], boundary: Boundary) -> str:
    calls = len(boundary.calls)
    return f"{key[0]} → {key[1]} ({boundary.style} {boundary.channel}, {calls} call{'s' if calls != 1 else ''})"
