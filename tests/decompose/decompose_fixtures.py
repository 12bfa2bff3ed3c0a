"""Builders of small CodeBase/CodeGraph fixtures straight from the model dataclasses."""

from __future__ import annotations

import networkx as nx

from analyzer.graph.data import find_data_access
from analyzer.graph.signals import add_data_signal, add_semantic_signal, combine_weights
from analyzer.model import CallSite, CodeBase, CodeGraph, Definition, ModuleFacts, SymbolUse
from analyzer.options import DEFAULT_WEIGHTS


def module(name: str, *, functions: tuple[str, ...] = (), classes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (),
           calls: tuple[tuple[str, str], ...] = (), uses: tuple[tuple[str, str, str], ...] = (),
           identifiers: tuple[str, ...] = (), package: bool = False, loc: int = 20) -> ModuleFacts:
    """A module with top-level functions, classes (name, attributes) and calls (caller, callee)."""
    path = name.replace(".", "/") + ("/__init__.py" if package else ".py")
    definitions = tuple(
        [Definition(f"{name}.{f}", "function", name, path, i + 1, i + 3, 3) for i, f in enumerate(functions)]
        + [Definition(f"{name}.{c}", "class", name, path, 50 + i, 60 + i, 10,
                      bases=("sqlalchemy.orm.DeclarativeBase",) if attrs and dict(attrs).get("__tablename__") is None
                      else ("shop.db.Base",), attributes=attrs) for i, (c, attrs) in enumerate(classes)]
    )
    call_sites = tuple(CallSite(caller, (callee,), callee.rpartition(".")[2], path, 10 + i)
                       for i, (caller, callee) in enumerate(calls))
    symbol_uses = tuple(SymbolUse(user, symbol, path, 30 + i, context) for i, (user, symbol, context) in enumerate(uses))
    return ModuleFacts(name=name, path=path, loc=loc, is_package=package, definitions=definitions,
                       calls=call_sites, uses=symbol_uses, identifiers=tuple(sorted(identifiers)))


def build_graph(codebase: CodeBase, weights: dict[str, float] | None = None) -> CodeGraph:
    """A CodeGraph with call and import signals from the call sites (what the scanner's graph has)."""
    names = sorted(m.name for m in codebase.modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    calls = tuple(c for m in codebase.modules for c in m.calls)
    for facts in codebase.modules:
        for call in facts.calls:
            for callee in call.callees:
                target = next((n for n in sorted(names, key=len, reverse=True) if callee.startswith(n + ".")), None)
                if target and target != facts.name:
                    attrs = graph.get_edge_data(facts.name, target) or {}
                    graph.add_edge(facts.name, target, call=attrs.get("call", 0) + 1, **{"import": 1.0})
    models, accesses = find_data_access(codebase)
    add_data_signal(graph, accesses)
    add_semantic_signal(graph, codebase)
    combine_weights(graph, weights or DEFAULT_WEIGHTS)
    return CodeGraph(codebase=codebase, functions=nx.DiGraph(), modules=graph,
                     models=models, data_access=accesses, calls=calls)


DOMAINS = {
    "orders": ("order", "cart", "checkout", "line"),
    "payments": ("payment", "charge", "refund", "card"),
    "catalog": ("product", "category", "price", "stock"),
}


#: Checkout charges a payment and looks up products: the domains are not islands.
CROSS_DOMAIN_CALLS = {
    "order": (("shop.services.order_service.create_order", "shop.services.payment_service.create_payment"),
              ("shop.services.order_service.create_order", "shop.services.product_service.find_product")),
}


def layered_codebase() -> CodeBase:
    """A layered monolith: shop.api.<d>, shop.services.<d>_service, shop.repositories.<d>_repository,
    shop.models.<d> for three domains, plus shop.utils used by all and empty layer packages."""
    modules = [module("shop", package=True), module("shop.api", package=True),
               module("shop.services", package=True), module("shop.repositories", package=True),
               module("shop.models", package=True),
               module("shop.utils", functions=("now", "money"), identifiers=("now", "money", "format"))]
    for domain, words in DOMAINS.items():
        noun = words[0]
        model_class = noun.capitalize()
        api, service = f"shop.api.{domain}", f"shop.services.{noun}_service"
        repository, models = f"shop.repositories.{noun}_repository", f"shop.models.{domain}"
        vocabulary = tuple(f"{w}_{x}" for w in words for x in ("id", "total")) + words
        modules += [
            module(api, functions=(f"post_{noun}", f"get_{noun}"), identifiers=vocabulary + ("request",),
                   calls=((f"{api}.post_{noun}", f"{service}.create_{noun}"),
                          (f"{api}.get_{noun}", f"{service}.find_{noun}"),
                          (f"{api}.post_{noun}", "shop.utils.now"))),
            module(service, functions=(f"create_{noun}", f"find_{noun}"), identifiers=vocabulary,
                   calls=((f"{service}.create_{noun}", f"{repository}.add_{noun}"),
                          (f"{service}.find_{noun}", f"{repository}.get_{noun}"),
                          (f"{service}.create_{noun}", "shop.utils.money"),
                          *CROSS_DOMAIN_CALLS.get(noun, ()))),
            module(repository, functions=(f"add_{noun}", f"get_{noun}"), identifiers=vocabulary + ("session",),
                   uses=((f"{repository}.add_{noun}", f"{models}.{model_class}", "()"),
                         (f"{repository}.get_{noun}", f"{models}.{model_class}", "query.filter")),
                   calls=((f"{repository}.add_{noun}", "sqlalchemy.orm.Session.add"),
                          (f"{repository}.add_{noun}", "shop.utils.now"))),
            module(models, classes=((model_class, (("__tablename__", f"{domain}"),)),), identifiers=vocabulary),
        ]
    return CodeBase(root="shop", modules=tuple(sorted(modules, key=lambda m: m.name)))
