"""The room's edits become overrides, and plan differences read as moves, renames and flips."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analyzer.errors import OverridesError
from analyzer.options import AnalysisOptions
from analyzer.ui.changes import PlanChanges, diff_plans
from analyzer.ui.edits import Adjustments, merge_services, move_modules, rename_service
from analyzer.ui.summary import deltas, headline


def test_adjustments_round_trip_through_options():
    base = AnalysisOptions(resolution=1.5, services=4, assign={"a.b": "x"}, rename={"x": "y"}, shared=("a.c",))
    adjustments = Adjustments.from_options(base)
    options = adjustments.options(AnalysisOptions())
    assert (options.resolution, options.services, options.assign, options.rename, options.shared) == (
        1.5, 4, {"a.b": "x"}, {"x": "y"}, ("a.c",))


def test_moving_a_module_pins_every_module_where_the_plan_has_it(shop_plan):
    adjusted = move_modules(Adjustments(), shop_plan, {"shop.billing.invoice": "orders"})
    assert dict(adjusted.assign) == {
        "shop.billing.api": "billing",
        "shop.billing.invoice": "orders",
        "shop.orders.api": "orders",
        "shop.orders.service": "orders",
        "shop.reports.export": "reports",
    }
    assert adjusted.shared == ("shop.utils.money",)


def test_moving_into_a_new_service_checks_its_name(shop_plan):
    adjusted = move_modules(Adjustments(), shop_plan, {"shop.reports.export": "reporting-v2"})
    assert dict(adjusted.assign)["shop.reports.export"] == "reporting-v2"
    with pytest.raises(OverridesError, match="'Bad Name' is not a usable service name"):
        move_modules(Adjustments(), shop_plan, {"shop.reports.export": "Bad Name"})


def test_moving_to_the_shared_kernel_forces_it_shared(shop_plan):
    adjusted = move_modules(Adjustments(), shop_plan, {"shop.orders.service": "shared-kernel"})
    assert adjusted.shared == ("shop.orders.service", "shop.utils.money")
    assert "shop.orders.service" not in dict(adjusted.assign)


def test_moving_an_unknown_module_is_refused(shop_plan):
    with pytest.raises(OverridesError, match="Unknown module"):
        move_modules(Adjustments(), shop_plan, {"shop.nowhere": "orders"})


def test_move_into_a_renamed_service_uses_its_proposed_name(shop_plan, make_plan):
    renamed = replace(shop_plan, services=tuple(
        replace(s, name="checkout") if s.name == "orders" else s for s in shop_plan.services))
    adjustments = Adjustments(rename=(("orders", "checkout"),))
    adjusted = move_modules(adjustments, renamed, {"shop.reports.export": "checkout"})
    assert dict(adjusted.assign)["shop.reports.export"] == "orders"


def test_merge_moves_every_module_of_one_service_into_the_other(shop_plan):
    adjusted = merge_services(Adjustments(), shop_plan, "reports", "billing")
    assert sorted(m for m, s in adjusted.assign if s == "billing") == [
        "shop.billing.api", "shop.billing.invoice", "shop.reports.export"]
    assert "reports" not in {s for _, s in adjusted.assign}
    with pytest.raises(OverridesError, match="two different services"):
        merge_services(Adjustments(), shop_plan, "billing", "billing")


def test_rename_records_the_proposed_name_and_refuses_clashes(shop_plan):
    adjusted = rename_service(Adjustments(), shop_plan, "orders", "checkout")
    assert adjusted.rename == (("orders", "checkout"),)
    with pytest.raises(OverridesError, match="already exists; merge"):
        rename_service(Adjustments(), shop_plan, "orders", "billing")
    with pytest.raises(OverridesError, match="shared kernel"):
        rename_service(Adjustments(), shop_plan, "shared-kernel", "common")


def test_renaming_a_service_the_room_created_renames_its_assignments(shop_plan):
    adjustments = Adjustments(assign=(("shop.reports.export", "reporting"),))
    created = replace(shop_plan, services=tuple(
        replace(s, name="reporting") if s.name == "reports" else s for s in shop_plan.services))
    adjusted = rename_service(adjustments, created, "reporting", "exports")
    assert adjusted.assign == (("shop.reports.export", "exports"),)
    assert adjusted.rename == ()


def test_diff_lists_moves_boundaries_and_flipped_targets(shop_plan, make_plan, make_service):
    after = make_plan(
        [
            make_service("orders", ["shop.orders.api", "shop.orders.service", "shop.billing.invoice"]),
            make_service("billing", ["shop.billing.api"], compute="fargate"),
            make_service("reports", ["shop.reports.export"], compute="fargate"),
            make_service("shared-kernel", ["shop.utils.money"], compute=None),
        ],
        [("orders", "billing", "async", "sqs", 1), ("orders", "reports", "sync", "http", 1)],
    )
    changes = diff_plans(shop_plan, after)
    assert changes.moved == (("shop.billing.invoice", "billing", "orders"),)
    assert changes.boundaries_added == ("orders → reports (sync http, 1 call)",)
    assert changes.boundaries_removed == ("billing → reports (async sqs, 1 call)",)
    assert changes.boundaries_restyled == ("orders → billing: sync http → async sqs",)
    assert changes.targets_flipped == (("billing", "lambda", "fargate"),)
    assert "Moved `shop.billing.invoice` from **billing** to **orders**" in changes.lines()


def test_diff_reports_a_rename_not_a_move(shop_plan):
    after = replace(shop_plan, services=tuple(
        replace(s, name="checkout") if s.name == "orders" else s for s in shop_plan.services),
        boundaries=tuple(replace(b, source="checkout") if b.source == "orders" else b for b in shop_plan.boundaries))
    changes = diff_plans(shop_plan, after)
    assert changes.renamed == (("orders", "checkout"),)
    assert changes.moved == ()
    assert changes.boundaries_added == () and changes.boundaries_removed == ()
    assert changes.lines() == ["Renamed **orders** to **checkout**"]


def test_identical_plans_have_no_changes(shop_plan):
    assert diff_plans(shop_plan, shop_plan).empty


def test_headline_counts_targets_and_boundary_styles(shop_plan):
    figures = {f.key: f.value for f in headline(shop_plan)}
    assert figures["services"] == 3
    assert (figures["lambda"], figures["fargate"]) == (2, 1)
    assert (figures["sync"], figures["async"]) == (1, 1)
    assert figures["icp"] == 0.2


def test_deltas_only_for_figures_that_moved(shop_plan):
    after = replace(shop_plan, metrics={**shop_plan.metrics, "icp": 0.15},
                    boundaries=shop_plan.boundaries[:1])
    assert deltas(shop_plan, after) == {"async": -1, "icp": -0.05}
    assert deltas(None, after) == {}


def test_moving_a_module_out_of_the_shared_kernel_assigns_it(shop_plan):
    adjusted = move_modules(Adjustments(shared=("shop.utils.money",)), shop_plan, {"shop.utils.money": "billing"})
    assert dict(adjusted.assign)["shop.utils.money"] == "billing"
    assert adjusted.shared == ()


def test_renaming_after_a_move_renames_the_pinned_service(shop_plan):
    moved = move_modules(Adjustments(), shop_plan, {"shop.reports.export": "billing"})
    renamed = rename_service(moved, shop_plan, "orders", "checkout")
    assert {s for m, s in renamed.assign if m.startswith("shop.orders")} == {"checkout"}


def test_a_merged_service_is_absorbed_and_its_boundaries_carried_over(shop_plan, make_plan, make_service):
    after = make_plan(
        [
            make_service("orders", ["shop.orders.api", "shop.orders.service"]),
            make_service("billing", ["shop.billing.api", "shop.billing.invoice", "shop.reports.export"]),
            make_service("shared-kernel", ["shop.utils.money"], compute=None),
        ],
        [("orders", "billing", "sync", "http", 2)],
    )
    changes = diff_plans(shop_plan, after)
    assert changes.services_removed == ("reports",)
    assert changes.absorbed == (("reports", "billing"),)
    assert changes.boundaries_added == ()
    assert changes.boundaries_removed == ("billing → reports (now inside billing)",)
    assert "Service **reports** is gone (most of it went to **billing**)" in changes.lines()
    assert changes.summary() == "1 module moved, 1 service gone, 1 boundary removed"


def test_many_modules_making_the_same_trip_read_as_one_line():
    changes = PlanChanges(moved=(("a.x", "one", "two"), ("a.y", "one", "two"), ("a.z", "one", "two"),
                                 ("b.q", "three", "two")))
    assert changes.lines() == [
        "Moved 3 modules from **one** to **two**: `a.x`, `a.y`, `a.z`",
        "Moved `b.q` from **three** to **two**",
    ]
