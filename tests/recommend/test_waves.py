"""Strangler-fig waves, effort and risk: relative to the codebase, cycles broken first, the core held back."""

from __future__ import annotations

from analyzer.model import Boundary, BoundaryCall
from analyzer.recommend.boundaries import find_boundaries
from analyzer.recommend.waves import ServiceFacts, effort, measure, plan_waves, rank_sizes, risk


def service(name: str, loc: int = 100, shared: tuple[str, ...] = (), confidence: float = 0.9) -> ServiceFacts:
    return ServiceFacts(name=name, loc=loc, shared_tables=shared, confidence=confidence, compute="lambda")


def sync(source: str, target: str, count: int = 1) -> Boundary:
    calls = tuple(BoundaryCall(f"{source}.f", f"{target}.g", f"{source}.py", i + 1, "sync", "http")
                  for i in range(count))
    return Boundary(source, target, "sync", "http", calls)


def asynchronous(source: str, target: str) -> Boundary:
    return Boundary(source, target, "async", "sqs", (BoundaryCall(f"{source}.f", f"{target}.h", f"{source}.py", 9,
                                                                  "async", "sqs"),))


def test_services_move_from_the_least_entangled_outward_a_few_per_wave():
    names = ("orders", "pricing", "tax", "mail", "search", "reviews", "stock", "audit")
    services = [service(n, 100) for n in names]
    boundaries = (sync("orders", "pricing", count=4), sync("pricing", "tax"), sync("orders", "stock"),
                  sync("reviews", "orders"), asynchronous("orders", "mail"), asynchronous("orders", "audit"))
    waves = plan_waves(services, boundaries).waves
    assert [(w.kind, w.services) for w in waves] == [
        ("extract", ("audit", "mail", "search", "reviews")), ("extract", ("stock", "tax", "pricing", "orders"))]
    assert waves[0].rationale == (
        "audit: entanglement 0, no synchronous calls in or out (only asynchronous callers); "
        "mail: entanglement 0, no synchronous calls in or out (only asynchronous callers); "
        "search: entanglement 0, no synchronous calls in or out; "
        "reviews: entanglement 1, called synchronously by 0 service(s); calls back into the monolith for orders "
        "until they move. Start here: the least entangled services.")


def test_synchronous_cycles_are_broken_first_at_their_thinnest_call():
    services = [service("a"), service("b"), service("c"), service("d")]
    boundaries = (sync("a", "b", count=4), sync("b", "a", count=1), sync("d", "a"))
    plan = plan_waves(services, boundaries)
    assert plan.cycle_breaks == (("b", "a", 1),)
    assert [(w.kind, w.services) for w in plan.waves] == [("break-cycles", ()), ("extract", ("c", "d", "b", "a"))]
    assert plan.waves[0].steps == ("make b → a asynchronous (1 call sites)",)
    assert plan.waves[0].rationale == ("Break the synchronous cycles first: make these calls asynchronous (events or "
                                       "queues) or invert them, fewest call sites first: b → a (1 call site).")


def test_the_transactional_core_is_held_back_with_its_figures():
    names = ["core", "a", "b", "c", "d", "e"]
    services = [service(n, shared=("ledger",) if n == "core" else ()) for n in names]
    boundaries = tuple(sync(caller, "core", count=6) for caller in names[1:4]) + (sync("d", "e"),)
    plan = plan_waves(services, boundaries)
    assert plan.hold == ("core",)
    last = plan.waves[-1]
    assert (last.kind, last.services) == ("hold", ("core",))
    assert "core is called synchronously by 3 of 5 services over 18 call sites and shares 1 tables" in last.rationale
    assert plan.verdict.kind == "extract"
    assert plan.verdict.summary == "Extract in waves: 5 of 6 services can move out; hold back core."


def test_a_codebase_in_one_big_synchronous_cycle_is_told_to_modularise_first():
    names = ["a", "b", "c", "d"]
    boundaries = tuple(sync(x, y) for x, y in zip(names, names[1:] + names[:1], strict=True))
    plan = plan_waves([service(n, shared=("t",)) for n in names], boundaries)
    assert plan.verdict.kind == "modularise-first"
    assert plan.verdict.summary.startswith("Modularise in place first: 4 of 4 services call each other "
                                              "synchronously in cycles and 1 tables are shared")
    assert plan.verdict.figures.calls_to_make_async == 1


def test_effort_sizes_are_ranked_within_the_codebase_and_capped_by_their_points():
    boundaries = (sync("orders", "pricing", count=3), asynchronous("orders", "mail"))
    small = effort(service("mail", 80), boundaries)
    assert (small.loc, small.call_sites_to_replace, small.sync_call_sites, small.shared_tables_to_split,
            small.points) == (80, 1, 0, (), 0.41)
    efforts = {name: effort(service(name, loc), boundaries)
               for name, loc in (("mail", 80), ("pricing", 900), ("orders", 5000), ("tax", 20000))}
    sizes = {name: e.size for name, e in rank_sizes(efforts).items()}
    assert sizes == {"mail": "S", "pricing": "S", "orders": "L", "tax": "XL"}
    tiny = {name: effort(service(name, loc), ()) for name, loc in (("a", 10), ("b", 20), ("c", 30), ("d", 40))}
    assert {e.size for e in rank_sizes(tiny).values()} == {"S"}


def test_risk_is_ranked_against_the_other_services_and_says_why():
    names = ("pricing", "orders", "cart", "checkout", "mail", "search")
    boundaries = tuple(sync(caller, "pricing") for caller in ("orders", "cart", "checkout")) + (sync("cart", "orders"),)
    facts = [service(n, shared=("prices",) if n == "pricing" else ()) for n in names]
    entangled = measure(facts, boundaries)
    ranking = [e.score for e in entangled.values()]
    levels = {f.name: risk(f, entangled[f.name], ranking).level for f in facts}
    assert levels == {"pricing": "high", "orders": "high", "cart": "medium", "checkout": "medium",
                      "mail": "low", "search": "low"}
    high = risk(facts[0], entangled["pricing"], ranking)
    assert "called synchronously by 3 service(s): cart, checkout, orders" in high.causes
    assert "1 shared table(s) to split: prices" in high.causes
    assert high.basis.startswith("entanglement 5.73, more than 83% of this codebase's services")
    shaky = risk(service("mail", confidence=0.55), entangled["mail"], ranking)
    assert shaky.level == "low" and "borderline" in shaky.causes[0]


def test_shop_waves_cover_every_service_once_and_move_orders_after_notifications(shop_decomposition):
    boundaries = find_boundaries(shop_decomposition)
    names = [c.name for c in shop_decomposition.clusters if c.kind == "service"]
    waves = plan_waves([service(n) for n in names], boundaries).waves
    order = {name: w.order for w in waves for name in w.services}
    assert sorted(order) == sorted(names) and len(order) == sum(len(w.services) for w in waves)
    assert order["notifications"] < order["orders"]
