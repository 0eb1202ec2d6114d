"""The public pages show the seed's content in the visitor's language, published items only."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from criteria.models import Criterion
from portal.publishing import PublicationState
from providers.models import Feature, FeatureChoice, PageText, Service
from providers.templatetags.content import in_its_language, render_markdown
from providers.views import CATEGORIES, daily_shuffle
from tests.factories import make_criterion, make_service


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> None:
    # The cache outlives a test's database; `update()` below sends no signal to invalidate it.
    cache.clear()


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_ckb_providers_page_has_proton_mails_kurdish_summary(seeded, client):
    page = text(client, "/ckb/providers/")
    assert "خزمەتگوزاریەکی پۆستەی ئەلکتڕۆنیە" in page
    assert "is an email service with a focus on privacy, encryption" not in page


@pytest.mark.parametrize(("lang", "direction"), [("ckb", "rtl"), ("fa", "rtl"), ("en", "ltr")])
def test_direction_follows_the_language(seeded, client, lang, direction):
    assert f'<html lang="{lang}" dir="{direction}">' in text(client, f"/{lang}/compare/")


def test_missing_translation_falls_back_to_english_and_says_so(seeded, client):
    # An aliasing page text and a feature name without their Kurdish translation.
    PageText.objects.filter(body_en__startswith="Email aliasing can act").update(body_ckb="")
    Feature.objects.filter(name_en="Web Key Directory (WKD)").update(name_ckb="")
    page = text(client, "/ckb/aliasing/")
    assert re.search(r'<div lang="en" dir="ltr"><p>Email aliasing can act', page)
    assert 'class="fallback-note"' in page
    assert 'class="fallback-note"' not in text(client, "/en/aliasing/")
    # Short labels (the comparison's feature names) only get their language, and the footer
    # says once that some texts are in English.
    compare = text(client, "/ckb/compare/")
    assert '<span lang="en" dir="ltr">Web Key Directory (WKD)</span>' in compare
    assert compare.count('class="fallback-note"') == 1


@pytest.mark.parametrize("lang", ["ckb", "fa"])
def test_english_fallback_in_a_right_to_left_page_runs_left_to_right(seeded, client, lang):
    # Laid out right to left, an English sentence's full stop jumps to the start of its line.
    Service.objects.filter(slug="proton-mail").update(summary_ckb="", summary_fa="")
    Feature.objects.filter(name_en="Web Key Directory (WKD)").update(name_ckb="", name_fa="")
    FeatureChoice.objects.update(name_ckb="", name_fa="")
    page = text(client, f"/{lang}/providers/")
    assert f'<html lang="{lang}" dir="rtl">' in page
    assert '<div lang="en" dir="ltr"><p><strong>Proton Mail</strong> is an email service' in page
    # The note stays outside, in the page's own language and direction.
    assert re.search(r'</div> <small class="fallback-note">', page)
    # The same in the comparison's header cells and its choice cells (built in Python).
    compare = text(client, f"/{lang}/compare/")
    assert '<span lang="en" dir="ltr">Web Key Directory (WKD)</span>' in compare
    assert re.search(
        r'<td class="cell-choices" data-label="[^"]+"><span lang="en" dir="ltr">[^<]+</span>',
        compare,
    )
    # A card's column name (shown by CSS from data-label, where no dir can be set) is isolated
    # with FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE.
    assert 'data-label="\u2068Web Key Directory (WKD)\u2069"' in compare
    # Text in the page's language is not wrapped.
    english = text(client, "/en/providers/")
    assert 'dir="ltr"><p>' not in english and '<span lang="en"' not in english


def test_text_in_another_language_takes_that_languages_direction():
    body = format_html("{}", "خزمەتگوزاری")
    with translation.override("en"):
        assert in_its_language(body, "ckb") == '<span lang="ckb" dir="rtl">خزمەتگوزاری</span>'
        assert in_its_language(body, "en") == body
    with translation.override("fa"):
        marked = in_its_language(format_html("{}", "Mail."), "en", block=True)
        assert marked == '<div lang="en" dir="ltr">Mail.</div>'


def test_root_redirects_by_accept_language(seeded, client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ckb,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ckb/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-CH")["Location"] == "/de/"


def test_language_switcher_keeps_the_page_and_its_query(seeded, client):
    page = text(client, "/en/compare/?openpgp=true")
    assert 'href="/ckb/compare/?openpgp=true"' in page
    assert 'href="/fa/compare/?openpgp=true"' in page
    assert "<form" not in page.split("<main")[0]  # plain links, no POST form


def test_category_pages_carry_the_documents_structure(seeded, client):
    providers = text(client, "/en/providers/")
    assert "OpenPGP-compatible services" in providers and "More Providers" in providers
    assert "protonmailrmez3lotccipshtkleegetolb73fuirgj7r4o4vfu7ozyd.onion" in providers
    assert "/static/img/status-good.svg" in providers
    assert "Google Play" in providers  # downloads per platform
    aliasing = text(client, "/en/aliasing/")
    assert 'class="checklist"' in aliasing and "Notable free features" in aliasing
    self_hosting = text(client, "/en/self-hosting/")
    assert "poolp.org" in self_hosting  # further reading
    for slug in ("mailcow", "mail-in-a-box"):
        assert f'id="{slug}"' in self_hosting


def test_home_lists_the_three_categories(seeded, client):
    page = text(client, "/en/")
    for path in ("/en/providers/", "/en/aliasing/", "/en/self-hosting/"):
        assert f'href="{path}"' in page
    assert "dependable business models" in page


def test_home_counts_every_published_service_of_each_category(seeded, client):
    page = text(client, "/en/")
    # One <li class="category"> per category, in CATEGORIES' order, each with its count.
    shown = [int(n) for n in re.findall(r'<p class="count">(\d+) recommended services?</p>', page)]
    expected = [
        Service.objects.published().filter(kind=category.kind).count() for category in CATEGORIES
    ]
    assert shown == expected
    # The seed has several services in every category: a count of 1 is the bug coming back.
    assert all(n > 1 for n in expected)


def test_service_page_has_the_checklist_and_an_audit_slot(seeded, client):
    page = text(client, "/en/services/proton-mail/")
    assert "Criteria checklist" in page and "Minimum to qualify" in page
    assert "Automated verification" in page
    assert "No automated audit has been recorded for this service yet." in page
    assert "Proton Mail Bridge" in page  # the description


def test_drafts_are_never_shown(seeded, client):
    make_service(name="Secret Draft Mail", slug="secret-draft", summary_en="Hush.")
    Service.objects.filter(slug="tutanota").update(state=PublicationState.IN_REVIEW)
    make_criterion(text_en="A draft criterion nobody may see.", state=PublicationState.DRAFT)
    for url in (
        "/en/",
        "/en/providers/",
        "/en/compare/",
        "/en/compare/?compare=secret-draft&compare=proton-mail",
        "/en/criteria/",
        "/en/services/proton-mail/",
    ):
        page = text(client, url)
        assert "Secret Draft" not in page and "Tutanota" not in page, url
        assert "A draft criterion" not in page, url
    assert client.get("/en/services/secret-draft/").status_code == 404
    assert client.get("/en/services/tutanota/").status_code == 404


def test_criteria_page_marks_retired_criteria_with_the_reason(seeded, client):
    criterion = Criterion.objects.published().filter(parent__isnull=True).first()
    Criterion.objects.filter(pk=criterion.pk).update(
        retired=True, retired_reason_en="Superseded by a newer standard."
    )
    page = text(client, "/en/criteria/")
    assert "Superseded by a newer standard." in page
    assert f'id="criterion-{criterion.key}"' in page


def test_markdown_is_rendered_safely():
    html = render_markdown(
        "**b** <script>x()</script> [a](javascript:alert(1)) [ok](https://e.org)"
    )
    assert "<strong>b</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://e.org" rel="noopener noreferrer">ok</a>' in html


def test_kept_markdown_follows_the_language_of_a_lazy_text():
    # Renderings are kept per text: a lazy translation must be kept under its text in the
    # language active at the time, not under the proxy (equal to itself in every language).
    lazy = gettext_lazy("Any")
    with translation.override("en"):
        english = render_markdown(lazy)
    with translation.override("de"):
        german = render_markdown(lazy)
    assert english == "<p>Any</p>\n"
    assert german == "<p>Beliebig</p>\n"
    assert render_markdown("**kept**") is render_markdown("**kept**")


def test_daily_shuffle_is_stable_within_a_day_and_changes_across_days():
    class Item:
        def __init__(self, slug: str) -> None:
            self.slug = slug

    items = [Item(f"s{n}") for n in range(12)]
    day = date(2026, 1, 1)
    first = [i.slug for i in daily_shuffle(items, day)]
    assert first == [i.slug for i in daily_shuffle(list(reversed(items)), day)]
    orders = {tuple(i.slug for i in daily_shuffle(items, date(2026, 1, d))) for d in range(1, 6)}
    assert len(orders) > 1
