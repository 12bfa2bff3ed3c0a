"""Signal sends and Django model saves become calls to every connected handler."""

from __future__ import annotations

from analyzer.graph.events import expand_calls
from analyzer.model import CallSite, CodeBase, DataAccess, ModuleFacts, Subscription

SIGNAL = "shop.events.order_placed"
POST_SAVE = "django.db.models.signals.post_save"
POST_DELETE = "django.db.models.signals.post_delete"


def facts(name: str, calls=(), subscriptions=()) -> ModuleFacts:
    return ModuleFacts(name=name, path=name.replace(".", "/") + ".py", loc=10, calls=tuple(calls),
                       subscriptions=tuple(subscriptions))


def shop_codebase() -> CodeBase:
    send = CallSite("shop.orders.service.place_order", (SIGNAL,), "order_placed.send", "shop/orders/service.py", 40,
                    usage="discarded", deferred="signal", args=("order",))
    direct = CallSite("shop.orders.service.place_order", ("shop.pricing.quote",), "quote", "shop/orders/service.py", 30,
                      usage="assigned")
    return CodeBase(root="shop", modules=(
        facts("shop.orders.service", calls=(send, direct)),
        facts("shop.inventory.handlers", subscriptions=(
            Subscription(SIGNAL, "shop.inventory.handlers.reserve", "", "shop/inventory/handlers.py", 5),)),
        facts("shop.mail.handlers", subscriptions=(
            Subscription(SIGNAL, "shop.mail.handlers.send_receipt", "", "shop/mail/handlers.py", 8),
            Subscription("shop.events.other", "shop.mail.handlers.unrelated", "", "shop/mail/handlers.py", 20))),
    ))


def test_signal_send_reaches_every_connected_handler_and_keeps_the_original_call():
    calls = expand_calls(shop_codebase(), ())
    at_send = [c for c in calls if c.line == 40]
    assert [c.callees for c in at_send] == [
        (SIGNAL,), ("shop.inventory.handlers.reserve",), ("shop.mail.handlers.send_receipt",)]
    for call in at_send:
        assert (call.caller, call.path, call.deferred) == ("shop.orders.service.place_order",
                                                         "shop/orders/service.py", "signal")
    assert {c.usage for c in at_send if c.callees != (SIGNAL,)} == {"discarded"}
    assert not any("unrelated" in c.callees[0] for c in calls)


def test_plain_calls_pass_through_unchanged_and_output_is_sorted():
    codebase = shop_codebase()
    calls = expand_calls(codebase, ())
    originals = {c for m in codebase.modules for c in m.calls}
    assert originals <= set(calls)
    assert list(calls) == sorted(calls, key=lambda c: (c.path, c.line, c.caller, c.callees, c.expr, c.usage,
                                                         c.deferred, c.in_loop, c.args))
    assert expand_calls(codebase, ()) == calls


def clinic_codebase() -> CodeBase:
    return CodeBase(root="clinic", modules=(
        facts("clinic.billing.receivers", subscriptions=(
            Subscription(POST_SAVE, "clinic.billing.receivers.bill_visit", "clinic.visits.models.Visit",
                         "clinic/billing/receivers.py", 12),
            Subscription(POST_DELETE, "clinic.billing.receivers.void_bill", "clinic.visits.models.Visit",
                         "clinic/billing/receivers.py", 20),
            Subscription(POST_SAVE, "clinic.billing.receivers.on_patient", "clinic.patients.models.Patient",
                         "clinic/billing/receivers.py", 30))),
        facts("clinic.notifications.receivers", subscriptions=(
            Subscription(POST_SAVE, "clinic.notifications.receivers.visit_saved", "visits.Visit",
                         "clinic/notifications/receivers.py", 7),)),
    ))


def access(accessor: str, table: str, mode: str, via: str, line: int) -> DataAccess:
    module = accessor.rpartition(".")[0]
    return DataAccess(accessor, module, table, mode, via, module.replace(".", "/") + ".py", line)


CLINIC_ACCESSES = (
    access("clinic.visits.models.Visit", "visits_visit", "write", "define", 3),
    access("clinic.patients.models.Patient", "patients_patient", "write", "define", 3),
    access("clinic.visits.services.close_visit", "visits_visit", "write", "save", 44),
    access("clinic.visits.services.cancel_visit", "visits_visit", "write", "delete", 60),
    access("clinic.visits.services.touch_all", "visits_visit", "write", "objects.filter.update", 70),
    access("clinic.visits.services.list_visits", "visits_visit", "read", "objects.filter", 80),
)


def test_model_save_reaches_post_save_receivers_of_that_model_only_also_by_lazy_label():
    calls = expand_calls(clinic_codebase(), CLINIC_ACCESSES)
    assert [(c.caller, c.callees, c.line, c.expr, c.deferred, c.usage) for c in calls] == [
        ("clinic.visits.services.close_visit", ("clinic.billing.receivers.bill_visit",), 44,
         "post_save(Visit)", "signal", "discarded"),
        ("clinic.visits.services.close_visit", ("clinic.notifications.receivers.visit_saved",), 44,
         "post_save(Visit)", "signal", "discarded"),
        ("clinic.visits.services.cancel_visit", ("clinic.billing.receivers.void_bill",), 60,
         "post_delete(Visit)", "signal", "discarded"),
    ]


def test_queryset_update_reads_and_model_definitions_fire_no_signal():
    calls = expand_calls(clinic_codebase(), CLINIC_ACCESSES)
    callers = {c.caller for c in calls}
    assert "clinic.visits.services.touch_all" not in callers
    assert "clinic.visits.services.list_visits" not in callers
    assert "clinic.visits.models.Visit" not in callers
