"""The comparison's links are what QueryDict's own copy-and-change gives, for any query."""

from __future__ import annotations

import random

from django.http import QueryDict

from providers.query_links import QueryLinks

NAMES = ["openpgp", "page", "ordering", "country", "compare", "differences", "ä", "a b", "&"]
VALUES = ["true", "2", "-name", "DE", "proton-mail", "", "ک", "a&b=c", "+ %", "1"]


def random_query(rng: random.Random) -> QueryDict:
    query = QueryDict(mutable=True)
    for _ in range(rng.randint(0, 7)):
        query.appendlist(rng.choice(NAMES), rng.choice(VALUES))
    return query


def test_links_equal_querydicts_copy_and_change() -> None:
    rng = random.Random(20261201)
    for _ in range(2_000):
        query = random_query(rng)
        links = QueryLinks(query)
        name, value = rng.choice(NAMES), rng.choice(VALUES)
        dropping = tuple(rng.sample(NAMES, rng.randint(0, 2)))

        expected = query.copy()
        for dropped in dropping:
            expected.pop(dropped, None)
        expected[name] = value
        assert links.replaced(name, value, dropping) == expected.urlencode(), (query, name)

        removed = query.copy()
        removed.pop(name, None)
        assert links.without(name) == removed.urlencode(), (query, name)
