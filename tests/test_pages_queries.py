"""Every public page runs the same number of queries for 10 services as for 200 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criteria.models import Verdict
from providers.compare_view import ROW_FRAGMENTS
from providers.comparison_index import forget_index
from providers.models import FeatureGroup, FreeFeature, RecommendationGroup, ServiceSection
from tests.factories import make_assessment, make_criterion, make_full_service

URLS = [
    "/en/",
    "/en/providers/",
    "/ckb/providers/",
    "/en/aliasing/",
    "/en/criteria/",
    "/en/compare/",
    "/ckb/compare/?openpgp=true&payment=cash&ordering=-name",
    "/en/compare/?compare=first&compare=second",
    "/en/services/first/",
]


@pytest.fixture(autouse=True)
def _no_page_cache(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0


def forget_comparison_state() -> None:
    forget_index()
    ROW_FRAGMENTS.clear()


def add_services(count: int, criterion, start: int) -> None:
    group, _ = RecommendationGroup.objects.get_or_create(
        key="g", defaults={"kind": "provider", "name_en": "Group"}
    )
    section_group, _ = FeatureGroup.objects.get_or_create(key="sg", defaults={"name_en": "S"})
    for number in range(start, start + count):
        slug = {0: "first", 1: "second"}.get(number, f"service-{number}")
        service = make_full_service(slug=slug, group=group if number % 2 else None)
        aliasing = make_full_service(slug=f"alias-{number}", kind="aliasing")
        FreeFeature.objects.create(service=aliasing, included=True, text_en="Free aliases")
        ServiceSection.objects.create(
            service=service, group=section_group, status="good", body_en="**Good**"
        )
        make_assessment(service, criterion, verdict=Verdict.MET)


def queries(client, url: str, cold: bool = True) -> int:
    """Queries of one request; `cold`: with the comparison's per-process index and rows
    forgotten first, so every count is the full cost, comparable between the two sizes."""
    if cold:
        forget_comparison_state()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured)


@pytest.mark.slow  # 200 services
def test_queries_do_not_grow_with_the_number_of_services(db, client):
    criterion = make_criterion(key="c", state="published")
    make_criterion(key="child", state="published", parent=criterion)
    add_services(5, criterion, start=0)  # 10 services: 5 providers, 5 aliasing
    with_10 = {url: queries(client, url) for url in URLS}
    add_services(95, criterion, start=5)  # 200
    with_200 = {url: queries(client, url) for url in URLS}
    assert with_200 == with_10, with_10
    # The comparison really had them all: 200 in four pages of 50.
    page = client.get("/en/compare/?page=4").content.decode()
    assert page.count('name="compare"') == 50
    assert "Page 4 of 4" in page


def test_a_cached_page_costs_at_most_the_version_lookup(db, client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    add_services(3, make_criterion(state="published"), start=0)
    client.get("/en/compare/")
    assert queries(client, "/en/compare/") == 0


@pytest.mark.parametrize(
    "url",
    [
        "/en/compare/",
        "/ckb/compare/?openpgp=true&payment=cash&ordering=-name",
        "/fa/compare/?kind=provider&free_plan=true&country=DE&exclude_country=CH&page=2",
    ],
)
def test_a_warm_comparison_page_asks_the_database_nothing(db, client, url):
    criterion = make_criterion(key="c", state="published")
    add_services(30, criterion, start=0)
    queries(client, url)  # builds the index and renders the rows
    # Any filter combination is answered by the index, each row by its kept rendering.
    assert queries(client, url, cold=False) == 0
    other = url + ("&" if "?" in url else "?") + "ordering=name"
    queries(client, other, cold=False)  # a new order is read once
    assert queries(client, other, cold=False) == 0
