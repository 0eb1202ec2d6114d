"""Only published content leaves the API: no endpoint, filter or related field names a draft."""

import pytest

from criteria.models import Verdict
from portal.publishing import PublicationState
from tests.factories import (
    make_assessment,
    make_criterion,
    make_published_service,
    make_service,
    set_feature,
)
from tests.http import body

HIDDEN_STATES = [PublicationState.DRAFT, PublicationState.IN_REVIEW, PublicationState.RETIRED]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


@pytest.fixture
def world(db):
    """One published service and criterion, and a hidden one of each in every other state."""
    public = make_published_service(slug="public-mail", name="Public Mail")
    criterion = make_criterion(key="public-criterion", state=PublicationState.PUBLISHED)
    set_feature(public, "openpgp", True)
    make_assessment(public, criterion, verdict=Verdict.MET)
    for state in HIDDEN_STATES:
        hidden = make_service(slug=f"hidden-{state}", name=f"Secret {state}", state=state)
        set_feature(hidden, "openpgp", True)
        set_feature(hidden, "payment_methods", ["cash"])
        make_assessment(hidden, criterion, verdict=Verdict.MET)
        hidden_criterion = make_criterion(key=f"hidden-criterion-{state}", state=state)
        make_assessment(public, hidden_criterion, verdict=Verdict.MET)
        make_criterion(
            key=f"hidden-child-{state}", state=state, parent=criterion, level=criterion.level
        )
    return public


def _everything(client) -> str:
    """Every response of every endpoint, with the filters that would match the hidden ones."""
    urls = [
        "/api/v1/services/",
        "/api/v1/services/?openpgp=true",
        "/api/v1/services/?payment=cash",
        "/api/v1/services/?anonymous_payment=true",
        "/api/v1/services/?ordering=-name",
        "/api/v1/services/?format=csv",
        "/api/v1/services/?format=csv&openpgp=true",
        "/api/v1/services/public-mail/",
        "/api/v1/criteria/",
        "/api/v1/criteria/test-criteria/",
        "/api/v1/features/",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(body(response).decode())
    return "\n".join(bodies)


def test_no_response_names_a_hidden_service_or_criterion(world, client):
    everything = _everything(client)
    assert "public-mail" in everything and "public-criterion" in everything
    for state in HIDDEN_STATES:
        assert f"hidden-{state}" not in everything
        assert f"Secret {state}" not in everything
        assert f"hidden-criterion-{state}" not in everything
        assert f"hidden-child-{state}" not in everything


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_hidden_service_has_no_detail(world, client, state):
    assert client.get(f"/api/v1/services/hidden-{state}/").status_code == 404


def test_lists_count_only_published_services(world, client):
    assert client.get("/api/v1/services/").json()["count"] == 1
    assert client.get("/api/v1/services/?openpgp=true").json()["count"] == 1


def test_the_public_services_assessments_leave_out_hidden_criteria(world, client):
    body = client.get("/api/v1/services/public-mail/").json()
    assert [a["criterion"] for a in body["assessments"]] == ["public-criterion"]


def test_services_meeting_a_criterion_are_published_ones(world, client):
    (group,) = client.get("/api/v1/criteria/").json()["results"]
    criteria = [c for level in group["levels"] for c in level["criteria"]]
    assert [c["key"] for c in criteria] == ["public-criterion"]
    assert criteria[0]["services_meeting"] == [
        {"slug": "public-mail", "name": "Public Mail", "source": "editorial"}
    ]
    assert criteria[0]["children"] == []
