"""Sanity checks for the bundled ``samples/shop`` monolith and its ground truth."""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "shop"
EDGE_KINDS = {"sync", "async-p2p", "async-fanout", "type-only"}
TARGETS = {"lambda", "fargate"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SAMPLE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SOURCES = {module_name(p): p for p in sorted(SAMPLE.rglob("*.py"))}
TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())


def definitions() -> set[str]:
    """Fully-qualified names of every function, method and class in the sample."""
    found: set[str] = set()

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}"
                found.add(name)
                walk(child, name)

    for module, path in SOURCES.items():
        walk(ast.parse(path.read_text()), module)
    return found


def domain_of(qualname: str) -> str | None:
    """Domain of the longest module that prefixes ``qualname`` (None if shared)."""
    module = max((m for m in SOURCES if qualname == m or qualname.startswith(m + ".")), key=len)
    return TRUTH["modules"].get(module)


def code_lines(path: Path) -> int:
    lines = (line.strip() for line in path.read_text().splitlines())
    return sum(1 for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_every_file_parses(module: str) -> None:
    ast.parse(SOURCES[module].read_text(), filename=str(SOURCES[module]), feature_version=(3, 11))


def test_every_module_classified_exactly_once() -> None:
    listed = list(TRUTH["modules"]) + list(TRUTH["shared"])
    duplicates = {m for m in listed if listed.count(m) > 1}
    assert not duplicates, f"listed more than once: {sorted(duplicates)}"
    assert set(listed) == set(SOURCES), {
        "missing": sorted(set(SOURCES) - set(listed)),
        "unknown": sorted(set(listed) - set(SOURCES)),
    }


def test_edges_name_real_definitions() -> None:
    defs = definitions()
    missing = [
        name for edge in TRUTH["edges"] for name in (edge["caller"], edge["callee"]) if name not in defs
    ]
    assert not missing, f"edges refer to undefined names: {missing}"


def test_edges_are_cross_domain_with_valid_kinds() -> None:
    for edge in TRUTH["edges"]:
        assert edge["kind"] in EDGE_KINDS, edge
        caller, callee = domain_of(edge["caller"]), domain_of(edge["callee"])
        assert caller and callee and caller != callee, edge


def test_edges_are_unique() -> None:
    keys = [(e["caller"], e["callee"], e["kind"]) for e in TRUTH["edges"]]
    assert len(keys) == len(set(keys))


def test_every_domain_has_a_target() -> None:
    domains = set(TRUTH["modules"].values())
    assert set(TRUTH["targets"]) == domains
    assert set(TRUTH["targets"].values()) <= TARGETS


def test_size_floors() -> None:
    assert len(SOURCES) >= 55
    assert sum(code_lines(p) for p in SOURCES.values()) >= 4500
    assert len(set(TRUTH["modules"].values())) >= 9
    assert len(TRUTH["edges"]) >= 25


def test_every_edge_kind_is_represented() -> None:
    assert {e["kind"] for e in TRUTH["edges"]} == EDGE_KINDS


def test_an_event_fans_out_to_three_domains() -> None:
    consumers: dict[str, set[str | None]] = defaultdict(set)
    for edge in TRUTH["edges"]:
        if edge["kind"] == "async-fanout":
            consumers[edge["caller"]].add(domain_of(edge["callee"]))
    assert max((len(domains) for domains in consumers.values()), default=0) >= 3
