"""Library conventions the resolver recognises, kept as data rather than if-chains.

Each table names a calling convention of a popular library (Celery, concurrent.futures, RQ,
threading, blinker, Django signals, URL routers) by the last part of the callee's name, so a
project wrapper with the same name is recognised too.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class HandOff(NamedTuple):
    """A call that hands a function to something else to run later (or elsewhere)."""

    position: int  # positional index of the function argument
    keywords: tuple[str, ...]  # keyword names that may carry it instead
    deferral: str  # CallSite.deferred value


#: `task.delay(...)` / `task.apply_async(...)` on an internal function (Celery tasks).
TASK_METHODS = {"delay": "delay", "apply_async": "apply_async"}

#: Callee last name part -> where the handed-off function is. The function is only taken when
#: the argument resolves to an internal function, so `queue.submit(job_dict)` is left alone.
HAND_OFFS: dict[str, HandOff] = {
    "submit": HandOff(0, ("fn", "func"), "submit"),  # concurrent.futures executors
    "apply_async": HandOff(0, ("func",), "submit"),  # multiprocessing.Pool (on a non-task)
    "apply": HandOff(0, ("func",), "submit"),
    "run_in_executor": HandOff(1, ("func",), "submit"),  # asyncio
    "to_thread": HandOff(0, ("func",), "submit"),
    "enqueue": HandOff(0, ("f", "func"), "enqueue"),  # RQ, project helpers
    "enqueue_call": HandOff(0, ("func", "f"), "enqueue"),
    "enqueue_in": HandOff(1, ("func", "f"), "enqueue"),
    "enqueue_at": HandOff(1, ("func", "f"), "enqueue"),
    "defer": HandOff(0, ("func", "f"), "enqueue"),  # Google App Engine deferred, project helpers
    "schedule": HandOff(0, ("func", "f"), "enqueue"),
    "submit_task": HandOff(0, ("func", "f", "task"), "enqueue"),
    "run_async": HandOff(0, ("func", "f"), "enqueue"),
    "add_job": HandOff(0, ("func",), "enqueue"),  # APScheduler
    "Thread": HandOff(-1, ("target",), "thread"),  # threading / multiprocessing
    "Process": HandOff(-1, ("target",), "thread"),
    "Timer": HandOff(1, ("function",), "thread"),
}

#: Deferrals whose call site names the handed-off function as an argument.
HANDED_DEFERRALS = frozenset(h.deferral for h in HAND_OFFS.values())

#: Resolved names of calls that create a signal object when assigned to a variable.
SIGNAL_FACTORIES = frozenset({
    "blinker.signal", "blinker.Signal", "blinker.NamedSignal",
    "blinker.base.signal", "blinker.base.Signal", "blinker.base.NamedSignal",
    "blinker.Namespace.signal", "blinker.base.Namespace.signal", "flask.signals.Namespace.signal",
    "django.dispatch.Signal", "django.dispatch.dispatcher.Signal",
})
#: Last name parts that create a signal whatever the library (`Signal()`, `NamedSignal()`).
SIGNAL_FACTORY_NAMES = frozenset({"Signal", "NamedSignal"})

#: Methods of a signal object that fire it.
SIGNAL_SENDS = frozenset({"send", "send_robust", "emit", "send_async"})
#: Methods of a signal object that subscribe a handler (first argument or decorated function).
SIGNAL_CONNECTS = frozenset({"connect", "connect_via"})
#: Decorators that subscribe the decorated function to the signal(s) given as first argument.
RECEIVER_DECORATORS = frozenset({"receiver"})

#: How a function passed as an argument is used, by the callee's last name part.
REFERENCE_VIA: dict[str, str] = {
    **{name: "submit" for name in ("submit", "apply_async", "apply", "run_in_executor", "to_thread")},
    **{name: "enqueue" for name in ("enqueue", "enqueue_call", "enqueue_in", "enqueue_at", "defer",
                                     "schedule", "submit_task", "run_async", "add_job")},
    **{name: "thread" for name in ("Thread", "Process", "Timer")},
    **{name: "connect" for name in ("connect", "connect_via", "receiver")},
    **{name: "route" for name in ("path", "re_path", "url", "add_url_rule", "add_api_route", "add_route",
                                   "route", "add_view", "register", "add_api_websocket_route")},
}

class HigherOrder(NamedTuple):
    """A function that calls the functions it is given, there and then (`map(f, items)`)."""

    positions: tuple[int, ...]  # positional arguments it calls
    every: bool  # every positional argument: map's iterables can never be functions
    keywords: tuple[str, ...]  # keyword arguments it calls
    results: bool  # its result holds what the called functions return (map)
    elements_of: int  # its result holds the elements of this positional argument (filter, sorted); -1: neither


#: Callee (resolved name) -> which arguments it calls. The functions found there are callees of
#: the call site, as PyCG counts them.
HIGHER_ORDER: dict[str, HigherOrder] = {
    "<builtin>.map": HigherOrder((), True, (), True, -1),
    "<builtin>.filter": HigherOrder((0,), False, (), False, 1),
    "<builtin>.sorted": HigherOrder((), False, ("key",), False, 0),
    "<builtin>.min": HigherOrder((), False, ("key",), False, -1),
    "<builtin>.max": HigherOrder((), False, ("key",), False, -1),
    "functools.reduce": HigherOrder((0,), False, (), False, -1),
}
#: Names under which the higher-order builtins whose result we follow are called.
HIGHER_ORDER_NAMES = frozenset(name.rpartition(".")[2] for name, spec in HIGHER_ORDER.items()
                               if name.startswith("<builtin>.") and (spec.results or spec.elements_of >= 0))


class CollectionStore(NamedTuple):
    """A method that stores into the collection it is called on (`handlers.append(f)`)."""

    value: int  # positional argument stored
    key: int  # positional argument holding a literal key (-1: the key is not known)
    spread: str  # "": the value itself; "elements": the value's elements (extend); "mapping": a mapping's
    #              items, and keyword arguments under their names (update)


#: Method name -> how it stores; followed on bare names only (`registry.update(...)`).
COLLECTION_STORES: dict[str, CollectionStore] = {
    "append": CollectionStore(0, -1, ""),
    "add": CollectionStore(0, -1, ""),
    "insert": CollectionStore(1, -1, ""),
    "setdefault": CollectionStore(1, 0, ""),
    "extend": CollectionStore(0, -1, "elements"),
    "update": CollectionStore(0, -1, "mapping"),
}

#: Calls whose result calls the function given first when it is called (`partial(f, x)()` runs f).
PARTIAL_FACTORIES = frozenset({"functools.partial", "functools.partialmethod"})

#: External factory functions whose result type is well known (`logger.info` is then
#: `logging.Logger.info`, not an unknown `info`). Capitalised names are taken as classes anyway;
#: `X.__call__` entries type the result of calling an instance of X (`SessionLocal()`).
EXTERNAL_RETURNS = {
    "logging.getLogger": "logging.Logger",
    "requests.session": "requests.Session",
    "sqlite3.connect": "sqlite3.Connection",
    "threading.current_thread": "threading.Thread",
    "asyncio.get_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.get_running_loop": "asyncio.AbstractEventLoop",
    "asyncio.new_event_loop": "asyncio.AbstractEventLoop",
    "celery.shared_task": "celery.Task",
    "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.sessionmaker.__call__": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session.__call__": "sqlalchemy.orm.Session",
}

# --------------------------------------------------------------------------- ORM queries

#: Methods of a collection whose result is one of its members (or a view of them).
COLLECTION_ACCESSORS = frozenset({"get", "pop", "setdefault", "values", "items", "keys", "copy"})

#: Class attributes that hand out a query over the model when the class does not define them
#: (Django `Order.objects`, Flask-SQLAlchemy `Order.query`).
QUERY_MANAGERS = frozenset({"objects", "query", "_default_manager", "_base_manager"})
#: Query methods returning another query over the same model.
QUERY_CHAIN = frozenset({
    "all", "filter", "exclude", "select_related", "prefetch_related", "order_by", "only", "defer",
    "annotate", "distinct", "using", "select_for_update", "none", "reverse", "alias", "filter_by",
    "options", "join", "outerjoin", "limit", "offset", "group_by", "having", "where",
    "with_for_update", "execution_options", "params", "enable_eagerloads",
})
#: Query methods returning one model instance.
QUERY_SINGLE = frozenset({
    "get", "first", "last", "create", "earliest", "latest", "one", "one_or_none", "first_or_404",
    "get_or_404", "scalar_one", "scalar_one_or_none", "in_bulk",
})
#: Query methods returning (instance, flag) pairs.
QUERY_PAIR = frozenset({"get_or_create", "update_or_create"})
#: Other query methods (writes and aggregates): no model instance comes back.
QUERY_OTHER = frozenset({
    "update", "delete", "count", "exists", "aggregate", "bulk_create", "bulk_update", "values",
    "values_list", "iterator", "scalar", "scalars", "paginate", "raw", "contains", "explain",
})
#: Every query method the resolver follows.
QUERY_METHODS = QUERY_CHAIN | QUERY_SINGLE | QUERY_PAIR | QUERY_OTHER
#: External calls taking a model class first whose result is a query over it ("query") or an
#: instance of it ("inst"): `session.query(Order)`, `session.get(Order, 1)`, `get_object_or_404(Order)`.
CLASS_ARGUMENT_CALLS = {
    "query": "query", "select": "query", "get": "inst", "get_object_or_404": "inst", "get_or_404": "inst",
    "first_or_404": "inst", "merge": "inst", "get_list_or_404": "list",
}

#: External bases that only mark a class (generic, protocol, abstract): attributes a class does
#: not define are not looked up on them.
NEUTRAL_BASES = frozenset({
    "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "abc.ABC", "typing.NamedTuple",
    "typing.TypedDict", "typing_extensions.TypedDict",
})

#: Builtin names that make an instance of a builtin type when called.
BUILTIN_TYPES = frozenset({
    "str", "bytes", "bytearray", "int", "float", "complex", "bool", "list", "dict", "set",
    "frozenset", "tuple", "object", "range", "memoryview",
})

#: Builtin types whose instances hold items (stores into them are followed).
BUILTIN_COLLECTIONS = frozenset({"list", "dict", "set", "tuple", "frozenset"})
#: Library collection classes, by last name part (`collections.defaultdict`).
COLLECTION_CLASSES = frozenset({"defaultdict", "OrderedDict", "Counter", "ChainMap", "deque", "UserDict",
                                "UserList", "WeakValueDictionary", "WeakKeyDictionary"})

#: Decorators that change how a method is bound.
METHOD_KINDS = {
    "staticmethod": "static",
    "classmethod": "class",
    "property": "property",
    "cached_property": "property",
    "abstractproperty": "property",
}

#: Names under which `if TYPE_CHECKING:` is written.
TYPE_CHECKING_NAMES = frozenset({"TYPE_CHECKING"})

#: Generic aliases whose subscript names the element type of a collection.
COLLECTION_TYPES = frozenset({
    "list", "List", "set", "Set", "frozenset", "FrozenSet", "tuple", "Tuple", "Sequence",
    "MutableSequence", "Iterable", "Iterator", "Collection", "AbstractSet", "MutableSet",
    "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator", "deque", "Deque",
})
#: Mappings: the last subscript argument is the value type.
MAPPING_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict",
                           "OrderedDict"})
#: Wrappers that stand for their (last) argument.
TRANSPARENT_TYPES = frozenset({"Optional", "ClassVar", "Final", "Required", "NotRequired", "ReadOnly",
                               "Awaitable", "Coroutine", "TypeGuard"})
UNION_TYPES = frozenset({"Union"})
CLASS_TYPES = frozenset({"Type", "type"})
ANNOTATED_TYPES = frozenset({"Annotated"})

# --------------------------------------------------------------------------- raw SQL

#: A string is treated as SQL only when it starts with a statement keyword (analyzer.scan.sql
#: then parses it) ...
SQL_STATEMENT = re.compile(r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|MERGE|UPSERT)\b", re.I)
#: ... and, written in lower case, also shows one of these to count as SQL rather than prose.
SQL_MARKERS = re.compile(r"[*=,(?]|%s|%\(|:\w|\b(where|join|values|set|group\s+by|order\s+by|limit)\b", re.I)

# --------------------------------------------------------------------------- vocabulary

#: Tokens too common in Python code to say anything about a module's domain.
STOP_WORDS = frozenset({
    "abstractmethod", "all", "and", "annotations", "any", "are", "arg", "args", "async", "attr",
    "attrs", "await", "base", "bool", "but", "bytes", "call", "callable", "class", "classmethod", "cls",
    "conf", "config", "data", "def", "default", "defaults", "delete", "dict", "elif", "else", "error",
    "errors", "exc", "except", "exception", "false", "finally", "float", "for", "format", "from",
    "func", "function", "future", "get", "getattr", "had", "has", "hasattr", "have", "helper",
    "helpers", "import", "init", "int", "isinstance", "item", "items", "iterable", "key", "keys",
    "kwarg", "kwargs", "lambda", "len", "list", "log", "logger", "logging", "main", "mapping", "meta",
    "method", "name", "names", "new", "none", "not", "obj", "object", "optional", "param", "params",
    "pass", "patch", "post", "print", "property", "put", "raise", "repr", "req", "request", "res",
    "resp", "response", "result", "results", "return", "run", "self", "self_", "sequence", "set",
    "setattr", "settings", "setup", "staticmethod", "str", "super", "teardown", "temp", "test", "tests",
    "that", "the", "this", "tmp", "true", "try", "tuple", "type", "typing", "union", "use", "used",
    "using", "util", "utils", "val", "value", "values", "var", "was", "while", "with", "yield",
})
