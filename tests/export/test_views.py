from __future__ import annotations

import dataclasses

from analyzer.export import views
from analyzer.model import Service


def test_risk_and_effort_read_the_recommend_shapes_and_plain_values():
    structured = Service("a", "service", ("m",), extra={"risk": {"level": "high", "causes": ["x", "y"]},
                                                       "effort": {"size": "L", "points": 9.1}})
    plain = Service("b", "service", ("n",), extra={"risk": "medium", "effort": "S"})
    bare = Service("c", "service", ("o",))
    assert (views.risk_of(structured), views.risk_causes(structured), views.effort_of(structured)) == \
        ("high", ["x", "y"], "L")
    assert (views.risk_of(plain), views.risk_causes(plain), views.effort_of(plain)) == ("medium", [], "S")
    assert (views.risk_of(bare), views.effort_of(bare)) == ("", "")


def test_highest_risk_over_services(plan):
    assert views.highest_risk(plan) == "high"
    calm = dataclasses.replace(plan, services=tuple(dataclasses.replace(s, extra={}) for s in plan.services))
    assert views.highest_risk(calm) == ""


def test_limit_rows_accept_records_nested_tables_and_dataclasses(plan):
    nested = dataclasses.replace(plan, extra={"limits": {
        "lambda": {"timeout": {"value": 900, "unit": "s"}, "memory": {"value": 10240, "unit": "MB"}}}})
    headers, rows = views.limit_rows(nested)
    assert headers == ["name", "value", "unit"]
    assert rows == [["lambda.memory", 10240, "MB"], ["lambda.timeout", 900, "s"]]


def test_module_of_finds_the_longest_module_prefix():
    modules = {"shop", "shop.orders", "shop.orders.service"}
    assert views.module_of("shop.orders.service.OrderService.place", modules) == "shop.orders.service"
    assert views.module_of("shop.orders", modules) == "shop.orders"
    assert views.module_of("requests.post", modules) is None


def test_why_here_describes_links_or_text(plan):
    orders = next(s for s in plan.services if s.name == "orders")
    assert views.why_here(orders, "shop.orders.service") == "data link to shop.orders.models (4)"
    assert views.why_here(orders, "shop.orders.models") == ""
