"""The API's lists run a fixed number of queries, however many services they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criteria.models import Verdict
from tests.conftest import forget_renderings
from tests.factories import make_assessment, make_criterion, make_full_service

# A list page, cold: the comparison's index (services, features with groups and choices, known
# yes, known no, payment values and their choices, sort keys); the page's
# services, links, downloads, domains, feature values, catalogue and choices (their
# representations); Last-Modified.
SERVICE_LIST_QUERIES_COLD = 16
# Warm: the index, the representations and Last-Modified are kept per content version.
SERVICE_LIST_QUERIES_WARM = 0


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def add_services(count: int, criterion) -> None:
    for _ in range(count):
        service = make_full_service()
        make_assessment(service, criterion, verdict=Verdict.MET)


URLS = [
    "/api/v1/services/?page_size=200",
    "/api/v1/services/?page_size=200&openpgp=true&payment=cash&ordering=-name",
    "/api/v1/services/?format=csv",
    "/api/v1/services/?format=csv&anonymous_payment=true",
    "/api/v1/criteria/",
]


@pytest.mark.slow  # 200 services
def test_queries_do_not_grow_with_the_number_of_services(db, client):
    criterion = make_criterion(key="c", state="published")
    make_criterion(key="child", state="published", parent=criterion)
    add_services(10, criterion)
    with_10 = {url: cold_and_warm(client, url) for url in URLS}
    add_services(190, criterion)
    with_200 = {url: cold_and_warm(client, url) for url in URLS}
    assert with_200 == with_10
    # The page really held all 200 (the count is not constant because nothing was shown).
    assert len(client.get(URLS[0]).json()["results"]) == 200


def cold_and_warm(client, url: str) -> tuple[int, int]:
    """Queries of a first request (nothing kept) and of the same request again."""
    forget_renderings()
    return queries(client, url), queries(client, url)


def test_the_service_list_query_budget(db, client):
    add_services(10, make_criterion(state="published"))
    assert cold_and_warm(client, "/api/v1/services/") == (
        SERVICE_LIST_QUERIES_COLD,
        SERVICE_LIST_QUERIES_WARM,
    )
