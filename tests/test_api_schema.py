"""The OpenAPI schema is valid, the API keeps to it, and the docs are served from our own files.

The property-based part runs schemathesis against the live schema, in process (WSGI), on the
seeded content: every operation, a bounded number of generated requests each, no 5xx, and every
response conforms to the schema (status code, content type, headers and body).
"""

import re
from io import StringIO

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

EXAMPLES_PER_OPERATION = 8


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


def test_the_schema_validates_without_warnings(db):
    out = StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"openapi": "3.0.3"' in out.getvalue()


def test_the_schema_documents_every_endpoint_and_parameter(db, client):
    schema = client.get("/api/schema/?format=json").json()
    assert set(schema["paths"]) == {
        "/api/v1/services/",
        "/api/v1/services/{slug}/",
        "/api/v1/features/",
        "/api/v1/features/{key}/",
        "/api/v1/criteria/",
        "/api/v1/criteria/{key}/",
        "/api/v1/languages/",
        "/api/v1/services/{service_slug}/audits/",
        "/api/v1/services/{service_slug}/audits/{id}/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert {"lang", "format", "page", "page_size", "ordering", "openpgp", "payment"} <= parameters
    assert {"anonymous_payment", "free_plan", "min_free_storage", "exclude_country"} <= parameters
    assert "verified" in parameters


RUN_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: a request must not close the connection holding the test's
    transaction (the real WSGI handler would, at the end of each request, on PostgreSQL)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.slow  # generated requests to every operation
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(
    seeded, wsgi_keeps_the_test_connection
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,  # no .hypothesis/ folder in the work tree
            derandomize=True,  # the same cases on every run, so CI is reproducible
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # The in-process WSGI client does not decompress: ask for the body as it is.
            case.call_and_validate(checks=RUN_CHECKS, headers={"Accept-Encoding": "identity"})

        check()


def test_the_docs_page_loads_only_our_own_assets(db, client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(url.startswith(("/static/", "/api/")) for url in sources), sources
    assert "http://" not in html and "https://" not in html
    script = client.get("/api/docs/?script=").content.decode()
    assert '"/api/schema/"' in script
    assert '"validatorUrl": null' in script
    # The sidecar's files are really there for collectstatic to serve.
    for url in sources:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


def test_every_read_documents_its_validators_and_304(db, client):
    schema = client.get("/api/schema/?format=json").json()
    gets = [op["get"] for op in schema["paths"].values() if "get" in op]
    assert gets
    for operation in gets:
        responses = operation["responses"]
        assert "304" in responses, operation["operationId"]
        assert {"ETag", "Last-Modified"} <= set(responses["200"]["headers"])
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"If-None-Match", "If-Modified-Since"} <= headers


def test_a_real_304_matches_the_schema(seeded, client):
    first = client.get("/api/v1/services/proton-mail/")
    again = client.get("/api/v1/services/proton-mail/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
