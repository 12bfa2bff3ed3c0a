"""Whole-program name resolution: what every expression of every RawModule may be at run time.

The resolver evaluates each expression (analyzer.scan.facts) to a set of abstract values
(analyzer.scan.values), lazily and memoized, in the spirit of PyCG's assignment-graph analysis.
Expressions and values are dispatched by type through handler tables, one small method per kind.

Flow-insensitive and context-insensitive: every assignment to a name contributes. Values also
flow into parameters from call sites (arguments, and the receiver of a bound method call into
`self`), iterated over a few passes; later passes only recompute what read a parameter whose
values changed. A parameter receiving more than MAX_FLOW distinct values is generic plumbing
and keeps none. `self.m()` is looked up through the C3 MRO of the class the method is defined
on, plus the classes of receivers that flowed into `self` (a subclass instance calling an
inherited method); overriding methods in subclasses never seen as receivers are not added
(PyCG does the same).

analyzer.scan.emit turns the resolved values into ModuleFacts (`resolve()` is there).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple, TypeVar

from analyzer.scan import conventions as conv
from analyzer.scan.facts import (
    Annotated,
    AnyOf,
    Assigned,
    Attr,
    Binding,
    Call,
    Collection,
    Const,
    Defined,
    DefRef,
    Element,
    Expr,
    Imported,
    Lambda,
    Name,
    Param,
    RawCall,
    RawModule,
    RawScope,
    Sliced,
    StarImported,
    Stored,
    SuperCall,
    TypeRef,
    Unknown,
)
from analyzer.scan.values import (
    Builtin,
    BuiltinInst,
    Cls,
    Coll,
    CollGet,
    Deferred,
    Ext,
    ExtInst,
    Func,
    Inst,
    Meth,
    Mod,
    Query,
    QueryCall,
    Send,
    Signal,
    SuperOf,
    Value,
    Values,
    coll,
)

EMPTY: Values = frozenset()
_PENDING: tuple[Values, frozenset[FlowKey]] = (frozenset(), frozenset())  # memo marker: computation in progress
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("__"))
#: Values worth carrying from an argument into a parameter.
_FLOWING = frozenset({Func, Meth, Cls, Inst, Ext, ExtInst, Coll, Signal, Deferred, Send, Query})
MAX_PASSES = 4
#: Expressions cheaper to evaluate than to look up.
_UNMEMOIZED = frozenset({Const, Unknown, Lambda, DefRef, SuperCall})
#: Argument expressions that can never carry a function, class or instance worth recording.
_INERT = frozenset({Const, Unknown})
MAX_FLOW = 16
_HIGHER_ORDER = frozenset(conv.HIGHER_ORDER)

#: A parameter: (global scope id, parameter index).
FlowKey = tuple[int, int]
#: A base in a class's MRO: an internal class or an external one.
Base = Cls | Ext
T = TypeVar("T")


def ordered(values: Iterable[T]) -> list[T]:
    """A hash-seed-independent order, so recursion (and cycle cuts) happen the same way every run."""
    found = list(values)
    if len(found) > 1:
        found.sort(key=tuple.__repr__)  # values are NamedTuples: their text, fields then tag
    return found


def last_name(expr: Expr) -> str:
    """The last name of a callee expression: `m` for `a.b.m`, `f` for `f` and `f()`."""
    if type(expr) is Attr:
        return expr.attr
    if type(expr) is Name:
        return expr.id
    if type(expr) is Call:
        return last_name(expr.func)
    return ""


class Resolved(NamedTuple):
    """What resolution learned about one raw call."""

    callees: dict[str, str]  # callee name -> deferral ("" for a direct call)
    args: tuple[Values, ...]  # values of the positional arguments
    kwargs: tuple[Values, ...]  # values of the keyword arguments, in call.kwargs order


class Resolver:
    def __init__(self, raws: list[RawModule]) -> None:
        self.raws = sorted(raws, key=lambda r: r.name)
        self.scopes: list[RawScope] = []
        self.scope_module: list[int] = []
        self.offsets: list[int] = []
        self.module_scope: dict[str, int] = {}
        for index, raw in enumerate(self.raws):
            self.offsets.append(len(self.scopes))
            self.module_scope[raw.name] = len(self.scopes)
            self.scopes.extend(raw.scopes)
            self.scope_module.extend([index] * len(raw.scopes))
        self.parents = [(s.parent + self.offsets[self.scope_module[g]]) if s.parent >= 0 else -1
                        for g, s in enumerate(self.scopes)]
        self.packages = set(self.module_scope)
        for name in self.module_scope:
            parts = name.split(".")
            self.packages.update(".".join(parts[:i]) for i in range(1, len(parts)))
        self.flows: dict[FlowKey, Values] = {}
        self.next_flows: dict[FlowKey, Values] = {}
        self.saturated: set[FlowKey] = set()
        self.classes_by_name: dict[str, list[str]] | None = None
        self.definitions = frozenset(s.qualname for s in self.scopes if s.kind != "module")
        self.mro_memo: dict[int, tuple[Base, ...]] = {}
        self.bases_memo: dict[int, tuple[Base, ...]] = {}
        # memo: key -> (result, flow keys the result depends on). Keys are tuples led by a letter:
        # ("e", expr, scope), ("b", scope, name), ("m", module, name, star), ("d", g), ("r", g),
        # ("ca", g, attr, instance, receiver, after).
        self.memo: dict[tuple[Hashable, ...], tuple[Values, frozenset[FlowKey]]] = {}
        self.dependents: dict[FlowKey, list[tuple[Hashable, ...]]] = {}  # flow key -> memo keys that read it
        # Flow keys read by each computation in progress (None until the first read).
        self.reads: list[set[FlowKey] | None] = [None]
        self.tracking = True  # off once the passes are done: nothing is invalidated any more

    def _read(self, depends: Iterable[FlowKey]) -> None:
        if not self.tracking:
            return
        top = self.reads[-1]
        if top is None:
            self.reads[-1] = set(depends)
        else:
            top.update(depends)

    def _cached(self, key: tuple[Hashable, ...], compute: Callable[..., Values], *args: Any) -> Values:
        """Memoize `compute(*args)` and remember which parameter flows it read (transitively).
        A key met again while it is being computed (a cycle) reads as empty."""
        memo = self.memo
        entry = memo.get(key)
        if entry is not None:
            if entry[1]:
                self._read(entry[1])
            return entry[0]
        memo[key] = _PENDING
        self.reads.append(None)
        try:
            result = compute(*args)
        except BaseException:
            del memo[key]
            self.reads.pop()
            raise
        reads = self.reads.pop()
        depends: frozenset[FlowKey]
        if reads:
            depends = frozenset(reads)
            for flow in depends:
                self.dependents.setdefault(flow, []).append(key)
            self._read(depends)
        else:
            depends = frozenset()
        memo[key] = (result, depends)
        return result

    def invalidate(self, changed: set[FlowKey]) -> None:
        """Forget every memo entry that read a parameter whose flowed values changed."""
        memo = self.memo
        for flow in changed:
            for key in self.dependents.pop(flow, ()):
                memo.pop(key, None)

    # ------------------------------------------------------------------ names

    def qual(self, g: int) -> str:
        return self.scopes[g].qualname

    def is_internal(self, dotted: str) -> bool:
        while dotted:
            if dotted in self.packages:
                return True
            dotted = dotted.rpartition(".")[0]
        return False

    def value_name(self, value: Value) -> str | None:
        """The dotted name a value stands for, when it has one."""
        match value:
            case Func(g) | Meth(g) | Cls(g) | Deferred(g):
                return self.qual(g)
            case Ext(name) | ExtInst(name) | Signal(name) | Send(name) | Mod(name) | Query(_, name):
                return name
            case Builtin(name):
                return f"<builtin>.{name}"
            case QueryCall(_, name, method):
                return f"{name}.{method}"
        return None

    def names_of(self, values: Iterable[Value]) -> list[str]:
        return sorted({name for v in values if (name := self.value_name(v)) is not None})

    def model_by_label(self, label: str) -> str:
        """Django's lazy model reference "app_label.ModelName" -> the class qualname ("" if unknown):
        a class named ModelName inside a package whose last part is app_label, models modules first."""
        app, _, model = label.rpartition(".")
        if not app or not model:
            return ""
        if self.classes_by_name is None:
            self.classes_by_name = {}
            for g, raw in enumerate(self.scopes):
                if raw.kind == "class" and self.scopes[self.parents[g]].kind == "module":
                    self.classes_by_name.setdefault(raw.qualname.rpartition(".")[2], []).append(raw.qualname)
        candidates = [q for q in self.classes_by_name.get(model, ()) if app in q.split(".")[:-1]]
        candidates.sort(key=lambda q: (not q.rpartition(".")[0].endswith(".models"), q))
        return candidates[0] if candidates else ""

    # ------------------------------------------------------------------ evaluation

    def eval(self, expr: Expr, scope: int) -> Values:
        kind = type(expr)
        if kind in _UNMEMOIZED:
            return _EVAL[kind](self, expr, scope)
        key = ("e", expr, scope)
        entry = self.memo.get(key)
        if entry is not None:
            if entry[1]:
                self._read(entry[1])
            return entry[0]
        if type(expr) is Name:  # the commonest case, without a handler in between
            return self._cached(key, self.lookup, expr.id, scope, expr.reach)
        return self._cached(key, _EVAL[kind], self, expr, scope)

    def eval_name(self, expr: Name, scope: int) -> Values:
        return self.lookup(expr.id, scope, expr.reach)

    def eval_attr(self, expr: Attr, scope: int) -> Values:
        attr = expr.attr
        out: set[Value] = set()
        for value in ordered(self.eval(expr.base, scope)):
            handler = _GETATTR.get(type(value))  # self.getattr, without its frame: this is the hottest path
            if handler is not None:
                out.update(handler(self, value, attr))
        return frozenset(out)

    def eval_call(self, expr: Call, scope: int) -> Values:
        out: set[Value] = set()
        for value in ordered(self.eval(expr.func, scope)):
            if expr.args and type(value) is Ext and value.name in conv.PARTIAL_FACTORIES:  # `partial(f, x)` is f
                out.update(v for v in self.eval(expr.args[0], scope) if type(v) in (Func, Meth, Cls))
                continue
            out.update(self.call_results(value))
            if expr.args and type(value) is Ext:
                out.update(self.class_argument_result(value.name, expr.args[0], scope))
            elif expr.args and type(value) is Builtin:
                out.update(self.higher_order_result(f"<builtin>.{value.name}", expr.args, scope))
        return frozenset(out)

    def higher_order_result(self, callee: str, args: tuple[Expr, ...], scope: int) -> Values:
        """`map(f, items)` holds what f returns; `filter(f, items)` and `sorted(items)` items' elements."""
        spec = conv.HIGHER_ORDER.get(callee)
        if spec is None:
            return EMPTY
        held: set[Value] = set()
        if spec.results:
            for arg in args:
                for value in self.eval(arg, scope):
                    if type(value) is Func or type(value) is Meth:
                        held.update(self.returns(value.g))
        if 0 <= spec.elements_of < len(args):
            held.update(self.eval(Element(args[spec.elements_of]), scope))
        return frozenset({coll(held)}) if held else EMPTY

    def eval_super(self, expr: SuperCall, scope: int) -> Values:
        owner = self.enclosing_class(scope)
        return frozenset({SuperOf(owner)}) if owner >= 0 else EMPTY

    def eval_def(self, expr: DefRef, scope: int) -> Values:
        return self.decorated_from(self.offsets[self.scope_module[scope]] + expr.scope, expr.position)

    def eval_any(self, expr: AnyOf, scope: int) -> Values:
        out: set[Value] = set()
        for member in expr.members:
            out.update(self.eval(member, scope))
        return frozenset(out)

    def eval_collection(self, expr: Collection, scope: int) -> Values:
        entries: set[tuple[str, Value]] = set()
        for key, member in expr.items:
            entries.update((key, value) for value in self.eval(member, scope))
        return frozenset({Coll(frozenset(entries))})

    def eval_element(self, expr: Element, scope: int) -> Values:
        key = expr.key
        out: set[Value] = set()
        for value in self.eval(expr.base, scope):
            if type(value) is Coll:
                out.update(v for k, v in value.entries if not key or not k or k == key)
            elif type(value) is Query:
                out.add(Inst(value.g))
            elif type(value) is Inst:
                out.update(self.iterated(value.g))
        return frozenset(out)

    def eval_sliced(self, expr: Sliced, scope: int) -> Values:
        """A slice of a list holds its elements from `start` on, re-numbered; a slice of anything
        else (a query, a string) is of the same kind."""
        out: set[Value] = set()
        for value in self.eval(expr.base, scope):
            if type(value) is Coll:
                out.add(Coll(frozenset(_slice_entries(value.entries, expr.start, expr.stop))))
            else:
                out.add(value)
        return frozenset(out)

    def eval_const(self, expr: Const, scope: int) -> Values:
        return frozenset({BuiltinInst(expr.type_name)})

    def eval_lambda(self, expr: Lambda, scope: int) -> Values:
        return frozenset({Func(self.offsets[self.scope_module[scope]] + expr.scope)})

    def eval_unknown(self, expr: Unknown, scope: int) -> Values:
        return EMPTY

    def class_argument_result(self, callee: str, argument: Expr, scope: int) -> Values:
        """`session.query(Order)` is a query over Order; `session.get(Order, 1)` an Order."""
        mode = conv.CLASS_ARGUMENT_CALLS.get(callee.rpartition(".")[2])
        if mode is None:
            return EMPTY
        classes = [v.g for v in self.eval(argument, scope) if type(v) is Cls]
        if mode == "query":
            return frozenset(Query(g, callee) for g in classes)
        instances: Values = frozenset(Inst(g) for g in classes)
        return frozenset({coll(instances)}) if mode == "list" and instances else instances

    def iterated(self, g: int) -> Values:
        """Elements of an iterable instance: what `__iter__(...).__next__()` returns."""
        out: set[Value] = set()
        for method in self.class_attr(g, "__iter__", True, g):
            if type(method) is not Meth:
                continue
            for iterator in self.returns(method.g):
                if type(iterator) is not Inst:
                    continue
                for step in self.class_attr(iterator.g, "__next__", True, iterator.g):
                    if type(step) is Meth:
                        out.update(self.returns(step.g))
        return frozenset(out)

    def enclosing_class(self, scope: int) -> int:
        """The class whose method (or nested function of a method) contains `scope`."""
        while scope >= 0:
            parent = self.parents[scope]
            if parent >= 0 and self.scopes[parent].kind == "class" and self.scopes[scope].kind == "method":
                return parent
            scope = parent
        return -1

    def lookup(self, name: str, scope: int, reach: tuple[int, int] | None = None) -> Values:
        """Python's LEGB lookup; class bodies are only seen from the class body itself. `reach`
        (Name.reach) selects the bindings of the scope the lookup starts from."""
        current, first = scope, True
        while current >= 0:
            raw = self.scopes[current]
            if (first or raw.kind != "class") and (name in raw.bindings or name in raw.outer_bindings):
                if reach is not None and (not first or (reach[0] == 0 and reach[1] >= len(raw.bindings.get(name, ()))
                                                        and name not in raw.replaced)):
                    reach = None  # the name is bound in an enclosing scope, or every binding reaches the use
                return self.binding_values(current, name, reach)
            if raw.kind == "module":
                found = self.star_attr(raw, name)
                if found:
                    return found
                break
            first = False
            current = self.parents[current]
        if name in BUILTIN_NAMES:
            return frozenset({Builtin(name)})
        return EMPTY

    def binding_values(self, scope: int, name: str, reach: tuple[int, int] | None = None) -> Values:
        return self._cached(("b", scope, name, reach), self._binding_values, scope, name, reach)

    def _binding_values(self, scope: int, name: str, reach: tuple[int, int] | None) -> Values:
        raw = self.scopes[scope]
        bindings = raw.bindings.get(name, ())
        if reach is not None:
            bindings = bindings[reach[0]:reach[1]]
        if raw.outer_bindings and name in raw.outer_bindings:
            bindings = (*bindings, *raw.outer_bindings[name])
        if len(bindings) == 1 and type(bindings[0]) is not Stored:
            handler = _BINDINGS.get(type(bindings[0]))  # self.binding_value, without its frame
            return EMPTY if handler is None else handler(self, scope, name, bindings[0])
        values: set[Value] = set()
        stored: set[Value] = set()
        for binding in bindings:
            if type(binding) is not Stored:
                values.update(self.binding_value(scope, name, binding))
                continue
            if binding.replaces and reach is not None:  # `d["a"] = g` after `d = {"a": f}`: only g is left
                values = {_drop(v, binding.path) for v in values}
                stored = {_drop(v, binding.path) for v in stored}
            stored.update(self.stored_values(scope, binding))
        if stored and (not values or any(_holds_items(v) for v in values)):
            values.update(stored)
        return frozenset(values)

    def stored_values(self, scope: int, binding: Stored) -> Values:
        """The collection a store puts into the name: its value under the store's key path."""
        values = self.eval(binding.value, self.offsets[self.scope_module[scope]] + binding.origin)
        if not binding.path:
            return frozenset(v for v in values if type(v) is Coll)
        for key in reversed(binding.path):
            if not values:
                break
            values = frozenset({coll(values, key)})
        return values

    def binding_value(self, scope: int, name: str, binding: Binding) -> Values:
        handler = _BINDINGS.get(type(binding))
        return EMPTY if handler is None else handler(self, scope, name, binding)

    def assigned_value(self, scope: int, name: str, binding: Assigned) -> Values:
        expr = binding.value
        if type(expr) is Call and self.scopes[scope].kind in ("module", "class"):
            signal = self.signal_created(expr, scope, name)
            if signal:
                return signal
        return self.eval(expr, scope)

    def defined_value(self, scope: int, name: str, binding: Defined) -> Values:
        return self.def_values(self.offsets[self.scope_module[scope]] + binding.scope)

    def imported_value(self, scope: int, name: str, binding: Imported) -> Values:
        return self.import_values(binding.module, binding.attr)

    def param_value(self, scope: int, name: str, binding: Param) -> Values:
        return self.param_values(scope, binding.position)

    def annotated_value(self, scope: int, name: str, binding: Annotated) -> Values:
        return self.annotated(TypeRef(binding.mode, binding.type), scope)

    def signal_created(self, expr: Call, scope: int, name: str) -> Values:
        for value in self.eval(expr.func, scope):
            created = self.value_name(value)
            if created and (created in conv.SIGNAL_FACTORIES
                            or (type(value) is Ext and created.rpartition(".")[2] in conv.SIGNAL_FACTORY_NAMES)):
                return frozenset({Signal(f"{self.qual(scope)}.{name}")})
        return EMPTY

    def annotated(self, annotation: TypeRef, scope: int) -> Values:
        """What a value annotated with this type is: an instance, the class, or a collection of instances."""
        mode = annotation.mode
        out: set[Value] = set()
        for value in self.eval(annotation.type, scope):
            if type(value) is Cls:
                out.add(Inst(value.g) if mode != "cls" else value)
            elif type(value) is Ext:
                out.add(ExtInst(value.name) if mode != "cls" else value)
            elif type(value) is Builtin and value.name in conv.BUILTIN_TYPES:
                out.add(BuiltinInst(value.name) if mode != "cls" else value)
        if mode == "list":
            return frozenset({coll(out)}) if out else EMPTY
        return frozenset(out)

    def import_values(self, module: str, attr: str) -> Values:
        if not attr:
            return frozenset({Mod(module) if module in self.packages else Ext(module)})
        found = self.module_attr(module, attr) if module in self.module_scope else EMPTY
        if found:
            return found
        target = f"{module}.{attr}" if module else attr
        if target in self.packages:
            return frozenset({Mod(target)})
        return frozenset({Ext(target)})

    def module_attr(self, module: str, name: str, star: bool = False) -> Values:
        return self._cached(("m", module, name, star), self._module_attr, module, name, star)

    def _module_attr(self, module: str, name: str, star: bool) -> Values:
        scope = self.module_scope.get(module)
        if scope is not None:
            raw = self.raws[self.scope_module[scope]]
            if star and (name.startswith("_") or (raw.star_all is not None and name not in raw.star_all)):
                return EMPTY
            raw_scope = self.scopes[scope]
            if name in raw_scope.bindings or name in raw_scope.outer_bindings:
                return self.binding_values(scope, name)
            found = self.star_attr(self.scopes[scope], name)
            if found:
                return found
        submodule = f"{module}.{name}"
        if not star and submodule in self.packages:
            return frozenset({Mod(submodule)})
        return EMPTY

    def star_attr(self, module_scope: RawScope, name: str) -> Values:
        """`name` as the star imports of a module bind it."""
        for binding in module_scope.bindings.get("*", ()):
            if type(binding) is StarImported:
                found = self.module_attr(binding.module, name, star=True)
                if found:
                    return found
        return EMPTY

    def def_values(self, g: int) -> Values:
        """A def/class statement's value; a function decorated by an internal decorator that
        returns an inner function is also that inner function (the wrapper runs first)."""
        raw = self.scopes[g]
        if raw.kind == "class":
            return frozenset({Cls(g)})
        if not raw.decorators:
            return frozenset({Func(g)})
        return frozenset({Func(g)}) | self.decorated_from(g, 0)

    def decorated_from(self, g: int, position: int) -> Values:
        """The function as decorator `position` (0 = topmost) and those above it return it."""
        raw = self.scopes[g]
        if raw.kind == "class" or position >= len(raw.decorators):
            return frozenset({Cls(g)}) if raw.kind == "class" else frozenset({Func(g)})
        return self._cached(("d", g, position), self._decorated, g, position)

    def _decorated(self, g: int, position: int) -> Values:
        below = self.decorated_from(g, position + 1)
        wrapped: set[Value] = set()
        for value in ordered(self.eval(self.scopes[g].decorators[position], self.parents[g])):
            if type(value) is Func or type(value) is Meth:
                wrapped.update(v for v in self.returns(value.g) if type(v) is Func or type(v) is Meth)
        return frozenset(wrapped) if wrapped else below

    def param_values(self, scope: int, index: int) -> Values:
        raw = self.scopes[scope]
        param = raw.params[index]
        if param.annotation:  # annotated parameters take no flows
            out: set[Value] = set()
            for annotation in param.annotation:
                out.update(self.annotated(annotation, scope))
            return frozenset(out)
        key = (scope, index)
        top = self.reads[-1]
        if top is None:
            if self.tracking:
                self.reads[-1] = {key}
        else:
            top.add(key)
        flowed = self.flows.get(key, EMPTY)
        if index == 0 and raw.kind == "method" and param.kind == "pos" and raw.method_kind != "static":
            owner = self.parents[scope]
            return flowed | {Cls(owner) if raw.method_kind == "class" else Inst(owner)}
        if param.default is not None and type(param.default) not in _INERT:  # `def f(callback=default_callback)`
            return flowed | self.eval(param.default, self.parents[scope])
        return flowed

    def returns(self, g: int) -> Values:
        return self._cached(("r", g), self._returns, g)

    def _returns(self, g: int) -> Values:
        """What calling g gives: its return values, or for a generator an iterator over its yields."""
        raw = self.scopes[g]
        out: set[Value] = set()
        for annotation in raw.return_annotation:
            out.update(self.annotated(annotation, g))
        if raw.generator:
            yielded: set[Value] = set()
            for expr in raw.yields:
                yielded.update(self.eval(expr, g))
            if yielded:
                out.add(coll(yielded))
            return frozenset(out)
        for expr in raw.returns:
            out.update(self.eval(expr, g))
        return frozenset(out)

    # ------------------------------------------------------------------ classes

    def bases(self, g: int) -> tuple[Base, ...]:
        found = self.bases_memo.get(g)
        if found is not None:
            return found
        self.bases_memo[g] = ()
        entries: list[Base] = []
        parent = self.parents[g]
        for expr in self.scopes[g].bases:
            for value in ordered(self.eval(expr, parent)):
                entry: Base
                if type(value) is Cls and value.g != g or type(value) is Ext:
                    entry = value
                elif type(value) is ExtInst:
                    entry = Ext(value.name)
                else:
                    continue
                if entry not in entries:
                    entries.append(entry)
        result = tuple(entries)
        self.bases_memo[g] = result
        return result

    def mro(self, g: int) -> tuple[Base, ...]:
        """C3 linearization over internal classes; external bases end their branch."""
        found = self.mro_memo.get(g)
        if found is not None:
            return found
        self.mro_memo[g] = (Cls(g),)
        bases = self.bases(g)
        sequences: list[list[Base]] = [list(self.mro(b.g)) if type(b) is Cls else [b] for b in bases]
        sequences.append(list(bases))
        merged = _c3_merge(sequences)
        if merged is None:  # inconsistent hierarchy: keep a depth-first order
            merged = list(dict.fromkeys(entry for sequence in sequences for entry in sequence))
        result = (Cls(g), *merged)
        self.mro_memo[g] = result
        return result

    def class_attr(self, g: int, attr: str, instance: bool, receiver: int, after: int = -1) -> Values:
        return self._cached(("ca", g, attr, instance, receiver, after), self._class_attr, g, attr, instance,
                            receiver, after)

    def _class_attr(self, g: int, attr: str, instance: bool, receiver: int, after: int) -> Values:
        order = self.mro(g)
        if after >= 0:
            position = next((i for i, e in enumerate(order) if e == Cls(after)), len(order))
            order = order[position + 1:]
        for entry in order:
            if type(entry) is Cls and attr in self.scopes[entry.g].bindings:
                return self.bound(self.binding_values(entry.g, attr), instance, receiver)
        if instance:
            found = self.instance_attr(order, attr)
            if found:
                return found
        for entry in order:
            if type(entry) is Ext and entry.name not in conv.NEUTRAL_BASES:
                if attr in conv.QUERY_MANAGERS:
                    return frozenset({Query(g, f"{entry.name}.{attr}")})
                return frozenset({Ext(f"{entry.name}.{attr}")})
        return EMPTY

    def instance_attr(self, order: tuple[Base, ...], attr: str) -> Values:
        """`self.attr = ...` in the methods of the classes of an MRO, and the items the methods
        store into it (`self.handlers.append(f)`: an observer registry on the instance)."""
        out: set[Value] = set()
        stored: set[Value] = set()
        for entry in order:
            if type(entry) is not Cls:
                continue
            offset = self.offsets[self.scope_module[entry.g]]
            for binding, method in self.scopes[entry.g].self_attrs.get(attr, ()):
                if type(binding) is Stored:
                    stored.update(self.stored_values(offset + method, binding))
                else:
                    out.update(self.binding_value(offset + method, attr, binding))
        if stored and (not out or any(_holds_items(v) for v in out)):
            out.update(stored)
        return frozenset(out)

    def bound(self, values: Values, instance: bool, receiver: int) -> Values:
        """Attribute values read through a class or instance: methods become bound methods."""
        out: set[Value] = set()
        for value in values:
            if type(value) is not Func or self.scopes[value.g].kind != "method":
                out.add(value)
                continue
            method_kind = self.scopes[value.g].method_kind
            if method_kind == "static":
                out.add(value)
            elif method_kind == "class":
                out.add(Meth(value.g, receiver))
            elif method_kind == "property":
                if instance:
                    out.update(self.returns(value.g))
                else:
                    out.add(value)
            elif instance:
                out.add(Meth(value.g, receiver))
            else:
                out.add(value)
        return frozenset(out)

    # ------------------------------------------------------------------ attributes

    def getattr(self, value: Value, attr: str) -> Values:
        handler = _GETATTR.get(type(value))
        return EMPTY if handler is None else handler(self, value, attr)

    def attr_of_module(self, value: Mod, attr: str) -> Values:
        return self.module_attr(value.name, attr)

    def attr_of_instance(self, value: Inst, attr: str) -> Values:
        return self.class_attr(value.g, attr, True, value.g)

    def attr_of_class(self, value: Cls, attr: str) -> Values:
        return self.class_attr(value.g, attr, False, value.g)

    def attr_of_super(self, value: SuperOf, attr: str) -> Values:
        return self.class_attr(value.g, attr, True, value.g, after=value.g)

    def attr_of_external(self, value: Ext | ExtInst, attr: str) -> Values:
        return frozenset({Ext(f"{value.name}.{attr}")})

    def attr_of_builtin(self, value: Builtin | BuiltinInst, attr: str) -> Values:
        return frozenset({Ext(f"<builtin>.{value.name}.{attr}")})

    def attr_of_function(self, value: Func | Meth, attr: str) -> Values:
        deferral = conv.TASK_METHODS.get(attr)
        return frozenset({Deferred(value.g, deferral)}) if deferral else EMPTY

    def attr_of_signal(self, value: Signal, attr: str) -> Values:
        if attr in conv.SIGNAL_SENDS:
            return frozenset({Send(value.name)})
        return frozenset({Ext(f"{value.name}.{attr}")})

    def attr_of_query(self, value: Query, attr: str) -> Values:
        if attr in conv.QUERY_METHODS:
            return frozenset({QueryCall(value.g, value.name, attr)})
        return frozenset({Ext(f"{value.name}.{attr}")})

    def attr_of_collection(self, value: Coll, attr: str) -> Values:
        if attr in conv.COLLECTION_ACCESSORS:
            return frozenset({CollGet(value.members)})
        return EMPTY

    # ------------------------------------------------------------------ calls

    def call_results(self, value: Value) -> Values:
        handler = _CALL_RESULTS.get(type(value))
        return EMPTY if handler is None else handler(self, value)

    def result_of_function(self, value: Func | Meth) -> Values:
        return self.returns(value.g)

    def result_of_class(self, value: Cls) -> Values:
        return frozenset({Inst(value.g)})

    def result_of_external(self, value: Ext) -> Values:
        known = conv.EXTERNAL_RETURNS.get(value.name)
        if known:
            return frozenset({ExtInst(known)})
        last = value.name.rpartition(".")[2]
        if last[:1].isupper():
            return frozenset({ExtInst(value.name)})
        if not last or value.name.startswith("<builtin>") or "()" in value.name:
            return EMPTY  # one level of `factory().method` names is informative; more is noise
        return frozenset({Ext(f"{value.name}()")})

    def result_of_builtin(self, value: Builtin) -> Values:
        return frozenset({BuiltinInst(value.name)}) if value.name in conv.BUILTIN_TYPES else EMPTY

    def result_of_external_instance(self, value: ExtInst) -> Values:
        known = conv.EXTERNAL_RETURNS.get(f"{value.name}.__call__")
        return frozenset({ExtInst(known)}) if known else EMPTY

    def result_of_instance(self, value: Inst) -> Values:
        out: set[Value] = set()
        for method in self.class_attr(value.g, "__call__", True, value.g):
            if type(method) is Func or type(method) is Meth:
                out.update(self.returns(method.g))
        return frozenset(out)

    def result_of_collection_get(self, value: CollGet) -> Values:
        return value.members

    def result_of_query_call(self, value: QueryCall) -> Values:
        method = value.method
        if method in conv.QUERY_CHAIN:
            return frozenset({Query(value.g, value.name)})
        if method in conv.QUERY_SINGLE:
            return frozenset({Inst(value.g)})
        if method in conv.QUERY_PAIR:  # `order, created = Order.objects.get_or_create(...)`
            return frozenset({coll((Inst(value.g),), "0")})
        return EMPTY

    def callees_of(self, value: Value, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        """Names a call on `value` reaches; (function, implicit-argument count) into `targets`."""
        handler = _CALLEES.get(type(value))
        if handler is not None:
            handler(self, value, out, targets)

    def call_function(self, value: Func, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(self.qual(value.g), "")
        targets.append((value.g, 0))

    def call_method(self, value: Meth, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(self.qual(value.g), "")
        targets.append((value.g, 1))
        self.flow_receiver(value)

    def call_class(self, value: Cls, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        internal = False
        for init in ordered(self.class_attr(value.g, "__init__", True, value.g)):
            if type(init) is Meth:
                out.setdefault(self.qual(init.g), "")
                targets.append((init.g, 1))
                self.flow_receiver(init)
                internal = True
            elif type(init) is Ext:
                out.setdefault(init.name, "")
        if not internal:
            out.setdefault(self.qual(value.g), "")

    def call_external(self, value: Ext, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(value.name, "")

    def call_builtin(self, value: Builtin, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(f"<builtin>.{value.name}", "")

    def call_external_instance(self, value: ExtInst, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(f"{value.name}.__call__", "")  # calling an external object: `SessionLocal()`

    def call_deferred(self, value: Deferred, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out[self.qual(value.g)] = value.kind
        targets.append((value.g, 0))

    def call_send(self, value: Send, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out[value.name] = "signal"

    def call_instance(self, value: Inst, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        for method in ordered(self.class_attr(value.g, "__call__", True, value.g)):
            if type(method) is Meth:
                out.setdefault(self.qual(method.g), "")
                targets.append((method.g, 1))
            elif type(method) is Ext:
                out.setdefault(method.name, "")

    def call_collection_get(self, value: CollGet, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault("<builtin>.dict.get", "")

    def call_query(self, value: QueryCall, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        out.setdefault(f"{value.name}.{value.method}", "")

    # ------------------------------------------------------------------ flows into parameters

    def flow_receiver(self, value: Meth) -> None:
        method, receiver = value.g, value.receiver
        owner = self.parents[method]
        if receiver != owner and receiver >= 0:
            flowed: Value = Cls(receiver) if self.scopes[method].method_kind == "class" else Inst(receiver)
            self.pending_flow(method, 0, frozenset({flowed}))

    def pending_flow(self, g: int, index: int, values: Values) -> None:
        """Carry argument values into a parameter (annotated parameters already know their type)."""
        if not values or self.scopes[g].params[index].annotation:
            return
        values = frozenset(flowing for v in values if (flowing := _flowing(v)) is not None)
        if not values:
            return
        key = (g, index)
        current = self.next_flows.get(key)
        self.next_flows[key] = values if current is None else current | values

    def flow_arguments(self, g: int, implicit: int, args: tuple[Values, ...],
                       kwargs: tuple[tuple[str, Values], ...]) -> None:
        params = self.scopes[g].params
        positional = [i for i, p in enumerate(params) if p.kind == "pos"]
        for position, values in enumerate(args):
            slot = position + implicit
            if slot < len(positional):
                self.pending_flow(g, positional[slot], values)
        if kwargs:
            by_name = {p.name: i for i, p in enumerate(params) if p.kind in ("pos", "kwonly")}
            for name, values in kwargs:
                index = by_name.get(name)
                if index is not None:
                    self.pending_flow(g, index, values)

    # ------------------------------------------------------------------ passes

    def arguments(self, call: RawCall, scope: int) -> tuple[tuple[Values, ...], tuple[Values, ...]]:
        evaluate = self.eval
        return (tuple(evaluate(a, scope) if type(a) not in _INERT else EMPTY for a in call.args),
                tuple(evaluate(e, scope) if type(e) not in _INERT else EMPTY for _, e in call.kwargs))

    def resolve_call(self, call: RawCall, scope: int) -> dict[str, str]:
        """Callee name -> deferral; also records the values flowing into internal parameters."""
        out: dict[str, str] = {}
        targets: list[tuple[int, int]] = []
        values = self.eval(call.func, scope)
        for value in (ordered(values) if len(values) > 1 else values):
            handler = _CALLEES.get(type(value))  # self.callees_of, without its frame
            if handler is not None:
                handler(self, value, out, targets)
        if not (call.args or call.kwargs):
            return out
        plain = call.decorates == -1  # not a decorator application or implicit call
        hand_off = conv.HAND_OFFS.get(last_name(call.func)) if plain else None
        higher = ([conv.HIGHER_ORDER[name] for name in sorted(out.keys() & conv.HIGHER_ORDER.keys())]
                  if plain and not _HIGHER_ORDER.isdisjoint(out) else [])
        if not targets and hand_off is None and not higher:
            return out
        args, kwargs = self.arguments(call, scope)
        named = tuple(zip((k for k, _ in call.kwargs), kwargs, strict=True))
        for g, implicit in targets:
            self.flow_arguments(g, implicit, args, named)
        if hand_off is not None:
            self.hand_off(hand_off, args, named, out)
        for spec in higher:
            self.called_arguments(spec, args, named, out)
        return out

    def called_arguments(self, spec: conv.HigherOrder, args: tuple[Values, ...],
                         named: tuple[tuple[str, Values], ...], out: dict[str, str]) -> None:
        """The functions `map(f, items)` or `sorted(items, key=f)` calls, as callees of the call site."""
        called = [values for position, values in enumerate(args) if spec.every or position in spec.positions]
        called.extend(values for name, values in named if name in spec.keywords)
        for values in called:
            for value in ordered(values):
                if type(value) is Func or type(value) is Meth:
                    out.setdefault(self.qual(value.g), "")

    def hand_off(self, hand_off: conv.HandOff, args: tuple[Values, ...], named: tuple[tuple[str, Values], ...],
                 out: dict[str, str]) -> None:
        """The function a call hands to something else to run (`executor.submit(fn)`), as a deferred callee."""
        handed: Values = EMPTY
        if 0 <= hand_off.position < len(args):
            handed = args[hand_off.position]
        for name, found in named:
            if name in hand_off.keywords:
                handed = handed | found
        for value in ordered(handed):
            if type(value) is Func or type(value) is Meth:
                out[self.qual(value.g)] = hand_off.deferral

    def run(self) -> list[list[dict[str, str]]]:
        """Resolve every call; repeat for the calls whose inputs changed as values flowed into
        parameters, until nothing changes (or MAX_PASSES)."""
        results: list[list[dict[str, str] | None]] = [[None] * len(raw.calls) for raw in self.raws]
        depends: list[list[frozenset[FlowKey]]] = [[frozenset()] * len(raw.calls) for raw in self.raws]
        changed: set[FlowKey] | None = None
        for _ in range(MAX_PASSES):
            self.next_flows = {}
            for index, raw in enumerate(self.raws):
                self.resolve_module(raw, self.offsets[index], results[index], depends[index], changed)
            changed = self.merge_flows()
            if not changed:
                break
            self.invalidate(changed)
        return [[r for r in module if r is not None] for module in results]

    def resolve_module(self, raw: RawModule, offset: int, done: list[dict[str, str] | None],
                       reads_of: list[frozenset[FlowKey]], changed: set[FlowKey] | None) -> None:
        """Resolve the calls of one module whose inputs changed (all of them in the first pass)."""
        for position, call in enumerate(raw.calls):
            if changed is not None and (not reads_of[position] or reads_of[position].isdisjoint(changed)):
                continue
            self.reads.append(None)
            try:
                done[position] = self.resolve_call(call, offset + call.scope)
            except RecursionError:  # an absurdly long alias chain: the call stays unresolved
                done[position] = {}
            finally:
                reads = self.reads.pop()
            reads_of[position] = frozenset(reads) if reads else frozenset()

    def merge_flows(self) -> set[FlowKey]:
        """Add this pass's flows; a parameter that receives more than MAX_FLOW distinct values
        is generic plumbing (`force_str(s)`): it is saturated and keeps no flowed values, since
        dozens of candidate callees on it would be noise rather than call-graph edges."""
        changed = set()
        for key, values in self.next_flows.items():
            if key in self.saturated:
                continue
            current = self.flows.get(key, EMPTY)
            combined = current | values
            if combined == current:
                continue
            if len(combined) > MAX_FLOW:
                self.saturated.add(key)
                combined = EMPTY
            self.flows[key] = combined
            changed.add(key)
        return changed

def _flowing(value: Value) -> Value | None:
    """The part of a value worth carrying into a parameter: collections only for their callables."""
    if type(value) is Coll:
        entries = frozenset((k, m) for k, m in value.entries if type(m) is Func or type(m) is Meth or type(m) is Cls)
        return Coll(entries) if entries else None
    return value if type(value) in _FLOWING else None


def _slice_entries(entries: frozenset[tuple[str, Value]], start: int, stop: int) -> Iterable[tuple[str, Value]]:
    """The entries of a list slice, re-numbered from 0; all of them, unnumbered, for unknown bounds."""
    for key, value in entries:
        if start < 0 or not key:
            yield "", value
        elif key.isdigit() and int(key) >= start and (stop < 0 or int(key) < stop):
            yield str(int(key) - start), value


def _drop(value: Value, path: tuple[str, ...]) -> Value:
    """A collection without what it holds under `path` (a store there replaced it)."""
    if type(value) is not Coll or not path:
        return value
    key, rest = path[0], path[1:]
    if not rest:
        return Coll(frozenset(e for e in value.entries if e[0] != key))
    return Coll(frozenset((k, _drop(v, rest)) if k == key else (k, v) for k, v in value.entries))


def _holds_items(value: Value) -> bool:
    """Can this value be a collection that stores add to? (Not a query or a model instance.)"""
    if type(value) is Coll or type(value) is CollGet:
        return True
    if type(value) is BuiltinInst:
        return value.name in conv.BUILTIN_COLLECTIONS
    if type(value) is ExtInst:
        return value.name.rpartition(".")[2] in conv.COLLECTION_CLASSES
    return False


def _c3_merge(sequences: list[list[Base]]) -> list[Base] | None:
    result: list[Base] = []
    sequences = [list(s) for s in sequences if s]
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return None
        result.append(head)
        sequences = [[e for e in s if e != head] for s in sequences]
        sequences = [s for s in sequences if s]
    return result


#: One handler per expression type.
_EVAL: dict[type, Callable[[Resolver, Any, int], Values]] = {
    Name: Resolver.eval_name,
    Attr: Resolver.eval_attr,
    Call: Resolver.eval_call,
    SuperCall: Resolver.eval_super,
    DefRef: Resolver.eval_def,
    AnyOf: Resolver.eval_any,
    Collection: Resolver.eval_collection,
    Element: Resolver.eval_element,
    Sliced: Resolver.eval_sliced,
    Const: Resolver.eval_const,
    Lambda: Resolver.eval_lambda,
    Unknown: Resolver.eval_unknown,
}
#: The values of a binding, per binding type (star imports are followed by lookup).
_BINDINGS: dict[type, Callable[[Resolver, int, str, Any], Values]] = {
    Assigned: Resolver.assigned_value,
    Defined: Resolver.defined_value,
    Imported: Resolver.imported_value,
    Param: Resolver.param_value,
    Annotated: Resolver.annotated_value,
}
#: Attribute lookup per value type; other values have no attributes we follow.
_GETATTR: dict[type, Callable[[Resolver, Any, str], Values]] = {
    Mod: Resolver.attr_of_module,
    Inst: Resolver.attr_of_instance,
    Cls: Resolver.attr_of_class,
    SuperOf: Resolver.attr_of_super,
    Ext: Resolver.attr_of_external,
    ExtInst: Resolver.attr_of_external,
    Builtin: Resolver.attr_of_builtin,
    BuiltinInst: Resolver.attr_of_builtin,
    Func: Resolver.attr_of_function,
    Meth: Resolver.attr_of_function,
    Signal: Resolver.attr_of_signal,
    Query: Resolver.attr_of_query,
    Coll: Resolver.attr_of_collection,
}
#: What calling a value returns, per value type.
_CALL_RESULTS: dict[type, Callable[[Resolver, Any], Values]] = {
    Func: Resolver.result_of_function,
    Meth: Resolver.result_of_function,
    Cls: Resolver.result_of_class,
    Ext: Resolver.result_of_external,
    Builtin: Resolver.result_of_builtin,
    ExtInst: Resolver.result_of_external_instance,
    Inst: Resolver.result_of_instance,
    CollGet: Resolver.result_of_collection_get,
    QueryCall: Resolver.result_of_query_call,
}
#: The callee names calling a value reaches, per value type.
_CALLEES: dict[type, Callable[[Resolver, Any, dict[str, str], list[tuple[int, int]]], None]] = {
    Func: Resolver.call_function,
    Meth: Resolver.call_method,
    Cls: Resolver.call_class,
    Ext: Resolver.call_external,
    Builtin: Resolver.call_builtin,
    ExtInst: Resolver.call_external_instance,
    Deferred: Resolver.call_deferred,
    Send: Resolver.call_send,
    Inst: Resolver.call_instance,
    CollGet: Resolver.call_collection_get,
    QueryCall: Resolver.call_query,
}

