"""The embedded default's file cache lists its folder once per many writes, and stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.file_cache import FileCache


class CountingFileCache(FileCache):
    """Counts the folder listings (the cost each write used to pay)."""

    listings = 0

    def _list_cache_files(self) -> list[str]:
        self.listings += 1
        return super()._list_cache_files()


def make_cache(folder: Path, **options: int) -> CountingFileCache:
    return CountingFileCache(str(folder), {"OPTIONS": options})


def test_writes_list_the_folder_once_per_cull_interval(tmp_path: Path) -> None:
    cache = make_cache(tmp_path, MAX_ENTRIES=1_000, CULL_EVERY=50)
    cache.set_many({f"key-{n}": n for n in range(500)})
    # Django's own backend lists the folder on every write: 500 listings.
    assert cache.listings == 10
    assert cache.get("key-499") == 499


@pytest.mark.parametrize("cull_every", [1, 7, 50])
def test_entries_pass_the_maximum_by_at_most_one_interval(tmp_path: Path, cull_every: int) -> None:
    cache = make_cache(tmp_path, MAX_ENTRIES=40, CULL_EVERY=cull_every, CULL_FREQUENCY=2)
    for number in range(400):
        cache.set(f"key-{number}", number)
        assert len(cache._list_cache_files()) <= 40 + cull_every


def test_a_process_starting_on_a_full_folder_culls_at_its_first_write(tmp_path: Path) -> None:
    make_cache(tmp_path, MAX_ENTRIES=10_000).set_many({f"old-{n}": n for n in range(60)})
    restarted = make_cache(tmp_path, MAX_ENTRIES=50, CULL_FREQUENCY=2)
    restarted.set("new", 1)
    assert len(restarted._list_cache_files()) <= 50
