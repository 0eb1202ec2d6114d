"""The comparison's in-memory orders are the database's, for every order the FilterSet accepts.

The services are made to catch an emulation that differs from SQL: slugs that differ only by a
hyphen (PostgreSQL's locales ignore it at first, SQLite compares bytes), names that differ only by
case or accent, equal names, empty and NULL values, dates a microsecond apart and dates with none,
countries whose codes and names sort differently. The whole suite runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import translation

from providers.comparison_index import build_index
from providers.comparison_order import SORTABLE_FIELDS
from providers.filters import ORDERING_FIELDS, ServiceFilterSet
from providers.models import Service
from tests.factories import make_published_service, make_service

NAMES = ["Alpha", "alpha", "Ålpha", "beta", "Beta", "Beta", "b-eta", "Zeta", "Ölmail", "zeta mail"]
SLUGS = ["a-b", "ab", "a-c", "ac", "a", "a-", "b1", "b-1", "z", "o"]
COUNTRIES = ["CH", "DE", "", "NL", "AT", "IR", "IQ", "SE", "", "DE"]
YEARS = [None, 2013, 2013, 2001, None, 2020, 1999, 2013, None, 2001]
STORAGE = [None, 0, 500, 500, 1024, None, 20480, 0, 1, 500]
KINDS = ["provider", "aliasing", "self_hosted", "provider", "aliasing"] * 2
TEXT_COLUMNS = ("name", "slug", "kind")
BASE = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
STAMPS = [
    BASE,
    BASE + dt.timedelta(microseconds=1),
    BASE,
    BASE - dt.timedelta(microseconds=999_999),
    BASE + dt.timedelta(seconds=1),
    None,
    BASE + dt.timedelta(days=400),
    BASE - dt.timedelta(microseconds=1),
    BASE,
    None,
]


@pytest.fixture
def awkward_catalogue(db) -> None:
    for at in range(len(NAMES)):
        make_published_service(
            name=NAMES[at],
            slug=SLUGS[at],
            kind=KINDS[at],
            hq_country=COUNTRIES[at],
            founded_year=YEARS[at],
            free_storage_mb=STORAGE[at],
            order=at % 3,
        )
        # Dates set without save(), which would stamp updated_at and published_at with now.
        Service.objects.filter(slug=SLUGS[at]).update(
            published_at=STAMPS[at], updated_at=STAMPS[-1 - at] or BASE
        )
    make_service(name="A draft", slug="0-draft")  # not published: in no order


def every_ordering() -> list[str]:
    singles = [f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-")]
    pairs = [f"{first},{second}" for first, second in itertools.permutations(singles[::3], 2)]
    return ["", *singles, *pairs]


def filterset_slugs(ordering: str) -> list[str]:
    query = QueryDict(mutable=True)
    if ordering:
        query["ordering"] = ordering
    filterset = ServiceFilterSet(query)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


@pytest.mark.parametrize("language", ["en", "ckb", "fa", "de"])
def test_every_order_is_the_databases(awkward_catalogue, language: str) -> None:
    index = build_index(None)
    with translation.override(language):
        for ordering in every_ordering():
            params = ordering.split(",") if ordering else []
            ours = [index.services[at]["slug"] for at in index.order(params)]
            assert ours == filterset_slugs(ordering), (language, ordering)


def test_orders_read_no_row_after_the_index_is_built(
    awkward_catalogue, django_assert_num_queries
) -> None:
    index = build_index(None)
    with django_assert_num_queries(0), translation.override("fa"):
        for ordering in every_ordering():
            index.order(ordering.split(",") if ordering else [])


def test_every_column_an_order_can_name_is_sortable() -> None:
    # A field added to the FilterSet's orderings must be read by the index too.
    assert set(ORDERING_FIELDS) <= set(SORTABLE_FIELDS)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="column collations are PostgreSQL's; the suite also runs on PostgreSQL in CI",
)
@pytest.mark.parametrize("locale", ["und-x-icu", "und-u-ka-shifted"])
def test_orders_follow_a_linguistic_collation(awkward_catalogue, locale: str) -> None:
    # A production database created with a linguistic locale sorts text unlike Python: case and
    # accents are secondary, and "shifted" ignores hyphens at first. The columns are given such a
    # collation inside the test's transaction, which rolls it back.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER needs none
        cursor.execute(f"CREATE COLLATION mailvet_test_order (provider = icu, locale = '{locale}')")
        for name in TEXT_COLUMNS:
            length = Service._meta.get_field(name).max_length
            cursor.execute(
                f"ALTER TABLE providers_service ALTER COLUMN {name} "
                f'TYPE varchar({length}) COLLATE "mailvet_test_order"'
            )
    database_order = filterset_slugs("name")
    assert database_order != sorted(database_order, key=lambda slug: NAMES[SLUGS.index(slug)])
    index = build_index(None)
    for ordering in every_ordering():
        params = ordering.split(",") if ordering else []
        ours = [index.services[at]["slug"] for at in index.order(params)]
        assert ours == filterset_slugs(ordering), (locale, ordering)
