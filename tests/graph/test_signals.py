"""Data, co-change and vocabulary signals on the module graph, and their combination."""

import networkx as nx
import pytest

from analyzer.graph.signals import (
    SEMANTIC_TOP_K,
    add_cochange_signal,
    add_data_signal,
    add_semantic_signal,
    combine_weights,
    domain_tokens,
    signal_strength,
)
from analyzer.model import CodeBase, DataAccess, Definition, ModuleFacts


def access(module: str, table: str, mode: str = "read", via: str = "query") -> DataAccess:
    return DataAccess(f"{module}.f", module, table, mode, via, module.replace(".", "/") + ".py", 1)


def graph(*names: str) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(names)
    return g


def pair_value(g: nx.DiGraph, a: str, b: str, signal: str) -> float:
    return (g.get_edge_data(a, b) or {}).get(signal, 0.0) + (g.get_edge_data(b, a) or {}).get(signal, 0.0)


def test_modules_touching_the_same_table_attract_without_a_structural_edge():
    g = graph("shop.models", "shop.repo", "shop.report", "shop.other")
    add_data_signal(g, [access("shop.models", "orders", "write", "define"),
                        access("shop.repo", "orders", "write", "save"),
                        access("shop.report", "orders", "read")])
    owner_writer = pair_value(g, "shop.models", "shop.repo", "data")
    owner_reader = pair_value(g, "shop.models", "shop.report", "data")
    assert owner_writer > owner_reader > 0
    assert pair_value(g, "shop.other", "shop.repo", "data") == 0


def test_a_popular_table_pulls_no_harder_than_a_private_one():
    g = graph(*(f"m{i}" for i in range(10)))
    add_data_signal(g, [access(f"m{i}", "users", "write") for i in range(10)])
    total_pull_on_m0 = sum(pair_value(g, "m0", f"m{i}", "data") for i in range(1, 10))
    assert total_pull_on_m0 == pytest.approx(1.0)


def test_the_data_signal_joins_an_existing_structural_edge():
    g = graph("a", "b")
    g.add_edge("b", "a", call=2)
    add_data_signal(g, [access("a", "t", "write"), access("b", "t", "write")])
    assert list(g.edges(data=True)) == [("b", "a", {"call": 2, "data": 1.0})]


def facts(name: str, path: str = "", identifiers: tuple[str, ...] = (), classes: tuple[str, ...] = ()) -> ModuleFacts:
    path = path or name.replace(".", "/") + ".py"
    definitions = tuple(Definition(f"{name}.{c}", "class", name, path, 1, 2, 2) for c in classes)
    return ModuleFacts(name, path, 10, identifiers=identifiers, definitions=definitions)


def test_cochange_maps_file_pairs_to_module_pairs_and_drops_one_offs():
    codebase = CodeBase("r", (facts("shop.a"), facts("shop.b"), facts("shop.c")),
                        cochange=(("shop/a.py", "shop/b.py", 6), ("shop/a.py", "shop/c.py", 3),
                                  ("shop/b.py", "shop/c.py", 1), ("shop/a.py", "docs/x.py", 9)))
    g = graph("shop.a", "shop.b", "shop.c")
    add_cochange_signal(g, codebase)
    assert pair_value(g, "shop.a", "shop.b", "cochange") == 1.0
    assert pair_value(g, "shop.a", "shop.c", "cochange") == 0.5
    assert pair_value(g, "shop.b", "shop.c", "cochange") == 0


def test_modules_sharing_domain_vocabulary_are_linked_and_layers_are_not():
    modules = (
        facts("shop.api.orders", identifiers=("OrderService", "place_order", "order_id", "cart_total")),
        facts("shop.services.order_service", identifiers=("Order", "place_order", "cart_total", "order_id")),
        facts("shop.api.payments", identifiers=("PaymentService", "charge_card", "refund_id")),
        facts("shop.services.payment_service", identifiers=("Payment", "charge_card", "refund_id", "card")),
    )
    g = graph(*(m.name for m in modules))
    add_semantic_signal(g, CodeBase("r", modules))
    assert pair_value(g, "shop.api.orders", "shop.services.order_service", "semantic") > 0.5
    assert pair_value(g, "shop.api.payments", "shop.services.payment_service", "semantic") > 0.5
    assert pair_value(g, "shop.api.orders", "shop.api.payments", "semantic") == 0
    assert pair_value(g, "shop.services.order_service", "shop.services.payment_service", "semantic") == 0


def test_the_semantic_signal_keeps_only_the_nearest_neighbours():
    group = [facts(f"pkg.billing{i:02d}", identifiers=("invoice", "ledger"), classes=("Invoice", "Ledger"))
             for i in range(12)]
    topics = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
              "kilo", "lima")
    others = [facts(f"pkg.{topic}", identifiers=(topic,)) for topic in topics]
    g = graph(*(m.name for m in group + others))
    add_semantic_signal(g, CodeBase("r", tuple(group + others)))
    complete = len(group) * (len(group) - 1) // 2
    assert len(group) * SEMANTIC_TOP_K // 2 <= g.number_of_edges() < complete
    assert all(a.startswith("pkg.billing") and b.startswith("pkg.billing") for a, b in g.edges)


def test_framework_vocabulary_does_not_link_modules_of_one_kind():
    configs = tuple(facts(f"clinic.{app}.apps", identifiers=("default_auto_field", "verbose_name", "ready", app),
                          classes=(f"{app.capitalize()}Config",)) for app in ("billing", "lab", "staff"))
    g = graph(*(m.name for m in configs))
    add_semantic_signal(g, CodeBase("r", configs))
    assert g.number_of_edges() == 0


def test_identifiers_split_into_domain_words_without_layer_or_python_noise():
    assert domain_tokens(["OrderRepository", "place_order", "self", "HTTPResponse", "id"]) == [
        "order", "place", "order", "http", "response"]


def test_weights_combine_signals_and_a_zero_weight_switches_one_off():
    g = graph("a", "b")
    g.add_edge("a", "b", call=4.0, semantic=0.5)
    combine_weights(g, {"call": 1.0, "semantic": 0.6, "data": 2.0})
    assert g.edges["a", "b"]["weight"] == pytest.approx(2.0 + 0.3)  # call counts enter as their square root
    combine_weights(g, {"call": 0.0, "semantic": 0.6})
    assert g.edges["a", "b"]["weight"] == pytest.approx(0.3)


def test_many_calls_couple_more_than_one_but_not_proportionally():
    assert signal_strength("call", 1) == 1.0
    assert 1.0 < signal_strength("call", 25) == 5.0
    assert signal_strength("semantic", 0.4) == 0.4
