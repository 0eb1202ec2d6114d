"""Each service's API representation, made once per language and version and then reused.

A representation is kept as its JSON bytes, rendered by DRF's own JSONRenderer: a list page is
then the page's envelope around the joined bytes, with no encoding per request, and a kept
representation takes a few kilobytes rather than the tens a nested dict takes in memory.

A list page of the API is 50 services; serialising them (links, domains, every feature value)
was most of its cost. A representation depends on its service and its rows (the service's
version), the catalogue (feature and criterion names: CATALOGUE's version), the language, the
serializer and the address the links are built on. All of these are in its key, so a kept
representation is never stale: a publication moves a version, and the next request makes a new
one for that service alone (portal/cache.py, portal/content_scopes.py).

Two tiers: this process's memory, in front of the shared cache (Redis in production), so a
representation made by one web process is reused by the others. With the cache down no version
can be trusted, and everything is made afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from .cache import scope_versions
from .content_scopes import CATALOGUE
from .memo import BoundedCache

# A few KB each, at most 12 MB per process (the shared cache behind it holds them all); the least
# recently used go first.
LOCAL: BoundedCache[str, Any] = BoundedCache(4096, max_bytes=12 << 20)


def representation_key(variant: str, pk: int, versions: dict[int | str, int]) -> str:
    return f"api-representation:{variant}:{pk}.{versions[pk]}:{versions[CATALOGUE]}"


def cached_representations(
    pks: list[int], variant: str, make: Callable[[list[int]], dict[int, Any]]
) -> list[Any]:
    """The representations of services `pks`, in that order.

    `variant` names everything else they depend on (serializer, language, base address);
    `make` serialises the services it is given, returning pk -> representation.
    """
    seconds = settings.PAGE_CACHE_SECONDS
    versions = scope_versions([*pks, CATALOGUE]) if pks and seconds > 0 else None
    if versions is None:
        made = make(pks) if pks else {}
        return [made[pk] for pk in pks]
    keys = {pk: representation_key(variant, pk, versions) for pk in pks}
    found = LOCAL.get_many(keys.values())
    wanted = [key for key in keys.values() if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        LOCAL.set_many(shared)
        found.update(shared)
    missing = [pk for pk in pks if keys[pk] not in found]
    if missing:
        made = make(missing)
        fresh = {keys[pk]: made[pk] for pk in missing}
        cache.set_many(fresh, seconds)
        LOCAL.set_many(fresh)
        found.update(fresh)
    return [found[keys[pk]] for pk in pks]


def as_json(data: Any) -> bytes:
    """A representation as the API sends it (DRF's renderer and settings)."""
    return JSONRenderer().render(data)


def paginated_json(paginator: PageNumberPagination, bodies: list[bytes]) -> bytes:
    """The paginator's envelope (count, next, previous) around the page's kept bodies: the same
    bytes DRF would render for the same data."""
    envelope = paginator.get_paginated_response([]).data
    assert list(envelope)[-1] == "results", "the results must close the envelope"
    head = as_json({key: value for key, value in envelope.items() if key != "results"})
    return head[:-1] + b',"results":[' + b",".join(bodies) + b"]}"


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")
