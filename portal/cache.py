"""The public pages' cache: one version number for all of them, bumped when content changes.

Pages are cached per language and full path (the language is in the path). Rather than knowing
which pages show which object, any saved or deleted curated object (a service, a criterion, an
assessment written by an audit, a page text ...: any model of settings.PUBLIC_CONTENT_APPS) bumps
the version, and every key made with the old version is simply never read again. Changes are
rare and rendering is cheap, so that is the right trade. Writers of many rows at once (a finished
audit run) wrap them in `batched_invalidation()` and invalidate once.

Writes that send no signal (the seed loader's `update()`) call `invalidate_pages()` themselves.
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
from django.utils.cache import get_conditional_response, patch_vary_headers

from portal.content_scopes import CATALOGUE, UNSEEN, scope_of

VERSION_KEY = "public-pages:version"
# The version of what the comparison's index reads (services, their feature values, the
# catalogue). Every change moves it, except a finished audit run: audit results are not in the
# index, and the index asks for them per site version (providers/comparison_index.py). At
# 10,000 services a rebuild is ~0.4 s per process, and audits finish every few seconds.
INDEX_VERSION_KEY = "public-pages:index-version"


def current_version() -> int:
    version = known_version()
    return 1 if version is None else version


def known_version(key: str = VERSION_KEY) -> int | None:
    """The content version, or None when the cache cannot keep one (Redis down or silent).

    None means "unknown", not "unchanged": a publication made meanwhile could not bump it, so
    whatever a process keeps per version must not be trusted (providers/comparison_index.py).
    """
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)
        version = cache.get(key)
    return None if version is None else int(version)


def bump_version(key: str = VERSION_KEY) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or evicted): any new value invalidates the old keys
        cache.set(key, _fresh_version(), timeout=None)


def _fresh_version() -> int:
    # Not 1: after the cache is flushed or restarted the count must not start again from a value
    # a process has already seen, or what it keeps per version would pass for current.
    # Microseconds since the epoch are larger than any count reached before.
    return time.time_ns() // 1000


# --- Versions of one service's pages, and of the catalogue every service page shows ------------


def scope_key(scope: int | str) -> str:
    return f"public-pages:scope:{scope}"


def scope_versions(scopes: list[int | str]) -> dict[int | str, int] | None:
    """The current version of each scope (a service pk, or CATALOGUE), or None when the cache
    cannot keep them (then nothing may be kept per version)."""
    keys = {scope_key(scope): scope for scope in scopes}
    found = cache.get_many(list(keys))
    for key in keys.keys() - found.keys():
        cache.add(key, _fresh_version(), timeout=None)
    if len(found) < len(keys):
        found = cache.get_many(list(keys))
        if len(found) < len(keys):
            return None
    return {keys[key]: int(value) for key, value in found.items()}


def _bump_scopes(scopes: set[int | str]) -> None:
    for scope in scopes:
        bump_version(scope_key(scope))


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
    _batch.state = {"scopes": set(), "quiet": quiet}
    try:
        yield
    finally:
        state, _batch.state = _batch.state, None
        if state["scopes"] and not state["quiet"]:
            invalidate_pages(state["scopes"])


def invalidate_pages(scopes: Iterable[int | str] = (CATALOGUE,), index: bool = True) -> None:
    """New lists (home, categories, comparison) and new pages for `scopes`: service pks, or
    CATALOGUE for what every service page shows (the default: when unsure, everything).

    `index=False` only for writes that change none of the comparison index's rows (a finished
    audit run: its results, assessments and alerts)."""
    changed = set(scopes)

    def bump() -> None:
        bump_version()
        if index:
            bump_version(INDEX_VERSION_KEY)
        _bump_scopes(changed)

    # Now, for requests in this transaction, and again after the commit, so a page rendered by
    # another request between the two (still seeing the old rows) is not kept.
    bump()
    transaction.on_commit(bump)


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def content_changed(sender: type[Model], **kwargs: Any) -> None:
    # Read per signal, not at import, so the setting names the apps without this module knowing
    # them (and a test's override applies).
    if sender._meta.app_label not in settings.PUBLIC_CONTENT_APPS:
        return
    scope = scope_of(kwargs["instance"])
    if scope == UNSEEN:
        return
    if kwargs.get("signal") is m2m_changed and kwargs.get("reverse"):
        scope = CATALOGUE  # a choice's services changed: their pks are not at hand
    state = getattr(_batch, "state", None)
    if state is not None:
        state["scopes"].add(scope)
        return
    invalidate_pages([scope])


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


def page_key(request: HttpRequest, today: date, version: int | None = None) -> str:
    """What a public page is a function of: the content version, the stylesheet, the date
    (equal-ranked services are reshuffled daily), the language and the reduced query."""
    target = request.path + "?" + request.GET.urlencode()
    path = hashlib.sha256(target.encode("utf-8")).hexdigest()
    language = translation.get_language()
    build = static_build()
    version = current_version() if version is None else version
    return f"public-page:{version}:{build}:{today.isoformat()}:{language}:{path}"


def version_etag(key: str) -> str:
    """A page's ETag, known before it is rendered: its key names everything the page depends
    on, so a client that holds it can be answered 304 without rendering anything. Weak, because
    the bytes on the wire differ with compression."""
    return f'W/"{hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]}"'


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


def _revalidated(
    request: HttpRequest, response: HttpResponse | None, etag: str
) -> HttpResponse | None:
    """ETag and Cache-Control on every page; a matching If-None-Match gets a 304.

    Without a response (not rendered yet), the 304 or None (render it)."""
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional is None:
        return None
    conditional["ETag"] = etag
    # Shared caches and browsers may keep a page, but must ask (cheaply, with the ETag) each time:
    # a publication must show at once.
    conditional["Cache-Control"] = "public, no-cache"
    # A 304 names what the 200 would vary on (RFC 9110 15.4.5); compression is added later.
    patch_vary_headers(conditional, ["Accept-Encoding"])
    return conditional


def scoped_page_key(request: HttpRequest, today: date, versions: dict[int | str, int]) -> str:
    """A page of one object: keyed by the versions of what it shows, not the site's."""
    target = request.path + "?" + request.GET.urlencode()
    path = hashlib.sha256(target.encode("utf-8")).hexdigest()
    scopes = ",".join(f"{scope}.{version}" for scope, version in sorted(versions.items(), key=str))
    language = translation.get_language()
    return f"public-page:scoped:{scopes}:{static_build()}:{today.isoformat()}:{language}:{path}"


def cached_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    params: Callable[[], Iterable[str]] | None = None,
    scopes: Callable[..., list[int | str]] | None = None,
) -> Any:
    """Keep a public page's successful GET response (body and type only, never cookies).

    `params` names the query parameters the view reads (a callable, read per request); any
    other parameter is dropped before the view sees the request, so the page, its links and its
    cache key depend on those alone. Without it, the view reads no parameter at all.

    `scopes` (called with the view's arguments) names what a page of one object shows: the
    object's service pk and CATALOGUE. Such a page is kept under those versions, so a change
    elsewhere (another service published) does not re-render it. Without it, the page is kept
    under the site's version, which any change bumps (the lists).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            request.GET = allowed_query(request, params() if params else ())
            key = _key(request, scopes(request, *args, **kwargs) if scopes else None)
            etag = version_etag(key) if key else None
            if etag and (not_modified := _revalidated(request, None, etag)) is not None:
                return not_modified
            seconds = settings.PAGE_CACHE_SECONDS
            hit = cache.get(key) if key and seconds > 0 else None
            if hit is not None:
                content, content_type = hit
                page = HttpResponse(content, content_type=content_type)
                return _revalidated(request, page, etag) or page
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200 or response.cookies:
                return response
            if key and seconds > 0:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            return _revalidated(request, response, etag or _etag(response.content)) or response

        return wrapper

    return decorate(view) if view is not None else decorate


def _key(request: HttpRequest, scopes: list[int | str] | None) -> str | None:
    """The page's cache key, or None when the cache cannot say which version is current (it is
    down): then nothing is kept and the ETag is the content's digest, since a version-based one
    could outlive a publication."""
    today = timezone.localdate()
    if scopes is None:
        version = known_version()
        return None if version is None else page_key(request, today, version)
    versions = scope_versions(scopes)
    return None if versions is None else scoped_page_key(request, today, versions)
