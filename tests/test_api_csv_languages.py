"""The CSV speaks the request's language: the header names the columns and features, and the
cells spell kinds, groups, countries, yes/no, "unlimited" and choices as the pages do; with
`labels=keys` the same table comes in stable keys, whatever the language."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from django.utils.text import capfirst

from portal.translation_support import pick_translation
from providers.countries import country_name
from providers.models import Feature, FeatureChoice, Service, ServiceKind
from tests.http import body

pytestmark = pytest.mark.django_db

RIGHT_TO_LEFT = ("ckb", "fa")


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


def table(client, query: str) -> list[list[str]]:
    response = client.get(f"/api/v1/services/?format=csv&{query}")
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(body(response).decode())))


def by_slug(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_the_header_names_columns_and_features_in_the_language(seeded, client, language):
    header = table(client, f"lang={language}")[0]
    payment = Feature.objects.get(key="payment_methods")
    name = pick_translation(payment, "name", language)[0]
    assert name != payment.name_en  # the seed translates it, so the header must show it
    assert name in header
    with translation.override(language):
        founded = capfirst(str(Service._meta.get_field("founded_year").verbose_name))
    assert founded != "Founded" and founded in header
    assert "payment_methods" not in header and "founded_year" not in header


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
def test_cells_spell_choices_kinds_and_yes_no_in_the_language(seeded, client, language):
    rows = table(client, f"lang={language}")
    header, mailbox = rows[0], by_slug(rows)["mailbox-org"]
    cell = dict(zip(header, mailbox, strict=True))
    payment = pick_translation(Feature.objects.get(key="payment_methods"), "name", language)[0]
    cash = pick_translation(
        FeatureChoice.objects.get(feature__key="payment_methods", key="cash"), "name", language
    )[0]
    assert cash != "Cash" and cash in cell[payment].split(";")
    with translation.override(language):
        provider = str(ServiceKind.PROVIDER.label)
    assert provider != "Email provider" and provider in mailbox
    yes, no = in_language(language, "Yes"), in_language(language, "No")
    assert yes != "Yes" and no != "No"
    openpgp = pick_translation(Feature.objects.get(key="openpgp"), "name", language)[0]
    assert cell[openpgp] == yes
    assert country_name("DE", language) in mailbox and "DE" not in mailbox
    assert "true" not in mailbox and "cash" not in cell[payment]


def test_unlimited_numbers_read_as_a_word_and_numbers_stay_numbers(seeded, client):
    rows = table(client, "lang=fa")
    anonaddy = by_slug(rows)["anonaddy"]
    assert in_language("fa", "unlimited") in anonaddy
    assert in_language("fa", "unlimited") != "unlimited"
    # Spreadsheets sum numbers: digits stay ASCII in every language.
    proton = by_slug(rows)["proton-mail"]
    assert "500" in proton and "2013" in proton


def test_keys_are_the_same_table_in_every_language(seeded, client):
    english = table(client, "labels=keys&lang=en")
    assert english[0][:3] == ["slug", "name", "kind"] and "payment_methods" in english[0]
    mailbox = dict(zip(english[0], by_slug(english)["mailbox-org"], strict=True))
    assert mailbox["payment_methods"].split(";")[0] == "cash"
    assert (mailbox["kind"], mailbox["hq_country"], mailbox["openpgp"]) == (
        "provider",
        "DE",
        "true",
    )
    for language in RIGHT_TO_LEFT:
        translated = table(client, f"labels=keys&lang={language}")
        assert translated[0] == english[0]
        city = english[0].index("hq_city")
        for ours, theirs in zip(translated[1:], english[1:], strict=True):
            assert ours[:city] + ours[city + 1 :] == theirs[:city] + theirs[city + 1 :]


def test_names_is_the_default_and_a_wrong_labels_value_is_a_400(seeded, client):
    assert table(client, "lang=ckb") == table(client, "lang=ckb&labels=names")
    response = client.get("/api/v1/services/?format=csv&labels=ids")
    assert response.status_code == 400
    message = response.json()["labels"][0]
    assert "names" in message and "keys" in message
    assert client.get("/api/v1/services/proton-mail/?labels=keys").status_code == 400
