"""Conditional requests: ETag and Last-Modified on lists and details, 304 when nothing changed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from portal.cache import bump_version
from providers.models import FeatureValue, Service
from tests.factories import make_published_service, set_feature


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


@pytest.fixture
def service(db):
    service = make_published_service(slug="s", name="Some Mail")
    set_feature(service, "openpgp", True)
    return service


URLS = [
    "/api/v1/services/",
    "/api/v1/services/s/",
    "/api/v1/services/?format=csv",
    "/api/v1/features/",
    "/api/v1/features/openpgp/",
    "/api/v1/criteria/",
    "/api/v1/languages/",
]


@pytest.mark.parametrize("url", URLS)
def test_a_matching_if_none_match_is_a_304(service, client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Weak comparison, and a list of tags, as clients send them.
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_change_makes_a_new_etag_and_the_old_one_no_longer_matches(service, client):
    for url in ("/api/v1/services/", "/api/v1/services/s/"):
        etag = client.get(url)["ETag"]
        service.name = f"Renamed for {url}"
        service.save()  # as the admin and publishing do (signals: portal/cache.py)
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag


def test_each_language_and_format_has_its_own_etag(service, client):
    tags = {
        client.get("/api/v1/services/?lang=en")["ETag"],
        client.get("/api/v1/services/?lang=ckb")["ETag"],
        client.get("/api/v1/services/?format=csv")["ETag"],
    }
    assert len(tags) == 3


def test_if_modified_since(service, client):
    response = client.get("/api/v1/services/s/")
    last_modified = response["Last-Modified"]
    assert client.get("/api/v1/services/s/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == (
        304
    )
    earlier = http_date(parse_http_date(last_modified) - 60)
    assert client.get("/api/v1/services/s/", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_last_modified_is_the_latest_change_deletions_included(service, client):
    def last_modified() -> int:
        return parse_http_date(client.get("/api/v1/services/")["Last-Modified"])

    value = service.feature_values.get()
    value.delete()
    # Pretend the deletion happened later than everything else (one-second resolution).
    deleted_at = timezone.now() + timedelta(minutes=5)
    FeatureValue.history.filter(history_type="-").update(history_date=deleted_at)
    bump_version()  # as the deletion's own signal did: the date is kept per content version
    assert last_modified() == int(deleted_at.timestamp())
    # State changes written without history (the seed loader publishes with update()) count too.
    published_at = timezone.now() + timedelta(minutes=10)
    Service.objects.filter(pk=service.pk).update(state_changed_at=published_at)
    bump_version()  # as the seed loader does when it has written
    assert last_modified() == int(published_at.timestamp())


def test_errors_are_never_cached_as_not_modified(service, client):
    response = client.get("/api/v1/services/?openpgp=maybe", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400
    assert "ETag" not in response


def test_shared_caches_must_revalidate(service, client):
    response = client.get("/api/v1/services/")
    assert response["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in response["Vary"]
