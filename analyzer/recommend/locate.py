"""Where a qualified name lives: its module, and the service that module was assigned to."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.model import CodeBase, Decomposition


@dataclass(frozen=True)
class Locator:
    """Maps function/class/module qualnames to modules and services of one decomposition."""

    assignment: dict[str, str]  # module -> cluster name
    kinds: dict[str, str]  # cluster name -> "service" | "shared"
    definitions: dict[str, str]  # qualname -> module
    modules: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, decomposition: Decomposition) -> Locator:
        codebase: CodeBase = decomposition.graph.codebase
        return cls(
            assignment=dict(decomposition.assignment),
            kinds={c.name: c.kind for c in decomposition.clusters},
            definitions={d.qualname: d.module for m in codebase.modules for d in m.definitions},
            modules=frozenset(m.name for m in codebase.modules),
        )

    def is_definition(self, qualname: str) -> bool:
        return qualname in self.definitions

    def module_of(self, qualname: str) -> str:
        """The module defining `qualname` ('' when it is outside the analyzed tree)."""
        if qualname in self.definitions:
            return self.definitions[qualname]
        if qualname in self.modules:
            return qualname
        head = qualname
        while "." in head:
            head = head.rpartition(".")[0]
            if head in self.modules:
                return head
        return ""

    def service_of(self, qualname: str) -> str:
        """The service (non-shared cluster) holding `qualname`, or '' (shared, external, unassigned)."""
        cluster = self.assignment.get(self.module_of(qualname), "")
        return cluster if self.kinds.get(cluster) == "service" else ""
