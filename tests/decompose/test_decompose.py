"""Proposing services from a module graph (fixtures built from model dataclasses)."""

import dataclasses

import pytest
from decompose_fixtures import build_graph, layered_codebase, module

from analyzer.decompose import SHARED_KERNEL_NAME, decompose
from analyzer.errors import OverridesError
from analyzer.model import CallSite
from analyzer.options import AnalysisOptions

LAYERS = ("shop.api.", "shop.services.", "shop.repositories.", "shop.models.")


def services_of(decomposition) -> dict[str, tuple[str, ...]]:
    return {c.name: c.modules for c in decomposition.clusters if c.kind == "service"}


def test_a_layered_monolith_comes_back_as_domains_not_layers(layered_graph):
    decomposition = decompose(layered_graph, AnalysisOptions())
    services = services_of(decomposition)
    assert len(services) == 3
    for modules in services.values():
        assert {layer for layer in LAYERS for m in modules if m.startswith(layer)} == set(LAYERS)
    assert services["orders"] == ("shop.api.orders", "shop.models.orders",
                                  "shop.repositories.order_repository", "shop.services.order_service")
    assert set(services) == {"orders", "payments", "product"}


def test_utilities_and_empty_layer_packages_form_the_shared_kernel(layered_graph):
    decomposition = decompose(layered_graph, AnalysisOptions())
    shared = next(c for c in decomposition.clusters if c.kind == "shared")
    assert shared.name == SHARED_KERNEL_NAME
    assert shared.modules == ("shop", "shop.api", "shop.models", "shop.repositories", "shop.services", "shop.utils")
    assert decomposition.shared_reasons["shop.utils"].startswith("utility used by 3 services")
    assert set(decomposition.assignment) == {m.name for m in layered_graph.codebase.modules}


def test_each_service_owns_the_tables_its_models_define(layered_graph):
    clusters = {c.name: c for c in decompose(layered_graph).clusters}
    assert clusters["orders"].tables == ("orders",)
    assert clusters["payments"].tables == ("payments",)
    assert clusters[SHARED_KERNEL_NAME].tables == ()


def test_the_same_input_gives_the_same_decomposition(layered_graph):
    first = decompose(layered_graph, AnalysisOptions())
    codebase = layered_codebase()
    reordered = dataclasses.replace(codebase, modules=tuple(reversed(codebase.modules)))
    second = decompose(build_graph(reordered), AnalysisOptions())
    assert first.assignment == second.assignment
    assert first.clusters == second.clusters
    assert first.why == second.why
    assert repr(first.metrics) == repr(second.metrics)


def test_asking_for_a_number_of_services_searches_the_resolution(layered_graph):
    one = decompose(layered_graph, AnalysisOptions(services=1))
    assert len(services_of(one)) == 1
    default = decompose(layered_graph, AnalysisOptions(services=3))
    assert len(services_of(default)) == 3


def test_an_assignment_wins_and_keeps_its_service_name(layered_graph):
    options = AnalysisOptions(assign={"shop.api.payments": "checkout", "shop.api.orders": "checkout"})
    decomposition = decompose(layered_graph, options)
    assert decomposition.assignment["shop.api.payments"] == "checkout"
    assert decomposition.assignment["shop.api.orders"] == "checkout"
    assert "checkout" in services_of(decomposition)


def test_an_assignment_to_the_shared_kernel_is_honoured(layered_graph):
    decomposition = decompose(layered_graph, AnalysisOptions(assign={"shop.models.orders": SHARED_KERNEL_NAME}))
    assert decomposition.assignment["shop.models.orders"] == SHARED_KERNEL_NAME


def test_a_module_assigned_out_of_the_shared_kernel_becomes_a_service_member(layered_graph):
    decomposition = decompose(layered_graph, AnalysisOptions(assign={"shop.utils": "tools"}))
    assert decomposition.assignment["shop.utils"] == "tools"


def test_together_and_apart_pins_are_respected(layered_graph):
    together = decompose(layered_graph, AnalysisOptions(together=(("shop.api.orders", "shop.api.payments"),)))
    assert together.assignment["shop.api.orders"] == together.assignment["shop.api.payments"]
    apart = decompose(layered_graph, AnalysisOptions(apart=(("shop.api.orders", "shop.services.order_service"),)))
    assert apart.assignment["shop.api.orders"] != apart.assignment["shop.services.order_service"]
    assert apart.assignment["shop.services.order_service"] == apart.assignment["shop.models.orders"]


def test_contradictory_pins_are_reported(layered_graph):
    options = AnalysisOptions(together=(("shop.api.orders", "shop.api.payments"),),
                              apart=(("shop.api.orders", "shop.api.payments"),))
    with pytest.raises(OverridesError, match="both together and apart"):
        decompose(layered_graph, options)


def test_renames_and_forced_shared_modules(layered_graph):
    options = AnalysisOptions(rename={"orders": "checkout"}, shared=("shop.models.payments",))
    decomposition = decompose(layered_graph, options)
    assert decomposition.assignment["shop.api.orders"] == "checkout"
    assert decomposition.assignment["shop.models.payments"] == SHARED_KERNEL_NAME
    assert decomposition.shared_reasons["shop.models.payments"] == "forced shared by the reviewer"


def test_overrides_naming_unknown_modules_are_noted_not_fatal(layered_graph):
    decomposition = decompose(layered_graph, AnalysisOptions(assign={"shop.gone": "x"}))
    assert decomposition.notes == ("ignored override for unknown module shop.gone",)


def test_why_lists_the_strongest_links_inside_the_service(layered_graph):
    decomposition = decompose(layered_graph)
    links = decomposition.why["shop.repositories.order_repository"]
    assert [(link.neighbour, link.signal) for link in links] == [
        ("shop.models.orders", "data"), ("shop.services.order_service", "call"), ("shop.api.orders", "semantic")]
    for name, module_links in decomposition.why.items():
        service = decomposition.assignment[name]
        if service != SHARED_KERNEL_NAME:
            assert all(decomposition.assignment[link.neighbour] == service for link in module_links)
        assert [link.weight for link in module_links] == sorted((link.weight for link in module_links), reverse=True)


def test_switching_signals_off_changes_the_proposal(layered_graph):
    options = AnalysisOptions(weights={"call": 1.0, "import": 0, "inherit": 0, "reference": 0, "data": 0,
                                       "cochange": 0, "semantic": 0})
    decomposition = decompose(layered_graph, options)
    # calls alone link api→service→repository, the models are reached through data/vocabulary only
    assert decomposition.assignment["shop.models.orders"] != decomposition.assignment["shop.api.orders"]


def test_metrics_are_reported(layered_graph):
    metrics = decompose(layered_graph).metrics
    assert set(metrics) == {"modularity", "sm", "icp", "ifn", "ned"}
    assert 0.5 < metrics["modularity"] <= 1
    # 4 calls inside each domain, 2 from orders into payments and catalog; calls into the kernel do not count
    assert metrics["icp"] == pytest.approx(2 / 14)
    assert metrics["ifn"] == pytest.approx(2 / 3)  # payments and catalog each expose one function


def with_modules(*extra):
    codebase = layered_codebase()
    return build_graph(dataclasses.replace(codebase, modules=tuple(sorted(codebase.modules + extra,
                                                                          key=lambda m: m.name))))


def test_an_unlinked_module_above_several_services_is_shared():
    graph = with_modules(module("shop.api.health", functions=("ping",)))
    decomposition = decompose(graph)
    assert decomposition.assignment["shop.api.health"] == SHARED_KERNEL_NAME
    assert decomposition.shared_reasons["shop.api.health"] == "unlinked module above several services"


def test_a_handler_of_another_services_events_stays_with_its_own_service():
    listener = "shop.services.payment_listener"
    sender = "shop.services.order_service.create_order"
    events = tuple(CallSite(sender, (f"{listener}.on_order_placed",), "order_placed.send",
                            "shop/services/order_service.py", 40 + i, deferred="signal") for i in range(6))
    handler = module(listener, functions=("on_order_placed",), identifiers=("payment_id", "charge"),
                     calls=((f"{listener}.on_order_placed", "shop.services.payment_service.create_payment"),
                            (f"{listener}.on_order_placed", "shop.services.payment_service.find_payment")))
    graph = with_modules(handler)
    order_facts = graph.codebase.module("shop.services.order_service")
    graph = build_graph(dataclasses.replace(graph.codebase, modules=tuple(
        dataclasses.replace(m, calls=m.calls + events) if m is order_facts else m for m in graph.codebase.modules)))
    decomposition = decompose(graph)
    assert decomposition.assignment[listener] == decomposition.assignment["shop.services.payment_service"]
