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

from typing import Any, NamedTuple, Union

# --------------------------------------------------------------------------- expressions


class Name(NamedTuple):
    """A name load. `reach` is the slice [start, stop) of the scope's own bindings of the name
    that can reach this use: in straight-line code (not in a loop) a plain assignment hides
    the bindings before it, and bindings written after the use cannot reach it. None: every
    binding (uses in loops, of names bound in other scopes or declared global/nonlocal)."""

    id: str
    reach: tuple[int, int] | None = None
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
    """A list/tuple/set/dict display: its non-literal members, each under its key: the literal
    key of a dict display (`repr`: "'a'", "1"), the position in a list or tuple ("0", "1"), or
    "" when unknown (sets, `**spread`, after a `*starred` element)."""

    items: tuple[tuple[str, Expr], ...]
    tag: str = "collection"


class Element(NamedTuple):
    """An element of an iterable or collection: the one under `key` (a literal subscript,
    keyed as in Collection), or any element when `key` is "" (iteration, `d[name]`)."""

    base: Expr
    key: str = ""
    tag: str = "element"


class Sliced(NamedTuple):
    """`base[start:stop]`: a list's elements from position `start` (re-numbered from 0) up to
    `stop` (-1: to the end). `start` -1: a slice whose bounds are not known."""

    base: Expr
    start: int
    stop: int
    tag: str = "sliced"


class Const(NamedTuple):
    """A literal of a builtin type ("str", "dict", ...)."""

    type_name: str
    tag: str = "const"


class Lambda(NamedTuple):
    """A lambda: the scope it opens in this file."""

    scope: int
    tag: str = "lambda"


class Unknown(NamedTuple):
    """Anything else."""

    tag: str = "unknown"


Expr = Union[Name, Attr, Call, SuperCall, DefRef, AnyOf, Collection, Element, Sliced, Const, Lambda, Unknown]

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


class Stored(NamedTuple):
    """An item stored into the collection the name holds: `d["a"] = f` (path ("'a'",)),
    `d["a"]["b"] = f`, `d[key] = f` (path ("",)), `d.update({"a": f})`, `items.append(f)`; an
    empty path merges a whole collection (`d.update(other)`). `replaces`: an unconditional
    store under literal keys, which hides what earlier bindings held under the same path.
    `origin`: the scope (in this file) where `value` is evaluated, which may be nested in the
    scope holding the binding (`registry[k] = f` inside a function)."""

    path: tuple[str, ...]
    value: Expr
    replaces: bool
    origin: int
    tag: str = "stored"


Binding = Union[Assigned, Annotated, Defined, Imported, StarImported, Param, Stored]


# --------------------------------------------------------------------------- per-file records


class RawParam(NamedTuple):
    name: str
    annotation: tuple[TypeRef, ...]
    kind: str  # "pos" | "kwonly" | "vararg" | "kwarg"
    default: Expr | None  # evaluated in the enclosing scope


class RawScope(NamedTuple):
    """A module body, class body, function body or lambda. Lambdas are named as PyCG names
    them (`mod.f.<lambda1>`, numbered per enclosing scope) and are never definitions."""

    qualname: str
    kind: str  # "module" | "class" | "function" | "method" | "lambda"
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
    yields: tuple[Expr, ...]  # yielded expressions (`yield from x` yields the elements of x)
    generator: bool  # calling it returns a generator over `yields`
    return_annotation: tuple[TypeRef, ...]
    bindings: dict[str, tuple[Binding, ...]]  # in the order they are written (Name.reach indexes them)
    # bindings made from nested scopes (`global x; x = ...`, `registry[k] = f` inside a function):
    # they reach every use
    outer_bindings: dict[str, tuple[Binding, ...]]
    replaced: frozenset[str]  # names with a Stored binding that `replaces`
    self_attrs: dict[str, tuple[tuple[Binding, int], ...]]  # classes: self.x = ... (binding, method scope)
    raises: tuple[str, ...] = ()  # what its own `raise` statements raise, as written ("InsufficientStock", "raise")


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
    within: tuple[str, ...] = ()  # context managers around the call in its own scope, as written, outermost first
    handled: bool = False  # inside the body of a `try` with an `except` clause, in its own scope


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
    installed_apps: tuple[str, ...] = ()  # string entries of an app list setting (INSTALLED_APPS), in order


class RawSkip(NamedTuple):
    path: str
    reason: str


RawResult = Union[RawModule, RawSkip]

#: Every record class of the raw facts (for codecs and picklers that register classes by name).
RECORD_CLASSES: tuple[type[tuple[Any, ...]], ...] = (
    Name, Attr, Call, SuperCall, DefRef, AnyOf, Collection, Element, Sliced, Const, Lambda, Unknown, TypeRef,
    Assigned, Annotated, Defined, Imported, StarImported, Param, Stored,
    RawParam, RawScope, RawImport, RawCall, RawLoad, RawSql, RawHit, RawModule, RawSkip,
)
