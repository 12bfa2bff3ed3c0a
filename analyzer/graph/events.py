"""Expand event-driven calls: a signal send or a model save reaches its handlers.

Static call resolution stops at `order_placed.send(...)` (the callee is the signal object) and
never sees the post_save receivers a `order.save()` triggers. Both are real couplings between
services, so each becomes one extra CallSite per handler, marked deferred="signal" and
usage="discarded" (the sender never sees a handler's return value), at the sender's path:line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from operator import attrgetter

from analyzer.model import CallSite, CodeBase, DataAccess, Subscription

#: Django model signals, and which kind of write fires each.
SAVE_SIGNALS = frozenset({"django.db.models.signals.post_save", "django.db.models.signals.pre_save"})
DELETE_SIGNALS = frozenset({"django.db.models.signals.post_delete", "django.db.models.signals.pre_delete"})
MODEL_SIGNALS = SAVE_SIGNALS | DELETE_SIGNALS

#: DataAccess.via values that fire no model signal: the model's class definition itself, raw SQL.
NO_SIGNAL_VIA = frozenset({"define", "sql"})
#: Words in DataAccess.via of writes Django performs without sending model signals.
SILENT_WRITE_WORDS = frozenset({"update", "bulk_create", "bulk_update", "raw", "execute"})
DELETE_WORDS = frozenset({"delete", "remove"})


def expand_calls(codebase: CodeBase, accesses: tuple[DataAccess, ...]) -> tuple[CallSite, ...]:
    """Every call site of the codebase plus one per signal handler reached; sorted, no duplicates."""
    subscriptions = [s for m in codebase.modules for s in m.subscriptions]
    calls = [c for m in codebase.modules for c in m.calls]
    # dict, not set: deduplicating keeps the modules' own (mostly sorted) order, which makes the
    # sort several times cheaper than sorting a hash-scrambled set
    expanded = dict.fromkeys(calls)
    expanded.update(dict.fromkeys(_explicit_signal_calls(calls, subscriptions)))
    expanded.update(dict.fromkeys(_model_signal_calls(accesses, subscriptions)))
    return tuple(sorted(expanded, key=_call_key))


def _explicit_signal_calls(calls: list[CallSite], subscriptions: list[Subscription]) -> set[CallSite]:
    """`sig.send(...)` -> one CallSite to each handler connected to `sig`."""
    handlers: dict[str, set[str]] = defaultdict(set)
    for sub in subscriptions:
        handlers[sub.signal].add(sub.handler)
    result: set[CallSite] = set()
    for call in calls:
        if call.deferred != "signal":
            continue
        for signal in call.callees:
            for handler in sorted(handlers.get(signal, ())):
                result.add(replace(call, callees=(handler,), usage="discarded", deferred="signal"))
    return result


def _model_signal_calls(accesses: tuple[DataAccess, ...], subscriptions: list[Subscription]) -> set[CallSite]:
    """A write to model M's table by F -> CallSite F -> each post_save/... receiver with sender M."""
    table_of_model = {a.accessor: a.table for a in accesses if a.via == "define"}
    receivers: dict[str, set[tuple[str, str]]] = defaultdict(set)  # table -> {(signal, handler)}
    for sub in subscriptions:
        if sub.signal not in MODEL_SIGNALS:
            continue
        for model in _sender_models(sub.sender, table_of_model):
            receivers[table_of_model[model]].add((sub.signal, sub.handler))
    model_name = {table: model.rpartition(".")[2] for model, table in sorted(table_of_model.items())}
    result: set[CallSite] = set()
    for access in accesses:
        if access.mode != "write" or access.via in NO_SIGNAL_VIA:
            continue
        words = set(re.split(r"[^A-Za-z_]+", access.via))
        if words & SILENT_WRITE_WORDS:
            continue
        fired = DELETE_SIGNALS if words & DELETE_WORDS else SAVE_SIGNALS
        for signal, handler in sorted(receivers.get(access.table, ())):
            if signal not in fired:
                continue
            result.add(CallSite(
                caller=access.accessor,
                callees=(handler,),
                expr=f"{signal.rpartition('.')[2]}({model_name[access.table]})",
                path=access.path,
                line=access.line,
                usage="discarded",
                deferred="signal",
            ))
    return result


def _sender_models(sender: str, table_of_model: dict[str, str]) -> list[str]:
    """The model(s) a subscription's sender names: a qualname, or Django's lazy "app_label.Model"."""
    if sender in table_of_model:
        return [sender]
    label, _, name = sender.partition(".")
    if not name or "." in name:
        return []
    return sorted(m for m in table_of_model
                  if m.rpartition(".")[2] == name and label in m.split(".")[:-1])


#: Every field of a CallSite, so the order is total and independent of the input order.
_call_key = attrgetter("path", "line", "caller", "callees", "expr", "usage", "deferred", "in_loop", "args")
