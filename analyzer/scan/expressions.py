"""AST expression -> Expr (see analyzer.scan.facts): what the resolver later evaluates.

One builder per file. Equal expressions are built once (interned): `self.repo` met fifty
times in a file is one object, which keeps the file's facts small and quick to pickle.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Mapping, Sequence, Sized
from typing import Any, Protocol, TypeVar

from analyzer.scan import conventions as conv
from analyzer.scan.facts import (
    UNKNOWN,
    AnyOf,
    Attr,
    Call,
    Collection,
    Const,
    Element,
    Expr,
    Lambda,
    Name,
    Sliced,
    SuperCall,
    TypeRef,
    Unknown,
)

T = TypeVar("T")
COLLECTION_LIMIT = 64
#: The commonest expressions are built with tuple.__new__, which skips the NamedTuple's own
#: __new__ (a Python function) and halves the cost of building them; every field is given.
_new = tuple.__new__
_NAME = Name._field_defaults["tag"]
_ATTR = Attr._field_defaults["tag"]
SUPER = SuperCall()
_LITERAL_TYPES = {str: "str", bytes: "bytes", int: "int", float: "float", complex: "complex", bool: "bool"}
_CONSTS = {name: Const(name) for name in ("str", "bytes", "int", "float", "complex", "bool", "list", "tuple",
                                          "set", "dict")}
_COMPREHENSION_TYPES = {ast.ListComp: "list", ast.DictComp: "dict", ast.SetComp: "set"}


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a pure name/attribute chain, else None."""
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_chain(node: ast.AST) -> bool:
    while type(node) is ast.Attribute:
        node = node.value
    return type(node) is ast.Name


def literal_key(node: ast.AST) -> str:
    """The key a literal subscript or dict key stands for ("'a'", "1"), "" when not literal."""
    if type(node) is ast.Constant and not isinstance(node.value, float | complex):
        if isinstance(node.value, int) and node.value < 0:
            return ""
        return repr(node.value)
    return ""


def _position(node: ast.expr | None, default: int) -> int | None:
    """A slice bound: a non-negative int literal, the default when absent, else None."""
    if node is None:
        return default
    if type(node) is ast.Constant and type(node.value) is int and node.value >= 0:
        return node.value
    return None


class ScopeState(Protocol):
    """What the builder reads of the scope being walked."""

    @property
    def bindings(self) -> Mapping[str, Sized]: ...  # name -> its bindings so far, in order

    @property
    def since(self) -> Mapping[str, int]: ...  # name -> index of its first binding after the last plain assignment

    @property
    def globals(self) -> Container[str]: ...

    @property
    def nonlocals(self) -> Container[str]: ...


class Walker(Protocol):
    """The extractor walking the file: where it is, and how it opens lambdas."""

    @property
    def scopes(self) -> Sequence[ScopeState]: ...

    @property
    def cur(self) -> int: ...

    @property
    def in_loop(self) -> bool: ...

    def open_lambda(self, node: ast.Lambda) -> int: ...


class Expressions:
    """Builds the Expr of AST expressions for one file, for the scope the walker is in."""

    def __init__(self, walker: Walker) -> None:
        self.interned: dict[Any, Any] = {}
        self.walker = walker
        self.windowed = True

    def intern(self, value: T) -> T:
        found: T = self.interned.setdefault(value, value)
        return found

    def of(self, node: ast.AST | None) -> Expr:
        """The expression an AST node stands for."""
        expr: Expr
        if type(node) is ast.Attribute:  # the commonest nodes are built here, without a handler frame
            expr = _new(Attr, (self.of(node.value), node.attr, _ATTR))
        elif type(node) is ast.Name:
            ident = node.id
            walker = self.walker
            reach = None
            if self.windowed and not walker.in_loop:  # see `reach`, inlined: names are a third of all nodes
                scope = walker.scopes[walker.cur]
                bound = scope.bindings.get(ident)
                if bound and ident not in scope.globals and ident not in scope.nonlocals:
                    reach = (scope.since.get(ident, 0), len(bound))
            expr = _new(Name, (ident, reach, _NAME))
        elif type(node) is ast.Constant:
            name = _LITERAL_TYPES.get(type(node.value))
            return _CONSTS[name] if name else UNKNOWN
        else:
            handler = _TO_EXPR.get(type(node))
            if handler is None:
                return UNKNOWN
            expr = handler(self, node)
        found: Expr = self.interned.setdefault(expr, expr)
        return found

    def plain(self, node: ast.AST | None) -> Expr:
        """The expression as seen from another scope than the one being walked (annotations of
        parameters, evaluated in the function): no Name.reach."""
        self.windowed = False
        try:
            return self.of(node)
        finally:
            self.windowed = True

    def reach(self, ident: str) -> tuple[int, int] | None:
        """Name.reach of a use of `ident`: when the use is straight-line code of the scope binding
        it, this scope's bindings since the last plain assignment, and up to here."""
        walker = self.walker
        if not self.windowed or walker.in_loop:
            return None
        scope = walker.scopes[walker.cur]
        bound = scope.bindings.get(ident)
        if not bound or ident in scope.globals or ident in scope.nonlocals:
            return None
        return (scope.since.get(ident, 0), len(bound))

    def attribute(self, node: ast.Attribute) -> Expr:
        return _new(Attr, (self.of(node.value), node.attr, _ATTR))

    def call(self, node: ast.Call) -> Expr:
        func = node.func
        if type(func) is ast.Name and func.id == "super":
            return SUPER
        if type(func) is ast.Name and func.id in conv.HIGHER_ORDER_NAMES:  # `map(f, items)`: f's results
            return Call(self.of(func), tuple(self.of(a) for a in node.args if type(a) is not ast.Starred))
        if node.args and is_chain(node.args[0]):  # `session.query(Order)`: the class may type the result
            return Call(self.of(func), (self.of(node.args[0]),))
        return Call(self.of(func))

    def constant(self, node: ast.Constant) -> Expr:
        name = _LITERAL_TYPES.get(type(node.value))
        return _CONSTS[name] if name else UNKNOWN

    def fstring(self, node: ast.JoinedStr) -> Expr:
        return _CONSTS["str"]

    def sequence(self, node: ast.List | ast.Tuple | ast.Set) -> Expr:
        items: list[tuple[str, Expr]] = []
        known = type(node) is not ast.Set
        for position, element in enumerate(node.elts):
            if type(element) is ast.Starred:
                known = False  # positions after `*rest` are unknown
                items.append(("", Element(self.of(element.value))))
            else:
                items.append((str(position) if known else "", self.of(element)))
        return self.collection(items, type(node).__name__.lower())

    def mapping(self, node: ast.Dict) -> Expr:
        return self.collection([("" if key is None else literal_key(key), self.of(value))
                                for key, value in zip(node.keys, node.values, strict=True)], "dict")

    def collection(self, items: list[tuple[str, Expr]], type_name: str) -> Expr:
        kept = [(key, member) for key, member in items
                if type(member) is not Const and type(member) is not Unknown][:COLLECTION_LIMIT]
        return Collection(tuple(kept)) if kept else _CONSTS[type_name]

    def boolean(self, node: ast.BoolOp) -> Expr:
        return AnyOf(tuple(self.of(v) for v in node.values))

    def conditional(self, node: ast.IfExp) -> Expr:
        return AnyOf((self.of(node.body), self.of(node.orelse)))

    def inner(self, node: ast.Await | ast.NamedExpr) -> Expr:
        return self.of(node.value)

    def subscript(self, node: ast.Subscript) -> Expr:
        index = node.slice
        if type(index) is ast.Slice:
            start, stop = _position(index.lower, 0), _position(index.upper, -1)
            if start is None or stop is None or index.step is not None:
                return Sliced(self.of(node.value), -1, -1)
            return Sliced(self.of(node.value), start, stop)
        return Element(self.of(node.value), literal_key(index))

    def lambda_(self, node: ast.Lambda) -> Expr:
        return Lambda(self.walker.open_lambda(node))

    def comprehension(self, node: ast.ListComp | ast.DictComp | ast.SetComp) -> Expr:
        return _CONSTS[_COMPREHENSION_TYPES[type(node)]]

    # ------------------------------------------------------------------ annotations

    def types(self, node: ast.AST | None) -> tuple[TypeRef, ...]:
        """What an annotation says a value is: `Optional["Order"]` -> (TypeRef("inst", Order),)."""
        if node is None:
            return ()
        if type(node) is ast.Constant:
            return self.string_annotation(node.value) if isinstance(node.value, str) else ()
        if (type(node) is ast.Name or type(node) is ast.Attribute):
            return (TypeRef("inst", self.of(node)),) if is_chain(node) else ()
        if type(node) is ast.BinOp and type(node.op) is ast.BitOr:
            return self.types(node.left) + self.types(node.right)
        if type(node) is ast.Subscript:
            return self.subscript_types(node)
        return ()

    def plain_types(self, node: ast.AST | None) -> tuple[TypeRef, ...]:
        """`types` as seen from another scope (see `plain`)."""
        self.windowed = False
        try:
            return self.types(node)
        finally:
            self.windowed = True

    def string_annotation(self, text: str) -> tuple[TypeRef, ...]:
        try:
            parsed = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return ()
        return self.types(parsed.body)

    def subscript_types(self, node: ast.Subscript) -> tuple[TypeRef, ...]:
        name = (dotted(node.value) or "").rpartition(".")[2]
        elements = node.slice.elts if type(node.slice) is ast.Tuple else [node.slice]
        if name in conv.UNION_TYPES:
            return tuple(alt for e in elements for alt in self.types(e))
        if not elements:  # `tuple[()]`: the empty tuple type names no class
            return ()
        if name in conv.TRANSPARENT_TYPES:
            return self.types(elements[-1])
        if name in conv.ANNOTATED_TYPES:
            return self.types(elements[0])
        if name in conv.CLASS_TYPES:
            return tuple(TypeRef("cls", alt.type) for alt in self.types(elements[0]) if alt.mode == "inst")
        if name in conv.COLLECTION_TYPES or name in conv.MAPPING_TYPES:
            inner = elements[-1] if name in conv.MAPPING_TYPES else elements[0]
            return tuple(TypeRef("list", alt.type) for alt in self.types(inner) if alt.mode == "inst")
        return self.types(node.value)


#: Expression builders by node type; other nodes are UNKNOWN.
_TO_EXPR: dict[type, Callable[[Expressions, Any], Expr]] = {
    ast.Attribute: Expressions.attribute,
    ast.Call: Expressions.call,
    ast.Constant: Expressions.constant,
    ast.JoinedStr: Expressions.fstring,
    ast.List: Expressions.sequence,
    ast.Tuple: Expressions.sequence,
    ast.Set: Expressions.sequence,
    ast.Dict: Expressions.mapping,
    ast.BoolOp: Expressions.boolean,
    ast.IfExp: Expressions.conditional,
    ast.Await: Expressions.inner,
    ast.NamedExpr: Expressions.inner,
    ast.Subscript: Expressions.subscript,
    ast.Lambda: Expressions.lambda_,
    ast.ListComp: Expressions.comprehension,
    ast.DictComp: Expressions.comprehension,
    ast.SetComp: Expressions.comprehension,
}
