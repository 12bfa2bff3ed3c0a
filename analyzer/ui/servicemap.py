"""The service map as a DOT string for st.graphviz_chart (rendered in the browser, no binary).

Built here rather than by the report's diagram export because the review page highlights the
service being discussed and keeps labels short enough to read on a projector.
"""

from __future__ import annotations

import re

from analyzer.export import views
from analyzer.export.diagrams import dot_quote
from analyzer.model import Plan

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Fill and border per compute target; the shared kernel is grey and dashed (it is not deployed).
TARGET_STYLE = {
    "lambda": ("#FFE8C2", "#D86613"),
    "fargate": ("#D6E6FA", "#1F5FAD"),
    None: ("#EEEEEE", "#777777"),
}
EDGE_STYLE = {
    "sync": ('solid', "#37474F"),
    "async": ('dashed', "#8E24AA"),
}


def html(text: str) -> str:
    """Text for a DOT HTML-like label: control characters and line breaks as spaces, never empty
    (Graphviz refuses `<b></b>`), brackets as character references (Graphviz's label lexer refuses
    `<b>]</b>`)."""
    text = _CONTROL.sub(" ", text)
    escaped = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
               .replace("[", "&#91;").replace("]", "&#93;"))
    return escaped if escaped.strip() else "&#160;"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def quote(text: str) -> str:
    return dot_quote(text)


def service_map_dot(plan: Plan, highlight: str | None = None) -> str:
    """Services as nodes coloured by compute target; boundaries as edges styled by sync/async
    and labelled with channel and call count. Sorted, so the same plan gives the same text."""
    lines = [
        "digraph services {",
        # fdp (force-directed) keeps a dozen densely linked services compact enough to read
        # on one screen; dot's ranks spread them into one very wide row.
        '  graph [layout=fdp, overlap=false, sep="+14", splines=true, bgcolor="transparent", pad=0.2, '
        'fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=16, margin="0.2,0.1"];',
        '  edge [fontname="Helvetica", fontsize=12, arrowsize=0.8];',
    ]
    for service in sorted(plan.services, key=lambda s: s.name):
        compute = service.target.compute if service.target is not None else None
        fill, border = TARGET_STYLE.get(compute, TARGET_STYLE[None])
        what = compute.capitalize() if compute else "shared kernel"
        label = (f'<<b>{html(service.name)}</b><br/><font point-size="12">{html(what)} · '
                 f'{plural(len(service.modules), "module")} · {service.loc:,} LOC</font>>')
        style = "rounded,filled" if service.kind == "service" else "rounded,filled,dashed"
        width = 3 if service.name == highlight else 1.2
        lines.append(
            f"  {quote(service.name)} [label={label}, fillcolor={quote(fill)}, color={quote(border)}, "
            f"style={quote(style)}, penwidth={width}];"
        )
    busiest = views.busiest_boundary(plan)
    for boundary in sorted(plan.boundaries, key=lambda b: (b.source, b.target)):
        dash, colour = EDGE_STYLE.get(boundary.style, EDGE_STYLE["sync"])
        calls = len(boundary.calls)
        label = f"{boundary.channel} ×{calls}"
        touches = highlight in (boundary.source, boundary.target)
        width = 2.2 if touches else 1.1
        observed = views.observed_calls(boundary)
        if observed is not None:  # with runtime evidence the thickness is the observed volume
            label += f" · {observed:,} observed"
            width = views.penwidth(boundary, busiest) + (1.0 if touches else 0.0)
        lines.append(
            f"  {quote(boundary.source)} -> {quote(boundary.target)} [label={quote(label)}, style={dash}, "
            f"color={quote(colour)}, fontcolor={quote(colour)}, penwidth={width:g}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
