"""The one FilterSet selects the right services: on the seed's facts, and on edge cases."""

from pathlib import Path

import pytest
import yaml
from django.http import QueryDict
from django.utils import translation

from portal.publishing import PublicationState
from portal.seed.loader import DATA_DIR
from providers.filters import (
    ANONYMOUS_PAYMENT_KEYS,
    BOOLEAN_FEATURE_KEYS,
    PAYMENT_CHOICES,
    ServiceFilterSet,
)
from providers.models import Service
from tests.factories import make_published_service, make_service, set_feature


def slugs(query: str, queryset=None) -> list[str]:
    filterset = ServiceFilterSet(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


def errors(query: str) -> dict:
    filterset = ServiceFilterSet(QueryDict(query))
    assert not filterset.is_valid()
    return filterset.errors


# --- On the seed: the document's facts -----------------------------------------------------------


def test_openpgp_and_wkd_are_proton_mail_and_mailbox_org(seeded):
    assert set(slugs("openpgp=true&wkd=true")) == {"proton-mail", "mailbox-org"}


def test_false_means_the_document_says_no(seeded):
    # "Tutanota does not use OpenPGP"; StartMail has OpenPGP but "does not support" WKD.
    assert slugs("openpgp=false") == ["tutanota"]
    assert slugs("openpgp=true&wkd=false") == ["startmail"]


def test_anonymous_payment_is_cash_or_cryptocurrency(seeded):
    found = set(slugs("anonymous_payment=true"))
    # Proton takes cash and Bitcoin, Mailbox.org cash by post, StartMail Bitcoin. Tutanota's
    # cryptocurrency goes through a gift-card partner, which a transcription may count or not.
    assert {"proton-mail", "mailbox-org", "startmail"} <= found
    assert found <= {"proton-mail", "mailbox-org", "startmail", "tutanota"}
    # The aliasing and self-hosted entries state no payment methods at all.
    assert set(slugs("anonymous_payment=false")).isdisjoint(
        {"anonaddy", "simplelogin", "mailcow", "mail-in-a-box"}
    )


def test_exclude_country_keeps_services_without_a_known_country(seeded):
    # Mailbox.org (Berlin) and Tutanota (Hanover) are German.
    assert set(slugs("exclude_country=DE")) == {
        "proton-mail",
        "startmail",
        "anonaddy",
        "simplelogin",
        "mailcow",
        "mail-in-a-box",
    }
    assert set(slugs("country=de&country=NL")) == {"mailbox-org", "tutanota", "startmail"}


def test_kind_on_the_seed(seeded):
    assert set(slugs("kind=self_hosted")) == {"mailcow", "mail-in-a-box"}
    assert set(slugs("kind=aliasing")) == {"anonaddy", "simplelogin"}


# --- The module's constants match the catalogue ----------------------------------------------


def _catalogue() -> dict:
    return yaml.safe_load((Path(DATA_DIR) / "catalogue.yaml").read_text(encoding="utf-8"))


def test_every_boolean_filter_is_a_yes_no_feature_of_the_catalogue():
    kinds = {feature["key"]: feature["kind"] for feature in _catalogue()["features"]}
    assert {key: kinds.get(key) for key in BOOLEAN_FEATURE_KEYS} == dict.fromkeys(
        BOOLEAN_FEATURE_KEYS, "boolean"
    )
    assert set(BOOLEAN_FEATURE_KEYS) <= set(ServiceFilterSet.base_filters)


def test_payment_choices_are_the_catalogues():
    (payment,) = [f for f in _catalogue()["features"] if f["key"] == "payment_methods"]
    assert [c["key"] for c in payment["choices"]] == [key for key, _ in PAYMENT_CHOICES]
    assert set(ANONYMOUS_PAYMENT_KEYS) == {"cash", "cryptocurrency"}


# --- Semantics, on services made for each case -----------------------------------------------


@pytest.fixture
def three(db):
    """yes, no, and unknown (no value row) for openpgp."""
    yes = make_published_service(slug="yes", name="Yes")
    no = make_published_service(slug="no", name="No")
    make_published_service(slug="unknown", name="Unknown")
    set_feature(yes, "openpgp", True)
    set_feature(no, "openpgp", False)


def test_unknown_is_excluded_by_true_and_by_false(three):
    assert slugs("openpgp=true") == ["yes"]
    assert slugs("openpgp=false") == ["no"]
    assert set(slugs("")) == {"yes", "no", "unknown"}


@pytest.mark.parametrize("word", ["true", "True", "1", "yes"])
def test_boolean_words(three, word):
    assert slugs(f"openpgp={word}") == ["yes"]


def test_a_bad_boolean_is_an_error_not_ignored(db):
    assert "openpgp" in errors("openpgp=maybe")
    assert "yes/no" in str(errors("free_plan=2")["free_plan"])


def test_payment_matches_any_of_the_methods_once(db):
    both = make_published_service(slug="both")
    set_feature(both, "payment_methods", ["cash", "cryptocurrency", "card"])
    card = make_published_service(slug="card")
    set_feature(card, "payment_methods", ["card"])
    make_published_service(slug="silent")
    # Two matching methods, still one row.
    assert slugs("payment=cash&payment=cryptocurrency") == ["both"]
    assert sorted(slugs("payment=card&payment=cash")) == ["both", "card"]
    assert "payment" in errors("payment=bitcoin")


def test_anonymous_payment_false_needs_known_methods(db):
    cash = make_published_service(slug="cash")
    set_feature(cash, "payment_methods", ["cash"])
    card = make_published_service(slug="card")
    set_feature(card, "payment_methods", ["card", "paypal"])
    make_published_service(slug="silent")
    assert slugs("anonymous_payment=true") == ["cash"]
    assert slugs("anonymous_payment=false") == ["card"]


def test_free_plan_and_minimum_free_storage(db):
    make_published_service(slug="big", free_plan=True, free_storage_mb=10_000)
    make_published_service(slug="small", free_plan=True, free_storage_mb=500)
    make_published_service(slug="paid", free_plan=False)
    make_published_service(slug="unsure", free_plan=None)
    assert sorted(slugs("free_plan=true")) == ["big", "small"]
    assert slugs("free_plan=false") == ["paid"]
    assert sorted(slugs("min_free_storage=500")) == ["big", "small"]
    assert slugs("min_free_storage=501") == ["big"]
    assert "min_free_storage" in errors("min_free_storage=0.5")
    assert "min_free_storage" in errors("min_free_storage=-1")


def test_country_and_exclude_country(db):
    make_published_service(slug="swiss", hq_country="CH")
    make_published_service(slug="german", hq_country="DE")
    make_published_service(slug="nowhere", hq_country="")
    assert slugs("country=ch") == ["swiss"]
    assert sorted(slugs("country=CH&country=DE")) == ["german", "swiss"]
    assert sorted(slugs("exclude_country=DE")) == ["nowhere", "swiss"]
    assert "country" in errors("country=XX")


def test_drafts_never_pass_the_filter_whatever_the_queryset(db):
    draft = make_service(slug="draft", state=PublicationState.DRAFT)
    set_feature(draft, "openpgp", True)
    in_review = make_service(slug="in-review", state=PublicationState.IN_REVIEW)
    set_feature(in_review, "openpgp", True)
    assert slugs("openpgp=true", queryset=Service.objects.all()) == []
    assert slugs("", queryset=Service.objects.all()) == []


def test_ordering_is_total_and_puts_unknown_last(db):
    make_published_service(slug="b-old", name="Same", founded_year=2001)
    make_published_service(slug="a-new", name="Same", founded_year=2020)
    make_published_service(slug="c-unknown", name="Same", founded_year=None)
    assert slugs("ordering=name") == ["a-new", "b-old", "c-unknown"]  # ties broken by slug
    assert slugs("ordering=founded_year") == ["b-old", "a-new", "c-unknown"]
    assert slugs("ordering=-founded_year") == ["a-new", "b-old", "c-unknown"]
    assert "ordering" in errors("ordering=state")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # Austria, Germany, Switzerland: by code it would be AT, CH, DE.
        ("en", ["austrian", "german", "swiss", "nowhere"]),
        # Deutschland, Österreich, Schweiz: the Ö sorts among the O's, not after the Z's.
        ("de", ["german", "austrian", "swiss", "nowhere"]),
    ],
)
def test_ordering_by_headquarters_uses_the_countrys_name(db, language, expected):
    make_published_service(slug="swiss", hq_country="CH")
    make_published_service(slug="nowhere", hq_country="")
    make_published_service(slug="austrian", hq_country="AT")
    make_published_service(slug="german", hq_country="DE")
    with translation.override(language):
        assert slugs("ordering=hq_country") == expected
        assert slugs("ordering=-hq_country") == [*reversed(expected[:-1]), "nowhere"]
