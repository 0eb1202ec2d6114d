"""drf-spectacular hooks: what the generated schema must say that the views cannot declare.

Two jobs, both for clients generated from the schema and for strict validators of real traffic:

- the headers every read sends (portal/api.py): 200 with ETag and Last-Modified, or 304 without
  a body when If-None-Match or If-Modified-Since still match, each with its Content-Language,
  Vary and Cache-Control; the RateLimit fields on every response, Retry-After on a 429. A client
  generated from the schema must know the 304, or it treats it as an error;
- schema shapes that OpenAPI 3.0.3 reads differently from what drf-spectacular meant: `nullable`
  counts only beside a `type`, and `oneOf` means exactly one branch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Schema = dict[str, Any]


def _header(description: str, schema: Schema | None = None) -> Schema:
    return {"description": description, "schema": schema or {"type": "string"}}


VALIDATORS = {
    "ETag": _header(
        "A strong validator of this representation (language included); send it back in "
        "If-None-Match."
    ),
    "Last-Modified": _header(
        "When the content shown last changed; send it back in If-Modified-Since."
    ),
    "Cache-Control": _header(
        "public, no-cache: caches may keep the response but must revalidate it each time."
    ),
}

REPRESENTATION = {
    "Content-Language": _header("The language of the texts (from lang or Accept-Language)."),
    "Vary": _header("Accept, Accept-Language: the request headers that select the representation."),
}

RATE_LIMIT = {
    "RateLimit-Limit": _header(
        "Requests allowed per window (IETF RateLimit header fields draft); absent when the API "
        "is not throttled.",
        {"type": "integer", "minimum": 0},
    ),
    "RateLimit-Remaining": _header(
        "Requests left in the current window.", {"type": "integer", "minimum": 0}
    ),
    "RateLimit-Reset": _header(
        "Seconds until the window makes room again.", {"type": "integer", "minimum": 0}
    ),
}

RETRY_AFTER = {
    "Retry-After": _header("Seconds to wait before the next request.", {"type": "integer"})
}

NOT_MODIFIED_DESCRIPTION = (
    "Not modified: the copy named by If-None-Match or If-Modified-Since is current. No body; "
    "the validators, Content-Language and Vary are those of the 200."
)

CONDITIONAL_PARAMETERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": "An ETag from an earlier response: 304 when it still matches.",
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "required": False,
        "schema": {"type": "string"},
        "description": "A Last-Modified from an earlier response (HTTP date).",
    },
]


def document_conditional_requests(result: Schema, **kwargs: Any) -> Schema:
    """POSTPROCESSING_HOOKS entry: validators on every 200, a 304 beside it, the two request
    headers, and on every response the headers all of them carry."""
    for operation in _reads(result):
        responses = operation.setdefault("responses", {})
        ok = responses.get("200")
        if ok is None:
            continue
        ok.setdefault("headers", {}).update(VALIDATORS)
        responses.setdefault("304", {"description": NOT_MODIFIED_DESCRIPTION})
        responses["304"].setdefault("headers", {}).update(VALIDATORS)
        for status, response in responses.items():
            headers = response.setdefault("headers", {})
            headers.update(REPRESENTATION)
            headers.update(RATE_LIMIT)
            if status == "429":
                headers.update(RETRY_AFTER)
        parameters = operation.setdefault("parameters", [])
        named = {(p.get("in"), p.get("name")) for p in parameters}
        parameters += [p for p in CONDITIONAL_PARAMETERS if (p["in"], p["name"]) not in named]
    return result


def _reads(result: Schema) -> Iterator[Schema]:
    for path_item in result.get("paths", {}).values():
        if "get" in path_item:
            yield path_item["get"]


# --- Shapes strict tools read as meant ----------------------------------------------------------

# What null is, as a schema of its own. OpenAPI 3.0 has no null type; `nullable` needs a `type`
# beside it, and `enum: [null]` keeps any object out, so only null matches this branch.
NULL = {"type": "object", "nullable": True, "enum": [None]}


def make_schemas_exact(result: Schema, **kwargs: Any) -> Schema:
    """POSTPROCESSING_HOOKS entry: every nullable schema says so where 3.0.3 looks, and every
    `oneOf` has exactly one branch for each value.

    - drf-spectacular writes a nullable reference as `allOf: [ref]` with `nullable` beside it,
      and a nullable choice of types as `oneOf` with `nullable` beside it: without a `type` in
      the same object that `nullable` means nothing, so a null `group` or an unlimited number's
      null `value` was invalid. Both become a `oneOf` with a null branch.
    - A blank-able URL is `oneOf: [uri string, string of length 0]`, and "" matches both
      branches (validators check no URI format by default); the URI branch gets `minLength: 1`.
    """
    for schema in _schemas(result):
        _null_as_a_branch(schema)
        _blank_branch_disjoint(schema)
    return result


def _schemas(node: Any) -> Iterator[Schema]:
    """Every schema object in the document, depth first (and any other mapping: the changes
    below apply only to objects with `nullable` or `oneOf`)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schemas(item)


def _null_as_a_branch(schema: Schema) -> None:
    if schema.get("nullable") is not True or "type" in schema:
        return
    branches = schema.pop("allOf", None) or schema.pop("oneOf", None) or schema.pop("anyOf", None)
    if branches is None:
        return
    del schema["nullable"]
    schema["oneOf"] = [*branches, NULL]


def _blank_branch_disjoint(schema: Schema) -> None:
    branches = schema.get("oneOf")
    if not isinstance(branches, list):
        return
    blank = [b for b in branches if b.get("type") == "string" and b.get("maxLength") == 0]
    if not blank:
        return
    for branch in branches:
        if branch.get("type") == "string" and branch.get("maxLength") != 0:
            branch.setdefault("minLength", 1)
