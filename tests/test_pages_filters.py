"""The comparison page filters with the ONE FilterSet: result sets on the seed, and the same
services as the API for the same query string."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from providers.models import Service

ROW = re.compile(r'<input type="checkbox" name="compare" value="([-\w]+)"')


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings) -> None:
    settings.API_ANON_THROTTLE_RATE = None
    cache.clear()


def page_slugs(client, query: str, lang: str = "en") -> list[str]:
    response = client.get(f"/{lang}/compare/?{query}")
    assert response.status_code == 200, response.content[:500]
    main = response.content.decode().split('class="comparison"')[1]
    return ROW.findall(main)


def api_slugs(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/services/?page_size=200&{query}")
    assert response.status_code == 200, response.content[:500]
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("openpgp=true&wkd=true", {"proton-mail", "mailbox-org"}),
        ("openpgp=false", {"tutanota"}),
        ("openpgp=true&wkd=false", {"startmail"}),
        ("kind=aliasing", {"anonaddy", "simplelogin"}),
        ("kind=self_hosted", {"mailcow", "mail-in-a-box"}),
        ("country=DE&country=NL", {"mailbox-org", "tutanota", "startmail"}),
        ("kind=provider&exclude_country=DE", {"proton-mail", "startmail"}),
        ("openpgp=true&wkd=true&country=CH", {"proton-mail"}),
    ],
)
def test_filter_result_sets_on_the_seed(seeded, client, query, expected):
    assert set(page_slugs(client, query)) == expected
    # The same in another language: filters do not depend on the page's language.
    assert set(page_slugs(client, query, lang="ckb")) == expected


def test_unfiltered_page_lists_every_published_service(seeded, client):
    assert len(page_slugs(client, "")) == 8


def test_sorting_uses_the_filtersets_ordering(seeded, client):
    slugs = page_slugs(client, "kind=provider&ordering=-founded_year")
    # Tutanota 2011, Proton 2013, Mailbox.org 2014, StartMail 2014 (ties broken by slug).
    assert slugs[-1] == "tutanota"
    page = client.get("/en/compare/?ordering=name").content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="?ordering=-name"' in page


# The seed's headquarters; the aliasing and self-hosted entries name none.
SEED_HEADQUARTERS = {"DE": ["mailbox-org", "tutanota"], "NL": ["startmail"], "CH": ["proton-mail"]}
WITHOUT_HEADQUARTERS = ["anonaddy", "mail-in-a-box", "mailcow", "simplelogin"]
# The countries by name, not by code (CH, DE, NL): Germany, Netherlands, Switzerland in English
# and German (Deutschland, Niederlande, Schweiz); Persian: آلمان, سوئیس, هلند.
COUNTRIES_BY_NAME = {"en": ["DE", "NL", "CH"], "de": ["DE", "NL", "CH"], "fa": ["DE", "CH", "NL"]}


@pytest.mark.parametrize("lang", sorted(COUNTRIES_BY_NAME))
def test_sorting_by_headquarters_follows_the_names_with_unknown_last(seeded, client, lang):
    in_database = dict(Service.objects.published().values_list("slug", "hq_country"))
    assert {slug: str(code) for slug, code in in_database.items()} == {
        **{slug: code for code, slugs in SEED_HEADQUARTERS.items() for slug in slugs},
        **dict.fromkeys(WITHOUT_HEADQUARTERS, ""),
    }
    names = COUNTRIES_BY_NAME[lang]
    # Ties (the two German services, the unknown ones) are broken by slug in both directions.
    ascending = [slug for code in names for slug in SEED_HEADQUARTERS[code]]
    descending = [slug for code in reversed(names) for slug in SEED_HEADQUARTERS[code]]
    ascending += WITHOUT_HEADQUARTERS
    descending += WITHOUT_HEADQUARTERS
    assert page_slugs(client, "ordering=hq_country", lang=lang) == ascending
    assert page_slugs(client, "ordering=-hq_country", lang=lang) == descending
    assert api_slugs(client, f"ordering=hq_country&lang={lang}") == ascending
    assert api_slugs(client, f"ordering=-hq_country&lang={lang}") == descending


def test_a_bad_filter_value_is_a_400_that_names_it(seeded, client):
    response = client.get("/en/compare/?openpgp=maybe")
    assert response.status_code == 400
    assert "<code>openpgp</code>" in response.content.decode()


def test_two_services_side_by_side(seeded, client):
    page = client.get("/en/compare/?compare=proton-mail&compare=tutanota").content.decode()
    side = page.split('class="side-by-side"')[1].split("</table>")[0]
    assert "Proton Mail" in side and "Tutanota" in side and "Mailbox.org" not in side
    assert 'id="compare-proton-mail" checked' in page


def side_row(page: str, feature_name: str) -> list[str]:
    side = page.split('class="side-by-side"')[1].split("</table>")[0]
    row = side.split(f'<th scope="row">{feature_name}</th>')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_cells_show_each_services_values(seeded, client):
    page = client.get("/en/compare/?compare=proton-mail&compare=tutanota").content.decode()
    assert side_row(page, "OpenPGP") == ["Yes", "No"]
    assert "Cash" in side_row(page, "Payment methods")[0]
    # The big table agrees: Proton Mail's row says yes to OpenPGP, Tutanota's no.
    openpgp = client.get("/en/compare/?openpgp=true").content.decode()
    assert 'value="proton-mail"' in openpgp and 'value="tutanota"' not in openpgp
    table = client.get("/en/compare/?kind=provider&ordering=name").content.decode()
    proton = table.split('value="proton-mail"')[1].split("</tr>")[0]
    assert proton.count('class="cell-yes"') >= 10


def test_one_or_five_services_are_not_compared(seeded, client):
    assert (
        'class="side-by-side"'
        not in client.get("/en/compare/?compare=proton-mail").content.decode()
    )
    five = "&".join(
        f"compare={s}" for s in ("proton-mail", "tutanota", "startmail", "mailbox-org", "anonaddy")
    )
    page = client.get(f"/en/compare/?{five}").content.decode()
    assert 'class="side-by-side"' not in page and 'class="notice"' in page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "openpgp=true&wkd=true",
        "kind=provider&ordering=-founded_year",
        "anonymous_payment=true",
        "payment=cash&payment=cryptocurrency",
        "free_plan=true&min_free_storage=500",
        "exclude_country=DE&ordering=name",
        "totp=true&kind=aliasing",
        "country=ch&country=de",
    ],
)
def test_page_and_api_return_the_same_services_in_the_same_order(seeded, client, query):
    assert page_slugs(client, query) == api_slugs(client, query)


@pytest.mark.parametrize(
    ("lang", "switzerland"), [("ckb", "سویسڕا"), ("fa", "سوئیس"), ("de", "Schweiz")]
)
def test_country_names_come_in_the_pages_language(seeded, client, lang, switzerland):
    # django-countries has no Central Kurdish; the names come from CLDR for every language.
    providers = client.get(f"/{lang}/providers/").content.decode()
    assert f"{switzerland}</dd>" in providers and "Switzerland</dd>" not in providers
    compare = client.get(f"/{lang}/compare/").content.decode()
    # The country filters offer the countries in use, each by its name in the page's language.
    assert f'<label for="f-country-CH">{switzerland} <span class="option-count"' in compare
    assert 'for="f-country-CH">Switzerland' not in compare
