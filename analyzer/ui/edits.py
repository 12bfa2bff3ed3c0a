"""The room's adjustments as analysis options: moves, merges and renames become overrides.

Nothing is re-planned here: each edit returns new Adjustments, and the pipeline's
plan_from_graph turns them into a plan. Names the user sees are the names after renames;
this module translates them back to the names the overrides are keyed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from analyzer.errors import OverridesError
from analyzer.model import Plan
from analyzer.options import AnalysisOptions

SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


@dataclass(frozen=True)
class Adjustments:
    """Everything the room changed, hashable so plans can be cached per state."""

    resolution: float = 1.0
    services: int = 0
    assign: tuple[tuple[str, str], ...] = ()  # module -> service, sorted
    rename: tuple[tuple[str, str], ...] = ()  # proposed name -> chosen name, sorted
    shared: tuple[str, ...] = ()  # modules forced into the shared kernel, sorted

    @classmethod
    def from_options(cls, options: AnalysisOptions) -> Adjustments:
        return cls(
            resolution=float(options.resolution),
            services=int(options.services),
            assign=tuple(sorted(options.assign.items())),
            rename=tuple(sorted(options.rename.items())),
            shared=tuple(sorted(options.shared)),
        )

    def options(self, base: AnalysisOptions) -> AnalysisOptions:
        return base.replace(resolution=self.resolution, services=self.services, assign=dict(self.assign),
                            rename=dict(self.rename), shared=self.shared)


def shared_kernel_names(plan: Plan) -> set[str]:
    return {s.name for s in plan.services if s.kind == "shared"}


def _override_name(adjustments: Adjustments, shown: str) -> str:
    """The name an override must use to reach the service the user sees as `shown`."""
    for proposed, chosen in adjustments.rename:
        if chosen == shown:
            return proposed
    return shown


def move_modules(adjustments: Adjustments, plan: Plan, moves: dict[str, str]) -> Adjustments:
    """Put each module in `moves` into the named service (an existing or a new one); a shared
    kernel name puts it into the shared kernel.

    Every module is pinned where the plan has it now, so the re-plan changes exactly what the
    room asked for: the clustering works around pins, and a module pinned alone would pull
    its old neighbours along (or lend its service name to them). Boundaries, targets, metrics
    and waves are still recomputed from the graph.
    """
    homes = plan.module_services()
    unknown = sorted(set(moves) - set(homes))
    if unknown:
        raise OverridesError(f"Unknown module(s) {', '.join(unknown)}; pick modules listed in the table.")
    existing = {s.name for s in plan.services}
    wanted = {m: s for m, s in sorted(moves.items()) if homes[m] != s}
    for service in sorted(set(wanted.values()) - existing):
        check_service_name(service)
    shared_names = shared_kernel_names(plan)
    placement = {**homes, **wanted}
    assign = {m: _override_name(adjustments, s) for m, s in placement.items() if s not in shared_names}
    shared = tuple(sorted(m for m, s in placement.items() if s in shared_names))
    return replace(adjustments, assign=tuple(sorted(assign.items())), shared=shared)


def pinned_modules(adjustments: Adjustments, initial: Adjustments) -> int:
    """How many modules the room's edits pin beyond the project's own configuration."""
    return len(set(adjustments.assign) - set(initial.assign))


def merge_services(adjustments: Adjustments, plan: Plan, source: str, into: str) -> Adjustments:
    """Move every module of `source` into `into`."""
    by_name = {s.name: s for s in plan.services}
    for name in (source, into):
        if name not in by_name:
            raise OverridesError(f"There is no service named {name!r}; pick one from the list.")
    if source == into:
        raise OverridesError(f"Pick two different services to merge (both are {source!r}).")
    return move_modules(adjustments, plan, {module: into for module in by_name[source].modules})


def rename_service(adjustments: Adjustments, plan: Plan, old: str, new: str) -> Adjustments:
    """Give service `old` the name `new`; later re-plans keep the new name."""
    new = new.strip()
    names = {s.name for s in plan.services}
    if old not in names:
        raise OverridesError(f"There is no service named {old!r}; pick one from the list.")
    if old in shared_kernel_names(plan):
        raise OverridesError("The shared kernel is not a service and keeps its name.")
    if new == old:
        raise OverridesError(f"{old!r} already has that name; type a different one.")
    if new in names:
        raise OverridesError(f"A service named {new!r} already exists; merge the two services instead.")
    check_service_name(new)
    assigned_names = {service for _, service in adjustments.assign}
    if old in assigned_names:
        # A service the room created by moving modules: rename it where it was created.
        assign = tuple(sorted((m, new if s == old else s) for m, s in adjustments.assign))
        return replace(adjustments, assign=assign)
    proposed = _override_name(adjustments, old)
    rename = dict(adjustments.rename)
    rename[proposed] = new
    return replace(adjustments, rename=tuple(sorted(rename.items())))


def check_service_name(name: str) -> None:
    """Service names become stack, queue and function names, so they stay DNS-like."""
    if not SERVICE_NAME.match(name):
        raise OverridesError(
            f"{name!r} is not a usable service name; use lower-case letters, digits and dashes "
            "(it becomes a stack and function name), at most 48 characters."
        )
