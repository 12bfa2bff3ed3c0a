"""`strangler explain --service NAME` text, rendered from a plan."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "recommend"))

from shop_fixture import make_decomposition  # noqa: E402

from analyzer.errors import StranglerError, UnknownService  # noqa: E402
from analyzer.export.explain import render_explain  # noqa: E402
from analyzer.export.plan_json import read_plan, write_json  # noqa: E402
from analyzer.model import Effort, Risk  # noqa: E402
from analyzer.recommend import recommend  # noqa: E402


@pytest.fixture(scope="module")
def shop_plan():
    return recommend(make_decomposition())


def test_explains_modules_entry_points_tables_and_target(shop_plan):
    text = render_explain(shop_plan, "orders")
    assert text.startswith("Service orders\n==============\n")
    assert "  shop.orders.service\n" in text
    assert "  http      POST /orders  shop/api/orders.py:9  [API Gateway HTTP API]" in text
    assert "  owns    orders  (also used by reporting)" in text
    assert "Target: lambda (confidence 0.95)" in text


def test_fargate_reasons_come_with_path_and_line(shop_plan):
    text = render_explain(shop_plan, "media")
    assert "Target: fargate" in text
    reason = next(line for line in text.splitlines() if line.startswith("  - [long-running-loop] "))
    assert text.split(reason + "\n", 1)[1].startswith("      shop/media/transcode.py:20\n")


def test_inbound_and_outbound_calls_with_style_and_channel(shop_plan):
    orders = render_explain(shop_plan, "orders")
    assert ("    shop.orders.service.place_order -> shop.pricing.service.quote  shop/orders/service.py:12  sync/http"
            in orders)
    assert "Inbound boundaries (0 calls): none" in orders
    pricing = render_explain(shop_plan, "pricing")
    assert "Inbound boundaries (1 call)\n  from orders: sync/http" in pricing
    media = render_explain(shop_plan, "media")
    assert "! payload `df` at shop/reporting/export.py:14 may exceed 1,024 KiB" in media


def test_shared_kernel_has_no_target(shop_plan):
    text = render_explain(shop_plan, "shared-kernel")
    assert "(shared kernel)" in text and "Target:" not in text


def test_unknown_service_lists_the_valid_names(shop_plan):
    with pytest.raises(UnknownService) as raised:
        render_explain(shop_plan, "billing")
    assert isinstance(raised.value, StranglerError)
    assert str(raised.value) == ("No service named 'billing' in the plan; valid names are: inventory, media, "
                                 "notifications, orders, pricing, reporting, shared-kernel.")


SHAPES = {
    "neither": {"effort": None, "risk": None},
    "effort only": {"effort": Effort("M", 4.2, 900, 3, 1, ("orders",), "4.2 points"), "risk": None},
    "risk only": {"effort": None, "risk": Risk("high", ("in a cycle of synchronous calls",), 3.0, "")},
    "both, no causes": {"effort": Effort("S", 0.1, 10, 0, 0, (), ""), "risk": Risk("low", (), 0.0, "")},
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_explain_renders_every_effort_and_risk_shape(shop_plan, shape):
    fields = SHAPES[shape]
    services = tuple(dataclasses.replace(s, **fields) if s.name == "orders" else s for s in shop_plan.services)
    text = render_explain(dataclasses.replace(shop_plan, services=services), "orders")
    effort, risk = fields["effort"], fields["risk"]
    assert ("Effort: M (900 LOC, 3 call site(s) to replace, 1 shared table(s) to split)" in text) == \
        (effort is not None and effort.size == "M")
    assert ("Effort:" in text) == (effort is not None)
    assert ("Risk:" in text) == (risk is not None)
    if risk is not None:
        assert f"Risk: {risk.level}" in text
        assert all(f"  - {cause}" in text for cause in risk.causes)


def test_explain_reads_a_plan_written_to_plan_json_and_back(shop_plan, tmp_path):
    again = read_plan(write_json(shop_plan, tmp_path / "plan.json"))
    for service in shop_plan.services:
        assert render_explain(again, service.name) == render_explain(shop_plan, service.name)
