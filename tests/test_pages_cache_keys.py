"""The page cache keys on what a page reads: random query parameters make no new entries, and
every page carries an ETag and Cache-Control, with a 304 for a client that has it."""

from __future__ import annotations

from django.core.cache import cache
from django.test import RequestFactory

from portal.cache import allowed_query, page_key
from providers.compare_view import comparison_parameters


def cache_size() -> int:
    return len(cache._cache)  # LocMemCache's store: the tests' cache (tests/conftest.py)


def test_random_parameters_reuse_one_entry(seeded, client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client.get("/en/compare/")
    entries = cache_size()
    for value in range(5):
        response = client.get(f"/en/compare/?zz={value}&utm_source=x{value}")
        assert response.status_code == 200
        assert f"zz={value}" not in response.content.decode()  # not echoed into links either
    client.get("/en/?whatever=1")
    assert cache_size() == entries + 1  # the home page, once


def test_the_filters_and_their_order_are_what_the_key_knows():
    factory = RequestFactory()
    one = factory.get("/en/compare/", {"wkd": "true", "openpgp": "true", "zz": "1"})
    two = factory.get("/en/compare/", {"openpgp": "true", "wkd": "true"})
    one.GET = allowed_query(one, comparison_parameters())
    two.GET = allowed_query(two, comparison_parameters())
    assert page_key(one, date_today()) == page_key(two, date_today())
    swapped = factory.get("/en/compare/?compare=a&compare=b")
    swapped.GET = allowed_query(swapped, comparison_parameters())
    assert swapped.GET.getlist("compare") == ["a", "b"]  # the order of columns is kept


def date_today():
    from django.utils import timezone

    return timezone.localdate()


def test_pages_have_an_etag_and_answer_304(seeded, client, settings):
    for seconds in (600, 0):  # from the cache and rendered
        settings.PAGE_CACHE_SECONDS = seconds
        first = client.get("/en/providers/")
        assert first["Cache-Control"] == "public, no-cache"
        etag = first["ETag"]
        again = client.get("/en/providers/", HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and not again.content
        other = client.get("/en/providers/", HTTP_IF_NONE_MATCH='"something-else"')
        assert other.status_code == 200


def test_a_new_stylesheet_is_never_paired_with_a_page_cached_before_it(
    seeded, client, settings, tmp_path
):
    """Pages name the stylesheet with its integrity digest: a page kept from before a deploy
    would make the browser refuse the new stylesheet."""
    from portal.templatetags import integrity

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    before = client.get("/en/").content.decode()
    stylesheet = tmp_path / "site.css"
    stylesheet.write_text("body { color: black; }")
    original = integrity.served_file
    integrity.integrity.cache_clear()
    integrity.served_file = lambda path: str(stylesheet)
    try:
        after = client.get("/en/").content.decode()
    finally:
        integrity.served_file = original
        integrity.integrity.cache_clear()
    assert 'integrity="sha384-' in before and before != after
    new_digest = after.split('integrity="')[1].split('"')[0]
    assert new_digest not in before


def test_a_304_is_answered_without_rendering_and_ends_with_a_publication(seeded, client, settings):
    """The ETag is known before the page is rendered (the content version, stylesheet, date,
    language and query), so a client that holds it costs no rendering; any publication changes
    it."""
    from portal.cache import bump_version

    settings.PAGE_CACHE_SECONDS = 0  # nothing kept: a 200 here is always a rendering
    first = client.get("/en/compare/?openpgp=true")
    assert first.templates, "a first visit renders the page"
    etag = first["ETag"]
    again = client.get("/en/compare/?openpgp=true", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.templates == []  # nothing rendered
    assert again["ETag"] == etag and again["Cache-Control"] == "public, no-cache"
    assert "Accept-Encoding" in again["Vary"]
    # Another language or filter is another page.
    assert client.get("/ckb/compare/?openpgp=true", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get("/en/compare/?openpgp=false", HTTP_IF_NONE_MATCH=etag).status_code == 200
    bump_version()  # what any saved curated object does
    after = client.get("/en/compare/?openpgp=true", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag


def test_without_a_content_version_the_etag_is_the_contents(seeded, client, settings):
    """With the cache down no version can be trusted: the page is rendered, and its ETag is its
    content's digest, so a 304 never outlives a publication made meanwhile."""
    from unittest import mock

    settings.PAGE_CACHE_SECONDS = 600
    with mock.patch("portal.cache.known_version", return_value=None):
        first = client.get("/en/providers/")
        assert not first["ETag"].startswith("W/")
        again = client.get("/en/providers/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.templates  # rendered, then compared
