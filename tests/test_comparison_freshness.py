"""Nothing the comparison keeps (its index, its rendered rows) outlives a publication: the changed
service's row is new in every language at once, and no other row is rendered again."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from providers import compare_view
from providers.models import Feature, FeatureValue, Service

LANGUAGES = ["en", "ckb", "de", "fr", "es", "fa"]


@pytest.fixture(autouse=True)
def _warm_state(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 600  # as in production: the page cache is on too
    cache.clear()
    compare_view.ROW_FRAGMENTS.clear()


@pytest.fixture
def rendered(monkeypatch) -> list[tuple[str, str]]:
    """(language, slug) of every row rendered from scratch."""
    calls: list[tuple[str, str]] = []
    original = compare_view.comparison_rows

    def counting(services, cells, chosen=frozenset()):  # type: ignore[no-untyped-def]
        from django.utils.translation import get_language

        calls.extend((get_language(), service["slug"]) for service in services)
        return original(services, cells, chosen)

    monkeypatch.setattr(compare_view, "comparison_rows", counting)
    return calls


def row_of(client, language: str, slug: str) -> str:
    page = client.get(f"/{language}/compare/?ordering=name").content.decode()
    return page.split(f'value="{slug}"')[1].split("</tr>")[0]


def test_a_published_change_shows_in_every_language_and_renders_only_its_row(
    seeded, client, rendered
):
    for language in LANGUAGES:
        assert 'class="cell-yes" data-label="OpenPGP"' not in row_of(client, language, "tutanota")
    assert len(rendered) == 8 * len(LANGUAGES)
    rendered.clear()

    # What publishing does (portal/review.py applies the revision and saves the service).
    tutanota = Service.objects.get(slug="tutanota")
    FeatureValue.objects.filter(service=tutanota, feature__key="openpgp").update(bool_value=True)
    tutanota.name = "Tuta"
    tutanota.save()

    for language in LANGUAGES:
        row = row_of(client, language, "tutanota")
        assert ">Tuta</a>" in row, language
        openpgp = Feature.objects.get(key="openpgp")
        label = getattr(openpgp, f"name_{language}") or openpgp.name_en
        assert f'class="cell-yes" data-label="{label}"' in row or (
            'class="cell-yes" data-label="\u2068' + openpgp.name_en in row
        ), language
    # One row per language rendered again: Tutanota's, nothing else.
    assert sorted(rendered) == sorted((language, "tutanota") for language in LANGUAGES)


def test_a_catalogue_change_renders_every_row_again(seeded, client, rendered):
    row_of(client, "en", "proton-mail")
    rendered.clear()
    feature = Feature.objects.get(key="openpgp")
    feature.name_en = "OpenPGP encryption"
    feature.save()
    page = client.get("/en/compare/?ordering=name").content.decode()
    assert page.count('data-label="OpenPGP encryption"') == 8
    assert len(rendered) == 8


def test_without_a_content_version_the_index_is_not_trusted(seeded, client, monkeypatch):
    """Redis down: no version can be read or bumped, so a publication made meanwhile must still
    show; the index is rebuilt instead of kept (here at once, in production within seconds)."""
    from django.core.cache.backends.dummy import DummyCache

    import portal.cache
    from providers import comparison_index

    monkeypatch.setattr(portal.cache, "cache", DummyCache("down", {}))
    assert portal.cache.known_version() is None
    builds: list[object] = []
    original = comparison_index.build_index

    def counting(version, queryset=None):  # type: ignore[no-untyped-def]
        builds.append(version)
        return original(version, queryset)

    monkeypatch.setattr(comparison_index, "build_index", counting)
    client.get("/en/compare/")
    client.get("/en/compare/?openpgp=true")
    assert builds == [None]  # kept for a few seconds, not rebuilt per request

    monkeypatch.setattr(comparison_index, "UNVERSIONED_INDEX_SECONDS", 0.0)
    tutanota = Service.objects.get(slug="tutanota")
    tutanota.name = "Tuta"
    tutanota.save()  # its signal cannot bump a version the cache does not keep
    assert ">Tuta</a>" in row_of(client, "en", "tutanota")
    assert len(builds) == 2
