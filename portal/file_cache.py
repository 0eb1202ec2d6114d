"""Django's file-based cache, counting its files once per many writes instead of on every write.

The embedded default (no REDIS_URL) keeps pages and API representations in a folder. Django's
FileBasedCache lists the whole folder on every write to decide whether to cull (`_cull`): with
tens of thousands of entries (10,000 services' representations in six languages), each write
listed them all, and an API page of 50 new representations paid 50 listings. Here the folder is
listed once per `CULL_EVERY` writes of this process (OPTIONS, default 200), so the number of
entries may pass MAX_ENTRIES by at most that many per process before a cull brings it back under.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache

DEFAULT_CULL_EVERY = 200


class FileCache(FileBasedCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.cull_every = max(1, int(options.pop("CULL_EVERY", DEFAULT_CULL_EVERY)))
        super().__init__(location, {**params, "OPTIONS": options})
        self._writes = itertools.count(0)

    def _cull(self) -> None:
        # The first write of a process checks, so one that starts on a full folder culls it.
        if next(self._writes) % self.cull_every:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        # Django removes a random 1/CULL_FREQUENCY of the entries. After writes that were not
        # checked, that share may leave more than the maximum: remove at least the excess.
        count = max(len(files) // self._cull_frequency, len(files) - self._max_entries + 1)
        for name in random.sample(files, count):
            self._delete(name)
