"""RawModules -> CodeBase: call sites, references, class uses, subscriptions and definitions.

The Resolver (analyzer.scan.resolve) knows what every expression may be; this module runs it
and turns each module's raw facts plus those values into the frozen facts later stages read.
Entry point: `resolve(raws, skipped, root)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.model import (
    CallSite,
    CodeBase,
    Definition,
    EntryPoint,
    Import,
    ModuleFacts,
    Reference,
    Skipped,
    SqlAccess,
    Subscription,
    SymbolUse,
    Trait,
)
from analyzer.scan import conventions as conv
from analyzer.scan.extract import IMPLICIT
from analyzer.scan.facts import Attr, Call, Expr, Name, RawCall, RawImport, RawLoad, RawModule
from analyzer.scan.records import maker
from analyzer.scan.resolve import Resolved, Resolver, last_name
from analyzer.scan.values import (
    Cls,
    Coll,
    Ext,
    ExtInst,
    Func,
    Inst,
    Meth,
    Mod,
    QueryCall,
    Signal,
    SuperOf,
    Value,
    Values,
)

_call_site = maker(CallSite)
_use = maker(SymbolUse)
_reference = maker(Reference)
#: SymbolUse.context of a class named only in a type annotation (a type-only dependency).
ANNOTATION = ":annotation"
#: A use whose receiver could be an instance of more classes than this is too imprecise to cite
#: as data access (a generic base's type variable flowing every subclass's model).
MAX_USE_CANDIDATES = 3


def resolve(raws: list[RawModule], skipped: Iterable[Skipped], root: str) -> CodeBase:
    """One whole-program pass over every file's raw facts."""
    resolver = Resolver(raws)
    resolved = resolver.run()
    resolver.tracking = False
    modules = []
    skipped = list(skipped)
    for index, raw in enumerate(resolver.raws):
        try:
            modules.append(module_facts(resolver, index, raw, resolved[index]))
        except RecursionError:
            skipped.append(Skipped(raw.path, "too deeply nested to resolve (RecursionError)"))
    return CodeBase(root=root, modules=tuple(modules), skipped=tuple(sorted(skipped, key=lambda s: s.path)))


def module_facts(resolver: Resolver, index: int, raw: RawModule, resolved: list[dict[str, str]]) -> ModuleFacts:
    offset = resolver.offsets[index]
    builder = FactBuilder(resolver, raw, offset, resolved)
    for call, callees in zip(raw.calls, resolved, strict=True):
        builder.call(call, Resolved(callees, *resolver.arguments(call, offset + call.scope)))
    for load in raw.loads:
        builder.load(load)
    return builder.build()


def _is_class_or_instance(value: Value) -> bool:
    return type(value) is Cls or type(value) is Inst


class FactBuilder:
    """Turns one module's raw facts plus resolved values into ModuleFacts."""

    def __init__(self, resolver: Resolver, raw: RawModule, offset: int, resolved: list[dict[str, str]]) -> None:
        self.r = resolver
        self.raw = raw
        self.offset = offset
        self.resolved = resolved
        # lambdas are not definitions: what happens in one belongs to the function around it
        self.owners: list[int] = []
        self.lambdas: list[str] = []  # the qualname of each scope that is a lambda, else ""
        for local, scope in enumerate(raw.scopes):
            is_lambda = scope.kind == "lambda"
            self.owners.append(self.owners[scope.parent] if is_lambda else local)
            self.lambdas.append(scope.qualname if is_lambda else "")
        self.calls: list[CallSite] = []
        self.references: set[Reference] = set()
        self.uses: set[SymbolUse] = set()
        self.subscriptions: set[Subscription] = set()

    def scope_name(self, local: int) -> str:
        """The definition (or module) code in this scope belongs to."""
        return self.raw.scopes[self.owners[local]].qualname

    def is_lambda(self, value: Func | Meth) -> bool:
        return self.r.scopes[value.g].kind == "lambda"

    # ------------------------------------------------------------------ calls

    def call(self, call: RawCall, result: Resolved) -> None:
        caller = self.scope_name(call.scope)
        if call.decorates != -1:
            self.special_call(call, result, caller)
            return
        self.call_sites(call, result.callees, caller, self.lambdas[call.scope])
        func = call.func
        scope = self.offset + call.scope
        if result.args or result.kwargs:
            via = conv.REFERENCE_VIA.get(last_name(func), "callback")
            callee_text = call.expr if type(func) is Name or type(func) is Attr else ""
            for values in (*result.args, *result.kwargs):
                if sum(1 for v in values if _is_class_or_instance(v)) > MAX_USE_CANDIDATES:
                    values = frozenset(v for v in values if not _is_class_or_instance(v))
                for value in values:
                    self.argument_value(value, caller, call, via, callee_text)
        self.chain_uses(func, scope, caller, call.line)
        if type(func) is Attr:
            if func.attr in conv.QUERY_METHODS:
                for value in self.r.eval(func, scope):
                    if type(value) is QueryCall:  # `Order.objects.filter(...).update(...)`: a use per query step
                        manager = value.name.rpartition(".")[2]
                        self.uses.add(_use(caller, self.r.qual(value.g), self.raw.path, call.line,
                                           f"{manager}.{value.method}"))
            elif func.attr in conv.SIGNAL_CONNECTS:
                self.subscription(call, result, scope, caller)

    def call_sites(self, call: RawCall, callees: dict[str, str], caller: str, within: str) -> None:
        """One CallSite per deferral kind (a direct call and a `.delay()` are different edges)."""
        path = self.raw.path
        deferrals = set(callees.values())
        if not callees:
            self.calls.append(_call_site(caller, (self.unknown_name(call),), call.expr, path, call.line,
                                         call.usage, call.in_loop, "", call.arg_text, within, call.within, call.handled))
        elif deferrals == {""}:
            self.calls.append(_call_site(caller, tuple(sorted(callees)), call.expr, path, call.line,
                                         call.usage, call.in_loop, "", call.arg_text, within, call.within, call.handled))
        else:
            for deferral in sorted(deferrals):
                expr = call.expr
                if deferral in conv.HANDED_DEFERRALS:
                    expr = self.handed_text(call) or expr
                names = tuple(sorted(name for name, d in callees.items() if d == deferral))
                self.calls.append(_call_site(caller, names, expr, path, call.line, call.usage, call.in_loop,
                                             deferral, call.arg_text, within, call.within, call.handled))

    def special_call(self, call: RawCall, result: Resolved, caller: str) -> None:
        """Decorator applications and implicit protocol calls: kept only when they say something."""
        raw, r = self.raw, self.r
        if call.decorates == IMPLICIT:
            internal = sorted(name for name in result.callees if name in r.definitions)
            if internal:
                self.calls.append(_call_site(caller, tuple(internal), call.expr, raw.path, call.line, call.usage,
                                             call.in_loop, "", (), self.lambdas[call.scope], call.within,
                                             call.handled))
            return
        self.subscription(call, result, self.offset + call.scope, caller)
        # `@property`, `@classmethod`, `@app.route(...)` applied: builtins and whatever an external
        # decorator factory returned say nothing about coupling (the factory call itself is kept).
        names = sorted(n for n in result.callees if not (n.startswith("<builtin>.") or n.endswith("()")))
        if names:
            self.calls.append(_call_site(caller, tuple(names), call.expr, raw.path, call.line, call.usage,
                                         call.in_loop, "", call.arg_text, self.lambdas[call.scope], call.within,
                                         call.handled))

    def handed_text(self, call: RawCall) -> str:
        hand_off = conv.HAND_OFFS.get(last_name(call.func))
        if hand_off is None:
            return ""
        if 0 <= hand_off.position < len(call.args) and hand_off.position < len(call.arg_text):
            return call.arg_text[hand_off.position]
        for text in call.arg_text:
            name, _, value = text.partition("=")
            if name in hand_off.keywords:
                return value
        return ""

    def unknown_name(self, call: RawCall) -> str:
        func = call.func
        if type(func) is Attr:
            return f"<unknown>.{func.attr}"
        if type(func) is Name:
            return f"<unknown>.{func.id}"
        return f"<unknown>.{call.expr}"

    def argument_value(self, value: Value, caller: str, call: RawCall, via: str, callee_text: str) -> None:
        if (type(value) is Func or type(value) is Meth):
            if not self.is_lambda(value):
                self.references.add(_reference(caller, self.r.qual(value.g), self.raw.path, call.line, via))
        elif (type(value) is Cls or type(value) is Inst) and callee_text:
            self.uses.add(_use(caller, self.r.qual(value.g), self.raw.path, call.line, callee_text))
        elif type(value) is Coll:
            for member in value.members:
                if type(member) is not Coll:
                    self.argument_value(member, caller, call, via, callee_text)

    def chain_uses(self, expr: Expr, scope: int, user: str, line: int) -> None:
        """The shortest prefix of `a.b.c` naming an internal class, or an instance of one that has
        attributes applied: `Order.objects.filter` -> (Order, "objects.filter"), `order.save` ->
        (Order, "save"). Stops as soon as the chain leaves modules and internal objects."""
        if type(expr) is Name:  # the common case: a bare name is only a use when it names a class
            if expr.id not in ("self", "cls"):
                for value in self.r.eval(expr, scope):
                    if type(value) is Cls:
                        self.uses.add(_use(user, self.r.qual(value.g), self.raw.path, line, ""))
            return
        attrs: list[Attr] = []
        node: Expr = expr
        while type(node) is Attr:
            attrs.append(node)
            node = node.base
        if type(node) is not Name:
            return
        links: list[Expr] = [*attrs, node]
        evaluate = self.r.eval
        for depth in range(len(links) - 1, -1, -1):
            link = links[depth]
            if type(link) is Name and link.id in ("self", "cls"):
                continue
            values = evaluate(link, scope)
            found = [v for v in values if type(v) is Cls or (type(v) is Inst and depth > 0)]
            if len(found) > MAX_USE_CANDIDATES:
                return  # e.g. a generic repository's ModelT: no evidence of which table is used
            if found:
                context = ".".join(attrs[i].attr for i in range(depth - 1, -1, -1))
                for value in found:
                    self.uses.add(_use(user, self.r.qual(value.g), self.raw.path, line, context))
                return
            if not any((type(v) is Mod or type(v) is SuperOf) for v in values):
                return

    # ------------------------------------------------------------------ subscriptions

    def subscription(self, call: RawCall, result: Resolved, scope: int, caller: str) -> None:
        func = call.func
        if call.decorates >= 0:
            self.decorator_subscription(call, scope, caller)
            return
        if type(func) is Attr and func.attr in conv.SIGNAL_CONNECTS and result.args:
            handlers = [v for v in result.args[0] if (type(v) is Func or type(v) is Meth)]
            if handlers:
                signals = self.signals(self.r.eval(func.base, scope))
                sender = self.sender(call, result)
                for handler in handlers:
                    self.subscribe(signals, self.r.qual(handler.g), sender, call.line, caller)

    def decorator_subscription(self, call: RawCall, scope: int, caller: str) -> None:
        """`@sig.connect`, `@receiver(sig, sender=M)`, `@sig.connect_via(M)` on a function."""
        func = call.func
        handler = self.r.qual(self.offset + call.decorates)
        if type(func) is Attr and func.attr in conv.SIGNAL_CONNECTS:
            self.subscribe(self.signals(self.r.eval(func.base, scope)), handler, "", call.line, caller)
        elif type(func) is Call and call.inner_call >= 0:
            inner = self.raw.calls[call.inner_call]
            name = last_name(inner.func)
            inner_result = self.inner(call.inner_call)
            if name in conv.RECEIVER_DECORATORS and inner_result.args:
                sender = self.sender(inner, inner_result)
                self.subscribe(self.signals(inner_result.args[0]), handler, sender, call.line, caller)
            elif name in conv.SIGNAL_CONNECTS and type(inner.func) is Attr:
                sender = self.sender(inner, inner_result)
                if not sender and inner_result.args:
                    sender = self.first_class(inner_result.args[0])
                signals = self.signals(self.r.eval(inner.func.base, scope))
                self.subscribe(signals, handler, sender, call.line, caller)

    def inner(self, index: int) -> Resolved:
        call = self.raw.calls[index]
        return Resolved(self.resolved[index], *self.r.arguments(call, self.offset + call.scope))

    def sender(self, call: RawCall, result: Resolved) -> str:
        for (name, _), values in zip(call.kwargs, result.kwargs, strict=True):
            if name == "sender":
                found = self.first_class(values)
                if found:
                    return found
        for text in call.arg_text:
            name, _, value = text.partition("=")
            if name == "sender" and value[:1] in ("'", '"'):
                return self.r.model_by_label(value.strip("'\""))
        return ""

    def first_class(self, values: Values) -> str:
        names = self.r.names_of(v for v in values if (type(v) is Cls or type(v) is Ext))
        return names[0] if names else ""

    def signals(self, values: Values) -> list[str]:
        out: set[str] = set()
        for value in values:
            if type(value) is Coll:
                out.update(self.signals(value.members))
            elif (type(value) is Signal or type(value) is Ext or type(value) is ExtInst):
                out.add(value.name)
        return sorted(out)

    def subscribe(self, signals: list[str], handler: str, sender: str, line: int, caller: str) -> None:
        for signal in signals:
            self.subscriptions.add(Subscription(signal, handler, sender, self.raw.path, line))
        if signals:
            self.references.add(_reference(caller, handler, self.raw.path, line, "connect"))

    # ------------------------------------------------------------------ loads

    def load(self, load: RawLoad) -> None:
        scope = self.offset + load.scope
        user = self.scope_name(load.scope)
        if load.via == "annotation":
            for value in self.r.eval(load.expr, scope):
                if type(value) is Cls:
                    self.uses.add(_use(user, self.r.qual(value.g), self.raw.path, load.line, ANNOTATION))
            return
        for value in self.r.eval(load.expr, scope):
            if (type(value) is Func or type(value) is Meth):
                target = self.r.qual(value.g)
                if target != user and not self.is_lambda(value):
                    self.references.add(_reference(user, target, self.raw.path, load.line, load.via))
            elif type(value) is Coll:
                for member in value.members:
                    if (type(member) is Func or type(member) is Meth) and not self.is_lambda(member):
                        self.references.add(_reference(user, self.r.qual(member.g), self.raw.path, load.line,
                                                       "collection"))
        self.chain_uses(load.expr, scope, user, load.line)

    # ------------------------------------------------------------------ module

    def build(self) -> ModuleFacts:
        raw, r = self.raw, self.r
        definitions = tuple(self.definition(local) for local in range(1, len(raw.scopes))
                            if raw.scopes[local].kind != "lambda")
        imports = tuple(Import(
            importer=raw.name, target=i.target, bound_as=i.bound_as, line=i.line, level=i.level, star=i.star,
            type_checking=i.type_checking, conditional=i.conditional, internal=r.is_internal(i.module or i.target),
            resolved=self.import_resolved(i),
        ) for i in raw.imports)
        sql = tuple(SqlAccess(self.scope_name(s.scope), s.table, s.op, raw.path, s.line) for s in raw.sql)
        traits = tuple(Trait(h.rule, self.scope_name(h.scope), raw.path, h.line, h.detail)
                       for h in raw.hits if not h.entry_kind)
        entries = tuple(EntryPoint(h.entry_kind, h.detail, self.scope_name(h.scope), raw.path, h.line)
                        for h in raw.hits if h.entry_kind)
        return ModuleFacts(
            name=raw.name, path=raw.path, loc=raw.loc, is_package=raw.is_package, parser=raw.parser,
            definitions=definitions, imports=imports, calls=tuple(sorted(self.calls, key=_line)),
            references=tuple(sorted(self.references, key=_reference_key)),
            uses=tuple(sorted(self.uses, key=_use_key)), sql=sql,
            subscriptions=tuple(sorted(self.subscriptions, key=_subscription_key)),
            traits=traits, entry_points=entries, identifiers=raw.identifiers,
            installed_apps=raw.installed_apps,
        )

    def import_resolved(self, item: RawImport) -> str:
        """Where an internal import really points: `from shop import Order` -> shop.models.Order."""
        if item.star or not self.r.is_internal(item.module or item.target):
            return ""
        if not item.attr:
            return item.target if item.target in self.r.packages else ""
        values = self.r.import_values(item.module, item.attr)
        names = self.r.names_of(v for v in values if (type(v) is Func or type(v) is Cls or type(v) is Mod or type(v) is Signal))
        return names[0] if names else ""

    def definition(self, local: int) -> Definition:
        raw_scope = self.raw.scopes[local]
        g = self.offset + local
        r = self.r
        parent = r.parents[g]
        bases: tuple[str, ...] = ()
        if raw_scope.kind == "class":
            resolved = [r.value_name(entry) or "" for entry in r.bases(g)]
            bases = tuple(resolved) if resolved else tuple(t for t in raw_scope.base_text if t != "object")
        decorators = []
        for expr, text in zip(raw_scope.decorators, raw_scope.decorator_text, strict=True):
            target = expr.func if type(expr) is Call else expr
            names = r.names_of(r.eval(target, parent))
            decorators.append(names[0] if names else text.partition("(")[0])
        return Definition(
            qualname=raw_scope.qualname, kind=raw_scope.kind, module=self.raw.name, path=self.raw.path,
            line=raw_scope.line, end_line=raw_scope.end_line, loc=raw_scope.loc, bases=bases,
            decorators=tuple(decorators), is_async=raw_scope.is_async, attributes=raw_scope.attributes,
            raises=raw_scope.raises,
        )


def _line(call: CallSite) -> int:
    return call.line


def _reference_key(ref: Reference) -> tuple[int, str, str, str]:
    return (ref.line, ref.source, ref.target, ref.via)


def _use_key(use: SymbolUse) -> tuple[int, str, str, str]:
    return (use.line, use.user, use.symbol, use.context)


def _subscription_key(sub: Subscription) -> tuple[int, str, str, str]:
    return (sub.line, sub.signal, sub.handler, sub.sender)

