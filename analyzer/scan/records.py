"""Bulk construction helpers: fast frozen-dataclass building and a paused cyclic collector.

A frozen dataclass's __init__ assigns each field through object.__setattr__, about 3 µs per
object here; the scanner creates tens of thousands of call sites and uses, and the cache
unpickles as many. Writing the slots directly gives the same objects (equal, hashable,
immutable afterwards) in a fraction of the time. Values must be given for every field, in
declaration order.
"""

from __future__ import annotations

import dataclasses
import gc
import types
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import Any, TypeVar

T = TypeVar("T")
_new = object.__new__
_set_slot = types.MemberDescriptorType.__set__  # (slot, obj, value): a slot's own setter, in C
_consume = deque  # deque(iterator, 0) runs an iterator to its end, keeping nothing


def slots_of(cls: type) -> tuple[Any, ...]:
    """The slot descriptors of a slots dataclass, in field order."""
    return tuple(cls.__dict__[f.name] for f in dataclasses.fields(cls))


def fill_slots(cls: type[T], slots: tuple[Any, ...], values: tuple[Any, ...]) -> T:
    """A new `cls` whose slots are set to `values` (every field, in order), its __init__ skipped.
    The slots are set by map() so that no Python-level loop runs per field."""
    if len(values) != len(slots):
        raise TypeError(f"{cls.__name__} takes {len(slots)} values, got {len(values)}")
    obj = _new(cls)
    _consume(map(_set_slot, slots, repeat(obj), values), 0)
    return obj


def set_slots(slots: tuple[Any, ...], obj: Any, values: tuple[Any, ...]) -> None:
    """Set `obj`'s slots to `values` in one C-level pass (the caller checked the count)."""
    _consume(map(_set_slot, slots, repeat(obj), values), 0)


def maker(cls: type[T]) -> Callable[..., T]:
    """`maker(CallSite)(caller, callees, expr, ...)` with every field, positionally."""
    slots = slots_of(cls)
    count = len(slots)

    def make(*values: Any) -> T:
        if len(values) != count:
            raise TypeError(f"{cls.__name__} takes {count} values, got {len(values)}")
        obj = _new(cls)
        _consume(map(_set_slot, slots, repeat(obj), values), 0)
        return obj

    make.__name__ = f"make_{cls.__name__}"
    return make


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Syntax trees, resolution memos, scan facts and graphs are heaps of small objects without
    reference cycles: reference counting frees them. With hundreds of thousands of them alive,
    every full collection re-walks the whole heap, which doubled parsing and graph building
    times on Django. The previous collector state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
