"""Function and module graphs built from scan facts, and the typed accessors other stages read them with."""

from __future__ import annotations

import textwrap
from pathlib import Path

from analyzer.graph import build_graph
from analyzer.graph.structure import edge_signal, function_graph, module_graph
from analyzer.model import (
    CallSite,
    CodeBase,
    Definition,
    Import,
    ModuleFacts,
    Reference,
)
from analyzer.options import AnalysisOptions
from analyzer.scan import scan


def definition(qualname: str, kind: str = "function", bases: tuple[str, ...] = (), line: int = 1) -> Definition:
    module = qualname.rsplit(".", 2)[0] if kind == "method" else qualname.rsplit(".", 1)[0]
    return Definition(qualname, kind, module, module.replace(".", "/") + ".py", line, line + 3, 3, bases=bases)


def call(caller: str, callees: tuple[str, ...], path: str, line: int, deferred: str = "") -> CallSite:
    return CallSite(caller, callees, callees[0].rpartition(".")[2], path, line, usage="discarded", deferred=deferred)


def shop() -> CodeBase:
    orders = ModuleFacts(
        name="shop.orders", path="shop/orders.py", loc=40,
        definitions=(definition("shop.orders.place"), definition("shop.orders.Order", "class", ("shop.base.Model",)),
                     definition("shop.orders.helper")),
        imports=(Import("shop.orders", "shop.billing.charge", "charge", 1, internal=True),
                 Import("shop.orders", "shop.billing", "billing", 2, internal=True),
                 Import("shop.orders", "shop.base.Model", "Model", 3, internal=True),
                 Import("shop.orders", "shop.mail", "mail", 5, type_checking=True, internal=True),
                 Import("shop.orders", "requests", "requests", 6)),
        calls=(call("shop.orders.place", ("shop.billing.charge",), "shop/orders.py", 10),
               call("shop.orders.place", ("shop.billing.charge", "shop.billing.refund"), "shop/orders.py", 11),
               call("shop.orders.place", ("shop.orders.helper",), "shop/orders.py", 12),
               call("shop.orders.place", ("shop.billing.charge",), "shop/orders.py", 13, deferred="delay"),
               call("shop.orders.place", ("requests.post",), "shop/orders.py", 14),
               call("shop.orders", ("shop.orders.place",), "shop/orders.py", 30)),
        references=(Reference("shop.orders", "shop.billing.refund", "shop/orders.py", 31, "route"),),
    )
    billing = ModuleFacts(name="shop.billing", path="shop/billing.py", loc=20,
                          definitions=(definition("shop.billing.charge"), definition("shop.billing.refund")))
    base = ModuleFacts(name="shop.base", path="shop/base.py", loc=5, definitions=(definition("shop.base.Model", "class"),))
    mail = ModuleFacts(name="shop.mail", path="shop/mail/__init__.py", loc=8, is_package=True)
    return CodeBase(root="shop", modules=(base, billing, mail, orders))


def all_calls(codebase: CodeBase) -> list[CallSite]:
    return [c for m in codebase.modules for c in m.calls]


def test_function_graph_nodes_are_definitions_and_modules():
    graph = function_graph(shop(), all_calls(shop()))
    assert set(graph.nodes) == {"shop.base", "shop.billing", "shop.mail", "shop.orders", "shop.base.Model",
                                "shop.billing.charge", "shop.billing.refund", "shop.orders.place",
                                "shop.orders.Order", "shop.orders.helper"}
    assert graph.nodes["shop.orders.place"] == {"kind": "function", "module": "shop.orders", "path": "shop/orders.py",
                                                "line": 1, "loc": 3}
    assert graph.nodes["shop.orders"]["kind"] == "module"


def test_function_graph_edges_count_sites_per_kind_and_skip_external_callees():
    graph = function_graph(shop(), all_calls(shop()))
    assert sorted(graph.edges) == [
        ("shop.orders", "shop.billing.refund"), ("shop.orders", "shop.orders.place"),
        ("shop.orders.Order", "shop.base.Model"),
        ("shop.orders.place", "shop.billing.charge"), ("shop.orders.place", "shop.billing.refund"),
        ("shop.orders.place", "shop.orders.helper"),
    ]
    charge = graph.edges["shop.orders.place", "shop.billing.charge"]
    assert (charge["kind"], charge["weight"], charge["call"]) == ("call", 3, 3)
    assert charge["sites"] == [("shop/orders.py", 10), ("shop/orders.py", 11), ("shop/orders.py", 13)]
    assert graph.edges["shop.orders", "shop.billing.refund"]["kind"] == "reference"
    assert graph.edges["shop.orders.Order", "shop.base.Model"]["kind"] == "inherit"


def test_module_graph_rolls_up_each_signal_and_leaves_out_self_loops():
    graph = module_graph(shop(), all_calls(shop()))
    assert set(graph.nodes) == {"shop.base", "shop.billing", "shop.mail", "shop.orders"}
    assert graph.nodes["shop.mail"] == {"loc": 8, "path": "shop/mail/__init__.py", "is_package": True}
    assert sorted(graph.edges) == [("shop.orders", "shop.base"), ("shop.orders", "shop.billing"),
                                   ("shop.orders", "shop.mail")]
    billing = graph.edges["shop.orders", "shop.billing"]
    assert {k: billing[k] for k in ("call", "import", "inherit", "reference")} == {
        "call": 3, "import": 2, "inherit": 0, "reference": 1}
    assert "type_only" in billing and billing["type_only"] is False
    assert graph.edges["shop.orders", "shop.mail"]["import"] == 0
    assert graph.edges["shop.orders", "shop.mail"]["type_only"] is True
    assert edge_signal(graph, "shop.orders", "shop.base", "inherit") == 1.0
    assert edge_signal(graph, "shop.base", "shop.orders", "call") == 0.0


def test_code_graph_accessors_give_dependencies_signals_and_edge_kinds():
    graph = build_graph(shop())
    assert sorted(graph.dependencies()) == [("shop.orders", "shop.base"), ("shop.orders", "shop.billing")]
    signals = graph.module_signals()
    assert signals[("shop.orders", "shop.base")]["inherit"] == 1.0
    assert "import" not in signals.get(("shop.orders", "shop.mail"), {})  # a TYPE_CHECKING import only
    assert sum(graph.function_edge_kinds().values()) == graph.functions.number_of_edges()


def test_graphs_from_a_scanned_tree_follow_imports_through_reexports(tmp_path: Path):
    files = {
        "shop/__init__.py": "from shop.models import Order\n",
        "shop/models.py": "class Order:\n    def save(self):\n        pass\n",
        "shop/service.py": "from shop import Order\n\ndef place():\n    Order().save()\n",
    }
    for relative, source in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(source))
    codebase = scan(tmp_path, AnalysisOptions(cache=False))
    graph = module_graph(codebase, all_calls(codebase))
    assert graph.edges["shop.service", "shop.models"]["import"] == 1
    assert graph.edges["shop.service", "shop.models"]["call"] == 2
    assert not graph.has_edge("shop.service", "shop")
