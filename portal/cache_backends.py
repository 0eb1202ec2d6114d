"""A Redis cache that degrades instead of failing: Redis down or silent means cache misses.

The cache only ever speeds things up (pages, the API throttle's counters); the database has the
truth. So when Redis refuses, resets or does not answer within its short socket timeouts, a read
is a miss and a write is dropped, with a log line and a counter, never an exception and never a
hang. After a failure the cache is skipped for a few seconds (a circuit breaker), so a silent
Redis costs one timeout every few seconds, not one per cache call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds the cache is bypassed after a failure before Redis is tried again.
RETRY_AFTER = 5.0


class CacheHealth:
    """Failures seen and whether the breaker is open; one per process (read by tests, logs)."""

    def __init__(self) -> None:
        self.failures = 0
        self.skipped = 0
        self.open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            self.failures += 1
            was_open = self.is_open()
            self.open_until = time.monotonic() + RETRY_AFTER
        if not was_open:  # one line per outage window, not one per request
            logger.warning(
                "cache unavailable (%s: %s); serving without it for %.0f s",
                operation,
                exc,
                RETRY_AFTER,
            )

    def reset(self) -> None:
        self.failures = self.skipped = 0
        self.open_until = 0.0


HEALTH = CacheHealth()


class ResilientRedisCache(RedisCache):
    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if HEALTH.is_open():
            HEALTH.skipped += 1
            return fallback
        try:
            return call()
        except RedisError as exc:
            HEALTH.failed(operation, exc)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # "Not there" is what callers already handle for incr (ValueError), so a failure says so.
        missing = object()
        value = self._guard(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing
        )
        if value is missing:
            raise ValueError(f"Key {key!r} not found (cache unavailable)")
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), None)
