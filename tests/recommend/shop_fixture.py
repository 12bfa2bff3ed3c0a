"""A hand-built shop decomposition: six services and a shared kernel, with every kind of boundary.

orders calls pricing for an answer (sync), defers a receipt (.delay), adjusts stock in a loop,
sends `order_placed` (handled in inventory, notifications and reporting) and `order_cancelled`
(handled in notifications only); reporting hands a DataFrame to media; media runs ffmpeg in an
endless loop. Built from the model dataclasses so these tests do not depend on scan/decompose.
"""

from __future__ import annotations

import networkx as nx

from analyzer.decompose.tables import table_uses
from analyzer.model import (
    CallSite,
    Cluster,
    CodeBase,
    CodeGraph,
    DataAccess,
    Decomposition,
    Definition,
    EntryPoint,
    Import,
    ModuleFacts,
    Skipped,
    Trait,
)

SERVICES = {
    "orders": ("shop.api.orders", "shop.orders.service"),
    "pricing": ("shop.pricing.service",),
    "inventory": ("shop.inventory.handlers", "shop.inventory.service"),
    "notifications": ("shop.notifications.handlers",),
    "reporting": ("shop.reporting.export", "shop.reporting.handlers"),
    "media": ("shop.media.transcode",),
    "shared-kernel": ("shop.utils.money",),
}
FUNCTIONS = {
    "shop.api.orders": ("create_order", "cancel_order"),
    "shop.orders.service": ("place_order", "cancel"),
    "shop.pricing.service": ("quote",),
    "shop.inventory.handlers": ("on_order_placed",),
    "shop.inventory.service": ("adjust_stock",),
    "shop.notifications.handlers": ("on_order_placed", "on_order_cancelled", "send_receipt"),
    "shop.reporting.export": ("export_sales",),
    "shop.reporting.handlers": ("on_order_placed",),
    "shop.media.transcode": ("store_report", "worker"),
    "shop.utils.money": ("format_price",),
}
ORDERS = "shop/orders/service.py"
PLACE = "shop.orders.service.place_order"
CANCEL = "shop.orders.service.cancel"
PLACED = "shop.orders.service.order_placed"
CANCELLED = "shop.orders.service.order_cancelled"


def path_of(module: str) -> str:
    return module.replace(".", "/") + ".py"


def definitions(module: str) -> tuple[Definition, ...]:
    return tuple(Definition(f"{module}.{name}", "function", module, path_of(module), 10 * (i + 1), 10 * (i + 1) + 8, 9)
                 for i, name in enumerate(FUNCTIONS.get(module, ())))


def signal_send(caller: str, signal: str, line: int, handlers: tuple[str, ...]) -> list[CallSite]:
    """What the graph stage's expand_calls yields for one `signal.send(...)`: the send plus one per handler."""
    expr = signal.rpartition(".")[2] + ".send"
    sites = [CallSite(caller, (signal,), expr, ORDERS, line, usage="discarded", deferred="signal")]
    sites += [CallSite(caller, (h,), expr, ORDERS, line, usage="discarded", deferred="signal") for h in handlers]
    return sites


ORDER_CALLS = [
    CallSite(PLACE, ("shop.pricing.service.quote",), "pricing.quote", ORDERS, 12, usage="assigned", args=("cart",)),
    CallSite(PLACE, ("shop.notifications.handlers.send_receipt",), "send_receipt.delay", ORDERS, 14,
             usage="discarded", deferred="delay", args=("order.id",)),
    CallSite(PLACE, ("shop.inventory.service.adjust_stock",), "inventory.adjust_stock", ORDERS, 16,
             usage="discarded", in_loop=True, args=("line.sku", "-line.qty")),
    CallSite(PLACE, ("shop.utils.money.format_price",), "format_price", ORDERS, 17, usage="assigned"),
    CallSite(PLACE, ("requests.post",), "requests.post", ORDERS, 18, usage="discarded"),
    CallSite(PLACE, ("shop.orders.service.cancel",), "cancel", ORDERS, 19, usage="tested"),
    *signal_send(PLACE, PLACED, 20, ("shop.inventory.handlers.on_order_placed",
                                     "shop.notifications.handlers.on_order_placed",
                                     "shop.reporting.handlers.on_order_placed")),
    *signal_send(CANCEL, CANCELLED, 32, ("shop.notifications.handlers.on_order_cancelled",)),
]
API_CALLS = [
    CallSite("shop.api.orders.create_order", (PLACE,), "service.place_order", "shop/api/orders.py", 11, usage="returned"),
]
REPORT_CALLS = [
    CallSite("shop.reporting.export.export_sales", ("shop.media.transcode.store_report",), "media.store_report",
             "shop/reporting/export.py", 14, usage="discarded", args=("df",)),
]


def facts(module: str, calls=(), traits=(), entries=(), imports=(), loc: int = 100) -> ModuleFacts:
    return ModuleFacts(name=module, path=path_of(module), loc=loc, definitions=definitions(module),
                       calls=tuple(calls), traits=tuple(traits), entry_points=tuple(entries), imports=tuple(imports))


def shop_codebase() -> CodeBase:
    media = "shop/media/transcode.py"
    modules = {
        "shop.api.orders": facts("shop.api.orders", API_CALLS, entries=(
            EntryPoint("http", "POST /orders", "shop.api.orders.create_order", "shop/api/orders.py", 9),
            EntryPoint("http", "DELETE /orders/<id>", "shop.api.orders.cancel_order", "shop/api/orders.py", 19))),
        "shop.orders.service": facts("shop.orders.service", ORDER_CALLS, loc=400, imports=(
            Import("shop.orders.service", "shop.reporting.export.SalesFrame", "SalesFrame", 3, type_checking=True,
                   internal=True),)),
        "shop.reporting.export": facts("shop.reporting.export", REPORT_CALLS, traits=(
            Trait("heavy-dependency", "shop.reporting.export", "shop/reporting/export.py", 1,
                  "pandas (~70 MB installed)"),), entries=(
            EntryPoint("schedule", "crontab(hour=2)", "shop.reporting.export", "shop/reporting/export.py", 30),)),
        "shop.media.transcode": facts("shop.media.transcode", traits=(
            Trait("native-subprocess", "shop.media.transcode.worker", media, 22, "ffmpeg"),
            Trait("long-running-loop", "shop.media.transcode.worker", media, 20, "while True:"),
            Trait("in-process-cache", "shop.media.transcode.worker", media, 5, "_JOBS[key] = job"))),
    }
    ordered = [modules.get(m) or facts(m) for m in sorted(FUNCTIONS)]
    return CodeBase(root="samples/shop", modules=tuple(ordered),
                    skipped=(Skipped("shop/legacy/py2.py", "SyntaxError: line 3"),))


def access(module: str, accessor: str, table: str, mode: str, via: str, line: int) -> DataAccess:
    return DataAccess(accessor, module, table, mode, via, path_of(module), line)


DATA = (
    access("shop.orders.service", "shop.orders.service.Order", "orders", "write", "define", 40),
    access("shop.orders.service", PLACE, "orders", "write", "add", 21),
    access("shop.reporting.export", "shop.reporting.export.export_sales", "orders", "read", "query", 12),
    access("shop.inventory.service", "shop.inventory.service.adjust_stock", "stock", "write", "save", 12),
)


def make_decomposition(codebase: CodeBase | None = None, services: dict | None = None) -> Decomposition:
    codebase = codebase or shop_codebase()
    services = services or SERVICES
    all_calls = tuple(sorted({c for m in codebase.modules for c in m.calls},
                             key=lambda c: (c.path, c.line, c.caller, c.callees)))
    graph = CodeGraph(codebase=codebase, functions=nx.DiGraph(), modules=nx.DiGraph(), data_access=DATA,
                      calls=all_calls)
    clusters = tuple(
        Cluster(name=name, kind="shared" if name == "shared-kernel" else "service", modules=modules,
                loc=sum(codebase.module(m).loc for m in modules))
        for name, modules in sorted(services.items())
    )
    assignment = {m: name for name, modules in services.items() for m in modules}
    return Decomposition(graph=graph, clusters=clusters, assignment=assignment,
                         metrics={"modularity": 0.41, "sm": 0.3, "icp": 0.2, "ifn": 1.5, "ned": 0.8}, why={},
                         tables=table_uses(DATA, assignment))

