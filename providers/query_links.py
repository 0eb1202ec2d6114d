"""Links that change one parameter of the page's query: the comparison's sort headers, its
pages, the filter chips and the side-by-side toggle.

`QueryDict.copy()` deep-copies the whole query for every link (~20 us each; the sort headers
alone took ~0.1 ms of a ~2 ms page). Here the query's pairs are read once and each link is one
`urlencode`. The result is exactly what `copy()`, then `[name] = value` or `pop(name)`, then
`urlencode()` give: tests/test_query_links.py compares them on random queries.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import QueryDict


class QueryLinks:
    def __init__(self, query: QueryDict) -> None:
        # Grouped by name in the query's order, as QueryDict.lists() (and so urlencode()) has it.
        self.pairs = [(name, value) for name, values in query.lists() for value in values]

    def replaced(self, name: str, value: str, dropping: tuple[str, ...] = ()) -> str:
        """The query with `name` set to `value` alone (where it was, or last) and without the
        parameters in `dropping`."""
        pairs: list[tuple[str, str]] = []
        placed = False
        for key, old in self.pairs:
            if key in dropping:
                continue
            if key == name:
                if not placed:
                    pairs.append((key, value))
                    placed = True
                continue
            pairs.append((key, old))
        if not placed:
            pairs.append((name, value))
        return urlencode(pairs)

    def without(self, *names: str) -> str:
        return urlencode([(key, value) for key, value in self.pairs if key not in names])
