"""The public pages' cache: one version number for all of them, bumped when content changes.

Pages are cached per language and full path (the language is in the path). Rather than knowing
which pages show which object, any saved or deleted curated object (a service, a criterion, an
assessment written by an audit, a page text ...: any model of settings.PUBLIC_CONTENT_APPS) bumps
the version, and every key made with the old version is simply never read again. Changes are
rare and rendering is cheap, so that is the right trade. Writers of many rows at once (a finished
audit run) wrap them in `batched_invalidation()` and invalidate once.

The seed loader publishes with `update()`, which sends no signal: run it before serving, or let
the cache expire (PAGE_CACHE_SECONDS).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response

VERSION_KEY = "public-pages:version"


def current_version() -> int:
    version = known_version()
    return 1 if version is None else version


def known_version() -> int | None:
    """The content version, or None when the cache cannot keep one (Redis down or silent).

    None means "unknown", not "unchanged": a publication made meanwhile could not bump it, so
    whatever a process keeps per version must not be trusted (providers/comparison_index.py).
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        # Not 1: after the cache is flushed or restarted the count must not start again from a
        # value a process has already seen, or what it keeps per version (the comparison's
        # index) would pass for current. Microseconds since the epoch are larger than any count
        # reached before.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY)
    return None if version is None else int(version)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates the old keys
        cache.set(VERSION_KEY, current_version() + 1, timeout=None)


# Per thread: inside batched_invalidation(), saves are counted instead of each bumping the
# version; the batch bumps once at its end. `quiet` marks writes nobody sees (a queued audit).
_batch = threading.local()


@contextmanager
def batched_invalidation(quiet: bool = False) -> Iterator[None]:
    """Invalidate the pages once for all the content saved inside (e.g. one audit run's rows),
    or not at all with `quiet=True` (writes that change nothing a visitor sees)."""
    outer = getattr(_batch, "state", None)
    if outer is not None:  # nested: the outermost batch decides
        yield
        return
    _batch.state = {"changed": False, "quiet": quiet}
    try:
        yield
    finally:
        state, _batch.state = _batch.state, None
        if state["changed"] and not state["quiet"]:
            invalidate_pages()


def invalidate_pages() -> None:
    # Now, for requests in this transaction, and again after the commit, so a page rendered by
    # another request between the two (still seeing the old rows) is not kept.
    bump_version()
    transaction.on_commit(bump_version)


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def content_changed(sender: type[Model], **kwargs: Any) -> None:
    # Read per signal, not at import, so the setting names the apps without this module knowing
    # them (and a test's override applies).
    if sender._meta.app_label not in settings.PUBLIC_CONTENT_APPS:
        return
    state = getattr(_batch, "state", None)
    if state is not None:
        state["changed"] = True
        return
    invalidate_pages()


def allowed_query(request: HttpRequest, allowed: Iterable[str]) -> QueryDict:
    """The request's query reduced to the parameters the view reads, in a fixed order.

    Unknown parameters (`?zz=123`) and empty values change nothing on a page, so they must not
    make a new cache entry: a crawler or an attacker adding random parameters would otherwise
    fill the cache and miss it every time. Values keep their order (`compare=a&compare=b` is an
    order of columns).
    """
    query = QueryDict(mutable=True)
    for name in sorted(set(allowed) & set(request.GET)):
        values = [value for value in request.GET.getlist(name) if value != ""]
        if values:
            query.setlist(name, values)
    return query


def page_key(request: HttpRequest, today: date) -> str:
    # The date is part of the key because equal-ranked services are reshuffled daily.
    target = request.path + "?" + request.GET.urlencode()
    path = hashlib.sha256(target.encode("utf-8")).hexdigest()
    language = translation.get_language()
    build = static_build()
    return f"public-page:{current_version()}:{build}:{today.isoformat()}:{language}:{path}"


def static_build() -> str:
    """A short digest of the stylesheet as served: pages name it with its integrity hash, so a
    page cached before a new stylesheet was deployed (or edited, in development) must not be
    served after it: the browser would refuse the stylesheet and show the page unstyled."""
    from portal.templatetags.integrity import integrity

    try:
        return integrity("css/site.css")[7:23]
    except (OSError, ValueError):
        # Not collected (a manifest without the file): the page itself will say so when it
        # names the stylesheet; the cache key must not turn that, or anything, into a 500.
        return "uncollected"


def _etag(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def _revalidated(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
    """ETag and Cache-Control on every page; a matching If-None-Match gets a 304."""
    response["ETag"] = etag
    # Shared caches and browsers may keep a page, but must ask (cheaply, with the ETag) each time:
    # a publication must show at once.
    response["Cache-Control"] = "public, no-cache"
    return get_conditional_response(request, etag=etag, response=response)


def cached_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    params: Callable[[], Iterable[str]] | None = None,
) -> Any:
    """Keep a public page's successful GET response (body and type only, never cookies).

    `params` names the query parameters the view reads (a callable, read per request); any
    other parameter is dropped before the view sees the request, so the page, its links and its
    cache key depend on those alone. Without it, the view reads no parameter at all.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            request.GET = allowed_query(request, params() if params else ())
            seconds = settings.PAGE_CACHE_SECONDS
            key = page_key(request, timezone.localdate()) if seconds > 0 else None
            hit = cache.get(key) if key else None
            if hit is not None:
                content, content_type, *rest = hit
                etag = rest[0] if rest else _etag(content)
                return _revalidated(request, HttpResponse(content, content_type=content_type), etag)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200 or response.cookies:
                return response
            etag = _etag(response.content)
            if key:
                cache.set(key, (response.content, response["Content-Type"], etag), seconds)
            return _revalidated(request, response, etag)

        return wrapper

    return decorate(view) if view is not None else decorate
