from __future__ import annotations

import json

from analyzer.export.check import (
    KERNEL_CALLS_SERVICE,
    NEW_COUPLING,
    NEW_MODULE,
    find_new_coupling,
    find_unplanned_modules,
    render_check_json,
    render_check_text,
)
from analyzer.model import CallSite, ModuleFacts


def site(caller: str, *callees: str, path: str = "shop/x.py", line: int = 1) -> CallSite:
    return CallSite(caller=caller, callees=tuple(callees), expr=callees[0].rsplit(".", 1)[-1], path=path, line=line)


def test_planned_boundary_calls_are_not_reported(plan):
    calls = [site("shop.orders.service.place_order", "shop.notifications.tasks.send_receipt",
                  path="shop/orders/service.py", line=88)]
    assert find_new_coupling(plan, calls) == []


def test_a_planned_call_that_moved_lines_is_still_recognised(plan):
    moved = [site("shop.orders.service.place_order", "shop.notifications.tasks.send_receipt",
                  path="shop/orders/service.py", line=120)]
    assert find_new_coupling(plan, moved) == []


def test_a_renamed_caller_at_the_same_place_is_still_recognised(plan):
    renamed = [site("shop.orders.service.submit_order", "shop.notifications.tasks.send_receipt",
                    path="shop/orders/service.py", line=88)]
    assert find_new_coupling(plan, renamed) == []


def test_new_cross_service_call_is_reported_at_its_location(plan):
    calls = [
        site("shop.notifications.email.render", "shop.reporting.export.build", path="shop/notifications/email.py",
             line=33),
        site("shop.orders.service.place_order", "shop.orders.models.Order.save", line=5),  # same service
        site("shop.orders.service.place_order", "shop.utils.money.to_cents", line=6),  # into the kernel
        site("shop.orders.service.place_order", "requests.post", line=7),  # outside the code
    ]
    findings = find_new_coupling(plan, calls)
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.path, finding.line, finding.code) == ("shop/notifications/email.py", 33, NEW_COUPLING)
    assert (finding.source, finding.target) == ("notifications", "reporting")
    assert render_check_text(findings) == (
        "shop/notifications/email.py:33: new-coupling shop.notifications.email.render (notifications) calls "
        "shop.reporting.export.build (reporting), a cross-service call the plan does not list\n")


def test_kernel_calling_a_service_is_reported(plan):
    calls = [site("shop.utils.text.slug", "shop.orders.service.get_order", path="shop/utils/text.py", line=4)]
    [finding] = find_new_coupling(plan, calls)
    assert finding.code == KERNEL_CALLS_SERVICE
    assert "must not depend on a service" in finding.message


def test_every_ambiguous_callee_that_crosses_is_reported_once(plan):
    calls = [site("shop.orders.service.place_order", "shop.reporting.export.build", "shop.reporting.jobs.nightly",
                  line=9)] * 2
    findings = find_new_coupling(plan, calls)
    assert [f.callee for f in findings] == ["shop.reporting.export.build", "shop.reporting.jobs.nightly"]


def test_new_modules_are_reported(plan):
    modules = [ModuleFacts(name="shop.orders.service", path="shop/orders/service.py", loc=10),
               ModuleFacts(name="shop.loyalty.points", path="shop/loyalty/points.py", loc=10)]
    [finding] = find_unplanned_modules(plan, modules)
    assert finding.code == NEW_MODULE
    assert render_check_text([finding]) == (
        "shop/loyalty/points.py:1: new-module new module shop.loyalty.points not in plan; "
        "assign it to a service and re-approve the plan\n")


def test_json_output_lists_findings_sorted(plan):
    calls = [site("shop.notifications.email.render", "shop.reporting.export.build", path="b.py", line=2),
             site("shop.notifications.email.render", "shop.reporting.jobs.nightly", path="a.py", line=9)]
    data = json.loads(render_check_json(find_new_coupling(plan, calls)))
    assert data["count"] == 2
    assert [(f["path"], f["line"]) for f in data["findings"]] == [("a.py", 9), ("b.py", 2)]
    assert set(data["findings"][0]) == {"path", "line", "code", "caller", "callee", "source", "target", "message"}
    assert render_check_text([]) == ""
