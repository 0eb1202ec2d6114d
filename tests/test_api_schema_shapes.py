"""The published schema says what strict tools need, in the shapes OpenAPI 3.0.3 reads: null
where a value can be null, one `oneOf` branch per value, JSON errors, and the headers every
response carries (validators and the 304, language, Vary, the rate limit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Any) -> dict[str, Any]:
    return client.get("/api/schema/?format=json").json()


def _objects(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _objects(item, f"{where}/{index}")


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        yield path, item["get"]


def test_nullable_always_stands_beside_a_type(schema):
    # Without a type in the same object, 3.0.3 ignores nullable (Redocly: nullable-type-sibling).
    loose = [
        where for where, node in _objects(schema) if node.get("nullable") and "type" not in node
    ]
    assert loose == []


def test_nullable_references_and_values_have_a_null_branch(schema):
    components = schema["components"]["schemas"]
    for name in ("Service", "AuditedService"):
        assert {"type": "object", "nullable": True, "enum": [None]} in components[name][
            "properties"
        ]["group"]["oneOf"]
    value = components["FeatureValue"]["properties"]["value"]["oneOf"]
    assert sum(1 for branch in value if branch.get("nullable")) == 1


def test_a_blank_url_matches_one_branch_only(schema):
    for where, node in _objects(schema):
        branches = node.get("oneOf", [])
        if any(b.get("maxLength") == 0 for b in branches):
            others = [b for b in branches if b.get("type") == "string" and b.get("maxLength") != 0]
            assert others and all(b.get("minLength", 0) >= 1 for b in others), where


def test_errors_are_declared_as_json_only(schema):
    for path, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/json"], (path, status)
        assert {"400", "404", "406", "429"} <= set(operation["responses"]), path


def test_every_response_documents_the_headers_it_carries(schema):
    rate_limit = {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    representation = {"Content-Language", "Vary"}
    validators = {"ETag", "Last-Modified", "Cache-Control"}
    for path, operation in _operations(schema):
        responses = operation["responses"]
        for status, response in responses.items():
            headers = set(response.get("headers", {}))
            assert rate_limit | representation <= headers, (path, status)
        for status in ("200", "304"):
            assert validators <= set(responses[status]["headers"]), (path, status)
        assert "content" not in responses["304"]
        assert "Retry-After" in responses["429"]["headers"]


def test_the_csv_options_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert sorted(parameters["labels"]["schema"]["enum"]) == ["keys", "names"]
    assert parameters["bom"]["schema"]["type"] == "boolean"
    assert parameters["verified"]["schema"]["items"]["type"] == "string"
