"""The resolver's abstract values: what an expression may evaluate to at run time.

NamedTuples, hashable and cheap to hash (the resolver memoizes on sets of them). Like the
expressions in analyzer.scan.facts, each ends with a `tag` that is never passed, so values of
different kinds never compare equal (`Func(3)` against `Cls(3)`). Scopes are global scope
ids of the Resolver (`g`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Union


class Mod(NamedTuple):
    """An internal module or (namespace) package."""

    name: str
    tag: str = "mod"


class Func(NamedTuple):
    """An internal function or lambda, unbound."""

    g: int
    tag: str = "func"


class Meth(NamedTuple):
    """An internal method bound to an instance (or class, for classmethods) of class `receiver`."""

    g: int
    receiver: int
    tag: str = "meth"


class Cls(NamedTuple):
    """An internal class."""

    g: int
    tag: str = "cls"


class Inst(NamedTuple):
    """An instance of an internal class."""

    g: int
    tag: str = "inst"


class SuperOf(NamedTuple):
    """`super()` inside class g."""

    g: int
    tag: str = "super"


class Ext(NamedTuple):
    """Something outside the tree, by dotted name (`requests.post`)."""

    name: str
    tag: str = "ext"


class ExtInst(NamedTuple):
    """An instance of an external class (`requests.Session()`)."""

    name: str
    tag: str = "xinst"


class Builtin(NamedTuple):
    """A builtin (`len`)."""

    name: str
    tag: str = "bi"


class BuiltinInst(NamedTuple):
    """An instance of a builtin type (`str`)."""

    name: str
    tag: str = "biinst"


class Signal(NamedTuple):
    """A signal object created by a signal factory, named after where it is bound."""

    name: str
    tag: str = "sig"


class Send(NamedTuple):
    """The bound send method of a signal."""

    name: str
    tag: str = "send"


class Deferred(NamedTuple):
    """`task.delay` / `task.apply_async` of internal function g."""

    g: int
    kind: str
    tag: str = "defer"


class Coll(NamedTuple):
    """A list/dict/tuple/set holding these values, each under its key as in facts.Collection
    ("" when not known, which matches any key)."""

    entries: frozenset[tuple[str, Value]]
    tag: str = "coll"

    @property
    def members(self) -> frozenset[Value]:
        return frozenset(value for _, value in self.entries)


def coll(values: Iterable[Value], key: str = "") -> Coll:
    """A collection holding `values` under one key."""
    return Coll(frozenset((key, value) for value in values))


class CollGet(NamedTuple):
    """A collection's `.get` (and other accessors returning its members)."""

    members: frozenset[Value]
    tag: str = "collget"


class Query(NamedTuple):
    """An ORM query over model class g (`Order.objects`, `session.query(Order)`), named `name`."""

    g: int
    name: str
    tag: str = "query"


class QueryCall(NamedTuple):
    """Method `method` of a query: `.filter` keeps the query, `.first` gives an instance."""

    g: int
    name: str
    method: str
    tag: str = "qcall"


Value = Union[Mod, Func, Meth, Cls, Inst, SuperOf, Ext, ExtInst, Builtin, BuiltinInst, Signal, Send, Deferred,
              Coll, CollGet, Query, QueryCall]
Values = frozenset[Value]
