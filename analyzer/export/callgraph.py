"""The call graph in three formats: PyCG-compatible JSON, a richer JSON, and DOT.

`pycg` follows PyCG's output (`{"caller": ["callee", ...]}`) so its benchmark tooling can score
it: module-level code is keyed by the module name, builtins are `<builtin>.name`, external
callees are dotted names, every defined function is a key even with no callees, and every
callee is also a key. Like PyCG, classes are not nodes: a constructor call is an edge to
`__init__` when one is defined, otherwise no edge; calls in a class body belong to the
enclosing function or module. Calls nothing resolved (`<unknown>.get`) and signal sends
(whose callees are signals, not functions) are left out; deferred calls to functions
(`task.delay()`, `executor.submit(fn)`) are kept, since the function does run.

Two names follow PyCG rather than the rest of Strangler: lambdas are nodes (`mod.f.<lambda1>`)
and calls written in one are its edges (elsewhere they belong to the function around it); and
methods of builtin types are `<**PyStr**>.join` rather than `<builtin>.str.join`.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.errors import ConfigError
from analyzer.export.diagrams import dot_quote
from analyzer.graph.structure import function_graph
from analyzer.model import CallSite, CodeBase, CodeGraph

FORMATS = ("pycg", "json", "dot")
UNKNOWN_PREFIX = "<unknown>"


def _codebase(source: CodeBase | CodeGraph) -> CodeBase:
    return source.codebase if isinstance(source, CodeGraph) else source


def _raw_calls(codebase: CodeBase) -> list[CallSite]:
    return [call for module in codebase.modules for call in module.calls]


#: How PyCG's expected outputs name the types of builtin methods (`<**PyStr**>.join`).
PYCG_BUILTIN_TYPES = {"str": "<**PyStr**>", "dict": "<**PyDict**>"}
BUILTIN_PREFIX = "<builtin>."


def pycg_edges(codebase: CodeBase) -> dict[str, list[str]]:
    """PyCG's `{caller: [callees]}`, sorted."""
    classes = {d.qualname for m in codebase.modules for d in m.definitions if d.kind == "class"}
    graph: dict[str, set[str]] = {m.name: set() for m in codebase.modules}
    for module in codebase.modules:
        for definition in module.definitions:
            if definition.kind != "class":
                graph.setdefault(_owner(definition.qualname, classes), set())
    for call in _raw_calls(codebase):
        if call.deferred == "signal":
            continue
        caller = call.lambda_scope or _owner(call.caller, classes)
        targets = graph.setdefault(caller, set())
        for callee in call.callees:
            if callee.startswith(UNKNOWN_PREFIX) or callee in classes:
                continue
            name = _pycg_name(callee)
            targets.add(name)
            graph.setdefault(name, set())
    return {name: sorted(graph[name]) for name in sorted(graph)}


def _pycg_name(callee: str) -> str:
    if callee.startswith(BUILTIN_PREFIX):
        kind, _, method = callee[len(BUILTIN_PREFIX):].partition(".")
        if method and kind in PYCG_BUILTIN_TYPES:
            return f"{PYCG_BUILTIN_TYPES[kind]}.{method}"
    return callee


def _owner(qualname: str, classes: set[str]) -> str:
    """Class bodies are not functions: their code belongs to the enclosing function or module."""
    while qualname in classes:
        qualname = qualname.rpartition(".")[0]
    return qualname


def callgraph_document(source: CodeBase | CodeGraph) -> dict[str, Any]:
    """Every call site with its location and how it is used, plus references and subscriptions."""
    codebase = _codebase(source)
    calls = source.calls if isinstance(source, CodeGraph) and source.calls else tuple(_raw_calls(codebase))
    definitions = sorted((d for m in codebase.modules for d in m.definitions), key=lambda d: d.qualname)
    return {
        "format": "strangler-callgraph",
        "version": 1,
        "root": codebase.root,
        "modules": [{"name": m.name, "path": m.path, "loc": m.loc, "parser": m.parser}
                    for m in codebase.modules],
        "definitions": [{"name": d.qualname, "kind": d.kind, "module": d.module, "path": d.path,
                         "line": d.line, "end_line": d.end_line} for d in definitions],
        "calls": sorted(({"caller": c.caller, "callees": list(c.callees), "expr": c.expr, "path": c.path,
                          "line": c.line, "usage": c.usage, "in_loop": c.in_loop, "deferred": c.deferred,
                          "args": list(c.args)} for c in calls),
                        key=lambda c: (c["path"], c["line"], c["caller"], c["callees"], c["deferred"], c["expr"])),
        "references": sorted(({"source": r.source, "target": r.target, "via": r.via, "path": r.path,
                               "line": r.line} for m in codebase.modules for r in m.references),
                             key=lambda r: (r["path"], r["line"], r["source"], r["target"], r["via"])),
        "subscriptions": sorted(({"signal": s.signal, "handler": s.handler, "sender": s.sender, "path": s.path,
                                  "line": s.line} for m in codebase.modules for s in m.subscriptions),
                                key=lambda s: (s["path"], s["line"], s["signal"], s["handler"])),
        "skipped": [{"path": s.path, "reason": s.reason} for s in codebase.skipped],
    }


def _dot_id(name: str) -> str:
    return dot_quote(name)


def render_dot(source: CodeBase | CodeGraph) -> str:
    """The internal function graph: one node per function with an edge, one edge per pair."""
    if isinstance(source, CodeGraph):
        graph = source.functions
    else:
        graph = function_graph(source, _raw_calls(source))
    edges = sorted((u, v, a.get("kind", "call"), int(a.get("weight", 1))) for u, v, a in graph.edges(data=True))
    nodes = sorted({n for u, v, _, _ in edges for n in (u, v)})
    lines = ["digraph callgraph {", "  rankdir=LR;", '  node [shape=box, fontsize=10, fontname="Helvetica"];']
    for node in nodes:
        kind = graph.nodes[node].get("kind", "")
        style = ', style="rounded,filled", fillcolor="#eeeeee"' if kind == "module" else ""
        lines.append(f"  {_dot_id(node)} [label={_dot_id(node)}{style}];")
    for caller, callee, kind, weight in edges:
        style = {"reference": ", style=dashed", "inherit": ", arrowhead=empty"}.get(kind, "")
        label = f', label="{weight}"' if weight > 1 else ""
        lines.append(f"  {_dot_id(caller)} -> {_dot_id(callee)} [kind={_dot_id(kind)}{label}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_callgraph(source: CodeBase | CodeGraph, fmt: str = "pycg") -> str:
    """`pycg` (PyCG-compatible JSON), `json` (call sites with locations) or `dot`."""
    if fmt == "pycg":
        return json.dumps(pycg_edges(_codebase(source)), indent=2, sort_keys=True) + "\n"
    if fmt == "json":
        return json.dumps(callgraph_document(source), indent=2, sort_keys=True) + "\n"
    if fmt == "dot":
        return render_dot(source)
    raise ConfigError(f"Unknown call-graph format {fmt!r}; choose one of {', '.join(FORMATS)}.")
