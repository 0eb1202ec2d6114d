"""The comparison page's filters and tables as visitors use them: yes/no/any controls grouped as
the catalogue groups them, counts that match what the filter returns, short URLs, chips that
remove one filter, and side by side with "differences only"."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from providers.filters import BOOLEAN_FEATURE_KEYS
from providers.models import Feature, FeatureGroup


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings) -> None:
    settings.API_ANON_THROTTLE_RATE = None
    cache.clear()


def page(client, query: str = "", lang: str = "en") -> str:
    response = client.get(f"/{lang}/compare/?{query}")
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def api_count(client, query: str) -> int:
    response = client.get(f"/api/v1/services/?page_size=200&{query}")
    assert response.status_code == 200
    return response.json()["count"]


def shown_count(html: str, dom_id: str) -> int | None:
    """The count a control's option shows, or None when it shows none."""
    label = re.search(rf'<label for="{dom_id}">(.*?)</label>', html, re.S)
    assert label, dom_id
    count = re.search(r'<span class="option-count" aria-hidden="true">(\d+)</span>', label.group(1))
    return int(count.group(1)) if count else None


def test_the_form_left_at_any_redirects_to_the_short_url(seeded, client):
    # What the plain GET form submits: every control, most of them empty.
    response = client.get("/en/compare/?kind=&openpgp=true&wkd=&payment=cash&min_free_storage=")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/en/compare/"
    assert parse_qs(location.query) == {"openpgp": ["true"], "payment": ["cash"]}
    # Nothing chosen at all: the bare page.
    assert client.get("/ckb/compare/?openpgp=&wkd=")["Location"] == "/ckb/compare/"
    # A short URL is served as it is.
    assert client.get("/en/compare/?openpgp=true").status_code == 200


def test_every_yes_no_feature_is_a_three_way_control_and_any_is_the_default(seeded, client):
    html = page(client)
    for key in BOOLEAN_FEATURE_KEYS:
        radios = re.findall(
            rf'<input type="radio" name="{key}" value="(\w*)" id="[^"]+"( checked)?>', html
        )
        assert [value for value, _checked in radios] == ["", "true", "false"], key
        assert [bool(checked) for _value, checked in radios] == [True, False, False], key
    chosen = page(client, "openpgp=true&wkd=no")
    assert 'name="openpgp" value="true" id="f-openpgp-yes" checked' in chosen
    # `no` is read as false, as the FilterSet reads it.
    assert 'name="wkd" value="false" id="f-wkd-no" checked' in chosen


@pytest.mark.parametrize("key", ["openpgp", "wkd", "totp", "imap", "onion_service"])
def test_counts_say_how_many_services_the_choice_would_keep(seeded, client, key):
    html = page(client, "kind=provider")
    assert shown_count(html, f"f-{key}-yes") == api_count(client, f"kind=provider&{key}=true")
    assert shown_count(html, f"f-{key}-no") == api_count(client, f"kind=provider&{key}=false")


def test_an_active_control_offers_its_other_options_without_counts(seeded, client):
    # Choosing "no" would replace "yes", not narrow the list: a count would mislead.
    html = page(client, "openpgp=true")
    assert shown_count(html, "f-openpgp-no") is None
    assert shown_count(html, "f-wkd-yes") == api_count(client, "openpgp=true&wkd=true")
    assert shown_count(html, "f-payment-cash") == api_count(client, "openpgp=true&payment=cash")


def test_controls_are_grouped_as_the_catalogue_groups_them(seeded, client):
    html = page(client)
    legends = re.findall(
        r'<fieldset class="filter-group[^"]*">\s*<legend><svg[^>]*>.*?</svg>([^<]+)</legend>',
        html,
        re.S,
    )
    groups = list(
        FeatureGroup.objects.filter(features__key__in=[*BOOLEAN_FEATURE_KEYS, "payment_methods"])
        .distinct()
        .order_by("order", "pk")
        .values_list("name", flat=True)
    )
    assert legends[0] == "Service"
    assert legends[1 : 1 + len(groups)] == groups
    # Each feature's control sits in its own group's fieldset.
    for feature in Feature.objects.filter(key__in=["openpgp", "totp", "imap"]).select_related(
        "group"
    ):
        group_html = html.split(f"</svg>{feature.group.name}</legend>")[1].split(
            '<fieldset class="filter-group'
        )[0]
        assert f'name="{feature.key}"' in group_html


def test_the_country_filters_offer_the_countries_in_use(seeded, client):
    html = page(client)
    offered = set(re.findall(r'name="country" value="([A-Z]{2})"', html))
    assert offered == {"CH", "DE", "NL"}
    # Any other code still filters (the URL and the API accept every ISO code).
    assert 'value="FR" id="f-country-FR" checked' in page(client, "country=FR")


def test_each_active_filter_is_a_chip_that_removes_only_itself(seeded, client):
    html = page(client, "openpgp=true&country=DE&ordering=name")
    chips = re.findall(r'<li class="chip">(.*?)</li>', html, re.S)
    assert len(chips) == 2
    openpgp = next(chip for chip in chips if chip.startswith("OpenPGP"))
    remove = re.search(r'href="\?([^"]*)"', openpgp).group(1).replace("&amp;", "&")
    assert parse_qs(remove) == {"country": ["DE"], "ordering": ["name"]}
    assert "<strong>Yes</strong>" in openpgp
    assert '<li class="chip">' not in page(client)


def side_rows(html: str) -> list[str]:
    side = html.split('class="side-by-side"')[1].split("</table>")[0]
    return re.findall(r'<tr><th scope="row">(.*?)</th>', side)


def test_differences_only_leaves_out_the_rows_where_the_services_agree(seeded, client):
    both = "compare=proton-mail&compare=mailbox-org"
    every = side_rows(page(client, both))
    html = page(client, f"{both}&differences=1")
    different = side_rows(html)
    assert 0 < len(different) < len(every)
    # Both are email providers: the kind is the same, so its row goes; OpenPGP's too (both yes).
    assert "Kind" in every and "Kind" not in different
    assert "OpenPGP" in every and "OpenPGP" not in different
    assert "Headquarters" in different  # Switzerland and Germany
    # Every row left shows at least two different values.
    side = html.split('class="side-by-side"')[1].split("</table>")[0]
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", side, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert len(set(cells)) > 1, row
    # The toggle leads back to every row, keeping the chosen services.
    toggle = re.search(r'<a href="\?([^"]*)" class="toggle-link">', html).group(1)
    assert parse_qs(toggle.replace("&amp;", "&")) == {"compare": ["proton-mail", "mailbox-org"]}


def test_each_cell_carries_its_columns_name_for_the_phone_layout(seeded, client):
    html = page(client, "ordering=name")
    row = html.split('value="proton-mail"')[1].split("</tr>")[0]
    labels = re.findall(r'<td[^>]* data-label="([^"]+)"', row)
    features = Feature.objects.filter(key__in=[*BOOLEAN_FEATURE_KEYS, "payment_methods"]).count()
    assert len(labels) == 4 + features
    assert "OpenPGP" in labels and "Headquarters" in labels


@pytest.mark.parametrize(("lang", "digits"), [("fa", "۰۱۲۳۴۵۶۷۸۹"), ("ckb", "٠١٢٣٤٥٦٧٨٩")])
def test_numbers_are_written_in_the_pages_digits(seeded, client, lang, digits):
    def local(number: int) -> str:
        return str(number).translate(str.maketrans("0123456789", digits))

    html = page(client, "ordering=name", lang=lang)
    proton = html.split('value="proton-mail"')[1].split("</tr>")[0]
    # A year without grouping, storage with the language's own digits, the count in the heading.
    assert f">{local(2013)}</td>" in proton
    assert local(500) in proton and "500" not in proton
    heading = re.search(r'<h2 id="results-heading">(.*?)</h2>', html).group(1)
    assert local(8) in heading and "8" not in heading
    home = client.get(f"/{lang}/").content.decode()
    assert re.search(rf'<p class="count">[^<]*{local(4)}', home)
