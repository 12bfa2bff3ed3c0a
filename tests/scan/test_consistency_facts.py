"""Per-call facts that decide whether a discarded call may become a message: the context managers
around it, whether the caller handles its exceptions, whether the callee raises; and the edge set
of a loop over a list of handlers (one call site reaching every handler)."""

from __future__ import annotations

FILES = {
    "shop/__init__.py": "",
    "shop/billing.py": """
        def charge(order):
            print(order)
    """,
    "shop/mail.py": """
        def send(order):
            print(order)
    """,
    "shop/stock.py": """
        class OutOfStock(Exception):
            pass

        def reserve(order):
            if not order:
                raise OutOfStock()
    """,
    "shop/orders.py": """
        from django.db import transaction
        from shop import billing, mail, stock

        HANDLERS = [billing.charge, mail.send, stock.reserve]

        @transaction.atomic
        def decorated(order):
            billing.charge(order)

        def inside(order):
            with transaction.atomic():
                stock.reserve(order)
            try:
                billing.charge(order)
            except ValueError:
                pass
            stock.reserve(order)

        def loop(order):
            for handler in HANDLERS:
                handler(order)
    """,
}


def test_calls_know_their_context_managers_and_handlers(scanned):
    orders = scanned(FILES).module("shop.orders")
    facts = {(c.caller.rpartition(".")[2], c.expr, c.line): (c.within, c.handled) for c in orders.calls}
    assert facts[("inside", "stock.reserve", 12)] == (("transaction.atomic()",), False)
    assert facts[("inside", "billing.charge", 14)] == ((), True)
    assert facts[("inside", "stock.reserve", 17)] == ((), False)
    assert facts[("decorated", "billing.charge", 8)] == ((), False)


def test_definitions_that_raise_are_marked(scanned):
    codebase = scanned(FILES)
    raises = {d.qualname: d.raises for m in codebase.modules for d in m.definitions}
    assert raises["shop.stock.reserve"] == ("OutOfStock",)
    assert raises["shop.billing.charge"] == ()
    assert raises["shop.stock.OutOfStock"] == ()
    decorated = next(d for d in codebase.module("shop.orders").definitions if d.qualname.endswith("decorated"))
    assert decorated.decorators == ("django.db.transaction.atomic",)


def test_a_loop_over_a_handler_list_reaches_every_handler_from_one_site(scanned):
    orders = scanned(FILES).module("shop.orders")
    sites = [c for c in orders.calls if c.caller == "shop.orders.loop" and c.expr == "handler"]
    assert [(s.callees, s.usage, s.in_loop) for s in sites] == [
        (("shop.billing.charge", "shop.mail.send", "shop.stock.reserve"), "discarded", True)]


def test_an_observer_registry_kept_on_the_instance_reaches_every_subscribed_handler(callgraph):
    edges = callgraph({
        "bus.py": """
            class Bus:
                def __init__(self):
                    self.handlers = []

                def subscribe(self, handler):
                    self.handlers.append(handler)

                def publish(self, event):
                    for handler in self.handlers:
                        handler(event)

            bus = Bus()
        """,
        "billing.py": """
            from bus import bus

            def on_paid(event):
                print(event)

            bus.subscribe(on_paid)
        """,
        "mail.py": """
            from bus import bus

            def on_paid(event):
                print(event)

            bus.subscribe(on_paid)
        """,
    })
    assert edges["bus.Bus.publish"] == ["billing.on_paid", "mail.on_paid"]
