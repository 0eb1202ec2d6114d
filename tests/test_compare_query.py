"""The comparison's own query reader agrees with the FilterSet wherever it answers."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.http import QueryDict

from providers.compare_query import parsers, read_query
from providers.filters import (
    BOOLEAN_FEATURE_KEYS,
    ORDERING_FIELDS,
    PAYMENT_CHOICES,
    ServiceFilterSet,
)
from providers.verification import verified_choices

EMPTY: tuple[Any, ...] = (None, "", [], ())

# Values each parameter may get: right ones, and the odd and hostile ones a visitor or a probe
# sends (case, spaces, signs, separators, unknown keys, huge numbers, scripts).
ODD = [
    "",
    " ",
    "TRUE",
    " yes ",
    "maybe",
    "1",
    "0",
    "-1",
    "+5",
    " 7",
    "10.0",
    "1e3",
    "٣",
    "<b>",
    "null",
    ",",
    "a,,b",
]


def candidate_values(name: str, rng: random.Random) -> list[str]:
    if name in BOOLEAN_FEATURE_KEYS or name in ("free_plan", "anonymous_payment"):
        good = ["true", "false", "yes", "no", "1", "0", "True", "NO"]
    elif name == "kind":
        good = ["provider", "aliasing", "self_hosted", "Provider"]
    elif name == "payment":
        keys = [key for key, _label in PAYMENT_CHOICES]
        good = [",".join(rng.sample(keys, rng.randint(1, 3))), *keys, "cash, card", "bitcoin"]
    elif name in ("country", "exclude_country"):
        good = ["CH", "de", "DE,SE", "se, nl", "XX", "ch,zz", "UK"]
    elif name == "min_free_storage":
        good = ["0", "500", "1000000000", "1000000001", "99999999999999", "007"]
    elif name == "verified":
        keys = [key for key, _label in verified_choices()]
        good = [*keys[:4], ",".join(keys[:2]), "nope"]
    elif name == "ordering":
        good = [
            *ORDERING_FIELDS,
            *(f"-{field}" for field in ORDERING_FIELDS),
            "name,-kind",
            "order",
            "--name",
            "name,",
        ]
    else:
        raise AssertionError(f"a parameter this test does not know: {name}")
    return good + ODD


def random_query(rng: random.Random) -> QueryDict:
    names = list(parsers())
    query = QueryDict(mutable=True)
    for name in rng.sample(names, rng.randint(1, 5)):
        query.setlist(
            name, [rng.choice(candidate_values(name, rng)) for _ in range(rng.choice([1, 1, 1, 2]))]
        )
    return query


def test_every_filter_has_a_parser() -> None:
    assert set(parsers()) == set(ServiceFilterSet.base_filters)


@pytest.mark.parametrize("seed", range(8))
def test_what_it_reads_the_filterset_reads_the_same_way(seed: int) -> None:
    rng = random.Random(seed)
    answered = unsure = 0
    for _ in range(250):
        query = random_query(rng)
        fast = read_query(query)
        filterset = ServiceFilterSet(query)
        if fast is None:
            unsure += 1
            continue
        answered += 1
        assert filterset.is_valid(), (query.urlencode(), filterset.errors)
        cleaned = filterset.form.cleaned_data
        for name, value in cleaned.items():
            expected = (
                None
                if value in EMPTY
                else (list(value) if isinstance(value, (list, tuple)) else value)
            )
            assert fast.get(name) == expected, (query.urlencode(), name, fast.get(name), value)
    # Both ways are exercised: most queries are read here, the odd ones go to the FilterSet.
    assert answered > 30 and unsure > 30, (answered, unsure)


@pytest.mark.parametrize(
    "query",
    [
        "openpgp=maybe",
        "min_free_storage=-1",
        "min_free_storage=1000000001",
        "kind=provider ",
        "country=XX",
        "ordering=order",
        "verified=nope",
        "payment=cash,bitcoin",
    ],
)
def test_what_it_cannot_read_goes_to_the_filterset(query: str) -> None:
    assert read_query(QueryDict(query)) is None


def test_plain_queries_are_read() -> None:
    assert read_query(
        QueryDict(
            "openpgp=TRUE&kind=provider&country=de,ch&ordering=-name&min_free_storage=500&wkd="
        )
    ) == {
        "openpgp": True,
        "kind": "provider",
        "country": ["DE", "CH"],
        "ordering": ["-name"],
        "min_free_storage": 500,
    }
