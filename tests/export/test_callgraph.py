"""Call-graph exports: PyCG-compatible JSON, the richer JSON, and DOT."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from analyzer.errors import ConfigError
from analyzer.export.callgraph import render_callgraph
from analyzer.graph import build_graph
from analyzer.options import AnalysisOptions
from analyzer.scan import scan

FILES = {
    "main.py": """
        from shop.events import order_placed
        from shop.tasks import send_receipt

        class Checkout:
            registry = dict()

            def __init__(self):
                self.total = 0

            def run(self):
                order_placed.send(self)
                send_receipt.delay(1)
                self.helper()
                missing.thing()

            def helper(self):
                pass

        class Plain:
            pass

        def unused():
            pass

        Plain()
        Checkout().run()
        print(len([]))
    """,
    "shop/__init__.py": "",
    "shop/events.py": "from blinker import signal\n\norder_placed = signal('order-placed')\n",
    "shop/tasks.py": "def send_receipt(order_id):\n    pass\n",
}


@pytest.fixture
def codebase(tmp_path: Path):
    for relative, source in FILES.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(source).lstrip("\n"))
    return scan(tmp_path, AnalysisOptions(cache=False))


def test_pycg_format_matches_pycg_conventions(codebase):
    assert json.loads(render_callgraph(codebase, "pycg")) == {
        "<builtin>.dict": [],
        "<builtin>.len": [],
        "<builtin>.print": [],
        "blinker.signal": [],
        "main": ["<builtin>.dict", "<builtin>.len", "<builtin>.print", "main.Checkout.__init__", "main.Checkout.run"],
        "main.Checkout.__init__": [],
        "main.Checkout.helper": [],
        "main.Checkout.run": ["main.Checkout.helper", "shop.tasks.send_receipt"],
        "main.unused": [],
        "shop": [],
        "shop.events": ["blinker.signal"],
        "shop.tasks": [],
        "shop.tasks.send_receipt": [],
    }


def test_pycg_format_names_lambdas_and_builtin_methods_as_pycg_does(tmp_path: Path):
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        def weight(item):
            return item

        ", ".join(["a", "b"])
        {"a": 1}.items()
        rank = lambda items: sorted(items, key=lambda item: weight(item))
        rank([])
    """).lstrip("\n"))
    codebase = scan(tmp_path, AnalysisOptions(cache=False))
    assert json.loads(render_callgraph(codebase, "pycg")) == {
        "<**PyDict**>.items": [],
        "<**PyStr**>.join": [],
        "<builtin>.sorted": [],
        "main": ["<**PyDict**>.items", "<**PyStr**>.join", "main.<lambda1>"],
        "main.<lambda1>": ["<builtin>.sorted", "main.<lambda1>.<lambda1>"],
        "main.<lambda1>.<lambda1>": ["main.weight"],
        "main.weight": [],
    }
    # lambdas are not definitions: the plan's services never hold them
    assert [d.qualname for d in codebase.module("main").definitions] == ["main.weight"]


def test_pycg_output_is_sorted_and_byte_stable(codebase):
    text = render_callgraph(codebase, "pycg")
    assert text == render_callgraph(codebase, "pycg")
    keys = list(json.loads(text))
    assert keys == sorted(keys)


def test_json_format_lists_every_call_site_with_location_usage_and_deferral(codebase):
    document = json.loads(render_callgraph(codebase, "json"))
    run_calls = [(c["line"], c["callees"], c["usage"], c["deferred"]) for c in document["calls"]
                 if c["caller"] == "main.Checkout.run"]
    assert run_calls == [
        (11, ["shop.events.order_placed"], "discarded", "signal"),
        (12, ["shop.tasks.send_receipt"], "discarded", "delay"),
        (13, ["main.Checkout.helper"], "discarded", ""),
        (14, ["<unknown>.thing"], "discarded", ""),
    ]
    assert {d["name"] for d in document["definitions"]} >= {"main.Checkout", "main.Plain", "main.unused"}
    assert document["calls"][0]["path"] == "main.py"


def test_dot_format_draws_internal_edges_only(codebase):
    dot = render_callgraph(codebase, "dot")
    assert dot.startswith("digraph callgraph {")
    assert '"main.Checkout.run" -> "main.Checkout.helper" [kind="call"];' in dot
    assert '"main" -> "main.Plain" [kind="call"];' in dot
    assert "blinker" not in dot and "<builtin>" not in dot
    assert dot == render_callgraph(codebase, "dot")


def test_a_built_graph_renders_the_same_call_graph(codebase):
    graph = build_graph(codebase)
    assert render_callgraph(graph, "pycg") == render_callgraph(codebase, "pycg")
    assert render_callgraph(graph, "dot").startswith("digraph callgraph {")


def test_an_unknown_format_says_which_ones_exist(codebase):
    with pytest.raises(ConfigError, match="choose one of pycg, json, dot"):
        render_callgraph(codebase, "svg")
