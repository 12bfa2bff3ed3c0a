"""Which service a qualified name lives in, for one decomposition."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import CodeBase, Decomposition


@dataclass(frozen=True)
class Locator:
    """Maps function/class/module qualnames to the services of one decomposition."""

    codebase: CodeBase
    assignment: dict[str, str]  # module -> cluster name
    kinds: dict[str, str]  # cluster name -> "service" | "shared"

    @classmethod
    def of(cls, decomposition: Decomposition) -> Locator:
        return cls(decomposition.graph.codebase, dict(decomposition.assignment),
                   {c.name: c.kind for c in decomposition.clusters})

    def is_definition(self, qualname: str) -> bool:
        return self.codebase.defines(qualname)

    def service_of(self, qualname: str) -> str:
        """The service (non-shared cluster) holding `qualname`, or '' (shared, external, unassigned)."""
        cluster = self.assignment.get(self.codebase.module_of(qualname) or "", "")
        return cluster if self.kinds.get(cluster) == "service" else ""
