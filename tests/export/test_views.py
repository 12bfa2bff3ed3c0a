from __future__ import annotations

import dataclasses

from analyzer.export import views


def test_risk_effort_and_causes_read_the_typed_fields(plan):
    reporting = next(s for s in plan.services if s.name == "reporting")
    kernel = next(s for s in plan.services if s.kind == "shared")
    assert (views.risk_of(reporting), views.risk_causes(reporting), views.effort_of(reporting)) == \
        ("high", ["2 shared table(s) to split: customers, orders"], "L")
    assert (views.risk_of(kernel), views.risk_causes(kernel), views.effort_of(kernel)) == ("", [], "")


def test_highest_risk_over_services(plan):
    assert views.highest_risk(plan) == "high"
    calm = dataclasses.replace(plan, services=tuple(dataclasses.replace(s, risk=None) for s in plan.services))
    assert views.highest_risk(calm) == ""


def test_limit_rows_are_sorted_by_key_with_every_column(plan):
    headers, rows = views.limit_rows(plan)
    assert headers[:3] == ["key", "value", "unit"]
    assert [row[0] for row in rows] == ["lambda.memory.max", "lambda.timeout"]


def test_why_here_describes_the_strongest_links(plan):
    orders = next(s for s in plan.services if s.name == "orders")
    assert views.why_here(orders, "shop.orders.service") == "data link to shop.orders.models (4)"
    assert views.why_here(orders, "shop.orders.models") == ""
