"""Raw per-file facts: what one parser worker learns from one file, before any name is resolved.

These are small NamedTuples of strings, ints and nested tuples so they pickle quickly between
processes and into the per-file cache. Names are still as written; `analyzer.scan.resolve`
turns them into qualified names in one whole-program pass.

Expressions (`Expr`) and bindings (`Binding`) are NamedTuples too, hashable so resolution can
memoize on them. Each ends with a `tag` field that is never passed: NamedTuples compare and
hash as plain tuples, so without it `Defined(3)` and `Param(3)`, or `Name("x")` and
`Const("x")`, would be equal and collapse in sets, dict keys and memo tables.
"""

from __future__ import annotations

from typing import NamedTuple, Union

# --------------------------------------------------------------------------- expressions


class Name(NamedTuple):
    """A name load."""

    id: str
    tag: str = "name"


class Attr(NamedTuple):
    """An attribute of an expression."""

    base: Expr
    attr: str
    tag: str = "attr"


class Call(NamedTuple):
    """The result of calling `func`. Arguments are kept on RawCall; a first argument that is a
    name chain is kept here too (`session.query(Order)`: the class may type the result)."""

    func: Expr
    args: tuple[Expr, ...] = ()
    tag: str = "call"


class SuperCall(NamedTuple):
    """`super()` inside a method."""

    tag: str = "super"


class DefRef(NamedTuple):
    """A function or class defined in this file, as decorators `position`.. (from the top) see
    it: the bare definition when `position` is past the last decorator."""

    scope: int
    position: int
    tag: str = "def"


class AnyOf(NamedTuple):
    """Any of several expressions (`a or b`, `x if c else y`)."""

    members: tuple[Expr, ...]
    tag: str = "anyof"


class Collection(NamedTuple):
    """A list/tuple/set/dict display: its non-literal members."""

    members: tuple[Expr, ...]
    tag: str = "collection"


class Element(NamedTuple):
    """An element of an iterable, or a subscript of a collection."""

    base: Expr
    tag: str = "element"


class Const(NamedTuple):
    """A literal of a builtin type ("str", "dict", ...)."""

    type_name: str
    tag: str = "const"


class Lambda(NamedTuple):
    """A lambda."""

    tag: str = "lambda"


class Unknown(NamedTuple):
    """Anything else."""

    tag: str = "unknown"


Expr = Union[Name, Attr, Call, SuperCall, DefRef, AnyOf, Collection, Element, Const, Lambda, Unknown]

UNKNOWN = Unknown()


class TypeRef(NamedTuple):
    """One alternative of a type annotation. `mode` is "inst" (an instance of the type), "cls"
    (the class itself: `type[X]`) or "list" (a collection of instances: `list[X]`)."""

    mode: str
    type: Expr


# --------------------------------------------------------------------------- bindings of a local name


class Assigned(NamedTuple):
    """Assigned a value."""

    value: Expr
    tag: str = "assigned"


class Annotated(NamedTuple):
    """Annotated with a type (`x: Order`); mode as in TypeRef."""

    mode: str
    type: Expr
    tag: str = "annotated"


class Defined(NamedTuple):
    """A def or class statement: the scope it opens."""

    scope: int
    tag: str = "defined"


class Imported(NamedTuple):
    """`import module` (attr "") or `from module import attr`."""

    module: str
    attr: str
    tag: str = "imported"


class StarImported(NamedTuple):
    """`from module import *`, kept under the key "*"."""

    module: str
    tag: str = "star"


class Param(NamedTuple):
    """A parameter of the scope, by position in RawScope.params."""

    position: int
    tag: str = "param"


Binding = Union[Assigned, Annotated, Defined, Imported, StarImported, Param]


# --------------------------------------------------------------------------- per-file records


class RawParam(NamedTuple):
    name: str
    annotation: tuple[TypeRef, ...]
    kind: str  # "pos" | "kwonly" | "vararg" | "kwarg"


class RawScope(NamedTuple):
    """A module body, class body or function body."""

    qualname: str
    kind: str  # "module" | "class" | "function" | "method"
    parent: int  # index of the enclosing scope in RawModule.scopes; -1 for the module scope
    line: int
    end_line: int
    span_start: int  # first decorator line (rule hits on decorators belong to the definition)
    loc: int
    is_async: bool
    decorators: tuple[Expr, ...]
    decorator_text: tuple[str, ...]
    method_kind: str  # "" | "static" | "class" | "property"
    bases: tuple[Expr, ...]
    base_text: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    params: tuple[RawParam, ...]
    returns: tuple[Expr, ...]  # returned expressions
    return_annotation: tuple[TypeRef, ...]
    bindings: dict[str, tuple[Binding, ...]]
    self_attrs: dict[str, tuple[tuple[Binding, int], ...]]  # classes: self.x = ... (binding, method scope)


class RawImport(NamedTuple):
    scope: int
    target: str  # absolute dotted name of the module, or module.attr for `from` imports
    module: str  # absolute module part
    attr: str  # imported attribute ("" for `import x` and star imports)
    bound_as: str
    line: int
    level: int
    star: bool
    type_checking: bool
    conditional: bool


class RawCall(NamedTuple):
    scope: int
    func: Expr
    expr: str
    line: int
    usage: str
    in_loop: bool
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...]
    arg_text: tuple[str, ...]
    decorates: int  # scope index of the decorated definition for a decorator application; -2 for an
    #                 implicit protocol call (`__iter__` of a for loop), kept only when it reaches internal code
    inner_call: int  # for `@dec(args)` applications: index of the `dec(args)` call, else -1


class RawLoad(NamedTuple):
    """A name/attribute chain used as a value (not called): a reference or a class use."""

    scope: int
    expr: Expr
    line: int
    via: str  # "value" | "collection" | "return" | "assign" | "annotation"


class RawSql(NamedTuple):
    scope: int
    table: str
    op: str
    line: int


class RawHit(NamedTuple):
    scope: int
    rule: str
    line: int
    detail: str
    entry_kind: str


class RawModule(NamedTuple):
    name: str
    path: str
    is_package: bool
    loc: int
    parser: str
    scopes: tuple[RawScope, ...]  # index 0 is the module scope
    imports: tuple[RawImport, ...]
    calls: tuple[RawCall, ...]
    loads: tuple[RawLoad, ...]
    sql: tuple[RawSql, ...]
    hits: tuple[RawHit, ...]
    star_all: tuple[str, ...] | None  # literal __all__ when given
    identifiers: tuple[str, ...]
    problems: tuple[str, ...] = ()  # non-fatal trouble while reading this file


class RawSkip(NamedTuple):
    path: str
    reason: str


RawResult = Union[RawModule, RawSkip]
