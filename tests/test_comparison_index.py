"""The comparison's in-memory index answers every query exactly as the FilterSet does.

Random services (unknown values, no country, no payment, drafts) and random valid queries: the
index's services, in order, must be the FilterSet's, and its counts what the FilterSet returns
when the option is added.
"""

from __future__ import annotations

import random

import pytest
from django.http import QueryDict

from portal.cache import current_version
from providers.comparison_index import build_index
from providers.filters import BOOLEAN_FEATURE_KEYS, PAYMENT_CHOICES, ServiceFilterSet
from tests.factories import make_published_service, make_service, set_feature

PAYMENT_KEYS = [key for key, _label in PAYMENT_CHOICES]
FEATURES_USED = list(BOOLEAN_FEATURE_KEYS[:8])
ORDERINGS = ["", "name", "-name", "founded_year", "-free_storage_mb", "hq_country", "-kind,name"]


def random_service(rng: random.Random, number: int, published: bool = True) -> None:
    make = make_published_service if published else make_service
    service = make(
        slug=f"random-{number:03d}",
        name=rng.choice(["Alpha", "beta", "Gamma", "Ölmail", "Zeta"]) + f" {number}",
        kind=rng.choice(["provider", "aliasing", "self_hosted"]),
        hq_country=rng.choice(["CH", "DE", "NL", "SE", ""]),
        founded_year=rng.choice([None, 2001, 2013, 2020]),
        free_plan=rng.choice([True, False, None]),
        free_storage_mb=rng.choice([None, 0, 500, 1024, 20480]),
    )
    for key in FEATURES_USED:
        value = rng.choice([True, False, None])
        if value is not None:
            set_feature(service, key, value)
    methods = rng.choice([None, [], ["cash"], ["card", "paypal"], ["cryptocurrency", "card"]])
    if methods is not None:
        set_feature(service, "payment_methods", methods)


def random_query(rng: random.Random) -> QueryDict:
    query = QueryDict(mutable=True)
    for key in rng.sample(FEATURES_USED, rng.randint(0, 3)):
        query[key] = rng.choice(["true", "false"])
    if rng.random() < 0.3:
        query["kind"] = rng.choice(["provider", "aliasing", "self_hosted"])
    if rng.random() < 0.3:
        query.setlist("payment", rng.sample(PAYMENT_KEYS, rng.randint(1, 2)))
    if rng.random() < 0.2:
        query["anonymous_payment"] = rng.choice(["true", "false"])
    if rng.random() < 0.2:
        query["free_plan"] = rng.choice(["true", "false"])
    if rng.random() < 0.2:
        query["min_free_storage"] = str(rng.choice([0, 500, 1000, 1024]))
    if rng.random() < 0.3:
        query.setlist("country", rng.sample(["CH", "DE", "NL", "FR"], rng.randint(1, 2)))
    if rng.random() < 0.2:
        query.setlist("exclude_country", rng.sample(["CH", "DE", "SE"], rng.randint(1, 2)))
    ordering = rng.choice(ORDERINGS)
    if ordering:
        query["ordering"] = ordering
    return query


@pytest.fixture
def random_catalogue(db) -> random.Random:
    rng = random.Random(20261130)
    for number in range(60):
        random_service(rng, number, published=number % 10 != 0)
    return rng


def filterset_slugs(query: QueryDict) -> list[str]:
    filterset = ServiceFilterSet(query)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


@pytest.mark.slow
def test_the_index_returns_the_filtersets_services_in_its_order(random_catalogue):
    rng = random_catalogue
    index = build_index(current_version())
    tried = 0
    for _ in range(300):
        query = random_query(rng)
        filterset = ServiceFilterSet(query)
        assert filterset.is_valid(), (query, filterset.errors)
        cleaned = filterset.form.cleaned_data
        mask = index.select(cleaned)
        got = [
            service["slug"]
            for service in index.page(mask, list(cleaned.get("ordering") or []), 0, 10**6)
        ]
        assert got == filterset_slugs(query), query.urlencode()
        assert mask.bit_count() == len(got)
        tried += 1
    assert tried == 300


@pytest.mark.slow
def test_counts_match_what_the_filterset_returns_with_the_option_added(random_catalogue):
    rng = random_catalogue
    index = build_index(current_version())
    for _ in range(40):
        query = random_query(rng)
        query.pop("ordering", None)
        filterset = ServiceFilterSet(query)
        assert filterset.is_valid()
        counts = index.counter(index.select(filterset.form.cleaned_data))
        for key in FEATURES_USED:
            if key in query:
                continue
            for wanted, word in ((True, "true"), (False, "false")):
                narrowed = query.copy()
                narrowed[key] = word
                assert counts.feature(key, wanted) == len(filterset_slugs(narrowed)), (
                    narrowed.urlencode()
                )
        if "payment" not in query:
            for choice in PAYMENT_KEYS[:4]:
                narrowed = query.copy()
                narrowed["payment"] = choice
                assert counts.payment(choice) == len(filterset_slugs(narrowed))
        if "anonymous_payment" not in query:
            for wanted, word in ((True, "true"), (False, "false")):
                narrowed = query.copy()
                narrowed["anonymous_payment"] = word
                assert counts.anonymous_payment(wanted) == len(filterset_slugs(narrowed))


def test_pages_follow_each_other_without_gaps_or_repeats(random_catalogue):
    index = build_index(current_version())
    mask = index.select({})
    everyone = [service["slug"] for service in index.page(mask, ["name"], 0, 1000)]
    paged = [
        service["slug"]
        for offset in range(0, len(everyone), 7)
        for service in index.page(mask, ["name"], offset, 7)
    ]
    assert paged == everyone
    assert len(everyone) == 54  # 60 made, every tenth a draft


def test_the_index_holds_the_values_the_database_holds(random_catalogue):
    from providers.models import FeatureValue

    index = build_index(current_version())
    from_database: dict[int, dict[int, object]] = {}
    rows = FeatureValue.objects.filter(
        service__in=[service["pk"] for service in index.services], feature__in=index.features
    ).prefetch_related("choices")
    for row in rows:
        if row.feature_id == next(f.pk for f in index.features if f.has_choices):
            ordered = sorted(row.choices.all(), key=lambda choice: (choice.order, choice.pk))
            value: object = [choice.key for choice in ordered]
        else:
            value = row.bool_value
        if value is not None:
            from_database.setdefault(row.service_id, {})[row.feature_id] = value
    # Services without any value have no entry either way.
    assert index.values_of(index.services) == {pk: v for pk, v in from_database.items() if v}
    assert any(
        isinstance(v, list) and len(v) > 1 for row in from_database.values() for v in row.values()
    )


def test_the_index_reads_no_translated_column():
    # The index reads rows without modeltranslation's fallback pass (`untranslated`): a
    # translated column among them would be read in the default language only.
    from modeltranslation.translator import translator

    from providers.comparison_index import ROW_COLUMNS
    from providers.comparison_order import SORTABLE_FIELDS
    from providers.models import Service

    translated = set(translator.get_options_for_model(Service).all_fields)
    assert translated, "Service has translated fields; the check below would be empty otherwise"
    assert not translated & {*ROW_COLUMNS, *SORTABLE_FIELDS}
