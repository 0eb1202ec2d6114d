"""Pages are cached per language and invalidated when something is published or audited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from criteria.models import Verdict
from portal.cache import current_version
from portal.publishing import apply_transition
from tests.factories import make_assessment, make_criterion, make_published_service, make_service


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()


def test_each_language_is_cached_separately(db, client):
    make_published_service(name="Cached Mail", summary_en="English text", summary_ckb="دەقی کوردی")
    assert "English text" in client.get("/en/providers/").content.decode()
    assert "دەقی کوردی" in client.get("/ckb/providers/").content.decode()
    assert "English text" in client.get("/en/providers/").content.decode()


def test_publishing_a_service_shows_it_at_once(db, client):
    service = make_service(name="Brand New Mail", state="in_review")
    assert "Brand New Mail" not in client.get("/en/compare/").content.decode()
    before = current_version()
    apply_transition(service, "publish", None)
    assert current_version() > before
    assert "Brand New Mail" in client.get("/en/compare/").content.decode()


def test_an_automated_assessment_invalidates_the_criteria_page(db, client):
    service = make_published_service(name="Audited Mail")
    criterion = make_criterion(state="published", text_en="Has DNSSEC.")
    assert "Audited Mail" not in client.get("/en/criteria/").content.decode()
    make_assessment(service, criterion, verdict=Verdict.MET, source="automated")
    assert "Audited Mail" in client.get("/en/criteria/").content.decode()


def test_a_page_is_served_from_the_cache_until_then(db, client):
    service = make_published_service(name="Old Name")
    assert "Old Name" in client.get("/en/compare/").content.decode()
    # A change that bypasses the signals (a bulk update) is not seen until the next bump.
    type(service).objects.filter(pk=service.pk).update(name="New Name")
    assert "Old Name" in client.get("/en/compare/").content.decode()
    service.refresh_from_db()
    service.save()
    assert "New Name" in client.get("/en/compare/").content.decode()
