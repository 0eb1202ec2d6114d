"""The REST API's endpoints: services (JSON and CSV), the catalogue, criteria and languages."""

import csv
import io

import pytest
from django.http import QueryDict

from criteria.models import AssessmentSource, Verdict
from providers.filters import ServiceFilterSet
from providers.models import Feature, FeatureChoice, FeatureValue
from tests.factories import (
    catalogue_feature,
    make_assessment,
    make_criterion,
    make_full_service,
    make_published_service,
    set_feature,
)
from tests.http import body


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None  # throttling has its own tests


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def test_service_detail_has_links_downloads_domains_features_and_assessments(db, client):
    service = make_full_service(slug="full", name="Full Mail", hq_country="CH", free_plan=True)
    criterion = make_criterion(key="zero-access", state="published")
    make_assessment(service, criterion, verdict=Verdict.MET, evidence_url="https://e.example/")
    body = client.get("/api/v1/services/full/").json()
    assert (body["slug"], body["name"], body["hq_country"], body["free_plan"]) == (
        "full",
        "Full Mail",
        "CH",
        True,
    )
    assert body["url"] == "http://testserver/api/v1/services/full/"
    assert {(link["kind"], link["url"]) for link in body["links"]} == {
        ("homepage", "https://full.example/"),
        ("source_code", "https://full.example/src"),
    }
    assert body["downloads"] == [
        {"platform": "android", "label": "F-Droid", "url": "https://full.example/apk"}
    ]
    assert body["domains"] == [
        {"name": "full.example", "name_unicode": "full.example", "role": "mail"}
    ]
    values = {value["feature"]: value for value in body["features"]}
    assert (values["openpgp"]["kind"], values["openpgp"]["value"]) == ("boolean", True)
    assert values["wkd"]["value"] is False
    assert values["payment_methods"]["value"] == ["cash", "card"]
    assert values["storage_quota"]["value"] == 500
    assert body["assessments"] == [
        {
            "criterion": "zero-access",
            "verdict": "met",
            "source": "editorial",
            "evidence_url": "https://e.example/",
            "note": "",
            "assessed_at": None,
            "fallback_languages": {},
        }
    ]


def test_unlimited_and_single_choice_values(db, client):
    service = make_published_service(slug="roomy")
    set_feature(service, "free_aliases", "unlimited")
    plan = catalogue_feature("plan", Feature.Kind.CHOICE)
    basic = FeatureChoice.objects.create(feature=plan, key="basic", name_en="Basic")
    FeatureValue.objects.create(service=service, feature=plan).choices.set([basic])
    values = {v["feature"]: v for v in client.get("/api/v1/services/roomy/").json()["features"]}
    assert (values["free_aliases"]["value"], values["free_aliases"]["unlimited"]) == (None, True)
    assert (values["plan"]["kind"], values["plan"]["value"]) == ("choice", "basic")


def test_unknown_slug_is_404(db, client):
    response = client.get("/api/v1/services/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Service matches the given query."}


def test_pages_are_stable_and_cover_every_service_once(db, client):
    for n in range(7):
        # Equal names and kinds: only the tie-breaker decides the order.
        make_published_service(slug=f"svc-{n}", name="Same Name")
    first = client.get("/api/v1/services/?page_size=3")
    body = first.json()
    assert body["count"] == 7 and body["previous"] is None
    seen = [s["slug"] for s in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [s["slug"] for s in body["results"]]
    assert seen == sorted(f"svc-{n}" for n in range(7))


def test_ordering_parameter(db, client):
    make_published_service(slug="a", name="Zulu", founded_year=2010)
    make_published_service(slug="b", name="Alpha", founded_year=2001)
    make_published_service(slug="c", name="Mike", founded_year=None)
    by = lambda q: [s["slug"] for s in results(client.get(f"/api/v1/services/?{q}"))]  # noqa: E731
    assert by("ordering=name") == ["b", "c", "a"]
    assert by("ordering=-name") == ["a", "c", "b"]
    assert by("ordering=-founded_year") == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("ordering=password", "ordering"),
        ("openpgp=perhaps", "openpgp"),
        ("kind=webmail", "kind"),
        ("payment=iou", "payment"),
        ("min_free_storage=lots", "min_free_storage"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page=abc", "page"),
    ],
)
def test_bad_input_is_a_400_that_names_the_parameter(db, client, query, parameter):
    response = client.get(f"/api/v1/services/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0]


def test_a_page_past_the_end_is_404(db, client):
    make_published_service()
    assert client.get("/api/v1/services/?page=2").status_code == 404


def test_the_api_filters_with_the_shared_filterset(db, client):
    for n, (openpgp, country) in enumerate([(True, "CH"), (False, "DE"), (True, "DE"), (None, "")]):
        service = make_published_service(slug=f"s{n}", hq_country=country)
        if openpgp is not None:
            set_feature(service, "openpgp", openpgp)
    for query in ["openpgp=true", "openpgp=false&country=DE", "exclude_country=DE", ""]:
        from_api = {s["slug"] for s in results(client.get(f"/api/v1/services/?{query}"))}
        from_filterset = set(ServiceFilterSet(QueryDict(query)).qs.values_list("slug", flat=True))
        assert from_api == from_filterset, query
    assert {s["slug"] for s in results(client.get("/api/v1/services/?openpgp=true"))} == {
        "s0",
        "s2",
    }


# --- CSV ------------------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="services.csv"' in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(body(response).decode())))


def test_csv_has_the_facts_then_one_column_per_catalogue_feature(db, client):
    make_full_service(slug="full", name="Full Mail", hq_country="CH", free_storage_mb=500)
    catalogue_feature("never_used")
    response = client.get("/api/v1/services/?format=csv&labels=keys")
    text = body(response).decode()  # a streamed response is read once
    header = next(csv.reader(io.StringIO(text)))
    features = list(
        Feature.objects.order_by("group__order", "order", "key").values_list("key", flat=True)
    )
    assert header == [
        "slug",
        "name",
        "kind",
        "group",
        "homepage",
        "hq_country",
        "hq_city",
        "founded_year",
        "free_plan",
        "free_storage_mb",
        "trial_days",
        *features,
    ]
    assert {"openpgp", "payment_methods", "never_used"} <= set(features)
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["slug"] == "full" and row["homepage"] == "https://full.example/"
    assert (row["hq_country"], row["free_storage_mb"], row["free_plan"]) == ("CH", "500", "")
    assert (row["openpgp"], row["wkd"], row["never_used"]) == ("true", "false", "")
    assert row["payment_methods"] == "cash;card"
    assert row["storage_quota"] == "500"


def test_csv_can_be_asked_for_with_accept_too(db, client):
    make_published_service(slug="one")
    response = client.get("/api/v1/services/?labels=keys", HTTP_ACCEPT="text/csv")
    assert [row["slug"] for row in read_csv(response)] == ["one"]
    assert "Accept" in response["Vary"].split(", ")
    json_response = client.get("/api/v1/services/")
    assert json_response["Content-Type"] == "application/json"
    assert "Accept" in json_response["Vary"].split(", ")


def test_csv_is_the_whole_filtered_comparison_not_a_page(db, client):
    for n in range(3):
        set_feature(make_published_service(slug=f"yes-{n}"), "openpgp", True)
    set_feature(make_published_service(slug="no"), "openpgp", False)
    rows = read_csv(client.get("/api/v1/services/?format=csv&labels=keys&openpgp=true&page_size=1"))
    assert [row["slug"] for row in rows] == ["yes-0", "yes-1", "yes-2"]


def test_csv_cells_cannot_become_spreadsheet_formulas(db, client):
    make_published_service(slug="evil", name='=HYPERLINK("http://x.example")')
    (row,) = read_csv(client.get("/api/v1/services/?format=csv&labels=keys"))
    assert row["name"] == '\'=HYPERLINK("http://x.example")'


def test_errors_are_json_even_when_csv_was_asked_for(db, client):
    response = client.get("/api/v1/services/?format=csv&openpgp=maybe")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "openpgp" in response.json()


# --- The catalogue, criteria and languages -------------------------------------------------------


def test_features_are_the_catalogue_with_filter_parameters(seeded, client):
    body = client.get("/api/v1/features/?page_size=200").json()
    assert body["count"] == Feature.objects.count()
    features = {f["key"]: f for f in body["results"]}
    assert features["openpgp"]["filter_parameter"] == "openpgp"
    assert features["payment_methods"]["filter_parameter"] == "payment"
    assert features["payment_methods"]["kind"] == "multichoice"
    payment_choices = [c["key"] for c in features["payment_methods"]["choices"]]
    assert payment_choices[:2] == ["cash", "cryptocurrency"]
    assert features["account_deleted_after_days"]["filter_parameter"] is None
    assert features["custom_domain"]["group"]["key"] == "custom-domains-aliases"
    detail = client.get("/api/v1/features/wkd/").json()
    assert detail["name"] == "Web Key Directory (WKD)"


def test_criteria_by_group_and_level_with_the_services_meeting_each(db, client):
    group_criterion = make_criterion(key="owned-infra", state="published", level="minimum")
    best = make_criterion(key="onion", state="published", level="best")
    child = make_criterion(key="hsts", state="published", parent=best, level="best")
    alpha = make_published_service(slug="alpha", name="Alpha")
    beta = make_published_service(slug="beta", name="Beta")
    gamma = make_published_service(slug="gamma", name="Gamma")
    make_assessment(beta, group_criterion, verdict=Verdict.MET)
    make_assessment(alpha, group_criterion, verdict=Verdict.MET, source=AssessmentSource.AUTOMATED)
    # The editor disagrees with the automated check: the editor decides.
    make_assessment(gamma, group_criterion, verdict=Verdict.MET, source=AssessmentSource.AUTOMATED)
    make_assessment(gamma, group_criterion, verdict=Verdict.NOT_MET)
    make_assessment(alpha, child, verdict=Verdict.MET)
    (group,) = results(client.get("/api/v1/criteria/"))
    assert group["key"] == "test-criteria"
    assert [level["level"] for level in group["levels"]] == ["minimum", "best"]
    minimum, best_level = group["levels"]
    (owned,) = minimum["criteria"]
    assert owned["services_meeting"] == [
        {"slug": "alpha", "name": "Alpha", "source": "automated"},
        {"slug": "beta", "name": "Beta", "source": "editorial"},
    ]
    (onion,) = best_level["criteria"]
    assert onion["services_meeting"] == []
    assert [c["key"] for c in onion["children"]] == ["hsts"]
    assert onion["children"][0]["services_meeting"][0]["slug"] == "alpha"
    assert client.get("/api/v1/criteria/test-criteria/").json()["key"] == "test-criteria"


def test_languages(db, client):
    languages = results(client.get("/api/v1/languages/"))
    assert [language["code"] for language in languages] == ["en", "ckb", "de", "fr", "es", "fa"]
    ckb = languages[1]
    assert (ckb["bidi"], ckb["name_local"], ckb["is_default"]) == (True, "کوردی", False)
    assert languages[0]["is_default"] is True


# --- Read-only, cookie-free, open to other origins ------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(db, client, method):
    make_published_service(slug="s")
    assert getattr(client, method)("/api/v1/services/s/").status_code == 405
    assert getattr(client, method)("/api/v1/services/").status_code == 405


def test_anonymous_clients_get_no_cookies(db, client):
    make_published_service(slug="s")
    for url in [
        "/api/v1/",
        "/api/v1/services/",
        "/api/v1/services/s/",
        "/api/v1/services/?format=csv",
        "/api/v1/criteria/",
        "/api/v1/services/?openpgp=maybe",
        "/api/schema/",
        "/api/docs/",
        "/api/docs/?script=",
    ]:
        response = client.get(url)
        assert response.status_code in {200, 400}, url
        assert not response.cookies, url
        assert "Set-Cookie" not in response, url


def test_cors_allows_reading_from_any_origin_without_credentials(db, client):
    response = client.get("/api/v1/services/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/services/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    # The admin is not opened to other origins.
    admin = client.get("/admin/login/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in admin


def test_domains_come_in_both_forms_of_an_internationalised_name(db, client):
    from providers.models import ServiceDomain
    from tests.factories import make_published_service

    service = make_published_service(slug="umlaut")
    ServiceDomain.objects.create(service=service, name="xn--strae-oqa.de", role="mail")
    body = client.get("/api/v1/services/umlaut/").json()
    assert body["domains"] == [
        {"name": "xn--strae-oqa.de", "name_unicode": "straße.de", "role": "mail"}
    ]


def test_csv_is_streamed_in_batches_in_the_comparisons_order(db, client, monkeypatch):
    """Memory stays flat: the CSV is sent batch by batch as it is read, never held whole."""
    from providers.api import ServiceViewSet

    for number in range(5):
        make_published_service(slug=f"batch-{number}", name=f"Batch {4 - number}")
    monkeypatch.setattr(ServiceViewSet, "CSV_BATCH", 2)
    response = client.get("/api/v1/services/?format=csv&labels=keys&ordering=name")
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # the header, then 2 + 2 + 1 services
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert [row["name"] for row in rows] == [f"Batch {n}" for n in range(5)]
    again = client.get(
        "/api/v1/services/?format=csv&labels=keys&ordering=name",
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304
