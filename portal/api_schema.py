"""drf-spectacular hooks: what the generated schema must say that the views cannot declare.

Every read answers conditional requests (portal/api.py): 200 with ETag and Last-Modified, or
304 without a body when If-None-Match or If-Modified-Since still match. A client generated from
the schema must know both, or it treats the 304 as an error.
"""

from __future__ import annotations

from typing import Any

VALIDATORS = {
    "ETag": {
        "description": "A strong validator of this representation (language included); send "
        "it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the content shown last changed; send it back in If-Modified-Since.",
        "schema": {"type": "string"},
    },
}

NOT_MODIFIED = {
    "description": "Not modified: the copy named by If-None-Match or If-Modified-Since is "
    "current. No body; Content-Language, Vary and the validators are repeated.",
    "headers": VALIDATORS,
}

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


def document_conditional_requests(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: validators on every 200, a 304 beside it, the two headers."""
    for path_item in result.get("paths", {}).values():
        operation = path_item.get("get")
        if operation is None:
            continue
        responses = operation.setdefault("responses", {})
        ok = responses.get("200")
        if ok is None:
            continue
        ok.setdefault("headers", {}).update(VALIDATORS)
        responses.setdefault("304", NOT_MODIFIED)
        parameters = operation.setdefault("parameters", [])
        named = {(p.get("in"), p.get("name")) for p in parameters}
        parameters += [p for p in CONDITIONAL_PARAMETERS if (p["in"], p["name"]) not in named]
    return result
