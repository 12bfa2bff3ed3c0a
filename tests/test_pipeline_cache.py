"""analyzer.pipeline.build caches the graph next to the CodeBase: a re-run on an unchanged tree
gives the same graph without rebuilding it, and anything the graph depends on invalidates it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.model import SIGNALS
from analyzer.options import AnalysisOptions

FILES = {
    "shop/__init__.py": "",
    "shop/models.py": """
        class Order:
            def save(self):
                pass
    """,
    "shop/orders.py": """
        from shop.models import Order
        from shop.billing import charge

        def place(total):
            order = Order()
            order.save()
            charge(order, total)
            return order
    """,
    "shop/billing.py": """
        def charge(order, total):
            return round(total, 2)
    """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def snapshot(graph) -> tuple:
    """Everything a later stage reads from a CodeGraph, in insertion order."""
    return (
        list(graph.functions.nodes(data=True)), list(graph.functions.edges(data=True)),
        list(graph.modules.nodes(data=True)), list(graph.modules.edges(data=True)),
        graph.models, graph.data_access, graph.calls, graph.codebase,
    )


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """Roots build_graph really ran on (a cache hit does not call it)."""
    seen: list[str] = []
    real = pipeline.build_graph

    def counting(codebase, options=None):
        seen.append(codebase.root)
        return real(codebase, options)

    monkeypatch.setattr(pipeline, "build_graph", counting)
    return seen


def test_a_rerun_on_an_unchanged_tree_returns_the_same_graph_without_rebuilding_it(tmp_path, builds):
    root = write(tmp_path / "src", FILES)
    first = pipeline.build(root, AnalysisOptions())
    second = pipeline.build(root, AnalysisOptions())
    assert len(builds) == 1
    assert snapshot(second) == snapshot(first)
    assert ("shop.orders.place", "shop.billing.charge") in second.functions.edges


def test_an_edited_file_rebuilds_the_graph(tmp_path, builds):
    root = write(tmp_path / "src", FILES)
    pipeline.build(root, AnalysisOptions())
    (root / "shop/billing.py").write_text("def charge(order, total):\n    return audit(total)\n\ndef audit(x):\n"
                                          "    return x\n", encoding="utf-8")
    graph = pipeline.build(root, AnalysisOptions())
    assert len(builds) == 2
    assert ("shop.billing.charge", "shop.billing.audit") in graph.functions.edges


def test_other_signal_weights_rebuild_the_graph(tmp_path, builds):
    root = write(tmp_path / "src", FILES)
    pipeline.build(root, AnalysisOptions())
    heavier = AnalysisOptions(weights={signal: 2.0 for signal in SIGNALS})
    graph = pipeline.build(root, heavier)
    assert len(builds) == 2
    fresh = pipeline.build_graph(graph.codebase, heavier)
    assert list(graph.modules.edges(data=True)) == list(fresh.modules.edges(data=True))


def test_without_a_cache_every_build_builds(tmp_path, builds):
    root = write(tmp_path / "src", FILES)
    first = pipeline.build(root, AnalysisOptions(cache=False))
    second = pipeline.build(root, AnalysisOptions(cache=False))
    assert len(builds) == 2
    assert snapshot(second) == snapshot(first)
    assert not (root / ".strangler-cache").exists()
