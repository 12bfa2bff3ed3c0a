"""Graph stage: CodeBase -> CodeGraph.

Data access is derived first (which functions touch which tables, including models named by
framework conventions: analyzer.graph.frameworks), then deferred and event-driven calls are
expanded (a signal send becomes a call to each connected handler,
a model save reaches its post_save receivers), code named by dotted strings becomes references,
and finally the function and module graphs
are built with one weighted edge attribute per coupling signal. Runtime evidence, when given,
is matched to the code and weighed last (analyzer.graph.runtime).
"""

from __future__ import annotations

from dataclasses import replace

from analyzer.graph.data import find_data_access
from analyzer.graph.events import expand_calls
from analyzer.graph.frameworks import CodeNames, string_references
from analyzer.graph.runtime import add_runtime_signal, match_evidence
from analyzer.graph.signals import add_cochange_signal, add_data_signal, add_semantic_signal, combine_weights
from analyzer.graph.structure import function_graph, module_graph
from analyzer.model import CodeBase, CodeGraph
from analyzer.options import AnalysisOptions
from analyzer.runtime import RuntimeEvidence


def build_graph(codebase: CodeBase, options: AnalysisOptions | None = None,
                runtime: RuntimeEvidence | None = None) -> CodeGraph:
    """The static graph, weighted with runtime evidence when some is given."""
    options = options or AnalysisOptions()
    models, accesses = find_data_access(codebase)
    calls = expand_calls(codebase, accesses)
    references = tuple(string_references(calls, CodeNames(codebase), {m.name for m in codebase.modules}))
    functions = function_graph(codebase, calls, references)
    modules = module_graph(codebase, calls, references)
    add_data_signal(modules, accesses)
    add_cochange_signal(modules, codebase)
    add_semantic_signal(modules, codebase)
    combine_weights(modules, options.weights)
    graph = CodeGraph(
        codebase=codebase,
        functions=functions,
        modules=modules,
        models=models,
        data_access=accesses,
        calls=calls,
        references=references,
    )
    return graph if runtime is None else with_runtime(graph, runtime, options)


def with_runtime(graph: CodeGraph, runtime: RuntimeEvidence, options: AnalysisOptions) -> CodeGraph:
    """A copy of a static graph with the runtime evidence matched and, unless its weight is 0, weighed in."""
    matched = match_evidence(graph.codebase, runtime, graph.calls, graph.references)
    modules = graph.modules.copy()
    if float(options.weights.get("runtime", 0.0)) > 0:
        add_runtime_signal(modules, matched, graph.calls, (m.name for m in graph.codebase.modules))
    combine_weights(modules, options.weights)
    return replace(graph, modules=modules, runtime=matched)
