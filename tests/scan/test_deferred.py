"""Deferred calls (task queues, executors, threads), signals and references to functions."""

from __future__ import annotations

from analyzer.model import Reference, Subscription


def sites(module, **match):
    """(callees, deferred) of the module's call sites, optionally filtered by attributes."""
    return [(c.callees, c.deferred) for c in module.calls
            if all(getattr(c, key) == value for key, value in match.items())]


TASKS = """
    from celery import shared_task

    @shared_task
    def send_receipt(order_id):
        pass
"""


def test_celery_delay_and_apply_async_call_the_task_itself(scanned):
    codebase = scanned({"tasks.py": TASKS, "service.py": """
        from tasks import send_receipt

        def place(order_id):
            send_receipt.delay(order_id)
            send_receipt.apply_async(args=(order_id,), countdown=5)
    """})
    assert sites(codebase.module("service")) == [
        (("tasks.send_receipt",), "delay"), (("tasks.send_receipt",), "apply_async")]


def test_executor_and_pool_submissions_keep_the_helper_call_and_add_the_function(scanned):
    codebase = scanned({"tasks.py": TASKS, "batch.py": """
        from concurrent.futures import ThreadPoolExecutor
        from multiprocessing import Pool
        from tasks import send_receipt

        def run(ids):
            with ThreadPoolExecutor() as executor:
                executor.submit(send_receipt, ids[0])
            pool = Pool(4)
            pool.apply_async(send_receipt, (ids[1],))
    """})
    batch = codebase.module("batch")
    assert sites(batch, line=7) == [(("concurrent.futures.ThreadPoolExecutor.submit",), ""),
                                    (("tasks.send_receipt",), "submit")]
    assert sites(batch, line=9) == [(("multiprocessing.Pool.apply_async",), ""), (("tasks.send_receipt",), "submit")]
    deferred = [c for c in batch.calls if c.deferred]
    assert [c.expr for c in deferred] == ["send_receipt", "send_receipt"]
    assert {(r.target, r.via) for r in batch.references} == {("tasks.send_receipt", "submit")}


def test_enqueue_helpers_by_name_with_positional_or_keyword_function(scanned):
    codebase = scanned({
        "tasks.py": TASKS,
        "shop/__init__.py": "",
        "shop/queueing.py": "def enqueue(func, *args):\n    pass\n",
        "jobs.py": """
            from redis import Redis
            from rq import Queue
            from shop.queueing import enqueue
            from tasks import send_receipt

            queue = Queue(connection=Redis())

            def later(order_id):
                enqueue(send_receipt, order_id)
                queue.enqueue(send_receipt, order_id)
                queue.enqueue_call(func=send_receipt, args=(order_id,))
                enqueue(order_id)
        """,
    })
    assert sites(codebase.module("jobs"), caller="jobs.later") == [
        (("shop.queueing.enqueue",), ""), (("tasks.send_receipt",), "enqueue"),
        (("rq.Queue.enqueue",), ""), (("tasks.send_receipt",), "enqueue"),
        (("rq.Queue.enqueue_call",), ""), (("tasks.send_receipt",), "enqueue"),
        (("shop.queueing.enqueue",), ""),
    ]


def test_thread_and_process_targets_are_deferred_calls(scanned):
    codebase = scanned({"tasks.py": TASKS, "workers.py": """
        import threading
        from multiprocessing import Process
        from tasks import send_receipt

        def start():
            threading.Thread(target=send_receipt, args=(1,)).start()
            Process(target=send_receipt).start()
    """})
    assert sites(codebase.module("workers"), deferred="thread") == [
        (("tasks.send_receipt",), "thread"), (("tasks.send_receipt",), "thread")]
    assert ("threading.Thread.start",) in [c.callees for c in codebase.module("workers").calls]


BLINKER = {
    "shop/__init__.py": "",
    "shop/events.py": """
        from blinker import signal

        order_placed = signal("order-placed")
        not_a_signal = dict(name="x")
    """,
    "shop/orders.py": """
        from shop import events
        from shop.events import order_placed

        def place(order):
            order_placed.send(order, total=1)
            events.order_placed.send(order)
    """,
    "shop/mail.py": """
        from shop.events import order_placed

        @order_placed.connect
        def send_confirmation(sender, **kwargs):
            pass

        def audit(sender, **kwargs):
            pass

        order_placed.connect(audit)
    """,
}


def test_blinker_send_is_a_signal_call_and_connect_a_subscription(scanned):
    codebase = scanned(BLINKER)
    assert sites(codebase.module("shop.orders")) == [
        (("shop.events.order_placed",), "signal"), (("shop.events.order_placed",), "signal")]
    assert codebase.module("shop.orders").calls[0].args == ("order", "total=1")
    mail = codebase.module("shop.mail")
    assert mail.subscriptions == (
        Subscription("shop.events.order_placed", "shop.mail.send_confirmation", "", "shop/mail.py", 3),
        Subscription("shop.events.order_placed", "shop.mail.audit", "", "shop/mail.py", 10),
    )
    assert {(r.source, r.target, r.via) for r in mail.references} == {
        ("shop.mail", "shop.mail.send_confirmation", "connect"), ("shop.mail", "shop.mail.audit", "connect")}


DJANGO = {
    "clinic/__init__.py": "",
    "clinic/core/__init__.py": "",
    "clinic/core/signals.py": """
        import django.dispatch
        from django.dispatch import Signal

        visit_completed = Signal()
        invoice_paid = django.dispatch.Signal()
    """,
    "clinic/visits/__init__.py": "",
    "clinic/visits/models.py": "from django.db import models\n\nclass Visit(models.Model):\n    pass\n",
    "clinic/visits/services.py": """
        from clinic.core.signals import visit_completed

        def complete(visit):
            visit_completed.send_robust(sender=None, visit=visit)
    """,
    "clinic/billing/__init__.py": "",
    "clinic/billing/receivers.py": """
        from django.db.models.signals import post_save, post_delete
        from django.dispatch import receiver
        from clinic.core.signals import visit_completed, invoice_paid
        from clinic.visits.models import Visit

        @receiver(post_save, sender=Visit)
        def on_visit_saved(sender, instance, **kwargs):
            pass

        @receiver([visit_completed, invoice_paid])
        def on_business_event(sender, **kwargs):
            pass

        @receiver(post_delete, sender="visits.Visit")
        def on_visit_deleted(sender, instance, **kwargs):
            pass

        def on_any_save(sender, **kwargs):
            pass

        post_save.connect(on_any_save, sender=Visit)
    """,
}


def test_django_signals_receivers_and_senders_resolve_to_qualified_names(scanned):
    codebase = scanned(DJANGO)
    assert sites(codebase.module("clinic.visits.services")) == [(("clinic.core.signals.visit_completed",), "signal")]
    visit = "clinic.visits.models.Visit"
    receivers = "clinic.billing.receivers"
    assert [(s.signal, s.handler, s.sender) for s in codebase.module(receivers).subscriptions] == [
        ("django.db.models.signals.post_save", f"{receivers}.on_visit_saved", visit),
        ("clinic.core.signals.invoice_paid", f"{receivers}.on_business_event", ""),
        ("clinic.core.signals.visit_completed", f"{receivers}.on_business_event", ""),
        ("django.db.models.signals.post_delete", f"{receivers}.on_visit_deleted", visit),
        ("django.db.models.signals.post_save", f"{receivers}.on_any_save", visit),
    ]


def test_functions_passed_as_values_are_references(scanned):
    codebase = scanned({
        "app/__init__.py": "",
        "app/views.py": "def orders(request):\n    pass\n\ndef health(request):\n    pass\n",
        "app/urls.py": """
            from django.urls import path
            from app import views

            urlpatterns = [path("orders/", views.orders)]
            HANDLERS = {"health": views.health}

            def on_ready(callback):
                pass

            def setup():
                on_ready(views.health)
                handler = views.orders
        """,
    })
    urls = codebase.module("app.urls")
    assert set(urls.references) == {
        Reference("app.urls", "app.views.orders", "app/urls.py", 4, "route"),
        Reference("app.urls", "app.views.health", "app/urls.py", 5, "collection"),
        Reference("app.urls.setup", "app.views.health", "app/urls.py", 11, "callback"),
        Reference("app.urls.setup", "app.views.orders", "app/urls.py", 12, "assign"),
    }
