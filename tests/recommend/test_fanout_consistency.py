"""Fan-out from the code's shape and consistency before channels (issue 12), on small real trees:
scan -> graph -> one service per top-level package -> boundaries and events."""

from __future__ import annotations

import textwrap
from pathlib import Path

import networkx as nx

from analyzer.decompose.tables import table_uses
from analyzer.export.markdown import render_markdown
from analyzer.export.plan_json import plan_from_dict, plan_to_dict, validate_plan_dict
from analyzer.graph import build_graph
from analyzer.model import Cluster, Decomposition
from analyzer.options import AnalysisOptions
from analyzer.recommend import recommend
from analyzer.recommend.boundaries import boundaries_and_events
from analyzer.scan import scan

CONSUMERS = {
    "billing/__init__.py": "",
    "billing/api.py": """
        def charge(order):
            print("charge", order)
    """,
    "mail/__init__.py": "",
    "mail/api.py": """
        def send(order):
            print("mail", order)
    """,
    "audit/__init__.py": "",
    "audit/api.py": """
        def record(order):
            print("audit", order)
    """,
}


def plan_of(tmp_path: Path, files: dict[str, str]):
    """Boundaries and events of the tree, one service per top-level package."""
    return boundaries_and_events(decomposition_of(tmp_path, files))


def decomposition_of(tmp_path: Path, files: dict[str, str]) -> Decomposition:
    for relative, content in {**CONSUMERS, **files}.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    codebase = scan(tmp_path, AnalysisOptions(cache=False))
    graph = build_graph(codebase)
    assignment = {m.name: m.name.partition(".")[0] for m in codebase.modules}
    services: dict[str, list[str]] = {}
    for module, service in assignment.items():
        services.setdefault(service, []).append(module)
    clusters = tuple(Cluster(name=name, kind="service", modules=tuple(sorted(modules)), loc=1)
                     for name, modules in sorted(services.items()))
    assert isinstance(graph.functions, nx.DiGraph)
    metrics = {"modularity": 0.4, "sm": 0.3, "icp": 0.2, "ifn": 1.0, "ned": 0.5}
    return Decomposition(graph=graph, clusters=clusters, assignment=assignment, metrics=metrics, why={},
                         tables=table_uses(graph.data_access, assignment))


def calls_of(boundaries, caller):
    return {c.callee: c for b in boundaries for c in b.calls if c.caller == caller}


# --------------------------------------------------------------------------- fan-out


def test_a_publisher_notifying_three_services_is_one_eventbridge_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail
        from audit import api as audit

        def place(order):
            billing.charge(order)
            mail.send(order.customer)
            audit.record(order)
    """})
    assert [(e.publisher, e.channel, e.consumers, e.shape, e.payload, e.lines) for e in events] == [
        ("orders.place.place", "eventbridge", ("audit", "billing", "mail"), "publisher", ("order",), (6, 7, 8))]
    calls = calls_of(boundaries, "orders.place.place")
    assert {(c.style, c.channel) for c in calls.values()} == {("async", "eventbridge")}
    assert calls["billing.api.charge"].reasons[0] == (
        "`orders.place.place` publishes one event: its discarded calls passing `order` reach 3 services: "
        "audit, billing, mail (orders/place.py:6, 7, 8)")


def test_registrations_in_a_django_startup_hook_are_not_an_event(tmp_path):
    """`AppConfig.ready` runs once at boot: registering the app's models with three services there
    is configuration, not a stream of events."""
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/apps.py": """
        from django.apps import AppConfig

        from billing import api as billing
        from mail import api as mail
        from audit import api as audit

        class OrdersConfig(AppConfig):
            name = "orders"

            def ready(self):
                self.ready_orders()

            def ready_orders(self):
                order = self.get_model("Order")
                billing.charge(order)
                mail.send(order)
                audit.record(order)
    """})
    assert events == ()
    assert set(calls_of(boundaries, "orders.apps.OrdersConfig.ready_orders")) == {
        "billing.api.charge", "mail.api.send", "audit.api.record"}


def test_events_are_in_plan_json_read_back_and_one_row_each_in_the_report(tmp_path):
    plan = recommend(decomposition_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail

        HANDLERS = [billing.charge, mail.send]

        def place(order):
            for handler in HANDLERS:
                handler(order)
    """}))
    data = plan_to_dict(plan)
    validate_plan_dict(data)
    assert data["events"] == [{"publisher": "orders.place.place", "source": "orders", "path": "orders/place.py",
                               "line": 8, "channel": "sns", "consumers": ["billing", "mail"], "shape": "handlers",
                               "payload": ["order"], "lines": [8]}]
    assert plan_from_dict(data).events == plan.events
    report = render_markdown(plan)
    assert "## Events" in report
    assert "| `orders.place.place` | `orders` | sns | `billing`, `mail` | `order` | `orders/place.py:8` |" in report


def test_a_loop_over_handlers_in_three_services_is_one_eventbridge_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail
        from audit import api as audit

        HANDLERS = (billing.charge, mail.send, audit.record)

        def place(order):
            for handler in HANDLERS:
                handler(order)
    """})
    assert [(e.publisher, e.channel, e.consumers, e.shape, e.lines) for e in events] == [
        ("orders.place.place", "eventbridge", ("audit", "billing", "mail"), "handlers", (9,))]
    calls = calls_of(boundaries, "orders.place.place")
    assert sorted(calls) == ["audit.api.record", "billing.api.charge", "mail.api.send"]
    assert {(c.style, c.channel) for c in calls.values()} == {("async", "eventbridge")}


def test_a_registry_of_callbacks_in_two_services_is_one_sns_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail

        SUBSCRIBERS = []
        SUBSCRIBERS.append(billing.charge)
        SUBSCRIBERS.append(mail.send)

        def place(order):
            for subscriber in SUBSCRIBERS:
                subscriber(order)
    """})
    assert [(e.channel, e.consumers, e.shape) for e in events] == [("sns", ("billing", "mail"), "handlers")]
    assert {c.channel for c in calls_of(boundaries, "orders.place.place").values()} == {"sns"}


def test_two_consumer_services_make_an_sns_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail

        def place(order):
            billing.charge(order)
            mail.send(order)
    """})
    assert [(e.channel, e.consumers) for e in events] == [("sns", ("billing", "mail"))]
    assert {c.channel for c in calls_of(boundaries, "orders.place.place").values()} == {"sns"}


def test_a_function_that_uses_both_answers_stays_sync_and_is_no_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail

        def place(order):
            charged = billing.charge(order)
            if mail.send(order):
                return charged
            return None
    """})
    assert events == ()
    calls = calls_of(boundaries, "orders.place.place")
    assert {(c.style, c.channel) for c in calls.values()} == {("sync", "http")}


def test_one_discarded_call_to_one_service_stays_a_queue(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing

        def place(order):
            billing.charge(order)
    """})
    assert events == ()
    assert calls_of(boundaries, "orders.place.place")["billing.api.charge"].channel == "sqs"


# --------------------------------------------------------------------------- consistency before channels

STOCK = {
    "stock/__init__.py": "",
    "stock/models.py": """
        from django.db import models

        class Item(models.Model):
            quantity = models.IntegerField()
    """,
    "stock/service.py": """
        from stock.models import Item

        class InsufficientStock(Exception):
            pass

        def decrement(item_id, quantity):
            item = Item.objects.get(pk=item_id)
            if item.quantity < quantity:
                raise InsufficientStock(item_id)
            Item.objects.filter(pk=item_id).update(quantity=item.quantity - quantity)

        def release_stock(item_id, quantity):
            Item.objects.filter(pk=item_id).update(quantity=quantity)

        def touch(item_id):
            Item.objects.filter(pk=item_id).update(quantity=0)
    """,
}


def test_a_raising_call_inside_the_callers_atomic_block_stays_sync_with_the_reason(tmp_path):
    boundaries, events = plan_of(tmp_path, {**STOCK, "orders/__init__.py": "", "orders/place.py": """
        from django.db import transaction
        from stock import service as stock

        def place(order):
            with transaction.atomic():
                stock.decrement(order.item_id, order.quantity)
                order.save()
    """})
    call = calls_of(boundaries, "orders.place.place")["stock.service.decrement"]
    assert (call.style, call.channel) == ("sync", "http")
    assert call.reasons[0] == ("runs inside the caller's transaction (`transaction.atomic()` at orders/place.py:6): "
                               "a message would commit before stock succeeds")
    assert "`decrement` raises `InsufficientStock` (stock/service.py:6) and the caller lets the exception propagate: " \
           "it depends on the outcome" in call.reasons
    assert call.reasons[-1] == "or plan as a saga with compensating action `stock.service.release_stock`"
    assert events == ()


def test_a_decorated_atomic_function_and_a_row_lock_are_transactions_too(tmp_path):
    boundaries, _ = plan_of(tmp_path, {**STOCK, "orders/__init__.py": "", "orders/place.py": """
        from django.db import transaction
        from stock import service as stock
        from stock.models import Item

        @transaction.atomic
        def place(order):
            stock.touch(order.item_id)
            Item.objects.filter(pk=order.item_id).update(quantity=1)

        def lock(order):
            Item.objects.select_for_update().get(pk=order.item_id)
            stock.touch(order.item_id)
    """})
    placed = calls_of(boundaries, "orders.place.place")["stock.service.touch"]
    assert placed.style == "sync"
    assert placed.reasons[0].startswith(
        "runs inside the caller's transaction (`@django.db.transaction.atomic` at orders/place.py:6)")
    locked = calls_of(boundaries, "orders.place.lock")["stock.service.touch"]
    assert locked.style == "sync"
    assert "select_for_update()` at orders/place.py:11" in locked.reasons[0]


def test_a_validator_whose_exception_the_caller_lets_propagate_stays_sync(tmp_path):
    boundaries, _ = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from checks import rules

        def place(order):
            rules.validate(order)
            print(order)
    """, "checks/__init__.py": "", "checks/rules.py": """
        class Invalid(Exception):
            pass

        def validate(order):
            if not order:
                raise Invalid("empty order")
    """})
    call = calls_of(boundaries, "orders.place.place")["checks.rules.validate"]
    assert (call.style, call.channel) == ("sync", "http")
    assert call.reasons[0] == ("`validate` raises `Invalid` (checks/rules.py:4) and the caller lets the exception "
                               "propagate: it depends on the outcome")


def test_a_call_whose_exceptions_the_caller_handles_stays_sync(tmp_path):
    boundaries, _ = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing

        def place(order):
            try:
                billing.charge(order)
            except ValueError:
                print("retry later")
    """})
    call = calls_of(boundaries, "orders.place.place")["billing.api.charge"]
    assert call.style == "sync"
    assert call.reasons[0] == ("the caller handles its exceptions (try/except around the call at "
                               "orders/place.py:5): it depends on the outcome")


def test_a_row_update_read_back_by_the_caller_stays_sync(tmp_path):
    boundaries, _ = plan_of(tmp_path, {**STOCK, "orders/__init__.py": "", "orders/place.py": """
        from stock import service as stock
        from stock.models import Item

        def place(order):
            stock.touch(order.item_id)
            item = Item.objects.get(pk=order.item_id)
            return item.quantity
    """})
    call = calls_of(boundaries, "orders.place.place")["stock.service.touch"]
    assert (call.style, call.channel) == ("sync", "http")
    assert call.reasons[0] == "the caller reads `stock_item` back (orders/place.py:6) after stock writes it"


def test_a_held_call_is_never_part_of_a_fanout_event(tmp_path):
    _, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail
        from audit import api as audit

        def place(order):
            try:
                billing.charge(order)
            except ValueError:
                pass
            mail.send(order)
            audit.record(order)
    """})
    assert [(e.channel, e.consumers) for e in events] == [("sns", ("audit", "mail"))]


def test_a_builtin_argument_check_in_the_callee_does_not_hold_the_call(tmp_path):
    boundaries, _ = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from checks import rules

        def place(order):
            rules.record(order, 1)
    """, "checks/__init__.py": "", "checks/rules.py": """
        def record(order, quantity):
            if quantity <= 0:
                raise ValueError("quantity must be positive")
            print(order)
    """})
    call = calls_of(boundaries, "orders.place.place")["checks.rules.record"]
    assert (call.style, call.channel) == ("async", "sqs")


def test_calls_per_item_in_a_loop_are_commands_not_part_of_the_publishers_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {"orders/__init__.py": "", "orders/place.py": """
        from billing import api as billing
        from mail import api as mail

        def cancel(order):
            for line in order.lines:
                billing.charge(order)
            mail.send(order)
    """})
    assert events == ()
    assert {c.channel for c in calls_of(boundaries, "orders.place.cancel").values()} == {"sqs"}


def test_a_notification_in_the_callers_transaction_touching_only_its_own_tables_stays_a_message(tmp_path):
    boundaries, _ = plan_of(tmp_path, {**STOCK, "orders/__init__.py": "", "orders/place.py": """
        from django.db import transaction
        from billing import api as billing

        @transaction.atomic
        def place(order):
            order.save()
            billing.charge(order)
    """})
    call = calls_of(boundaries, "orders.place.place")["billing.api.charge"]
    assert (call.style, call.channel) == ("async", "sqs")


def test_handlers_registered_by_a_decorator_in_three_services_are_one_eventbridge_event(tmp_path):
    boundaries, events = plan_of(tmp_path, {
        "orders/__init__.py": "",
        "orders/events.py": """
            HANDLERS = []

            def subscribe(handler):
                HANDLERS.append(handler)
                return handler

            def order_placed(order):
                for handler in HANDLERS:
                    handler(order)
        """,
        "billing/hooks.py": """
            from orders.events import subscribe

            @subscribe
            def bill(order):
                print(order)
        """,
        "mail/hooks.py": """
            from orders.events import subscribe

            @subscribe
            def confirm(order):
                print(order)
        """,
        "audit/hooks.py": """
            from orders.events import subscribe

            @subscribe
            def record(order):
                print(order)
        """,
    })
    assert [(e.publisher, e.channel, e.consumers, e.shape) for e in events] == [
        ("orders.events.order_placed", "eventbridge", ("audit", "billing", "mail"), "handlers")]
    calls = calls_of(boundaries, "orders.events.order_placed")
    assert sorted(calls) == ["audit.hooks.record", "billing.hooks.bill", "mail.hooks.confirm"]
    assert {c.channel for c in calls.values()} == {"eventbridge"}
