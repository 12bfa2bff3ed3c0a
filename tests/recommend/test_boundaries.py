"""Boundary style and channel for each kind of cross-service call in the hand-built shop."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shop_fixture import ORDERS, PLACE, facts, make_decomposition, shop_codebase

from analyzer.model import CallSite, CodeBase, Import
from analyzer.recommend.boundaries import find_boundaries, payload_kind
from analyzer.rules import load_policy

POLICY = load_policy().boundaries


def calls_by_callee(boundaries):
    return {c.callee: c for b in boundaries for c in b.calls}


def test_used_return_value_is_sync_http_with_the_evidence(shop_decomposition):
    call = calls_by_callee(find_boundaries(shop_decomposition))["shop.pricing.service.quote"]
    assert (call.style, call.channel, call.path, call.line) == ("sync", "http", ORDERS, 12)
    assert call.reasons[0] == POLICY.usage_reasons["assigned"].format(expr="pricing.quote")


def test_delay_is_a_single_consumer_command_on_sqs(shop_decomposition):
    call = calls_by_callee(find_boundaries(shop_decomposition))["shop.notifications.handlers.send_receipt"]
    assert (call.style, call.channel) == ("async", "sqs")
    assert call.reasons == (POLICY.deferral_reasons["delay"], "a command to a single consumer service (notifications)")


def test_stock_adjusted_in_a_loop_needs_fifo(shop_decomposition):
    call = calls_by_callee(find_boundaries(shop_decomposition))["shop.inventory.service.adjust_stock"]
    assert (call.style, call.channel) == ("async", "sqs-fifo")
    assert POLICY.usage_reasons["discarded"].format(expr="inventory.adjust_stock") in call.reasons
    assert "called in a loop: successive updates of the same entity, order matters" in call.reasons
    assert any("touches stock" in r for r in call.reasons)


def test_discarded_call_without_ordering_words_is_plain_sqs_even_in_a_loop():
    codebase = shop_codebase()
    orders = codebase.module("shop.orders.service")
    looped = CallSite(PLACE, ("shop.notifications.handlers.send_receipt",), "notify", ORDERS, 50,
                      usage="discarded", in_loop=True, args=("customer.email", "'stock is low'"))
    modules = tuple(replace(m, calls=(looped,)) if m is orders else m for m in codebase.modules)
    boundaries = find_boundaries(make_decomposition(CodeBase(root="shop", modules=modules)))
    call = calls_by_callee(boundaries)["shop.notifications.handlers.send_receipt"]
    assert call.channel == "sqs"
    assert "called in a loop: one message per iteration" in call.reasons


def test_signal_to_three_services_is_eventbridge_naming_them(shop_decomposition):
    boundaries = find_boundaries(shop_decomposition)
    placed = [c for b in boundaries for c in b.calls if c.line == 20]
    assert sorted(c.callee for c in placed) == ["shop.inventory.handlers.on_order_placed",
                                                "shop.notifications.handlers.on_order_placed",
                                                "shop.reporting.handlers.on_order_placed"]
    assert {(c.style, c.channel) for c in placed} == {("async", "eventbridge")}
    assert placed[0].reasons[0] == ("signal `order_placed` fans out to 3 services: "
                                    "inventory, notifications, reporting")


def test_signal_with_one_consumer_service_is_a_queue_and_two_is_a_topic():
    two = make_decomposition(services={
        "orders": ("shop.api.orders", "shop.orders.service"),
        "pricing": ("shop.pricing.service",),
        "inventory": ("shop.inventory.handlers", "shop.inventory.service"),
        "notifications": ("shop.notifications.handlers", "shop.reporting.handlers"),
        "reporting": ("shop.reporting.export",),
        "media": ("shop.media.transcode",),
        "shared-kernel": ("shop.utils.money",),
    })
    placed = {c.channel for b in find_boundaries(two) for c in b.calls if c.line == 20}
    assert placed == {"sns"}
    cancelled = calls_by_callee(find_boundaries(make_decomposition()))["shop.notifications.handlers.on_order_cancelled"]
    assert (cancelled.style, cancelled.channel) == ("async", "sqs")
    assert cancelled.reasons[0] == "signal `order_cancelled` has a single consumer service (notifications)"


def test_boundary_summarises_its_calls_sync_wins_then_strongest_channel(shop_decomposition):
    by_pair = {(b.source, b.target): b for b in find_boundaries(shop_decomposition)}
    assert (by_pair[("orders", "pricing")].style, by_pair[("orders", "pricing")].channel) == ("sync", "http")
    notifications = by_pair[("orders", "notifications")]
    assert {c.channel for c in notifications.calls} == {"sqs", "eventbridge"}
    assert (notifications.style, notifications.channel) == ("async", "eventbridge")


def test_shared_kernel_external_and_same_service_calls_are_not_boundaries(shop_decomposition):
    callees = set(calls_by_callee(find_boundaries(shop_decomposition)))
    assert "shop.utils.money.format_price" not in callees
    assert "requests.post" not in callees
    assert "shop.orders.service.cancel" not in callees
    assert not any(c.startswith("shop.orders.service.order_") for c in callees)  # the signal objects


def test_type_checking_import_between_services_is_never_a_boundary():
    codebase = CodeBase(root="shop", modules=(
        facts("shop.orders.service", imports=(
            Import("shop.orders.service", "shop.pricing.service.quote", "quote", 3, type_checking=True,
                   internal=True),)),
        facts("shop.pricing.service"),
    ))
    decomposition = make_decomposition(codebase, services={"orders": ("shop.orders.service",),
                                                           "pricing": ("shop.pricing.service",)})
    assert decomposition.graph.calls == ()
    assert find_boundaries(decomposition) == ()


def test_large_argument_gets_a_claim_check_warning_against_the_channel_limit(shop_decomposition):
    media = next(b for b in find_boundaries(shop_decomposition) if b.target == "media")
    [warning] = media.payload_warnings
    assert warning.argument == "df"
    assert (warning.channel, warning.limit, warning.limit_value) == ("sqs", "sqs.message_size", "1,024 KiB")
    assert warning.remedy == POLICY.payload_remedy
    assert warning.source.startswith("https://docs.aws.amazon.com/")
    assert next(b for b in find_boundaries(shop_decomposition) if b.target == "pricing").payload_warnings == ()


def test_boundaries_are_grouped_sorted_and_stable(shop_decomposition):
    boundaries = find_boundaries(shop_decomposition)
    pairs = [(b.source, b.target) for b in boundaries]
    assert pairs == sorted(set(pairs))
    for boundary in boundaries:
        keys = [(c.path, c.line, c.caller, c.callee) for c in boundary.calls]
        assert keys == sorted(keys)
    assert find_boundaries(make_decomposition()) == boundaries


def test_a_boundary_lists_every_channel_of_its_calls_with_counts(shop_decomposition):
    for boundary in find_boundaries(shop_decomposition):
        assert sum(c.calls for c in boundary.channels) == len(boundary.calls)
        assert {(c.style, c.channel) for c in boundary.channels} == {(c.style, c.channel) for c in boundary.calls}
    by_pair = {(b.source, b.target): b for b in find_boundaries(shop_decomposition)}
    notifications = by_pair[("orders", "notifications")]
    counts = {channel: sum(1 for c in notifications.calls if c.channel == channel) for channel in ("eventbridge", "sqs")}
    assert notifications.channel_mix() == f"async/eventbridge ×{counts['eventbridge']}, async/sqs ×{counts['sqs']}"


@pytest.mark.parametrize(("argument", "kind"), [
    ("df", "data"), ("upload", "data"), ("request.FILES", "data"), ("[line.total for line in lines]", "a collection"),
    ("report.read()", "file content"), ("order", "model instance"),
    ("upload.filename", ""), ("upload.mimetype", ""), ("order.id", ""), ("order_id", ""), ("'pdf'", ""), ("42", ""),
    ("customer_name", ""),
])
def test_payload_warnings_only_for_arguments_that_can_carry_data(argument, kind):
    rules = POLICY.payload
    assert payload_kind(argument, rules, frozenset({"order"})) == kind
