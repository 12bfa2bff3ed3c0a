"""The headline figures of a plan, read straight from it (no analysis happens here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyzer.model import Plan


@dataclass(frozen=True)
class Figure:
    """One headline number: how it is labelled, explained and compared between plans."""

    key: str
    label: str
    value: float | int | str
    help: str
    better: str = ""  # "higher", "lower" or "" (a change is neither good nor bad)
    decimals: int = 0

    @property
    def delta_color(self) -> Literal["normal", "inverse", "off"]:
        if self.better == "higher":
            return "normal"
        return "inverse" if self.better == "lower" else "off"

    def shown(self) -> str:
        if isinstance(self.value, str):
            return self.value
        return f"{self.value:,.{self.decimals}f}"


#: The quality metrics and what each tells the room (Mono2Micro definitions, Kalia et al. 2021).
METRIC_HELP = {
    "modularity": ("Modularity", "Newman modularity of the module graph: how much more the code links "
                   "inside services than chance would (higher is better, above 0.3 is clear structure).", False),
    "sm": ("SM", "Structural modularity: cohesion inside services minus coupling between them "
           "(higher is better).", False),
    "icp": ("ICP", "Inter-partition call percentage: share of calls between services' functions that "
            "cross a service boundary (lower is better).", True),
    "ifn": ("IFN", "Interface number: average count of functions per service that other services call "
            "(lower is better).", True),
    "ned": ("NED", "Non-extreme distribution: share of modules in services of a workable size, "
            "5 to 20 modules (higher is better; Strangler reports the complement of Kalia et al.'s NED).",
            False),
}


def service_counts(plan: Plan) -> dict[str, int]:
    services = [s for s in plan.services if s.kind == "service"]
    computes = [s.target.compute for s in services if s.target is not None]
    return {
        "services": len(services),
        "shared": sum(len(s.modules) for s in plan.services if s.kind == "shared"),
        "lambda": computes.count("lambda"),
        "fargate": computes.count("fargate"),
        "sync": sum(1 for b in plan.boundaries if b.style == "sync"),
        "async": sum(1 for b in plan.boundaries if b.style == "async"),
    }


def headline(plan: Plan) -> list[Figure]:
    """The figures shown at the top of the page, in display order."""
    counts = service_counts(plan)
    figures = [
        Figure("files", "Files", plan.source.files_analyzed, "Python files analyzed (skipped files are listed below)."),
        Figure("loc", "Lines of code", plan.source.loc, "Non-blank, non-comment lines in the analyzed files."),
        Figure("services", "Services", counts["services"],
               f"Proposed services, plus a shared kernel of {counts['shared']} module(s) every service may vendor."),
        Figure("lambda", "Lambda", counts["lambda"], "Services recommended for AWS Lambda."),
        Figure("fargate", "Fargate", counts["fargate"],
               "Services recommended for ECS Fargate (long-running, heavy or stateful work)."),
        Figure("sync", "Sync boundaries", counts["sync"],
               "Service pairs that must call each other synchronously (HTTP): each is a runtime dependency.",
               better="lower"),
        Figure("async", "Async boundaries", counts["async"],
               "Service pairs that can talk through a queue, topic or event bus."),
    ]
    for key, (label, help_text, lower) in METRIC_HELP.items():
        if key in plan.metrics:
            figures.append(Figure(key, label, float(plan.metrics[key]), help_text,
                                  better="lower" if lower else "higher", decimals=3))
    return figures


def deltas(before: Plan | None, after: Plan) -> dict[str, float | int]:
    """Figure key -> change since `before`, only where something changed."""
    if before is None:
        return {}
    old = {f.key: f.value for f in headline(before)}
    changed: dict[str, float | int] = {}
    for figure in headline(after):
        previous = old.get(figure.key)
        if isinstance(figure.value, (int, float)) and isinstance(previous, (int, float)):
            diff = figure.value - previous
            if abs(diff) > 1e-9:
                changed[figure.key] = round(diff, figure.decimals) if figure.decimals else diff
    return changed
