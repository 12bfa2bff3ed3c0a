"""Raw per-file facts: what one parser worker learns from one file, before any name is resolved.

These are small NamedTuples of strings, ints and nested tuples so they pickle quickly between
processes and into the per-file cache. Names are still as written; `analyzer.scan.resolve`
turns them into qualified names in one whole-program pass.

Expressions are encoded as nested tuples (hashable, so resolution can memoize on them):

    ("n", name)             a name load
    ("a", base, attr)       attribute of an expression
    ("c", func[, arg0])     the result of calling an expression (arguments are kept on RawCall;
                            a first argument that is a name chain is kept: `session.query(Order)`)
    ("super",)              super() inside a method
    ("def", scope_index, k) a function or class defined in this file, as decorators k.. (from
                            the top) see it: the bare definition when k is past the last one
    ("u", e1, e2, ...)      any of several expressions (a or b, x if c else y)
    ("coll", e1, e2, ...)   a list/tuple/set/dict display: the non-literal members
    ("elem", e)             an element of an iterable or a subscript of a collection
    ("k", type_name)        a literal of a builtin type ("str", "dict", ...)
    ("lambda",)             a lambda
    ("x",)                  anything else (unknown)
"""

from __future__ import annotations

from typing import NamedTuple, Union

Expr = tuple  # see the module docstring for the shapes

UNKNOWN: Expr = ("x",)

# A binding of a local name, in the scope's `bindings` table:
#   ("v", expr)                  assigned a value
#   ("ann", mode, expr)          annotated with a type (`x: Order`), mode as in TypeAlternative
#   ("def", scope_index)         a def/class statement
#   ("imp", module, attr)        `import module` (attr "") / `from module import attr`
#   ("star", module)             `from module import *` (kept under the key "*")
#   ("param", param_index)       a parameter of this scope
Binding = tuple

# One alternative of a type annotation: (mode, type expr) where mode is "inst" (an instance of
# the type), "cls" (the class itself: `type[X]`) or "list" (a collection of instances: `list[X]`).
TypeAlternative = tuple


class RawParam(NamedTuple):
    name: str
    annotation: tuple[TypeAlternative, ...]
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
    return_annotation: tuple[TypeAlternative, ...]
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
    via: str  # "value" | "collection" | "return" | "assign"


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
