"""Strangler-fig waves, effort and risk."""

from __future__ import annotations

from analyzer.model import Boundary, BoundaryCall
from analyzer.recommend.boundaries import find_boundaries
from analyzer.recommend.waves import ServiceFacts, effort, plan_waves, risk


def service(name: str, loc: int = 100, shared: tuple[str, ...] = (), confidence: float = 0.9) -> ServiceFacts:
    return ServiceFacts(name=name, loc=loc, shared_tables=shared, confidence=confidence, compute="lambda")


def sync(source: str, target: str, count: int = 1) -> Boundary:
    calls = tuple(BoundaryCall(f"{source}.f", f"{target}.g", f"{source}.py", i + 1, "sync", "http")
                  for i in range(count))
    return Boundary(source, target, "sync", "http", calls)


def asynchronous(source: str, target: str) -> Boundary:
    return Boundary(source, target, "async", "sqs", (BoundaryCall(f"{source}.f", f"{target}.h", f"{source}.py", 9,
                                                                  "async", "sqs"),))


def test_a_service_waits_until_its_synchronous_callers_are_extracted():
    services = [service("orders", 500), service("pricing", 100), service("tax", 50), service("mail", 80)]
    boundaries = (sync("orders", "pricing"), sync("pricing", "tax"), asynchronous("orders", "mail"))
    waves = plan_waves(services, boundaries)
    assert [w.services for w in waves] == [("mail", "orders"), ("pricing",), ("tax",)]
    assert waves[0].rationale.startswith("mail, orders: no service calls them synchronously")
    assert "LOC: mail 80, orders 500" in waves[0].rationale
    assert waves[1].rationale.startswith("pricing: its synchronous callers (orders) move in earlier waves")


def test_easiest_first_within_a_wave_by_shared_tables_then_lines():
    services = [service("b", 10, shared=("orders",)), service("a", 900), service("c", 10)]
    [wave] = plan_waves(services, ())
    assert wave.services == ("c", "a", "b")
    assert "Shared tables: c 0, a 0, b 1" in wave.rationale


def test_services_calling_each_other_synchronously_move_together_after_their_callers():
    services = [service("a"), service("b"), service("c"), service("d")]
    boundaries = (sync("a", "b"), sync("b", "a"), sync("d", "a"))
    waves = plan_waves(services, boundaries)
    assert [w.services for w in waves] == [("c", "d"), ("a", "b")]
    assert waves[1].rationale.startswith("a, b call each other synchronously (a cycle): move them together, or "
                                         "make one direction asynchronous first; their other synchronous "
                                         "callers (d) move earlier.")


def test_effort_counts_lines_call_sites_and_shared_tables_into_a_size():
    boundaries = (sync("orders", "pricing", count=3), asynchronous("orders", "mail"))
    small = effort(service("mail", 80), boundaries)
    big = effort(service("orders", 5000, shared=("orders", "customers")), boundaries)
    assert small == {"loc": 80, "call_sites_to_replace": 1, "sync_call_sites": 0, "shared_tables_to_split": [],
                     "points": 0.41, "size": "S"}
    assert (big["call_sites_to_replace"], big["sync_call_sites"], big["size"]) == (4, 3, "L")


def test_risk_level_lists_its_causes():
    boundaries = tuple(sync(caller, "pricing") for caller in ("orders", "cart", "checkout"))
    high = risk(service("pricing", shared=("prices",)), boundaries)
    assert high["level"] == "high"
    assert "called synchronously by 3 service(s): cart, checkout, orders" in high["causes"]
    assert "1 shared table(s) to split: prices" in high["causes"]
    assert risk(service("mail"), ()) == {"level": "low", "causes": []}
    shaky = risk(service("mail", confidence=0.55), ())
    assert shaky["level"] == "medium" and "borderline" in shaky["causes"][0]


def test_shop_waves_put_pricing_after_orders(shop_decomposition):
    boundaries = find_boundaries(shop_decomposition)
    names = [c.name for c in shop_decomposition.clusters if c.kind == "service"]
    waves = plan_waves([service(n) for n in names], boundaries)
    order = {name: w.order for w in waves for name in w.services}
    assert order["pricing"] > order["orders"]
    assert sorted(order) == sorted(names)
