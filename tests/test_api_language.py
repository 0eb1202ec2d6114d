"""Texts come in the asked-for language, fall back to English, and say where they fell back."""

import pytest

from portal.api import accept_language_preferences, negotiate_language
from providers.models import FeatureGroup, RecommendationGroup, ServiceKind
from tests.factories import catalogue_feature, make_published_service, set_feature


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


@pytest.fixture
def half_translated(db):
    """Summary in Kurdish and English; description, note and group name in English only."""
    group = RecommendationGroup.objects.create(
        key="g", kind=ServiceKind.PROVIDER, name_en="Group", name_ckb="گرووپ"
    )
    service = make_published_service(
        slug="half",
        group=group,
        summary_en="English summary",
        summary_ckb="پوختەی کوردی",
        summary_de="",
        description_en="English description",
    )
    set_feature(service, "openpgp", True, note_en="Only in English")
    return service


def test_kurdish_where_there_is_kurdish_and_english_elsewhere(half_translated, client):
    response = client.get("/api/v1/services/half/?lang=ckb")
    body = response.json()
    assert response["Content-Language"] == "ckb"
    assert body["summary"] == "پوختەی کوردی"
    assert body["description"] == "English description"
    assert body["fallback_languages"] == {"description": "en"}
    assert body["group"] == {"key": "g", "name": "گرووپ", "fallback_languages": {}}
    (value,) = body["features"]
    assert (value["note"], value["fallback_languages"]) == ("Only in English", {"note": "en"})


def test_empty_texts_are_not_listed_as_fallbacks(half_translated, client):
    # pricing_notes and hq_city are empty in every language: nothing fell back.
    body = client.get("/api/v1/services/half/?lang=de").json()
    assert body["summary"] == "English summary"
    assert body["pricing_notes"] == "" and body["hq_city"] == ""
    assert body["fallback_languages"] == {"summary": "en", "description": "en"}


def test_english_never_falls_back(half_translated, client):
    body = client.get("/api/v1/services/half/").json()
    assert body["summary"] == "English summary"
    assert body["fallback_languages"] == {}
    assert client.get("/api/v1/services/half/").headers["Content-Language"] == "en"


def test_accept_language_is_used_when_there_is_no_lang_parameter(half_translated, client):
    response = client.get("/api/v1/services/half/", HTTP_ACCEPT_LANGUAGE="ckb-IQ, en;q=0.5")
    assert response["Content-Language"] == "ckb"
    assert response.json()["summary"] == "پوختەی کوردی"
    assert "Accept-Language" in response["Vary"]
    # ?lang wins over the header.
    response = client.get("/api/v1/services/half/?lang=en", HTTP_ACCEPT_LANGUAGE="ckb")
    assert response.json()["summary"] == "English summary"


def test_an_unsupported_lang_is_a_400(half_translated, client):
    response = client.get("/api/v1/services/?lang=tlh")
    assert response.status_code == 400
    assert "lang" in response.json()
    assert "ckb" in response.json()["lang"][0]


def test_the_catalogue_follows_the_language(db, client):
    group = FeatureGroup.objects.create(key="enc", name_en="Encryption", name_fa="رمزنگاری")
    catalogue_feature("openpgp", group=group, name_en="OpenPGP", help_text_en="Keys.")
    body = client.get("/api/v1/features/openpgp/?lang=fa").json()
    assert body["group"]["name"] == "رمزنگاری"
    assert body["name"] == "OpenPGP"
    assert body["fallback_languages"] == {"name": "en", "help_text": "en"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "en"),
        ("fa-IR,fa;q=0.9,en;q=0.8", "fa"),
        ("ku, de;q=0.8", "de"),  # Kurmanji is not offered; German is
        ("de;q=0.2, fr;q=0.9", "fr"),
        ("fr;q=0, es", "es"),  # q=0 means "not French"
        ("*", "en"),
        ("x;q=abc, es", "es"),
    ],
)
def test_negotiation(rf, header, expected):
    assert negotiate_language(rf.get("/", HTTP_ACCEPT_LANGUAGE=header)) == expected


def test_preferences_keep_the_header_order_for_equal_quality():
    assert accept_language_preferences("de, fr, es;q=0.5, ckb") == ["de", "fr", "ckb", "es"]


def test_the_language_does_not_leak_past_the_request(db, client):
    from django.utils import translation

    before = translation.get_language()
    assert client.get("/api/v1/languages/?lang=ckb")["Content-Language"] == "ckb"
    assert translation.get_language() == before
