"""Whole-program name resolution: RawModules -> ModuleFacts with qualified callees.

The resolver evaluates each encoded expression (analyzer.scan.facts) to a set of abstract
values, lazily and memoized, in the spirit of PyCG's assignment-graph analysis:

    ("mod", name)            an internal module or (namespace) package
    ("func", g)              an internal function, unbound (g = global scope id)
    ("meth", g, r)           an internal method bound to an instance (or class) of class r
    ("cls", g) / ("inst", g) an internal class / an instance of it
    ("super", g)             super() inside class g
    ("ext", "a.b")           something outside the tree, by dotted name (`requests.post`)
    ("xinst", "a.B")         an instance of an external class (`requests.Session()`)
    ("bi", "len")            a builtin; ("biinst", "str") an instance of a builtin type
    ("sig", q)               a signal object created by a signal factory, named q
    ("send", q)              the bound send method of signal q
    ("defer", g, kind)       `task.delay` / `task.apply_async` of internal function g
    ("coll", values)         a list/dict/tuple holding these values; ("collget", values) its .get
    ("query", g, name)       an ORM query over model class g (`Order.objects`, `session.query(Order)`)
    ("qcall", g, name, m)    method m of such a query (`.filter` keeps the query, `.first` an Order)
    ("lambda",)              a lambda

Flow-insensitive and context-insensitive: every assignment to a name contributes. Values also
flow into parameters from call sites (arguments, and the receiver of a bound method call into
`self`), iterated over a few passes; later passes only recompute what read a parameter whose
values changed. A parameter receiving more than MAX_FLOW distinct values is generic plumbing
and keeps none. `self.m()` is looked up through the C3 MRO of the class the method is defined
on, plus the classes of receivers that flowed into `self` (a subclass instance calling an
inherited method); overriding methods in subclasses never seen as receivers are not added
(PyCG does the same).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import NamedTuple

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
from analyzer.scan.facts import Expr, RawCall, RawModule, RawScope
from analyzer.scan.records import maker

EMPTY: frozenset = frozenset()
_PENDING = (frozenset(), frozenset())  # memo marker of a computation in progress
_call_site = maker(CallSite)
_use = maker(SymbolUse)
_reference = maker(Reference)
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("__"))
#: Values worth carrying from an argument into a parameter.
_FLOWING = frozenset({"func", "meth", "cls", "inst", "ext", "xinst", "coll", "sig", "defer", "send", "query"})
MAX_PASSES = 4
#: SymbolUse.context of a class named only in a type annotation (a type-only dependency).
ANNOTATION = ":annotation"
#: Expressions cheaper to evaluate than to look up.
_UNMEMOIZED = frozenset({"k", "x", "lambda", "def", "super"})
#: Argument expressions that can never carry a function, class or instance worth recording.
_INERT = frozenset({"k", "x", "lambda"})
MAX_FLOW = 16


#: A use whose receiver could be an instance of more classes than this is too imprecise to cite
#: as data access (a generic base's type variable flowing every subclass's model).
MAX_USE_CANDIDATES = 3


def _ordered(values: Iterable[tuple]) -> list[tuple]:
    """A hash-seed-independent order, so recursion (and cycle cuts) happen the same way every run."""
    values = list(values)
    if len(values) > 1:
        values.sort(key=repr)
    return values


def last_name(expr: Expr) -> str:
    if expr[0] == "a":
        return expr[2]
    if expr[0] == "n":
        return expr[1]
    if expr[0] == "c":
        return last_name(expr[1])
    return ""


class _Resolved(NamedTuple):
    """What resolution learned about one raw call."""

    callees: dict[str, str]  # callee name -> deferral ("" for a direct call)
    args: tuple[frozenset, ...]  # values of the positional arguments
    kwargs: tuple[frozenset, ...]  # values of the keyword arguments, in call.kwargs order


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
        self.flows: dict[tuple[int, int], frozenset] = {}
        self.next_flows: dict[tuple[int, int], frozenset] = {}
        self.saturated: set[tuple[int, int]] = set()
        self.classes_by_name: dict[str, list[str]] | None = None
        self.definitions = frozenset(s.qualname for s in self.scopes if s.kind != "module")
        self.mro_memo: dict[int, tuple] = {}
        self.bases_memo: dict[int, tuple] = {}
        # memo: key -> (result, flow keys the result depends on). Keys are tagged tuples:
        # ("e", expr, scope), ("b", scope, name), ("m", module, name, star), ("d", g), ("r", g),
        # ("ca", g, attr, instance, receiver, after).
        self.memo: dict[tuple, tuple[frozenset, frozenset]] = {}
        self.dependents: dict[tuple[int, int], list[tuple]] = {}  # flow key -> memo keys that read it
        # Flow keys read by each computation in progress (None until the first read).
        self.reads: list[set | None] = [None]
        self.tracking = True  # off once the passes are done: nothing is invalidated any more

    def _read(self, depends: frozenset | set) -> None:
        if not self.tracking:
            return
        top = self.reads[-1]
        if top is None:
            self.reads[-1] = set(depends)
        else:
            top.update(depends)

    def _cached(self, key: tuple, compute, *args) -> frozenset:  # noqa: ANN001 - any bound method
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
        if reads:
            depends = frozenset(reads)
            for flow in depends:
                self.dependents.setdefault(flow, []).append(key)
            self._read(depends)
        else:
            depends = EMPTY
        memo[key] = (result, depends)
        return result

    def invalidate(self, changed: set) -> None:
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

    def value_name(self, value: tuple) -> str | None:
        kind = value[0]
        if kind in ("func", "meth", "cls", "defer"):
            return self.qual(value[1])
        if kind in ("ext", "xinst"):
            return value[1]
        if kind == "bi":
            return f"<builtin>.{value[1]}"
        if kind in ("sig", "send", "mod"):
            return value[1]
        if kind == "query":
            return value[2]
        if kind == "qcall":
            return f"{value[2]}.{value[3]}"
        return None

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

    def eval(self, expr: Expr, scope: int) -> frozenset:
        if expr[0] in _UNMEMOIZED:
            return self._eval(expr, scope)
        key = ("e", expr, scope)
        entry = self.memo.get(key)
        if entry is not None:
            if entry[1]:
                self._read(entry[1])
            return entry[0]
        return self._cached(key, self._eval, expr, scope)

    def _eval(self, expr: Expr, scope: int) -> frozenset:
        kind = expr[0]
        if kind == "n":
            return self.lookup(expr[1], scope)
        if kind == "a":
            attr = expr[2]
            out: set = set()
            for value in _ordered(self.eval(expr[1], scope)):
                out.update(self.getattr(value, attr))
            return frozenset(out)
        if kind == "c":
            out = set()
            for value in _ordered(self.eval(expr[1], scope)):
                out.update(self.call_results(value))
                if len(expr) == 3 and value[0] == "ext":
                    out.update(self.class_argument_result(value[1], expr[2], scope))
            return frozenset(out)
        if kind == "super":
            owner = self.enclosing_class(scope)
            return frozenset({("super", owner)}) if owner >= 0 else EMPTY
        if kind == "def":
            return self.decorated_from(self.offsets[self.scope_module[scope]] + expr[1], expr[2])
        if kind == "u":
            out = set()
            for member in expr[1:]:
                out.update(self.eval(member, scope))
            return frozenset(out)
        if kind == "coll":
            members: set = set()
            for member in expr[1:]:
                members.update(self.eval(member, scope))
            return frozenset({("coll", frozenset(members))})
        if kind == "elem":
            out = set()
            for value in self.eval(expr[1], scope):
                if value[0] == "coll":
                    out.update(value[1])
                elif value[0] == "query":
                    out.add(("inst", value[1]))
                elif value[0] == "inst":
                    out.update(self.iterated(value[1]))
            return frozenset(out)
        if kind == "k":
            return frozenset({("biinst", expr[1])})
        if kind == "lambda":
            return frozenset({("lambda",)})
        return EMPTY

    def class_argument_result(self, callee: str, argument: Expr, scope: int) -> frozenset:
        """`session.query(Order)` is a query over Order; `session.get(Order, 1)` an Order."""
        mode = conv.CLASS_ARGUMENT_CALLS.get(callee.rpartition(".")[2])
        if mode is None:
            return EMPTY
        classes = [v[1] for v in self.eval(argument, scope) if v[0] == "cls"]
        if mode == "query":
            return frozenset(("query", g, callee) for g in classes)
        instances = frozenset(("inst", g) for g in classes)
        return frozenset({("coll", instances)}) if mode == "list" and instances else instances

    def iterated(self, g: int) -> frozenset:
        """Elements of an iterable instance: what `__iter__(...).__next__()` returns."""
        out: set = set()
        for method in self.class_attr(g, "__iter__", True, g):
            if method[0] != "meth":
                continue
            for iterator in self.returns(method[1]):
                if iterator[0] != "inst":
                    continue
                for step in self.class_attr(iterator[1], "__next__", True, iterator[1]):
                    if step[0] == "meth":
                        out.update(self.returns(step[1]))
        return frozenset(out)

    def enclosing_class(self, scope: int) -> int:
        """The class whose method (or nested function of a method) contains `scope`."""
        while scope >= 0:
            parent = self.parents[scope]
            if parent >= 0 and self.scopes[parent].kind == "class" and self.scopes[scope].kind == "method":
                return parent
            scope = parent
        return -1

    def lookup(self, name: str, scope: int) -> frozenset:
        """Python's LEGB lookup; class bodies are only seen from the class body itself."""
        current, first = scope, True
        while current >= 0:
            raw = self.scopes[current]
            if (first or raw.kind != "class") and name in raw.bindings:
                return self.binding_values(current, name)
            if raw.kind == "module":
                for binding in raw.bindings.get("*", ()):
                    found = self.module_attr(binding[1], name, star=True)
                    if found:
                        return found
                break
            first = False
            current = self.parents[current]
        if name in BUILTIN_NAMES:
            return frozenset({("bi", name)})
        return EMPTY

    def binding_values(self, scope: int, name: str) -> frozenset:
        return self._cached(("b", scope, name), self._binding_values, scope, name)

    def _binding_values(self, scope: int, name: str) -> frozenset:
        bindings = self.scopes[scope].bindings.get(name, ())
        if len(bindings) == 1:
            return self.binding_value(scope, name, bindings[0])
        out: set = set()
        for binding in bindings:
            out.update(self.binding_value(scope, name, binding))
        return frozenset(out)

    def binding_value(self, scope: int, name: str, binding: tuple) -> frozenset:
        kind = binding[0]
        if kind == "v":
            expr = binding[1]
            if expr[0] == "c" and self.scopes[scope].kind in ("module", "class"):
                signal = self.signal_created(expr, scope, name)
                if signal:
                    return signal
            return self.eval(expr, scope)
        if kind == "def":
            return self.def_values(self.offsets[self.scope_module[scope]] + binding[1])
        if kind == "imp":
            return self.import_values(binding[1], binding[2])
        if kind == "param":
            return self.param_values(scope, binding[1])
        if kind == "ann":
            return self.annotated(binding[1], binding[2], scope)
        return EMPTY

    def signal_created(self, expr: Expr, scope: int, name: str) -> frozenset:
        for value in self.eval(expr[1], scope):
            created = self.value_name(value)
            if created and (created in conv.SIGNAL_FACTORIES
                            or (value[0] == "ext" and created.rpartition(".")[2] in conv.SIGNAL_FACTORY_NAMES)):
                return frozenset({("sig", f"{self.qual(scope)}.{name}")})
        return EMPTY

    def annotated(self, mode: str, expr: Expr, scope: int) -> frozenset:
        out: set = set()
        for value in self.eval(expr, scope):
            kind = value[0]
            if kind == "cls":
                out.add(("inst", value[1]) if mode != "cls" else value)
            elif kind == "ext":
                out.add(("xinst", value[1]) if mode != "cls" else value)
            elif kind == "bi" and value[1] in conv.BUILTIN_TYPES:
                out.add(("biinst", value[1]) if mode != "cls" else value)
        if mode == "list":
            return frozenset({("coll", frozenset(out))}) if out else EMPTY
        return frozenset(out)

    def import_values(self, module: str, attr: str) -> frozenset:
        if not attr:
            return frozenset({("mod", module) if module in self.packages else ("ext", module)})
        found = self.module_attr(module, attr) if module in self.module_scope else EMPTY
        if found:
            return found
        target = f"{module}.{attr}" if module else attr
        if target in self.packages:
            return frozenset({("mod", target)})
        return frozenset({("ext", target)})

    def module_attr(self, module: str, name: str, star: bool = False) -> frozenset:
        return self._cached(("m", module, name, star), self._module_attr, module, name, star)

    def _module_attr(self, module: str, name: str, star: bool) -> frozenset:
        scope = self.module_scope.get(module)
        if scope is not None:
            raw = self.raws[self.scope_module[scope]]
            if star and (name.startswith("_") or (raw.star_all is not None and name not in raw.star_all)):
                return EMPTY
            bindings = self.scopes[scope].bindings
            if name in bindings:
                return self.binding_values(scope, name)
            for binding in bindings.get("*", ()):
                found = self.module_attr(binding[1], name, star=True)
                if found:
                    return found
        submodule = f"{module}.{name}"
        if not star and submodule in self.packages:
            return frozenset({("mod", submodule)})
        return EMPTY

    def def_values(self, g: int) -> frozenset:
        """A def/class statement's value; a function decorated by an internal decorator that
        returns an inner function is also that inner function (the wrapper runs first)."""
        raw = self.scopes[g]
        if raw.kind == "class":
            return frozenset({("cls", g)})
        if not raw.decorators:
            return frozenset({("func", g)})
        return frozenset({("func", g)}) | self.decorated_from(g, 0)

    def decorated_from(self, g: int, position: int) -> frozenset:
        """The function as decorator `position` (0 = topmost) and those above it return it."""
        raw = self.scopes[g]
        if raw.kind == "class" or position >= len(raw.decorators):
            return frozenset({("cls", g)}) if raw.kind == "class" else frozenset({("func", g)})
        return self._cached(("d", g, position), self._decorated, g, position)

    def _decorated(self, g: int, position: int) -> frozenset:
        below = self.decorated_from(g, position + 1)
        wrapped: set = set()
        for value in _ordered(self.eval(self.scopes[g].decorators[position], self.parents[g])):
            if value[0] in ("func", "meth"):
                wrapped.update(v for v in self.returns(value[1]) if v[0] in ("func", "meth"))
        return frozenset(wrapped) if wrapped else below

    def param_values(self, scope: int, index: int) -> frozenset:
        raw = self.scopes[scope]
        param = raw.params[index]
        if param.annotation:  # annotated parameters take no flows
            out: set = set()
            for mode, expr in param.annotation:
                out.update(self.annotated(mode, expr, scope))
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
            return flowed | {("cls", owner) if raw.method_kind == "class" else ("inst", owner)}
        return flowed

    def returns(self, g: int) -> frozenset:
        return self._cached(("r", g), self._returns, g)

    def _returns(self, g: int) -> frozenset:
        raw = self.scopes[g]
        out: set = set()
        for mode, expr in raw.return_annotation:
            out.update(self.annotated(mode, expr, g))
        for expr in raw.returns:
            out.update(self.eval(expr, g))
        return frozenset(out)

    # ------------------------------------------------------------------ classes

    def bases(self, g: int) -> tuple:
        found = self.bases_memo.get(g)
        if found is not None:
            return found
        self.bases_memo[g] = ()
        entries: list = []
        parent = self.parents[g]
        for expr in self.scopes[g].bases:
            for value in _ordered(self.eval(expr, parent)):
                if value[0] == "cls" and value[1] != g or value[0] == "ext":
                    entry = value
                elif value[0] == "xinst":
                    entry = ("ext", value[1])
                else:
                    continue
                if entry not in entries:
                    entries.append(entry)
        result = tuple(entries)
        self.bases_memo[g] = result
        return result

    def mro(self, g: int) -> tuple:
        """C3 linearization over internal classes; external bases end their branch."""
        found = self.mro_memo.get(g)
        if found is not None:
            return found
        self.mro_memo[g] = (("cls", g),)
        bases = self.bases(g)
        sequences = [list(self.mro(b[1])) if b[0] == "cls" else [b] for b in bases]
        sequences.append(list(bases))
        merged = _c3_merge(sequences)
        if merged is None:  # inconsistent hierarchy: keep a depth-first order
            merged = list(dict.fromkeys(entry for sequence in sequences for entry in sequence))
        result = (("cls", g), *merged)
        self.mro_memo[g] = result
        return result

    def class_attr(self, g: int, attr: str, instance: bool, receiver: int, after: int = -1) -> frozenset:
        return self._cached(("ca", g, attr, instance, receiver, after), self._class_attr, g, attr, instance,
                            receiver, after)

    def _class_attr(self, g: int, attr: str, instance: bool, receiver: int, after: int) -> frozenset:
        order = self.mro(g)
        if after >= 0:
            position = next((i for i, e in enumerate(order) if e == ("cls", after)), len(order))
            order = order[position + 1:]
        for entry in order:
            if entry[0] == "cls" and attr in self.scopes[entry[1]].bindings:
                return self.bound(self.binding_values(entry[1], attr), instance, receiver)
        if instance:
            out: set = set()
            for entry in order:
                if entry[0] != "cls":
                    continue
                offset = self.offsets[self.scope_module[entry[1]]]
                for binding, method in self.scopes[entry[1]].self_attrs.get(attr, ()):
                    method_scope = offset + method
                    out.update(self.binding_value(method_scope, attr, binding))
            if out:
                return frozenset(out)
        for entry in order:
            if entry[0] == "ext" and entry[1] not in conv.NEUTRAL_BASES:
                if attr in conv.QUERY_MANAGERS:
                    return frozenset({("query", g, f"{entry[1]}.{attr}")})
                return frozenset({("ext", f"{entry[1]}.{attr}")})
        return EMPTY

    def bound(self, values: frozenset, instance: bool, receiver: int) -> frozenset:
        """Attribute values read through a class or instance: methods become bound methods."""
        out: set = set()
        for value in values:
            if value[0] != "func" or self.scopes[value[1]].kind != "method":
                out.add(value)
                continue
            method_kind = self.scopes[value[1]].method_kind
            if method_kind == "static":
                out.add(value)
            elif method_kind == "class":
                out.add(("meth", value[1], receiver))
            elif method_kind == "property":
                if instance:
                    out.update(self.returns(value[1]))
                else:
                    out.add(value)
            elif instance:
                out.add(("meth", value[1], receiver))
            else:
                out.add(value)
        return frozenset(out)

    # ------------------------------------------------------------------ attributes and calls

    def getattr(self, value: tuple, attr: str) -> frozenset:
        kind = value[0]
        if kind == "mod":
            return self.module_attr(value[1], attr)
        if kind == "inst":
            return self.class_attr(value[1], attr, True, value[1])
        if kind == "cls":
            return self.class_attr(value[1], attr, False, value[1])
        if kind == "super":
            return self.class_attr(value[1], attr, True, value[1], after=value[1])
        if kind in ("ext", "xinst"):
            return frozenset({("ext", f"{value[1]}.{attr}")})
        if kind == "bi":
            return frozenset({("ext", f"<builtin>.{value[1]}.{attr}")})
        if kind == "biinst":
            return frozenset({("ext", f"<builtin>.{value[1]}.{attr}")})
        if kind in ("func", "meth"):
            deferral = conv.TASK_METHODS.get(attr)
            return frozenset({("defer", value[1], deferral)}) if deferral else EMPTY
        if kind == "sig":
            if attr in conv.SIGNAL_SENDS:
                return frozenset({("send", value[1])})
            return frozenset({("ext", f"{value[1]}.{attr}")})
        if kind == "query":
            if (attr in conv.QUERY_CHAIN or attr in conv.QUERY_SINGLE or attr in conv.QUERY_PAIR
                    or attr in conv.QUERY_OTHER):
                return frozenset({("qcall", value[1], value[2], attr)})
            return frozenset({("ext", f"{value[2]}.{attr}")})
        if kind == "coll":
            if attr in ("get", "pop", "setdefault"):
                return frozenset({("collget", value[1])})
            if attr in ("values", "items", "keys", "copy"):
                return frozenset({("collget", value[1])})
            return EMPTY
        return EMPTY

    def call_results(self, value: tuple) -> frozenset:
        kind = value[0]
        if kind in ("func", "meth"):
            return self.returns(value[1])
        if kind == "cls":
            return frozenset({("inst", value[1])})
        if kind == "ext":
            known = conv.EXTERNAL_RETURNS.get(value[1])
            if known:
                return frozenset({("xinst", known)})
            last = value[1].rpartition(".")[2]
            if last[:1].isupper():
                return frozenset({("xinst", value[1])})
            if not last or value[1].startswith("<builtin>") or "()" in value[1]:
                return EMPTY  # one level of `factory().method` names is informative; more is noise
            return frozenset({("ext", f"{value[1]}()")})
        if kind == "bi":
            return frozenset({("biinst", value[1])}) if value[1] in conv.BUILTIN_TYPES else EMPTY
        if kind == "xinst":
            known = conv.EXTERNAL_RETURNS.get(f"{value[1]}.__call__")
            return frozenset({("xinst", known)}) if known else EMPTY
        if kind == "inst":
            out: set = set()
            for method in self.class_attr(value[1], "__call__", True, value[1]):
                if method[0] in ("func", "meth"):
                    out.update(self.returns(method[1]))
            return frozenset(out)
        if kind == "collget":
            return value[1]
        if kind == "qcall":
            method = value[3]
            if method in conv.QUERY_CHAIN:
                return frozenset({("query", value[1], value[2])})
            if method in conv.QUERY_SINGLE:
                return frozenset({("inst", value[1])})
            if method in conv.QUERY_PAIR:
                return frozenset({("coll", frozenset({("inst", value[1])}))})
            return EMPTY
        return EMPTY

    def callees_of(self, value: tuple, out: dict[str, str], targets: list[tuple[int, int]]) -> None:
        """Names a call on `value` reaches; (function, implicit-argument count) into `targets`."""
        kind = value[0]
        if kind == "func":
            out.setdefault(self.qual(value[1]), "")
            targets.append((value[1], 0))
        elif kind == "meth":
            out.setdefault(self.qual(value[1]), "")
            targets.append((value[1], 1))
            self.flow_receiver(value)
        elif kind == "cls":
            initialisers = self.class_attr(value[1], "__init__", True, value[1])
            internal = False
            for init in _ordered(initialisers):
                if init[0] == "meth":
                    out.setdefault(self.qual(init[1]), "")
                    targets.append((init[1], 1))
                    self.flow_receiver(init)
                    internal = True
                elif init[0] == "ext":
                    out.setdefault(init[1], "")
            if not internal:
                out.setdefault(self.qual(value[1]), "")
        elif kind == "ext":
            out.setdefault(value[1], "")
        elif kind == "bi":
            out.setdefault(f"<builtin>.{value[1]}", "")
        elif kind == "xinst":  # calling an external object: `SessionLocal()` on a scoped_session
            out.setdefault(f"{value[1]}.__call__", "")
        elif kind == "defer":
            out[self.qual(value[1])] = value[2]
            targets.append((value[1], 0))
        elif kind == "send":
            out[value[1]] = "signal"
        elif kind == "inst":
            for method in _ordered(self.class_attr(value[1], "__call__", True, value[1])):
                if method[0] == "meth":
                    out.setdefault(self.qual(method[1]), "")
                    targets.append((method[1], 1))
                elif method[0] == "ext":
                    out.setdefault(method[1], "")
        elif kind == "collget":
            out.setdefault("<builtin>.dict.get", "")
        elif kind == "qcall":
            out.setdefault(f"{value[2]}.{value[3]}", "")

    def flow_receiver(self, value: tuple) -> None:
        method, receiver = value[1], value[2]
        owner = self.parents[method]
        if receiver != owner and receiver >= 0:
            kind = "cls" if self.scopes[method].method_kind == "class" else "inst"
            self.pending_flow(method, 0, frozenset({(kind, receiver)}))

    def pending_flow(self, g: int, index: int, values: frozenset) -> None:
        """Carry argument values into a parameter (annotated parameters already know their type)."""
        if not values or self.scopes[g].params[index].annotation:
            return
        values = frozenset(flowing for v in values if (flowing := _flowing(v)) is not None)
        if not values:
            return
        key = (g, index)
        current = self.next_flows.get(key)
        self.next_flows[key] = values if current is None else current | values

    def flow_arguments(self, g: int, implicit: int, args: tuple[frozenset, ...],
                       kwargs: tuple[tuple[str, frozenset], ...]) -> None:
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

    def arguments(self, call: RawCall, scope: int) -> tuple[tuple[frozenset, ...], tuple[frozenset, ...]]:
        evaluate = self.eval
        return (tuple(evaluate(a, scope) if a[0] not in _INERT else EMPTY for a in call.args),
                tuple(evaluate(e, scope) if e[0] not in _INERT else EMPTY for _, e in call.kwargs))

    def resolve_call(self, call: RawCall, scope: int) -> dict[str, str]:
        """Callee name -> deferral; also records the values flowing into internal parameters."""
        out: dict[str, str] = {}
        targets: list[tuple[int, int]] = []
        values = self.eval(call.func, scope)
        for value in (_ordered(values) if len(values) > 1 else values):
            self.callees_of(value, out, targets)
        hand_off = conv.HAND_OFFS.get(last_name(call.func)) if call.decorates == -1 else None
        if not targets and hand_off is None or not (call.args or call.kwargs):
            return out
        args, kwargs = self.arguments(call, scope)
        named = tuple(zip((k for k, _ in call.kwargs), kwargs, strict=True))
        for g, implicit in targets:
            self.flow_arguments(g, implicit, args, named)
        if hand_off is not None:
            handed: frozenset = EMPTY
            if 0 <= hand_off.position < len(args):
                handed = args[hand_off.position]
            for name, found in named:
                if name in hand_off.keywords:
                    handed = handed | found
            for value in _ordered(handed):
                if value[0] in ("func", "meth"):
                    out[self.qual(value[1])] = hand_off.deferral
        return out

    def run(self) -> list[list[dict[str, str]]]:
        """Resolve every call; repeat for the calls whose inputs changed as values flowed into
        parameters, until nothing changes (or MAX_PASSES)."""
        results: list[list[dict[str, str] | None]] = [[None] * len(raw.calls) for raw in self.raws]
        depends: list[list[frozenset]] = [[EMPTY] * len(raw.calls) for raw in self.raws]
        changed: set | None = None
        for _ in range(MAX_PASSES):
            self.next_flows = {}
            for index, raw in enumerate(self.raws):
                offset = self.offsets[index]
                done, reads_of = results[index], depends[index]
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
                    reads_of[position] = frozenset(reads) if reads else EMPTY
            changed = self.merge_flows()
            if not changed:
                break
            self.invalidate(changed)
        return [[r for r in module if r is not None] for module in results]

    def merge_flows(self) -> set:
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

    # ------------------------------------------------------------------ facts

    def facts(self, skipped: Iterable[Skipped], root: str) -> CodeBase:
        resolved = self.run()
        self.tracking = False
        modules = []
        skipped = list(skipped)
        for index, raw in enumerate(self.raws):
            try:
                modules.append(self.module_facts(index, raw, resolved[index]))
            except RecursionError:
                skipped.append(Skipped(raw.path, "too deeply nested to resolve (RecursionError)"))
        return CodeBase(root=root, modules=tuple(modules), skipped=tuple(sorted(skipped, key=lambda s: s.path)))

    def module_facts(self, index: int, raw: RawModule, resolved: list[dict[str, str]]) -> ModuleFacts:
        offset = self.offsets[index]
        builder = _FactBuilder(self, raw, offset, resolved)
        for call, callees in zip(raw.calls, resolved, strict=True):
            builder.call(call, _Resolved(callees, *self.arguments(call, offset + call.scope)))
        for load in raw.loads:
            builder.load(load)
        return builder.build()

    def names_of(self, values: Iterable[tuple]) -> list[str]:
        return sorted({name for v in values if (name := self.value_name(v)) is not None})


def _flowing(value: tuple) -> tuple | None:
    """The part of a value worth carrying into a parameter: collections only for their callables."""
    kind = value[0]
    if kind == "coll":
        members = frozenset(m for m in value[1] if m[0] in ("func", "meth", "cls"))
        return ("coll", members) if members else None
    return value if kind in _FLOWING else None


def _c3_merge(sequences: list[list]) -> list | None:
    result: list = []
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


class _FactBuilder:
    """Turns one module's raw facts plus resolved values into ModuleFacts."""

    def __init__(self, resolver: Resolver, raw: RawModule, offset: int, resolved: list[dict[str, str]]) -> None:
        self.r = resolver
        self.raw = raw
        self.offset = offset
        self.resolved = resolved
        self.calls: list[CallSite] = []
        self.references: set[Reference] = set()
        self.uses: set[SymbolUse] = set()
        self.subscriptions: set[Subscription] = set()

    def scope_name(self, local: int) -> str:
        return self.raw.scopes[local].qualname

    # ------------------------------------------------------------------ calls

    def call(self, call: RawCall, result: _Resolved) -> None:
        raw, r = self.raw, self.r
        caller = self.scope_name(call.scope)
        callees = result.callees
        if call.decorates != -1:
            self.special_call(call, result, caller)
            return
        deferrals = set(callees.values())
        if not callees:
            self.calls.append(_call_site(caller, (self.unknown_name(call),), call.expr, raw.path, call.line,
                                         call.usage, call.in_loop, "", call.arg_text))
        elif deferrals == {""}:
            self.calls.append(_call_site(caller, tuple(sorted(callees)), call.expr, raw.path, call.line,
                                         call.usage, call.in_loop, "", call.arg_text))
        else:
            for deferral in sorted(deferrals):
                expr = call.expr
                if deferral in conv.HANDED_DEFERRALS:
                    expr = self.handed_text(call) or expr
                names = tuple(sorted(name for name, d in callees.items() if d == deferral))
                self.calls.append(_call_site(caller, names, expr, raw.path, call.line, call.usage, call.in_loop,
                                             deferral, call.arg_text))
        func = call.func
        scope = self.offset + call.scope
        if result.args or result.kwargs:
            via = conv.REFERENCE_VIA.get(last_name(func), "callback")
            callee_text = call.expr if func[0] in ("n", "a") else ""
            for values in (*result.args, *result.kwargs):
                if sum(1 for v in values if v[0] in ("cls", "inst")) > MAX_USE_CANDIDATES:
                    values = frozenset(v for v in values if v[0] not in ("cls", "inst"))
                for value in values:
                    self.argument_value(value, caller, call, via, callee_text)
        self.chain_uses(func, scope, caller, call.line)
        if func[0] == "a":
            if func[2] in conv.QUERY_METHODS:
                for value in r.eval(func, scope):
                    if value[0] == "qcall":  # `Order.objects.filter(...).update(...)`: a use per query step
                        manager = value[2].rpartition(".")[2]
                        self.uses.add(_use(caller, r.qual(value[1]), raw.path, call.line, f"{manager}.{value[3]}"))
            elif func[2] in conv.SIGNAL_CONNECTS:
                self.subscription(call, result, scope, caller)

    def special_call(self, call: RawCall, result: _Resolved, caller: str) -> None:
        """Decorator applications and implicit protocol calls: kept only when they say something."""
        raw, r = self.raw, self.r
        if call.decorates == IMPLICIT:
            internal = sorted(name for name in result.callees if name in r.definitions)
            if internal:
                self.calls.append(_call_site(caller, tuple(internal), call.expr, raw.path, call.line, call.usage,
                                             call.in_loop, "", ()))
            return
        self.subscription(call, result, self.offset + call.scope, caller)
        # `@property`, `@classmethod`, `@app.route(...)` applied: builtins and whatever an external
        # decorator factory returned say nothing about coupling (the factory call itself is kept).
        names = sorted(n for n in result.callees if not (n.startswith("<builtin>.") or n.endswith("()")))
        if names:
            self.calls.append(_call_site(caller, tuple(names), call.expr, raw.path, call.line, call.usage,
                                         call.in_loop, "", call.arg_text))

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
        if func[0] == "a":
            return f"<unknown>.{func[2]}"
        if func[0] == "n":
            return f"<unknown>.{func[1]}"
        return f"<unknown>.{call.expr}"

    def argument_value(self, value: tuple, caller: str, call: RawCall, via: str, callee_text: str) -> None:
        kind = value[0]
        if kind in ("func", "meth"):
            self.references.add(_reference(caller, self.r.qual(value[1]), self.raw.path, call.line, via))
        elif kind in ("cls", "inst") and callee_text:
            self.uses.add(_use(caller, self.r.qual(value[1]), self.raw.path, call.line, callee_text))
        elif kind == "coll":
            for member in value[1]:
                if member[0] != "coll":
                    self.argument_value(member, caller, call, via, callee_text)

    def chain_uses(self, expr: Expr, scope: int, user: str, line: int) -> None:
        """The shortest prefix of `a.b.c` naming an internal class, or an instance of one that has
        attributes applied: `Order.objects.filter` -> (Order, "objects.filter"), `order.save` ->
        (Order, "save"). Stops as soon as the chain leaves modules and internal objects."""
        if expr[0] == "n":  # the common case: a bare name is only a use when it names a class
            if expr[1] not in ("self", "cls"):
                for value in self.r.eval(expr, scope):
                    if value[0] == "cls":
                        self.uses.add(_use(user, self.r.qual(value[1]), self.raw.path, line, ""))
            return
        links: list[Expr] = []
        node = expr
        while node[0] == "a":
            links.append(node)
            node = node[1]
        if node[0] != "n":
            return
        links.append(node)
        evaluate = self.r.eval
        for depth in range(len(links) - 1, -1, -1):
            link = links[depth]
            if link[0] == "n" and link[1] in ("self", "cls"):
                continue
            values = evaluate(link, scope)
            found = [v for v in values if v[0] == "cls" or (v[0] == "inst" and depth > 0)]
            if len(found) > MAX_USE_CANDIDATES:
                return  # e.g. a generic repository's ModelT: no evidence of which table is used
            if found:
                context = ".".join(links[i][2] for i in range(depth - 1, -1, -1))
                for value in found:
                    self.uses.add(_use(user, self.r.qual(value[1]), self.raw.path, line, context))
                return
            if not any(v[0] in ("mod", "super") for v in values):
                return

    # ------------------------------------------------------------------ subscriptions

    def subscription(self, call: RawCall, result: _Resolved, scope: int, caller: str) -> None:
        func = call.func
        if call.decorates >= 0:
            handler = self.r.qual(self.offset + call.decorates)
            if func[0] == "a" and func[2] in conv.SIGNAL_CONNECTS:
                self.subscribe(self.signals(self.r.eval(func[1], scope)), handler, "", call.line, caller)
            elif func[0] == "c" and call.inner_call >= 0:
                inner = self.raw.calls[call.inner_call]
                name = last_name(inner.func)
                inner_result = self.inner(call.inner_call)
                if name in conv.RECEIVER_DECORATORS and inner_result is not None and inner_result.args:
                    sender = self.sender(inner, inner_result)
                    self.subscribe(self.signals(inner_result.args[0]), handler, sender, call.line, caller)
                elif name in conv.SIGNAL_CONNECTS and inner.func[0] == "a" and inner_result is not None:
                    sender = self.sender(inner, inner_result)
                    if not sender and inner_result.args:
                        sender = self.first_class(inner_result.args[0])
                    signals = self.signals(self.r.eval(inner.func[1], scope))
                    self.subscribe(signals, handler, sender, call.line, caller)
            return
        if func[0] == "a" and func[2] in conv.SIGNAL_CONNECTS and result.args:
            handlers = [v for v in result.args[0] if v[0] in ("func", "meth")]
            if handlers:
                signals = self.signals(self.r.eval(func[1], scope))
                sender = self.sender(call, result)
                for handler in handlers:
                    self.subscribe(signals, self.r.qual(handler[1]), sender, call.line, caller)

    def inner(self, index: int) -> _Resolved:
        call = self.raw.calls[index]
        return _Resolved(self.resolved[index], *self.r.arguments(call, self.offset + call.scope))

    def sender(self, call: RawCall, result: _Resolved) -> str:
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

    def first_class(self, values: frozenset) -> str:
        names = self.r.names_of(v for v in values if v[0] in ("cls", "ext"))
        return names[0] if names else ""

    def signals(self, values: frozenset) -> list[str]:
        out: set[str] = set()
        for value in values:
            if value[0] == "coll":
                out.update(self.signals(value[1]))
            elif value[0] in ("sig", "ext", "xinst"):
                out.add(value[1])
        return sorted(out)

    def subscribe(self, signals: list[str], handler: str, sender: str, line: int, caller: str) -> None:
        for signal in signals:
            self.subscriptions.add(Subscription(signal, handler, sender, self.raw.path, line))
        if signals:
            self.references.add(_reference(caller, handler, self.raw.path, line, "connect"))

    # ------------------------------------------------------------------ loads

    def load(self, load) -> None:
        scope = self.offset + load.scope
        user = self.scope_name(load.scope)
        if load.via == "annotation":
            for value in self.r.eval(load.expr, scope):
                if value[0] == "cls":
                    self.uses.add(_use(user, self.r.qual(value[1]), self.raw.path, load.line, ANNOTATION))
            return
        for value in self.r.eval(load.expr, scope):
            if value[0] in ("func", "meth"):
                target = self.r.qual(value[1])
                if target != user:
                    self.references.add(_reference(user, target, self.raw.path, load.line, load.via))
            elif value[0] == "coll":
                for member in value[1]:
                    if member[0] in ("func", "meth"):
                        self.references.add(_reference(user, self.r.qual(member[1]), self.raw.path, load.line,
                                                      "collection"))
        self.chain_uses(load.expr, scope, user, load.line)

    # ------------------------------------------------------------------ module

    def build(self) -> ModuleFacts:
        raw, r = self.raw, self.r
        definitions = tuple(self.definition(local) for local in range(1, len(raw.scopes)))
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
        )

    def import_resolved(self, item) -> str:
        """Where an internal import really points: `from shop import Order` -> shop.models.Order."""
        if item.star or not self.r.is_internal(item.module or item.target):
            return ""
        if not item.attr:
            return item.target if item.target in self.r.packages else ""
        values = self.r.import_values(item.module, item.attr)
        names = [n for n in self.r.names_of(v for v in values if v[0] in ("func", "cls", "mod", "sig"))]
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
            target = expr[1] if expr[0] == "c" else expr
            names = r.names_of(r.eval(target, parent))
            decorators.append(names[0] if names else text.partition("(")[0])
        return Definition(
            qualname=raw_scope.qualname, kind=raw_scope.kind, module=self.raw.name, path=self.raw.path,
            line=raw_scope.line, end_line=raw_scope.end_line, loc=raw_scope.loc, bases=bases,
            decorators=tuple(decorators), is_async=raw_scope.is_async, attributes=raw_scope.attributes,
        )


def _line(call: CallSite) -> int:
    return call.line


def _reference_key(ref: Reference) -> tuple:
    return (ref.line, ref.source, ref.target, ref.via)


def _use_key(use: SymbolUse) -> tuple:
    return (use.line, use.user, use.symbol, use.context)


def _subscription_key(sub: Subscription) -> tuple:
    return (sub.line, sub.signal, sub.handler, sub.sender)


def resolve(raws: list[RawModule], skipped: Iterable[Skipped], root: str) -> CodeBase:
    """One whole-program pass over every file's raw facts."""
    return Resolver(raws).facts(skipped, root)
