"""Numbers and quantities as each language writes them, digits and plural forms included."""

import pytest
from babel import Locale
from django.utils import translation

from providers.models import Feature, FeatureValue, Service
from providers.numbers import NUMBERING_SYSTEMS, localized_number, quantity


def test_the_digit_table_agrees_with_cldr():
    for language, system in NUMBERING_SYSTEMS.items():
        assert Locale.parse(language)._data["default_numbering_system"] == system
    for language in ("en", "de", "fr", "es"):
        assert Locale.parse(language)._data["default_numbering_system"] == "latn"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1,234.5"),
        ("de", "1.234,5"),
        ("fa", "۱٬۲۳۴٫۵"),
        ("ckb", "١٬٢٣٤٫٥"),
    ],
)
def test_numbers_use_the_languages_digits_and_separators(language, expected):
    assert localized_number(1234.5, language) == expected


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "1 day", "180 days"),
        ("de", "1 Tag", "180 Tage"),
        ("es", "1 día", "180 días"),
        ("fa", "۱ روز", "۱۸۰ روز"),
        ("ckb", "١ ڕۆژ", "١٨٠ ڕۆژ"),
    ],
)
def test_quantities_take_the_plural_form_and_order_of_the_language(language, one, many):
    with translation.override(language):
        assert quantity(1, "days") == one
        assert quantity(180, "days") == many
        assert quantity(2.5, "widgets") == f"{localized_number(2.5)} widgets"  # unknown unit


def test_the_service_page_shows_a_quantity_in_persian(seeded, client):
    feature = Feature.objects.get(key="account_deleted_after_days")
    value = FeatureValue.objects.filter(feature=feature, number_value=180).first()
    assert value is not None, "the seed gives 180 days somewhere"
    service = Service.objects.get(pk=value.service_id)
    page = client.get(f"/fa/services/{service.slug}/").content.decode()
    assert "۱۸۰ روز" in page and "180 days" not in page
    assert "180 days" in client.get(f"/en/services/{service.slug}/").content.decode()
