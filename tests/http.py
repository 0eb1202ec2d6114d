"""Reading responses the way a client does, streamed or not."""

from __future__ import annotations

from django.http import HttpResponseBase


def body(response: HttpResponseBase) -> bytes:
    """The response's bytes: a streamed one (the API's CSV) is read to its end."""
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]
