"""The cache's data format: plain msgpack, decoded only into an allow-list of record classes.

Cache entries used to be pickles, and unpickling runs whatever the bytes say: a crafted cache
entry was code execution. Here an entry can only ever decode into None, bool, int, float, str,
bytes, tuple, list, dict with str keys, and the classes registered below. A record is written as a
one-entry map `{tag: [field, field, ...]}` whose key (its class name as msgpack bytes; the
data's own maps have str keys only) says which registered class to build;
decoding refuses an unknown tag or a wrong number of fields. Tuples are plain msgpack arrays,
decoded without calling back into Python (the bulk of an entry); a list is `{b"L": [...]}`; a
tuple of several records of one class is a table `{b"*" + tag: [[fields], [fields], ...]}`,
built with one call back into Python for the whole table instead of one per record.

Registering a record class is one line in RECORDS (NamedTuples and dataclasses, slotted or
not). Types that need their own shape (a networkx graph) register an encoder and a builder
with `register_custom`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import msgpack

from analyzer import model
from analyzer.scan import facts
from analyzer.scan.records import set_slots, slots_of

#: Bump when the layout of entries changes; entries of another format are never decoded.
FORMAT = b"STRANGLER-CACHE-2\n"

#: The classes an entry may hold. Add one line here for each new fact or model class cached.
RECORDS: tuple[type, ...] = (
    # per-file raw facts: expressions, bindings and records (analyzer.scan.facts)
    *facts.RECORD_CLASSES,
    # the resolved CodeBase and the graph stage's records (analyzer.model)
    model.Skipped, model.Definition, model.Import, model.CallSite, model.Reference, model.SymbolUse,
    model.SqlAccess, model.Subscription, model.Trait, model.EntryPoint, model.ModuleFacts, model.CodeBase,
    model.OrmModel, model.DataAccess, model.CodeGraph,
    model.Excluded, model.ImportRoot, model.ImportStats,
)

#: One record's fields, by position.
Row = tuple[Any, ...]

_LEAVES = frozenset({str, int, float, bool, type(None), bytes})
_LIST = b"L"
_ROW_TYPES = frozenset({tuple})


class CodecError(ValueError):
    """The bytes are not an entry this version can read, or the value cannot be stored."""


_encoders: dict[type, Callable[[Any], dict[bytes, Row]]] = {}
_rows: dict[type, tuple[bytes, Callable[[Any], Row]]] = {}  # class -> (table tag, fields of one record)
_builders: dict[bytes, Callable[[Row], Any]] = {_LIST: list}


def register(cls: type) -> type:
    """Allow `cls` (a NamedTuple or a dataclass) in cache entries, stored by position."""
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        names = tuple(cls._fields)
        build = _namedtuple_builder(cls, len(names))
    elif dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        build = _dataclass_builder(cls, names)
    else:
        raise TypeError(f"{cls.__name__} is neither a NamedTuple nor a dataclass")
    tag = cls.__name__.encode()
    get: Callable[[Any], Row]
    if issubclass(cls, tuple):
        get = tuple  # a NamedTuple's fields, in order, in one C call
    elif len(names) > 1:
        get = attrgetter(*names)
    else:
        get = _single(attrgetter(names[0]))
    fields = _fields_encoder(get)
    _encoders[cls] = lambda obj: {tag: fields(obj)}
    _rows[cls] = (b"*" + tag, fields)
    _add_builder(tag, build)
    _add_builder(b"*" + tag, _table_builder(build))
    return cls


def _single(get: Callable[[Any], Any]) -> Callable[[Any], Row]:
    return lambda obj: (get(obj),)


def _fields_encoder(get: Callable[[Any], Row]) -> Callable[[Any], Row]:
    """A record's fields as storable values; fields that are all leaves (most expression records:
    names, strings, numbers) are taken as they are, without a call per field."""
    leaves, plain = _LEAVES, _plain

    def fields(obj: Any) -> Row:
        values = get(obj)
        return values if leaves.issuperset(map(type, values)) else tuple(map(plain, values))

    return fields


def _table_builder(build: Callable[[Row], Any]) -> Callable[[Row], Row]:
    def build_table(rows: Row) -> Row:
        if not _ROW_TYPES.issuperset(map(type, rows)):
            raise CodecError("a record table holds something else than rows")
        return tuple(map(build, rows))

    return build_table


def register_custom(cls: type, tag: str, encode: Callable[[Any], Row], build: Callable[[Row], Any]) -> None:
    """Allow `cls` with its own shape: `encode(obj)` gives the fields (any storable values),
    `build(fields)` makes the object again and raises on anything it does not expect."""
    key = tag.encode()
    _encoders[cls] = lambda obj: {key: tuple(map(_plain, encode(obj)))}
    _add_builder(key, build)


def _add_builder(tag: bytes, build: Callable[[Row], Any]) -> None:
    if tag in _builders:
        raise ValueError(f"cache tag {tag!r} is registered twice")
    _builders[tag] = build


def _namedtuple_builder(cls: type, count: int) -> Callable[[Row], Any]:
    new = tuple.__new__

    def build(fields: Row) -> Any:
        if len(fields) != count:
            raise CodecError(f"{cls.__name__} takes {count} fields, the entry has {len(fields)}")
        return new(cls, fields)

    return build


def _dataclass_builder(cls: type, names: tuple[str, ...]) -> Callable[[Row], Any]:
    count = len(names)
    if "__slots__" in cls.__dict__ and "__dict__" not in cls.__dict__:
        slots = slots_of(cls)

        def build_slots(fields: Row, _new: Callable[..., Any] = object.__new__, _set: Callable[..., None] = set_slots) -> Any:
            if len(fields) != count:
                raise CodecError(f"{cls.__name__} takes {count} fields, the entry has {len(fields)}")
            obj = _new(cls)
            _set(slots, obj, fields)
            return obj

        return build_slots
    new = object.__new__

    def build(fields: Row) -> Any:
        if len(fields) != count:
            raise CodecError(f"{cls.__name__} takes {count} fields, the entry has {len(fields)}")
        obj: Any = new(cls)
        obj.__dict__.update(zip(names, fields, strict=True))
        return obj

    return build


def _plain(value: Any) -> Any:
    """`value` as msgpack-ready data: records and lists become one-entry maps with a bytes key."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    encode = _encoders.get(kind)  # records first: most values of an entry are records
    if encode is not None:
        return encode(value)
    if kind is tuple:
        kinds = set(map(type, value))
        if _LEAVES.issuperset(kinds):
            return value
        if len(kinds) == 1 and len(value) > 1:
            table = _rows.get(kinds.pop())
            if table is not None:
                return {table[0]: tuple(map(table[1], value))}
        return tuple(map(_plain, value))
    if kind is list:
        return {_LIST: tuple(map(_plain, value))}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise CodecError("only str keys are allowed in a dict")
        return {key: _plain(item) for key, item in value.items()}
    raise CodecError(f"{kind.__name__} cannot be stored in the cache")


def _hook(mapping: dict[Any, Any], _bytes: type = bytes, _get: Callable[..., Any] = _builders.get, _len: Callable[..., Any] = len,
          _first: Callable[..., Any] = next, _iter: Callable[..., Any] = iter, _type: Callable[..., Any] = type, _tuple: type = tuple) -> Any:
    """Called by msgpack for every map, innermost first: a one-entry map with a bytes key is a record."""
    if _len(mapping) == 1:
        key = _first(_iter(mapping))
        if _type(key) is _bytes:
            build = _get(key)
            fields = mapping[key]
            if build is None or _type(fields) is not _tuple:
                raise CodecError(f"unknown record {key!r}")
            return build(fields)
    return mapping


def dumps(value: Any) -> bytes:
    """The entry bytes of `value`; CodecError if it holds anything that is not allowed."""
    try:
        packed: bytes = msgpack.packb(_plain(value), use_bin_type=True)
        return FORMAT + packed
    except (TypeError, ValueError, OverflowError, UnicodeEncodeError) as exc:
        raise CodecError(f"cannot be stored: {exc}") from exc


def loads(data: bytes, expected: type | tuple[type, ...] = object) -> Any:
    """The value stored by `dumps`, which must be an instance of `expected`; CodecError otherwise."""
    if not data.startswith(FORMAT):
        raise CodecError("not an entry of this cache format")
    try:
        value = msgpack.unpackb(memoryview(data)[len(FORMAT):], use_list=False, object_hook=_hook, raw=False,
                                strict_map_key=True)
    except CodecError:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed entry (msgpack raises many kinds) is refused
        raise CodecError(f"malformed entry ({type(exc).__name__})") from exc
    if not isinstance(value, expected):
        raise CodecError(f"holds a {type(value).__name__}, not the expected kind")
    return value


for _record in RECORDS:
    register(_record)
register_custom(frozenset, "frozenset", lambda members: tuple(sorted(members, key=repr)), frozenset)
