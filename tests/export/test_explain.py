"""`strangler explain --service NAME` text, rendered from a plan."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "recommend"))

from shop_fixture import make_decomposition  # noqa: E402

from analyzer.errors import StranglerError, UnknownService  # noqa: E402
from analyzer.export.explain import render_explain  # noqa: E402
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
    assert "  - [long-running-loop] an endless loop runs past the Lambda timeout of 900 s\n" \
           "      shop/media/transcode.py:20" in text


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
