"""services.dot / services.svg: the proposed services and how they talk, for design docs.

DOT text needs no system binary (Streamlit draws it in the browser); SVG needs Graphviz's `dot`
and is simply not produced when it is missing.
"""

from __future__ import annotations

import re
from collections import Counter

import graphviz
from graphviz import quoting

from analyzer.export import views
from analyzer.model import Boundary, Plan, Service

COMPUTE_STYLE = {
    "lambda": {"fillcolor": "#FCE4D6", "color": "#C55A11"},
    "fargate": {"fillcolor": "#DDEBF7", "color": "#2F5597"},
}
SHARED_STYLE = {"fillcolor": "#EDEDED", "color": "#7F7F7F", "style": "rounded,filled,dashed"}
OTHER_STYLE = {"fillcolor": "#FFFFFF", "color": "#404040"}
LEGEND = "orange: Lambda   blue: Fargate   grey dashed: shared kernel   solid edge: sync   dashed edge: async"

SVG_MISSING_NOTE = ("services.svg not written: install Graphviz (apt-get install graphviz) to render SVG; "
                    "services.dot is ready")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def dot_text(value: str) -> str:
    """`value` for inside a quoted DOT string: backslashes doubled (so none escapes the closing
    quote or reads as a label escape), line breaks as \\n, other control characters dropped.
    Quotes are escaped by whoever wraps it in quotes (dot_quote, or the graphviz library)."""
    value = value.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def dot_quote(value: str) -> str:
    """A quoted DOT ID or string for any text: never HTML (`<…>`), never split at `:` into a port."""
    return '"' + dot_text(value).replace('"', '\\"') + '"'


def dot_name(value: str) -> quoting.NoHtml:
    """A name for the graphviz library's node()/edge()/label: quoted as text, whatever it holds."""
    return graphviz.nohtml(dot_text(value))


class _Digraph(graphviz.Digraph):
    """Edge ends are whole node names: the library would read `a:b` as node a, port b."""

    _quote_edge = staticmethod(quoting.quote)


def _digraph(name: str) -> graphviz.Digraph:
    return _Digraph(
        name,
        graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11", "labelloc": "b",
                    "nodesep": "0.5", "ranksep": "0.9"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#404040"},
    )


def _node_style(service: Service) -> dict[str, str]:
    if service.kind == "shared":
        return dict(SHARED_STYLE)
    return dict(COMPUTE_STYLE.get(views.compute_of(service), OTHER_STYLE))


def render_dot(plan: Plan) -> str:
    """Services as nodes coloured by compute; boundaries as edges (solid sync, dashed async)."""
    graph = _digraph("services")
    graph.attr(label=LEGEND)
    for service in views.services_in_order(plan):
        compute = views.compute_of(service)
        label = graphviz.nohtml(f"{dot_text(service.name)}\\n{compute} · {service.loc} LOC · "
                                f"{len(service.modules)} modules")
        graph.node(dot_name(service.name), label=label, **_node_style(service))
    busiest = views.busiest_boundary(plan)
    for boundary in sorted(plan.boundaries, key=lambda b: (b.source, b.target, b.style, b.channel)):
        calls = len(boundary.calls)
        observed = views.observed_calls(boundary)
        label = _channel_label(boundary) + ("" if observed is None else f"\\n{observed:,} observed")
        graph.edge(dot_name(boundary.source), dot_name(boundary.target), label=label,
                   style="dashed" if boundary.style == "async" else "solid",
                   penwidth=str(min(4, 1 + calls // 3)) if observed is None
                   else f"{views.penwidth(boundary, busiest):g}")
    return str(graph.source)


def _channel_label(boundary: Boundary) -> str:
    """'sqs · 3 calls', or one part per channel when the calls use several ('http · 2 calls; sqs · 1 call')."""
    if not boundary.calls and boundary.runtime is not None:
        return f"{boundary.channel} · seen at run time only"
    per_channel = Counter(c.channel for c in boundary.calls) or Counter({boundary.channel: 0})
    ordered = sorted(per_channel.items(), key=lambda item: (item[0] != boundary.channel, item[0]))
    return "; ".join(f"{channel} · {n} call{'s' if n != 1 else ''}" for channel, n in ordered)


def render_module_dot(plan: Plan) -> str:
    """Modules clustered by service (subgraph cluster_*); edges are the cross-service calls."""
    graph = _digraph("modules")
    graph.attr(compound="true")
    for index, service in enumerate(views.services_in_order(plan)):
        style = _node_style(service)
        with graph.subgraph(name=f"cluster_{index}") as cluster:
            cluster.attr(label=dot_name(f"{service.name} ({views.compute_of(service)})"), color=style["color"],
                         style="rounded,dashed" if service.kind == "shared" else "rounded")
            for module in sorted(service.modules):
                cluster.node(dot_name(module), label=dot_name(module), fillcolor=style["fillcolor"],
                             color=style["color"])
    links: Counter[tuple[str, str, str]] = Counter()
    for boundary in plan.boundaries:
        for call in boundary.calls:
            source, target = plan.module_of(call.caller), plan.module_of(call.callee)
            if source and target:
                links[(source, target, call.style)] += 1
    for (source, target, call_style), count in sorted(links.items()):
        graph.edge(dot_name(source), dot_name(target), label=str(count),
                   style="dashed" if call_style == "async" else "solid")
    return str(graph.source)


def render_svg(dot: str) -> bytes | None:
    """SVG bytes from DOT text, or None when Graphviz's `dot` program is not installed."""
    try:
        return bytes(graphviz.Source(dot).pipe(format="svg"))
    except graphviz.ExecutableNotFound:
        return None

