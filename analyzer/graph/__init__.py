"""Graph stage: CodeBase -> CodeGraph.

Data access is derived first (which functions touch which tables, including models named by
framework conventions: analyzer.graph.frameworks), then deferred and event-driven calls are
expanded (a signal send becomes a call to each connected handler,
a model save reaches its post_save receivers), code named by dotted strings becomes references,
and finally the function and module graphs
are built with one weighted edge attribute per coupling signal.
"""

from __future__ import annotations

from analyzer.graph.data import find_data_access
from analyzer.graph.events import expand_calls
from analyzer.graph.frameworks import CodeNames, string_references
from analyzer.graph.signals import add_cochange_signal, add_data_signal, add_semantic_signal, combine_weights
from analyzer.graph.structure import function_graph, module_graph
from analyzer.model import CodeBase, CodeGraph
from analyzer.options import AnalysisOptions


def build_graph(codebase: CodeBase, options: AnalysisOptions | None = None) -> CodeGraph:
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
    return CodeGraph(
        codebase=codebase,
        functions=functions,
        modules=modules,
        models=models,
        data_access=accesses,
        calls=calls,
        references=references,
    )
