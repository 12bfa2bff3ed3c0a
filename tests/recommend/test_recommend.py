"""recommend(): the whole Plan, assembled and deterministic."""

from __future__ import annotations

import dataclasses
import json

from shop_fixture import make_decomposition

from analyzer.recommend import recommend, table_usage


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
    assert by_name["reporting"].extra["tables_shared"] == ["orders"]
    assert plan.extra["data"] == {"orders": {"owner": "orders", "used_by": ["reporting"]},
                                  "stock": {"owner": "inventory", "used_by": []}}


def test_decompose_table_claims_win_over_the_defining_module(shop_decomposition):
    claimed = dataclasses.replace(shop_decomposition, clusters=tuple(
        dataclasses.replace(c, tables=("orders",)) if c.name == "reporting" else c
        for c in shop_decomposition.clusters))
    assert table_usage(claimed)["orders"] == {"owner": "reporting", "used_by": ["orders"]}


def test_plan_carries_source_metrics_waves_risks_and_entry_points(shop_decomposition):
    plan = recommend(shop_decomposition)
    assert (plan.source.root, plan.source.files_analyzed) == ("samples/shop", 10)
    assert [s.path for s in plan.source.skipped] == ["shop/legacy/py2.py"]
    assert plan.metrics["modularity"] == 0.41
    assert sorted(n for w in plan.waves for n in w.services) == [
        "inventory", "media", "notifications", "orders", "pricing", "reporting"]
    assert [r["service"] for r in plan.extra["risks"]] == [s.name for s in plan.services if s.kind == "service"]
    orders = next(s for s in plan.services if s.name == "orders")
    assert [(e.kind, e.detail) for e in orders.entry_points] == [("http", "POST /orders"),
                                                                ("http", "DELETE /orders/<id>")]
    assert orders.extra["effort"]["size"] in {"S", "M", "L", "XL"}


def test_same_input_gives_an_identical_plan():
    assert plan_json(recommend(make_decomposition())) == plan_json(recommend(make_decomposition()))
