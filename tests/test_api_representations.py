"""The API's services answered from the index and kept representations are exactly what the
FilterSet and the serializers give, and a publication changes them at once, alone."""

from __future__ import annotations

import json
import random

import pytest
from django.conf import settings

from providers.api import ServiceViewSet
from providers.filters import ServiceFilterSet
from tests.test_comparison_index import random_catalogue, random_query  # noqa: F401 (fixture)

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None
    settings.PAGE_CACHE_SECONDS = 600


def results(client, query: str) -> dict:
    response = client.get(f"/api/v1/services/?{query}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_pages_are_the_filtersets_services_in_its_order(random_catalogue, client):  # noqa: F811
    rng = random.Random(7)
    for _ in range(40):
        query = random_query(rng)
        query["page_size"] = str(rng.choice([5, 50]))
        query["page"] = "1"
        filterset = ServiceFilterSet(query)
        assert filterset.is_valid(), filterset.errors
        expected = list(filterset.qs.values_list("slug", flat=True))
        size = int(query["page_size"])
        body = results(client, query.urlencode())
        assert body["count"] == len(expected), query.urlencode()
        assert [item["slug"] for item in body["results"]] == expected[:size], query.urlencode()
        assert (body["next"] is not None) == (len(expected) > size)


def test_kept_representations_equal_fresh_ones(random_catalogue, client, settings):  # noqa: F811
    queries = ["page_size=50", "page_size=7&page=2&ordering=-name", "openpgp=true&lang=ckb"]
    kept = [results(client, query) for query in queries]  # made and kept
    kept_again = [results(client, query) for query in queries]  # read back
    settings.PAGE_CACHE_SECONDS = 0  # nothing kept: everything made afresh
    fresh = [results(client, query) for query in queries]
    assert kept == kept_again == fresh
    slug = kept[0]["results"][0]["slug"]
    settings.PAGE_CACHE_SECONDS = 600
    detail = client.get(f"/api/v1/services/{slug}/").json()
    assert client.get(f"/api/v1/services/{slug}/").json() == detail
    settings.PAGE_CACHE_SECONDS = 0
    assert client.get(f"/api/v1/services/{slug}/").json() == detail


def test_a_publication_changes_its_services_representations_in_every_language_at_once(
    seeded, client, monkeypatch
):
    from providers.models import Service

    made: list[int] = []
    serialize = ServiceViewSet.serialize_services

    def counting(self, pks):
        made.extend(pks)
        return serialize(self, pks)

    monkeypatch.setattr(ServiceViewSet, "serialize_services", counting)
    before = {lang: results(client, f"lang={lang}") for lang in LANGUAGES}
    service = Service.objects.published().order_by("pk").first()
    others = set(Service.objects.published().exclude(pk=service.pk).values_list("pk", flat=True))
    made.clear()
    service.summary_en = "A summary written just now."
    service.save()
    for lang in LANGUAGES:
        after = results(client, f"lang={lang}")
        mine = next(item for item in after["results"] if item["slug"] == service.slug)
        old = next(item for item in before[lang]["results"] if item["slug"] == service.slug)
        assert mine != old, lang
        unchanged = [item for item in after["results"] if item["slug"] != service.slug]
        assert unchanged == [
            item for item in before[lang]["results"] if item["slug"] != service.slug
        ]
        detail = client.get(f"/api/v1/services/{service.slug}/?lang={lang}").json()
        assert detail["updated_at"] == mine["updated_at"]
    english = client.get(f"/api/v1/services/{service.slug}/?lang=en").json()
    assert "A summary written just now." in json.dumps(english)
    assert set(made) == {service.pk}, "only the changed service was serialised again"
    assert not others & set(made)


def test_a_malformed_filter_is_still_the_filtersets_400(db, client):
    response = client.get("/api/v1/services/?openpgp=maybe&min_free_storage=-1")
    assert response.status_code == 400
    assert set(response.json()) >= {"openpgp", "min_free_storage"}
