"""The API says so when a request is wrong, and a 304 stands for its 200: unknown parameters
and formats are 400s that name them, a 304 keeps the language and Vary, and the anonymous API
declares no security requirement."""

from __future__ import annotations

import pytest

from tests.http import body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


def test_a_misspelled_filter_is_a_400_naming_it(seeded, client):
    response = client.get("/api/v1/services/?openpg=true")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["openpg"] and "openpgp" in body["openpg"][0]


def test_a_detail_takes_no_filters(seeded, client):
    response = client.get("/api/v1/services/proton-mail/?page=2")
    assert response.status_code == 400 and "page" in response.json()


def test_known_parameters_still_work(seeded, client):
    response = client.get("/api/v1/services/?openpgp=true&lang=ckb&page=1&page_size=5")
    assert response.status_code == 200


def test_an_unknown_format_is_a_400_listing_the_formats(seeded, client):
    response = client.get("/api/v1/services/?format=xml")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["format"][0]
    assert "json" in message and "csv" in message


def test_a_304_repeats_the_language_and_vary_of_its_200(seeded, client):
    first = client.get("/api/v1/services/?lang=ckb")
    assert first["Content-Language"] == "ckb"
    again = client.get("/api/v1/services/?lang=ckb", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Content-Language"] == "ckb"
    assert again["Vary"] == first["Vary"]


def test_operations_declare_no_security_requirement(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security", []) in ([], None), (method, path)
    assert not schema.get("components", {}).get("securitySchemes")


def test_list_parameters_take_the_repeated_and_the_comma_form(seeded, client):
    def slugs(query: str) -> list[str]:
        return [s["slug"] for s in client.get(f"/api/v1/services/?{query}").json()["results"]]

    assert slugs("payment=cash&payment=cryptocurrency") == slugs("payment=cash,cryptocurrency")
    assert slugs("country=CH&country=DE") == slugs("country=ch,de")
    assert slugs("ordering=-founded_year&ordering=name") == slugs("ordering=-founded_year,name")
    assert slugs("ordering=-founded_year&ordering=name") != slugs("ordering=name")


def test_every_mistake_of_a_request_is_reported_at_once(seeded, client):
    response = client.get("/api/v1/services/?lang=xx&payment=gold&openpgp=maybe&colour=red")
    assert response.status_code == 400
    assert set(response.json()) == {"lang", "payment", "openpgp", "colour"}


def test_a_wrong_choice_lists_the_allowed_values(seeded, client):
    message = client.get("/api/v1/services/?payment=gold").json()["payment"][0]
    assert "'gold'" in message and "cash" in message and "cryptocurrency" in message


def test_the_csv_can_start_with_a_byte_order_mark_for_spreadsheets(seeded, client):
    plain = body(client.get("/api/v1/services/?format=csv&lang=ckb"))
    marked = body(client.get("/api/v1/services/?format=csv&lang=ckb&bom=true"))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked == b"\xef\xbb\xbf" + plain
    assert client.get("/api/v1/services/?format=csv&bom=maybe").status_code == 400
