"""recommend(): the whole Plan, assembled and deterministic."""

from __future__ import annotations

import dataclasses
import json

from shop_fixture import make_decomposition

from analyzer.decompose.tables import table_uses
from analyzer.model import TableUse
from analyzer.recommend import recommend


def plan_json(plan) -> str:
    return json.dumps(dataclasses.asdict(plan), sort_keys=True, default=str)


def test_services_in_stable_order_with_shared_kernel_last_and_without_target(shop_decomposition):
    plan = recommend(shop_decomposition)
    assert [(s.name, s.kind) for s in plan.services] == [
        ("inventory", "service"), ("media", "service"), ("notifications", "service"), ("orders", "service"),
        ("pricing", "service"), ("reporting", "service"), ("shared-kernel", "shared")]
    kernel = plan.services[-1]
    assert kernel.target is None and kernel.modules == ("shop.utils.money",)
    assert all(s.target is not None for s in plan.services[:-1])


def test_every_analyzed_module_is_in_exactly_one_service(shop_decomposition):
    plan = recommend(shop_decomposition)
    placed = [m for s in plan.services for m in s.modules]
    assert sorted(placed) == sorted(m.name for m in shop_decomposition.graph.codebase.modules)


def test_tables_owned_and_shared_and_the_data_map(shop_decomposition):
    plan = recommend(shop_decomposition)
    by_name = {s.name: s for s in plan.services}
    assert by_name["orders"].tables == ("orders",)
    assert by_name["inventory"].tables == ("stock",)
    assert by_name["reporting"].tables == ()
    assert by_name["reporting"].tables_shared == ("orders",)
    assert plan.data == {"orders": TableUse("orders", ("reporting",)), "stock": TableUse("inventory")}


def test_the_service_defining_a_model_owns_its_table_even_when_another_writes_it_more(shop_decomposition):
    writes = tuple(dataclasses.replace(a, module="shop.reporting.export", mode="write", via="save", line=20 + n)
                   for n, a in enumerate([shop_decomposition.graph.data_access[2]] * 3))
    uses = table_uses((*shop_decomposition.graph.data_access, *writes), shop_decomposition.assignment)
    assert uses["orders"] == TableUse("orders", ("reporting",))
    undefined = [a for a in (*shop_decomposition.graph.data_access, *writes) if a.via != "define"]
    assert table_uses(undefined, shop_decomposition.assignment)["orders"] == TableUse("reporting", ("orders",))


def test_plan_carries_source_metrics_waves_risks_and_entry_points(shop_decomposition):
    plan = recommend(shop_decomposition)
    assert (plan.source.root, plan.source.files_analyzed) == ("samples/shop", 10)
    assert [s.path for s in plan.source.skipped] == ["shop/legacy/py2.py"]
    assert plan.metrics["modularity"] == 0.41
    assert sorted(n for w in plan.waves for n in w.services) == [
        "inventory", "media", "notifications", "orders", "pricing", "reporting"]
    assert all(s.risk is not None for s in plan.services if s.kind == "service")
    orders = next(s for s in plan.services if s.name == "orders")
    assert [(e.kind, e.detail) for e in orders.entry_points] == [("http", "POST /orders"),
                                                                ("http", "DELETE /orders/<id>")]
    assert orders.effort is not None and orders.effort.size in {"S", "M", "L", "XL"}


def test_same_input_gives_an_identical_plan():
    assert plan_json(recommend(make_decomposition())) == plan_json(recommend(make_decomposition()))
