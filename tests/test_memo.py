"""The per-process memo is bounded by entries and, where asked, by memory."""

from __future__ import annotations

import sys

from portal.memo import BoundedCache


def test_the_least_recently_used_entry_goes_first() -> None:
    memo: BoundedCache[str, int] = BoundedCache(2)
    memo.set_many({"a": 1, "b": 2})
    assert memo.get_many(["a"]) == {"a": 1}  # "a" is now the most recent
    memo.set_many({"c": 3})
    assert memo.get_many(["a", "b", "c"]) == {"a": 1, "c": 3}


def test_memory_bounds_what_a_count_alone_would_not() -> None:
    big = "ک" * 10_000  # Kurdish: two bytes a character in memory
    budget = 3 * sys.getsizeof(big)
    memo: BoundedCache[int, str] = BoundedCache(1_000, max_bytes=budget)
    memo.set_many({number: big + str(number) for number in range(10)})
    assert len(memo) == 2  # each is a little larger than `big`: two fit, three do not
    assert memo.held_bytes <= budget
    assert set(memo.get_many(range(10))) == {8, 9}


def test_held_bytes_follow_replacements_and_clearing() -> None:
    memo: BoundedCache[str, bytes] = BoundedCache(10, max_bytes=1 << 20)
    memo.set_many({"a": b"x" * 1000})
    memo.set_many({"a": b"y" * 10})
    assert memo.held_bytes == sys.getsizeof(b"y" * 10)
    memo.get_or_make("b", lambda: b"z" * 100)
    assert memo.held_bytes == sys.getsizeof(b"y" * 10) + sys.getsizeof(b"z" * 100)
    memo.clear()
    assert memo.held_bytes == 0 and len(memo) == 0


def test_an_entry_larger_than_the_budget_is_still_kept_alone() -> None:
    memo: BoundedCache[str, bytes] = BoundedCache(10, max_bytes=100)
    memo.set_many({"small": b"s"})
    assert memo.get_or_make("huge", lambda: b"h" * 1000) == b"h" * 1000
    assert memo.get_many(["small", "huge"]) == {"huge": b"h" * 1000}
