"""A small least-recently-used map shared by a process's threads (rendered rows, indexes' orders,
API representations: whatever is kept per process, bounded)."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A small least-recently-used map shared by a process's threads.

    It holds at most `size` entries and, with `max_bytes`, at most that much memory as
    `sys.getsizeof` counts it (the value itself: right for strings, bytes and arrays, the kinds
    kept here). A count alone does not bound memory: a row or a representation of a service with
    many features in Kurdish is several times the size of a small one in English.
    """

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: making may query the database
        with self._lock:
            self._put(key, value)
            self._trim()
        return value

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
            return found

    def set_many(self, items: dict[K, V]) -> None:
        with self._lock:
            for key, value in items.items():
                self._put(key, value)
            self._trim()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held_bytes = 0

    def _weight(self, value: V) -> int:
        return sys.getsizeof(value) if self.max_bytes is not None else 0

    def _put(self, key: K, value: V) -> None:
        if key in self._items:
            self.held_bytes -= self._weight(self._items[key])
        self._items[key] = value
        self._items.move_to_end(key)
        self.held_bytes += self._weight(value)

    def _trim(self) -> None:
        while len(self._items) > self.size or self._over_budget():
            _key, value = self._items.popitem(last=False)
            self.held_bytes -= self._weight(value)

    def _over_budget(self) -> bool:
        # The newest entry stays even alone over the budget: it was just asked for.
        if self.max_bytes is None or len(self._items) <= 1:
            return False
        return self.held_bytes > self.max_bytes
