"""The use cases every front end shares: analyze one codebase, re-plan an adjusted graph.

Front ends (CLI, Streamlit) call these and get result objects back; nothing here prints.
"""

from __future__ import annotations

import gc
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgpack
import networkx as nx

from analyzer import graph as graph_package
from analyzer import model as model_module
from analyzer.decompose import decompose
from analyzer.errors import SourceNotFound, StranglerError
from analyzer.export import FORMATS, write_outputs
from analyzer.export.atomic import write_file
from analyzer.export.check import NewCoupling, find_new_coupling, find_unplanned_modules
from analyzer.export.overrides import read_overrides
from analyzer.export.plan_json import read_plan
from analyzer.export.portfolio import PortfolioRow, render_portfolio_markdown, render_portfolio_xlsx
from analyzer.graph import build_graph, with_runtime
from analyzer.model import CallSite, CodeBase, CodeGraph, DataAccess, OrmModel, Plan, Progress, Reference
from analyzer.options import AnalysisOptions, Flags, options_for
from analyzer.recommend import recommend
from analyzer.runtime import RuntimeEvidence, load_runtime
from analyzer.runtime.recorder import Recording, run_recorded
from analyzer.scan import codec, scan_keyed
from analyzer.scan.cache import FactCache, derived_key
from analyzer.scan.records import gc_paused


def build(path: str | Path, options: AnalysisOptions | None = None,
          progress: Progress | None = None, runtime: RuntimeEvidence | None = None) -> CodeGraph:
    """Scan and graph a source tree (the slow, cacheable half of the pipeline).

    The static graph is cached; runtime evidence is weighed onto a copy of it on every call
    (cheap), so the cache never holds what a runtime file said."""
    root = Path(path)
    if not root.exists():
        raise SourceNotFound(f"{path} does not exist; pass the folder of the codebase to analyze.")
    if not root.is_dir():
        raise SourceNotFound(f"{path} is not a folder; pass the folder of the codebase to analyze.")
    options = options or options_for(root)
    # The CodeBase and graphs are a few hundred thousand long-lived objects without reference
    # cycles: the cyclic collector is paused while they are built and they are then frozen
    # (gc.freeze), so that no later collection walks them again. What an earlier build froze
    # is released first, so that it can be collected once the caller drops it.
    gc.unfreeze()
    with gc_paused():
        codebase, codebase_key = scan_keyed(root, options, progress=progress)
        graph = _graph(root, codebase, codebase_key, options)
        if runtime is not None:
            graph = with_runtime(graph, runtime, options)
        gc.freeze()
    return graph


def _graph(root: Path, codebase: CodeBase, codebase_key: str, options: AnalysisOptions) -> CodeGraph:
    """build_graph, cached next to the CodeBase it is built from (see _StoredGraph)."""
    cache = FactCache.open(options)
    key = derived_key(codebase_key, _GRAPH_CODE, sorted(options.weights.items()))
    stored = cache.get_derived("graphs", key, _StoredGraph)
    if isinstance(stored, _StoredGraph):
        try:
            return stored.attach(codebase)
        except (IndexError, TypeError):  # an entry that does not fit this CodeBase is a miss
            pass
    graph = build_graph(codebase, options)
    cache.put_derived("graphs", key, _StoredGraph.detach(graph))
    return graph


@dataclass(frozen=True)
class _StoredGraph:
    """A CodeGraph as cached: its fields without the CodeBase it was built from (cached already),
    and each of its calls as the position of that very CallSite in the CodeBase's own call list,
    or the CallSite itself for the calls the graph stage added (signal handlers reached)."""

    functions: nx.DiGraph[str]
    modules: nx.DiGraph[str]
    models: tuple[OrmModel, ...]
    data_access: tuple[DataAccess, ...]
    references: tuple[Reference, ...]
    calls: tuple[int | CallSite, ...]

    @classmethod
    def detach(cls, graph: CodeGraph) -> _StoredGraph:
        position = {id(call): index for index, call in enumerate(_own_calls(graph.codebase))}
        return cls(graph.functions, graph.modules, graph.models, graph.data_access, graph.references,
                   tuple(position.get(id(c), c) for c in graph.calls))

    def attach(self, codebase: CodeBase) -> CodeGraph:
        own = _own_calls(codebase)
        calls = tuple(own[c] if isinstance(c, int) else c for c in self.calls)
        return CodeGraph(codebase=codebase, functions=self.functions, modules=self.modules, models=self.models,
                         data_access=self.data_access, calls=calls, references=self.references)


#: A DiGraph attribute dictionary: node or edge attributes by name.
Attributes = dict[str, Any]


def _internals(graph: nx.DiGraph[str]) -> tuple[Attributes, dict[str, Attributes], dict[str, dict[str, Attributes]],
                                                 dict[str, dict[str, Attributes]]]:
    """networkx's own node, successor and predecessor dictionaries (not in its public API or stubs):
    the codec reads and writes them directly, which is what makes a cached graph fast to load."""
    state = vars(graph)
    return graph.graph, state["_node"], state["_adj"], state["_pred"]


def _encode_digraph(graph: nx.DiGraph[str]) -> tuple[bytes]:
    """A DiGraph as one msgpack blob of plain data, decoded by msgpack alone (no call back into
    Python per object): node names once, each node's attributes, then successors and the order of
    predecessors by node position (predecessor dicts are the successors' own attribute dicts, as
    networkx shares them), and the attribute keys whose list values were stored as arrays. A graph
    holding anything else (a record, a nested list) raises CodecError: it is not cached."""
    graph_attributes, node_attributes, adjacency, preceding = _internals(graph)
    names = list(node_attributes)
    index = {name: position for position, name in enumerate(names)}
    list_keys = sorted({key for neighbours in adjacency.values() for attributes in neighbours.values()
                        for key, value in attributes.items() if type(value) is list})
    nodes = tuple(_plain_attributes(attributes, ()) for attributes in node_attributes.values())
    successors = tuple((index[u], tuple(index[v] for v in neighbours),
                        tuple(_plain_attributes(attributes, list_keys) for attributes in neighbours.values()))
                       for u, neighbours in adjacency.items() if neighbours)
    predecessors = tuple((index[v], tuple(index[u] for u in before)) for v, before in preceding.items() if before)
    blob = msgpack.packb((_plain_attributes(graph_attributes, ()), tuple(names), nodes, successors, predecessors,
                          tuple(list_keys)), use_bin_type=True)
    return (blob,)


_PLAIN = (str, int, float, bool, type(None))


def _plain_attributes(attributes: Attributes, list_keys: Sequence[str]) -> Attributes:
    """`attributes` with list values under `list_keys` as tuples; CodecError for anything msgpack
    alone would not give back as it was (a record, a list elsewhere, a non-str key)."""
    out = {}
    for key, value in attributes.items():
        if type(key) is not str:
            raise codec.CodecError("graph attribute keys must be str")
        if type(value) is list and key in list_keys:
            value = tuple(value)
        if not _plain_value(value):
            raise codec.CodecError(f"graph attribute {key!r} holds a {type(value).__name__}")
        out[key] = value
    return out


def _plain_value(value: object) -> bool:
    kind = type(value)
    if kind in _PLAIN:
        return True
    if isinstance(value, tuple) and kind is tuple:
        return all(map(_plain_value, value))
    return False


def _build_digraph(fields: tuple[bytes]) -> nx.DiGraph[str]:
    (blob,) = fields
    attributes, names, nodes, successors, predecessors, list_keys = msgpack.unpackb(
        blob, use_list=False, raw=False, strict_map_key=True)
    if type(attributes) is not dict or len(names) != len(nodes) or not all(type(n) is dict for n in nodes):
        raise codec.CodecError("graph entry with mismatched nodes")
    name = names.__getitem__
    adjacency: dict[str, dict[str, Attributes]] = {node: {} for node in names}
    for u, targets, edges in successors:
        if list_keys:
            for edge in edges:
                for key in list_keys:
                    if key in edge:
                        edge[key] = list(edge[key])
        adjacency[names[u]] = dict(zip(map(name, targets), edges, strict=True))
    preceding: dict[str, dict[str, Attributes]] = {node: {} for node in names}
    for v, sources in predecessors:
        target = names[v]
        preceding[target] = {source: adjacency[source][target] for source in map(name, sources)}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.graph.update(attributes)
    vars(graph).update(_node=dict(zip(names, nodes, strict=True)), _adj=adjacency, _succ=adjacency, _pred=preceding)
    return graph


codec.register(_StoredGraph)
codec.register_custom(nx.DiGraph, "DiGraph", _encode_digraph, _build_digraph)


def _own_calls(codebase: CodeBase) -> list[CallSite]:
    return [call for module in codebase.modules for call in module.calls]


#: The code a cached graph depends on besides the scanner's (already in the CodeBase key).
_GRAPH_CODE = (*sorted(Path(graph_package.__file__).parent.glob("*.py")), Path(model_module.__file__))


def plan_from_graph(graph: CodeGraph, options: AnalysisOptions | None = None) -> Plan:
    """Decompose and recommend: fast enough to rerun on every adjustment in the UI."""
    options = options or AnalysisOptions()
    return recommend(decompose(graph, options), options)


def load_evidence(files: Sequence[str | Path], progress: Progress | None = None) -> RuntimeEvidence | None:
    """The runtime files' evidence, None when there are none (RuntimeInputError for a bad file)."""
    return load_runtime(files, progress) if files else None


def record_command(command: Sequence[str], source: Path, out: Path) -> Recording:
    """Run the user's command with the call recorder and write what it counted to `out`."""
    if not source.is_dir():
        raise SourceNotFound(f"{source} is not a folder; pass the folder of the codebase the command runs.")
    recording = run_recorded(list(command), source)
    write_file(out, (json.dumps(recording.data, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return recording


def analyze(path: str | Path, options: AnalysisOptions | None = None,
            progress: Progress | None = None, runtime: RuntimeEvidence | None = None) -> Plan:
    """Analyze one codebase into a migration plan."""
    options = options or options_for(Path(path))
    return plan_from_graph(build(path, options, progress, runtime), options)


# --------------------------------------------------------------------------- writing plans


@dataclass(frozen=True)
class AnalyzeResult:
    plan: Plan
    written: tuple[Path, ...]
    notes: tuple[str, ...] = ()
    moved: int = 0  # modules an overrides file moved to another service


def analyze_one(path: Path, out_dir: Path, options: AnalysisOptions, *, formats: Sequence[str] = FORMATS,
                overrides: Path | None = None, progress: Progress | None = None,
                runtime_files: Sequence[Path] = ()) -> AnalyzeResult:
    """Analyze one codebase and write its plan files; an overrides file pins modules to services,
    runtime files weight the plan with what the code was seen doing."""
    graph = build(path, options, progress, load_evidence(runtime_files, progress))
    moved = 0
    if overrides is not None:
        known = {m.name for m in graph.codebase.modules}
        baseline = plan_from_graph(graph, options)
        assignment = read_overrides(overrides, known, {s.name for s in baseline.services})
        moved = sum(1 for module, service in assignment.items() if baseline.service_of(module) != service)
        options = options.replace(assign={**options.assign, **assignment})
    plan = plan_from_graph(graph, options)
    result = write_outputs(plan, out_dir, formats)
    return AnalyzeResult(plan=plan, written=tuple(result.paths), notes=tuple(result.notes), moved=moved)


@dataclass(frozen=True)
class BatchResult:
    rows: tuple[PortfolioRow, ...]
    written: tuple[Path, ...]


def analyze_batch(paths: Sequence[Path], out_dir: Path, *, config: Path | None = None, flags: Flags | None = None,
                  formats: Sequence[str] = FORMATS,
                  on_done: Callable[[str], None] | None = None, runtime_files: Sequence[Path] = ()) -> BatchResult:
    """Analyze many codebases, each into its own subfolder; one failure never stops the others.

    Each codebase gets the options a single run would (analyzer.options.options_for). `flags.jobs`
    is the number of processes in all: codebases run side by side, up to that many, and each
    one's scanner gets an equal share of them; without it codebases run one after the other.
    Every codebase is given every runtime file: each keeps what matches its own code.
    """
    flags = flags or Flags()
    names = _unique_names(paths)
    workers = min(flags.jobs or 1, len(paths))
    if flags.jobs:
        flags = replace(flags, jobs=max(1, flags.jobs // workers))
    work = [(path, out_dir / name, name, config, flags, tuple(formats), tuple(runtime_files))
            for path, name in zip(paths, names, strict=True)]
    rows: list[PortfolioRow] = []
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_analyze_for_batch, *item) for item in work]
            for future in as_completed(futures):
                row = future.result()
                rows.append(row)
                if on_done:
                    on_done(row.name)
    else:
        for item in work:
            row = _analyze_for_batch(*item)
            rows.append(row)
            if on_done:
                on_done(row.name)
    rows.sort(key=lambda r: r.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.md"
    write_file(index, render_portfolio_markdown(rows).encode("utf-8"))
    portfolio = out_dir / "portfolio.xlsx"
    write_file(portfolio, render_portfolio_xlsx(rows))
    return BatchResult(rows=tuple(rows), written=(index, portfolio))


def _analyze_for_batch(path: Path, out_dir: Path, name: str, config: Path | None, flags: Flags,
                       formats: tuple[str, ...], runtime_files: tuple[Path, ...] = ()) -> PortfolioRow:
    started = time.perf_counter()
    try:
        result = analyze_one(path, out_dir, options_for(path, config=config, flags=flags), formats=formats,
                             runtime_files=runtime_files)
    except (StranglerError, OSError) as exc:
        return PortfolioRow.failed(name, str(path), str(exc), time.perf_counter() - started)
    except Exception as exc:  # a bug on one codebase must not stop the portfolio run
        return PortfolioRow.failed(name, str(path), f"internal error {type(exc).__name__}: {exc}",
                                   time.perf_counter() - started)
    report = f"{name}/report.md" if "md" in formats else ""
    return PortfolioRow.from_plan(name, str(path), result.plan, time.perf_counter() - started, report=report)


def _unique_names(paths: Sequence[Path]) -> list[str]:
    seen: Counter[str] = Counter()
    names = []
    for path in paths:
        stem = path.resolve().name or "codebase"
        seen[stem] += 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


# --------------------------------------------------------------------------- CI check


def check_against_plan(path: Path, plan_path: Path, options: AnalysisOptions | None = None,
                       progress: Progress | None = None) -> list[NewCoupling]:
    """Call sites that cross services in the approved plan but are not listed in it."""
    plan = read_plan(plan_path)
    graph = build(path, options, progress)
    return sorted(find_new_coupling(plan, graph.calls)
                  + find_unplanned_modules(plan, graph.codebase.modules))
